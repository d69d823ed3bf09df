"""`lorelens export-tables`: every table as Parquet, read back equal to the database."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

import cli
from analytics.export import MANIFEST, PARTITIONED_BY_YEAR
from core import __version__
from core.database import SCHEMA_VERSION
from corpus.demo import run_demo
from ingest.enrich.stages import enrich
from ingest.load import Database
from tests.conftest import fetch_one, make_mail, require_tool, rows, run_ingest, write_v1

# mails of other years than the sample's (2024), and one whose date comes from the archive
OLD = [make_mail("2019", date="Tue, 01 Jan 2019 10:00:00 +0000"),
       make_mail("2021", date="Fri, 31 Dec 2021 23:30:00 -0200"),  # 2022 in UTC
       make_mail("no-date", date=None)]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated database: the demo's sample, ingested and enriched, plus a list of
    older mails."""
    require_tool("git")
    path = tmp_path_factory.mktemp("export") / "lorelens.duckdb"
    run_demo(path, scale=400, echo=lambda _m: None)
    run_ingest([write_v1(path.parent / "old-list.git", OLD)], path)
    store = Database(path)
    try:
        enrich(store.con, lambda _m: None)
    finally:
        store.close()
    return path


def export(db: Path, out: Path) -> str:
    res = CliRunner().invoke(cli.main, ["export-tables", "--out", str(out), "--db", str(db)])
    assert res.exit_code == 0, res.output
    return res.output


def digest_sql(relation: str, columns: list[str]) -> str:
    """An md5 over every row of ``relation`` (these columns), independent of row order."""
    sel = ", ".join(f'"{c}"' for c in columns)
    return (f"SELECT count(*), coalesce(md5(string_agg(r, '\n' ORDER BY r)), '') FROM "
            f"(SELECT CAST(ROW({sel}) AS VARCHAR) AS r FROM {relation})")


def test_every_table_reads_back_equal(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    printed = export(db, out)
    tables = [r[0] for r in rows(db, "SELECT table_name FROM duckdb_tables() ORDER BY 1")]
    manifest = json.loads((out / MANIFEST).read_text())
    assert (manifest["schema_version"], manifest["lorelens_version"]) == (
        str(SCHEMA_VERSION), __version__)
    assert [t["table"] for t in manifest["tables"]] == tables
    assert f"exported {len(tables)} tables to {out}" in printed

    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        for entry in manifest["tables"]:
            table = entry["table"]
            columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
            assert [c["name"] for c in entry["columns"]] == columns
            files = sorted(p.relative_to(out).as_posix() for p in (out / table).rglob("*"))
            assert [f for f in files if f.endswith(".parquet")] == entry["files"]
            parquet = (f"read_parquet('{out}/{table}/**/*.parquet', hive_partitioning = true, "
                       "union_by_name = true)")
            want = fetch_one(con.execute(digest_sql(table, columns)))
            got = fetch_one(con.execute(digest_sql(parquet, columns)))
            assert got == want, table
            assert entry["rows"] == want[0], table
            if table in PARTITIONED_BY_YEAR:
                by = PARTITIONED_BY_YEAR[table]
                assert entry["partition_by"] == "year"
                # every row in the folder of its time's UTC year, the year given back
                mismatched = con.execute(
                    f"SELECT count(*) FROM {parquet} WHERE year IS DISTINCT FROM year({by})"
                ).fetchone()
                assert mismatched == (0,), table
    finally:
        con.close()
    years = sorted(p.name for p in (out / "messages").iterdir())
    assert years == ["year=2019", "year=2022", "year=2024"]  # no NULL date here


def test_an_earlier_export_is_replaced_and_nothing_else_is(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    export(db, out)
    (out / "messages" / "stale.parquet").write_bytes(b"from an earlier export")
    export(db, out)
    assert not (out / "messages" / "stale.parquet").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parquet"]  # no temporary left

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me\n")
    res = CliRunner().invoke(cli.main, ["export-tables", "--out", str(mine), "--db", str(db)])
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == [
        f"lorelens: error: {mine} is not empty and holds no lorelens export (manifest.json); "
        "choose another folder"]
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]


def test_an_empty_partitioned_table_keeps_its_columns(tmp_path: Path) -> None:
    require_tool("git")
    db = tmp_path / "db.duckdb"
    run_ingest([write_v1(tmp_path / "l.git", OLD)], db)  # not enriched: no series
    out = tmp_path / "parquet"
    export(db, out)
    manifest = {t["table"]: t for t in json.loads((out / MANIFEST).read_text())["tables"]}
    assert (manifest["series"]["rows"], manifest["series"]["files"]) == (
        0, ["series/data_0.parquet"])
    con = duckdb.connect()
    try:
        got = [r[0] for r in con.execute(
            f"DESCRIBE SELECT * FROM read_parquet('{out}/series/data_0.parquet')").fetchall()]
    finally:
        con.close()
    assert got == [c["name"] for c in manifest["series"]["columns"]]
