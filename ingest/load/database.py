"""The writable database, and the transaction helpers of the code that writes.

``Database`` is the one writable connection of a command: opened by ``core.database``
with the schema brought up to date (ingest/load/migrations.py), with the ingest runs and
the sources' resume markers. Enrichment and the input commands write through its
``con``; an ingest loads its batches through it with ``ingest.load.messages.BatchWriter``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import duckdb

from core.database import open_writable, stored_version
from ingest.arrow import pa
from ingest.load.migrations import upgrade

if TYPE_CHECKING:
    from ingest.load.messages import BatchCounts


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@contextmanager
def registered(
    con: duckdb.DuckDBPyConnection, name: str, table: pa.Table
) -> Iterator[str]:
    """An Arrow table visible to SQL as ``name`` for the length of the block."""
    con.register(name, table)
    try:
        yield name
    except BaseException:
        # a statement that failed has aborted the transaction, and DuckDB then refuses
        # the unregister too: that error would hide the one that matters (an out of
        # memory, a constraint). A view left registered is harmless: the next
        # registration of the name replaces it, and it goes with the connection
        with suppress(duckdb.Error):
            con.unregister(name)
        raise
    con.unregister(name)


#: DuckDB's memory limit during an enrichment: a floor, and an allowance per stored
#: message for what its one transaction holds and cannot spill (the undo data of its
#: UPDATEs of ``messages``, the rows it inserts). That need grows with the messages: at
#: 200,000 a whole run failed under a 96 MB limit and passed under 128 MB (~600 bytes a
#: message; bench/README.md, "Enrichment in bounded memory"); the allowance is about
#: twice that.
ENRICH_MEMORY_FLOOR = 256 * 2**20
ENRICH_MEMORY_PER_MESSAGE = 1024


@contextmanager
def working_memory(con: duckdb.DuckDBPyConnection, n_messages: int) -> Iterator[None]:
    """DuckDB's memory limit for an enrichment of ``n_messages`` stored messages
    (`ENRICH_MEMORY_FLOOR` and `ENRICH_MEMORY_PER_MESSAGE`) for the block, then the
    limit as before (to the 0.1 MiB that DuckDB shows it with).

    Ingest caps DuckDB's memory (``ingest.pipeline.MEMORY_LIMIT``): it appends in batches
    and DuckDB spills what does not fit. Enrichment rewrites whole tables in one
    transaction, whose undo data cannot be spilled: under that fixed cap it failed with
    "Out of Memory" on a million messages, so its limit grows with the archive; what can
    spill (joins, sorts, cached blocks) stays within it.
    """
    before = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    limit = ENRICH_MEMORY_FLOOR + ENRICH_MEMORY_PER_MESSAGE * max(n_messages, 0)
    con.execute(f"SET memory_limit = '{limit // 2**10}KiB'")
    try:
        yield
    except BaseException:
        with suppress(duckdb.Error):  # the block's own error is the one to report
            con.execute(f"SET memory_limit = '{before}'")
        raise
    con.execute(f"SET memory_limit = '{before}'")


def schema_sql() -> str:
    return resources.files("ingest").joinpath("schema.sql").read_text()


class Database:
    """The writable database: one connection (``con``), the schema upgraded on open.

    Use it as a context manager, or ``close`` it.  Nothing caps DuckDB's memory here: the
    ingest sets its own cap (``set_memory_limit``)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.con = open_writable(self.path)
        try:
            #: the schema version found on opening (None: a new database) and the
            #: migrations that took it to this lorelens' version
            self.version_before = stored_version(self.con)
            self.migrated = upgrade(self.con, self.path, schema_sql())
        except BaseException:
            self.con.close()
            raise

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def set_memory_limit(self, limit: str) -> None:
        """Cap DuckDB's memory (``'256MB'``) for the rest of this connection; DuckDB spills
        what does not fit to ``<db>.tmp/``."""
        self.con.execute("SET memory_limit = ?", [limit])

    # -- ingest runs and resume markers ---------------------------------------------------
    def start_run(self, sources: Sequence[str], version: str) -> int:
        # only one process can hold the write lock, so a run still 'running' was killed
        self.con.execute(
            "UPDATE ingest_runs SET status = 'interrupted' WHERE status = 'running'"
        )
        run_id = self.con.execute("SELECT nextval('ingest_run_seq')").fetchall()[0][0]
        self.con.execute(
            "INSERT INTO ingest_runs (run_id, started_at, sources, status, version) "
            "VALUES (?, ?, ?, 'running', ?)",
            [run_id, now_utc(), list(sources), version],
        )
        return int(run_id)

    def finish_run(self, run_id: int, counts: BatchCounts, seconds: float, status: str) -> None:
        self.con.execute(
            "UPDATE ingest_runs SET finished_at = ?, status = ?, n_read = ?, n_new = ?, "
            "n_cross_posted = ?, n_duplicate = ?, n_failed = ?, n_deleted = ?, seconds = ?, "
            "msgs_per_sec = ? WHERE run_id = ?",
            [
                now_utc(), status, counts.read, counts.new, counts.cross_posted, counts.duplicate,
                counts.failed,
                counts.deleted, seconds, counts.read / seconds if seconds > 0 else None, run_id,
            ],
        )

    def state(self, source: str) -> dict[int, str]:
        """The resume marker (last commit) of each epoch of ``source``."""
        rows = self.con.execute(
            "SELECT epoch, last_commit FROM source_state WHERE source = ?", [source]
        ).fetchall()
        return {int(e): c for e, c in rows if c}
