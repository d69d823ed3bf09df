"""Schema versions: a new database gets ``schema.sql``; an older one, the numbered
migrations in ``ingest/migrations/`` it has not had yet, each recorded in
``schema_migrations`` (docs/schema.md, "Schema versions").

The version is a whole number in ``schema_info`` (key ``schema_version``). Version 1 is
the first release's schema; migration ``000N_*.sql`` takes a database from version N-1
to N, in one transaction with the version it sets. ``schema.sql`` always describes the
newest version, so a fresh and an upgraded database have the same tables and columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb

from ingest.errors import DatabaseError

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration shipped, in order; their numbers run 2, 3, … without a gap."""
    found = []
    for entry in resources.files("ingest").joinpath("migrations").iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text()))
    found.sort(key=lambda x: x.version)
    expected = list(range(2, len(found) + 2))
    if [x.version for x in found] != expected:  # a packaging mistake, not a user's
        raise RuntimeError(f"migrations must be numbered {expected}, "
                           f"found {[x.version for x in found]}")
    return found


def latest_version() -> int:
    return 1 + len(migrations())


def stored_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The database's schema version; None for a database without lorelens tables."""
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
    latest = latest_version()
    if version is None or version == latest:
        return
    if version > latest or version < 1:
        shown = con.execute(
            "SELECT value FROM schema_info WHERE key = 'schema_version'").fetchall()[0][0]
        raise DatabaseError(f"{path} has schema version {shown}, which this lorelens "
                            f"(schema {latest}) does not know: use a newer lorelens, or "
                            "ingest into a new database file")
    if not writable:
        raise DatabaseError(f"{path} has schema version {version} of an earlier lorelens; "
                            f"upgrade it to {latest} first: lorelens upgrade --db {path}")


def upgrade(con: duckdb.DuckDBPyConnection, path: Path,
            schema_sql: str) -> list[Migration]:
    """Bring the database to the newest schema: a new one from ``schema_sql``, an older
    one by its missing migrations. Returns the migrations applied."""
    check_version(con, path, writable=True)
    version = stored_version(con)
    latest = latest_version()
    if version is None:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(schema_sql)
            con.execute("INSERT INTO schema_info VALUES ('schema_version', ?) "
                        "ON CONFLICT DO UPDATE SET value = excluded.value", [str(latest)])
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        return []
    applied = []
    for step in migrations():
        if step.version <= version:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(step.sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())",
                        [step.version, step.name])
            con.execute("UPDATE schema_info SET value = ? WHERE key = 'schema_version'",
                        [str(step.version)])
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise DatabaseError(f"{path}: upgrading to schema {step.version} "
                                f"({step.name}) failed: {str(exc).splitlines()[0]}") from exc
        con.execute("COMMIT")
        applied.append(step)
    return applied

