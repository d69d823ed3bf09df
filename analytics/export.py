"""``lorelens export-tables``: every table of the database as Parquet, for tools beyond
one machine (Spark, Trino, DuckDB itself; docs/scale.md).

The tables are those of ``ingest/schema.sql`` (documented in docs/schema.md), each in
its own folder ``OUT/<table>/``; the large tables with a time are split by the UTC year
of that time into Hive-style folders (``messages/year=2024/data_0.parquet``; a row
without a time goes to ``year=__HIVE_DEFAULT_PARTITION__``, which readers give back as
NULL). ``OUT/manifest.json`` lists every table with its files, row count and columns,
the schema version and the lorelens version. The export is written to a temporary
folder beside OUT and renamed into place only when complete, from one read-only
snapshot of the database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from core import __version__
from core.errors import LorelensError

MANIFEST = "manifest.json"
FORMAT = 1
PARTITION = "year"  # the column added to partitioned tables (a Hive folder name)

#: table → the time whose UTC year partitions it; the other tables are one file each
PARTITIONED_BY_YEAR = {
    "messages": "date",
    "series": "posted_at",
    "posts": "posted_at",
    "review_tags": "given_at",
}


class ExportError(LorelensError):
    """The export cannot be written where it was asked to go."""


@dataclass(frozen=True)
class ExportedTable:
    table: str
    rows: int
    files: list[str]  # relative to the export folder, in name order
    partition_by: str | None  # the Hive partition column, if any
    columns: list[dict[str, str]]  # name and DuckDB type, in table order


@dataclass(frozen=True)
class Export:
    out: Path
    tables: list[ExportedTable]
    schema_version: str | None
    lorelens_version: str


def export_tables(con: duckdb.DuckDBPyConnection, out: Path) -> Export:
    """Write every table of ``con`` under ``out`` (see the module's docstring).

    ``con`` must be allowed to write files (``connect_readonly(db, files=True)``).
    An existing ``out`` is replaced only when it is an earlier export (it holds a
    manifest) or empty; anything else there is refused, never overwritten.
    """
    out = out.absolute()
    _check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        con.execute("BEGIN TRANSACTION")  # one snapshot for every table
        try:
            tables = [_export_one(con, t, tmp) for t in _tables(con)]
            version = _schema_version(con)
        finally:
            con.execute("ROLLBACK")
        result = Export(out, tables, version, __version__)
        manifest = {
            "format": FORMAT,
            "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "schema_version": version,
            "lorelens_version": __version__,
            "tables": [asdict(t) for t in tables],
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return result


def _check_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise ExportError(f"{out} is not empty and holds no lorelens export "
                          f"({MANIFEST}); choose another folder")


def _swap_in(tmp: Path, out: Path) -> None:
    """``tmp`` becomes ``out``; an earlier export there is removed only afterwards."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
    try:
        tmp.rename(out)
    except OSError:
        if old is not None:
            old.rename(out)  # put the earlier export back
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name = 'main' "
        "AND NOT internal AND NOT temporary ORDER BY table_name").fetchall()]


def _schema_version(con: duckdb.DuckDBPyConnection) -> str | None:
    with contextlib.suppress(duckdb.CatalogException):
        row = con.execute(
            "SELECT value FROM schema_info WHERE key = 'schema_version'").fetchone()
        return row[0] if row else None
    return None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _export_one(con: duckdb.DuckDBPyConnection, table: str, tmp: Path) -> ExportedTable:
    columns = [{"name": r[0], "type": r[1]}
               for r in con.execute(f"DESCRIBE {_quote(table)}").fetchall()]
    folder = tmp / table
    target = str(folder).replace("'", "''")
    row = con.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()
    rows = int(row[0]) if row else 0
    by = PARTITIONED_BY_YEAR.get(table)
    # an empty table has no partition to write: one file keeps its columns
    if by is not None and by in {c["name"] for c in columns} and rows:
        # the session time zone is UTC (connect_readonly), so this is the UTC year
        con.execute(
            f"COPY (SELECT *, year({_quote(by)}) AS {PARTITION} FROM {_quote(table)}) "
            f"TO '{target}' (FORMAT parquet, PARTITION_BY ({PARTITION}))")
        partition: str | None = PARTITION
    else:
        folder.mkdir()
        con.execute(f"COPY {_quote(table)} TO '{target}/data_0.parquet' (FORMAT parquet)")
        partition = None
    files = sorted(p.relative_to(tmp).as_posix() for p in folder.rglob("*.parquet"))
    return ExportedTable(table, rows, files, partition, columns)
