"""Opening a lorelens database: the one place that does, for writers and readers.

DuckDB lets one process write a database file, and no other process open it meanwhile,
not even to read (docs/guide.md, "Reading while an ingest writes"). Every connection of
lorelens is made here, so that a lock, a file that is not a database or a schema of
another lorelens comes out as one clear line (:class:`core.errors.DatabaseError`), and
every session runs in UTC (docs/schema.md, "Conventions"):

- :func:`open_writable`: the writer's connection (``ingest.load.Database`` brings the
  schema up to date on it);
- :func:`connect_readonly`: a reader's, locked down for user SQL, refusing a database whose
  schema this lorelens cannot read;
- :func:`shared_lock`: DuckDB's shared lock on a database, held while a read snapshot is
  copied (core/snapshot.py).

The schema version this lorelens reads and writes is :data:`SCHEMA_VERSION`; the numbered
migrations of ``ingest/migrations/`` take an older database to it (docs/schema.md,
"Schema versions"). :func:`enrichment_version` names what its enrichment computes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from core import __version__
from core.errors import DatabaseError, DatabaseLocked

#: The schema this lorelens reads and writes. Adding a migration to ``ingest/migrations/``
#: raises it by one (ingest/load/migrations.py refuses a gap between the two).
SCHEMA_VERSION = 3

#: What the enrichment computes: bump it when a stage's results change. A database whose
#: enrichment tables were made otherwise is recomputed whole by the next ``lorelens
#: enrich`` (ingest/enrich/plan.py), and readers say so meanwhile.
ENRICH_VERSION = "10"


def enrichment_version() -> str:
    """The version an enrichment run records in ``enrich_runs.version``: what it computed
    (``ENRICH_VERSION``), the schema and the lorelens release."""
    return f"enrich {ENRICH_VERSION}, schema {SCHEMA_VERSION}, lorelens {__version__}"


def _locked_down(files: bool) -> dict[str, Any]:
    """A reader's configuration: no file access outside the database (unless ``files``),
    no spill directory, no extensions loaded. The order matters: given the temporary
    directory first, DuckDB refuses the connection ("Modifying the temp_directory has
    been disabled by configuration")."""
    return {
        "enable_external_access": files,
        "temp_directory": "",
        "autoload_known_extensions": False,
        "autoinstall_known_extensions": False,
    }


_PID = re.compile(r"PID (\d+)")  # in DuckDB's lock error: the process holding the lock


def open_writable(path: Path | str) -> duckdb.DuckDBPyConnection:
    """The writer's connection to ``path`` (created, with its folder, when missing)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(path, read_only=False)
    con.execute("SET TimeZone = 'UTC'")
    # DuckDB draws its own progress bar on the terminal for long statements, in the
    # middle of lorelens' output (and into logs): lorelens reports progress itself
    con.execute("SET enable_progress_bar = false")
    return con


def connect_readonly(path: Path | str, *, files: bool = False) -> duckdb.DuckDBPyConnection:
    """A read-only connection to ``path``, locked down for user SQL.

    No file access outside the database (no read_csv('/etc/passwd'), no COPY, no ATTACH
    of other files), no extensions loaded, UTC session time zone. No spill directory
    either: DuckDB lets a locked-down connection read and write files in its temporary
    directory (``<db>.tmp/`` beside the database), so a query that does not fit in memory
    fails with DuckDB's out-of-memory error instead of spilling there. ``files`` allows
    file access, for lorelens' own exports (never for user SQL).

    A database of another schema version is refused (:func:`check_version`): readers
    never upgrade, ``lorelens upgrade`` does.
    """
    path = Path(path)
    require_database(path)
    con = _connect(path, read_only=True, config=_locked_down(files))
    # A second connection to the same file in one process (the dashboard has one per
    # browser session) shares DuckDB's database instance, which the first one locked:
    # its time zone is then the instance's, set globally below, and nothing can be set
    if not con.execute("SELECT current_setting('lock_configuration')").fetchall()[0][0]:
        con.execute("SET GLOBAL TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")  # none of DuckDB's own in output
        con.execute("SET GLOBAL lock_configuration = true")
    try:
        check_version(con, path, writable=False)
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def shared_lock(path: Path | str) -> Iterator[None]:
    """Hold DuckDB's shared (readers') lock on ``path`` for the block, so that no writer
    changes the file meanwhile. :class:`DatabaseLocked` when a writer holds it.

    Opened as a reader is (DuckDB refuses a second connection to a file in one process
    with another configuration), so the process may read the file meanwhile too."""
    path = Path(path)
    require_database(path)
    con = _connect(path, read_only=True, config=_locked_down(False))
    try:
        yield
    finally:
        con.close()


def require_database(path: Path) -> None:
    """A missing database is one clear line (DuckDB would create an empty one)."""
    if not path.exists():
        raise DatabaseError(f"{path}: no such database (run `lorelens demo` or "
                            "`lorelens ingest` first)")


def _connect(path: Path, *, read_only: bool,
             config: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect``, with its errors as one line: whose lock stops us, or why the
    file cannot be opened."""
    try:
        return duckdb.connect(str(path), read_only=read_only, config=config or {})
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise DatabaseLocked(_lock_message(path, text, read_only)) from exc
        raise DatabaseError(f"{path}: {_first_line(text)}") from exc
    except duckdb.Error as exc:
        raise DatabaseError(f"{path}: {_first_line(str(exc))}") from exc


def _lock_message(path: Path, text: str, read_only: bool) -> str:
    m = _PID.search(text)
    who = f" (process {m.group(1)})" if m else ""
    if read_only:  # only a writer's lock keeps a reader out
        return (f"{path} is being written by another process{who}; try again when it "
                "has finished (the dashboard reads a snapshot meanwhile)")
    if _readers_only(path):
        return (f"{path} is open read-only in another process{who} (lorelens sql, a DuckDB "
                "client), and DuckDB lets no writer in beside a reader: run again when it "
                "has closed")
    return f"{path} is locked by another writer{who}"


def _readers_only(path: Path) -> bool:
    """Whether the lock on ``path`` is readers' (a shared lock lets us read too) rather
    than a writer's."""
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.Error:
        return False
    return True


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "cannot be opened"


# -- schema versions ---------------------------------------------------------------------

def stored_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The database's schema version; None for a database without lorelens tables, -1
    for a version that is not a whole number."""
    has_info = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_info' "
        "AND table_schema = current_schema()").fetchall()[0][0]
    if not has_info:
        return None
    found = con.execute(
        "SELECT value FROM schema_info WHERE key = 'schema_version'").fetchall()
    if not found:
        return None
    try:
        return int(found[0][0])
    except ValueError:
        return -1  # not a version this lorelens knows


def check_version(con: duckdb.DuckDBPyConnection, path: Path, *, writable: bool) -> None:
    """One clear line for a database this lorelens cannot use as it is: written by a
    newer (or unknown) lorelens, or, for a reader, by an older one not yet upgraded."""
    version = stored_version(con)
    if version is None or version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION or version < 1:
        shown = con.execute(
            "SELECT value FROM schema_info WHERE key = 'schema_version'").fetchall()[0][0]
        raise DatabaseError(f"{path} has schema version {shown}, which this lorelens "
                            f"(schema {SCHEMA_VERSION}) does not know: use a newer "
                            "lorelens, or ingest into a new database file")
    if not writable:
        raise DatabaseError(f"{path} has schema version {version} of an earlier lorelens; "
                            f"upgrade it to {SCHEMA_VERSION} first: "
                            f"lorelens upgrade --db {path}")
