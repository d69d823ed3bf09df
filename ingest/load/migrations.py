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

from core.database import SCHEMA_VERSION, check_version, stored_version
from core.errors import DatabaseError

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration shipped, in order; their numbers run 2, 3, … without a gap, up to
    the version this lorelens reads and writes (``core.database.SCHEMA_VERSION``)."""
    found = []
    for entry in resources.files("ingest").joinpath("migrations").iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text()))
    found.sort(key=lambda x: x.version)
    expected = list(range(2, SCHEMA_VERSION + 1))
    if [x.version for x in found] != expected:  # a packaging mistake, not a user's
        raise RuntimeError(f"migrations must be numbered {expected}, "
                           f"found {[x.version for x in found]}")
    return found


def upgrade(con: duckdb.DuckDBPyConnection, path: Path,
            schema_sql: str) -> list[Migration]:
    """Bring the database to the newest schema: a new one from ``schema_sql``, an older
    one by its missing migrations. Returns the migrations applied."""
    check_version(con, path, writable=True)
    version = stored_version(con)
    if version is None:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(schema_sql)
            con.execute("INSERT INTO schema_info VALUES ('schema_version', ?) "
                        "ON CONFLICT DO UPDATE SET value = excluded.value", [str(SCHEMA_VERSION)])
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

