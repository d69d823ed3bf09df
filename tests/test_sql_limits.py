"""`lorelens sql` is bounded as a whole and its sandbox has no door into the spill
directory (docs/guide.md, "Read the numbers")."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from analytics.db import QueryError


@pytest.fixture
def db(odd_db: Path) -> Path:
    return odd_db


def sql(*args: str):
    return CliRunner().invoke(cli.main, ["sql", *args], catch_exceptions=True)


def test_timeout_bounds_fetching_and_printing_too(db: Path) -> None:
    # DuckDB runs this in a blink; fetching and printing ten million rows took ~40 s
    started = time.monotonic()
    res = sql("SELECT range FROM range(10000000)", "--db", str(db), "--format", "csv",
              "--timeout", "1")
    elapsed = time.monotonic() - started
    assert res.exit_code == 1, res.stderr
    assert res.stderr.strip().splitlines() == [
        "lorelens: error: query stopped after 1s (raise --timeout)"]
    assert elapsed < 8
    # what was printed before the stop is the start of the result, not garbage
    lines = res.stdout.splitlines()
    assert lines[0] == "range" and lines[1:4] == ["0", "1", "2"]


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "-inf"])
def test_timeout_must_be_positive(db: Path, value: str) -> None:
    res = sql("SELECT 1", "--db", str(db), "--timeout", value)
    assert res.exit_code == 2
    assert "positive number of seconds" in res.stderr
    assert "Traceback" not in res.output


def test_csv_and_json_stream_every_row(db: Path) -> None:
    q = "SELECT range AS n, 'x' || range AS s FROM range(25000)"
    out = sql(q, "--db", str(db), "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["n", "s"] and len(rows) == 25001 and rows[-1] == ["24999", "x24999"]
    text = sql(q, "--db", str(db), "--format", "json").stdout
    records = json.loads(text)
    assert len(records) == 25000 and records[-1] == {"n": 24999, "s": "x24999"}
    assert text == json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    assert json.loads(sql("SELECT 1 AS a WHERE false", "--db", str(db), "--format",
                          "json").stdout) == []


def test_md_and_parquet_stream_every_row(db: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    q = "SELECT range AS n FROM range(25000)"
    md = sql(q, "--db", str(db), "--format", "md").stdout.splitlines()
    assert md[:3] == ["| n |", "|---|", "| 0 |"] and len(md) == 25002
    res = sql(q, "--db", str(db), "--out", str(tmp_path / "x.parquet"))
    assert res.exit_code == 0, res.stderr
    assert pq.read_table(tmp_path / "x.parquet").column("n").to_pylist() == list(range(25000))


def test_a_stopped_query_leaves_no_file(db: Path, tmp_path: Path) -> None:
    res = sql("SELECT range FROM range(100000000)", "--db", str(db), "--timeout", "0.5",
              "--out", str(tmp_path / "x.csv"))
    assert res.exit_code == 1 and "stopped after 0.5s" in res.stderr
    assert not (tmp_path / "x.csv").exists()


def test_table_says_when_it_shows_only_the_first_rows(db: Path) -> None:
    out = sql("SELECT range FROM range(10001)", "--db", str(db)).stdout
    assert "only the first 10,000 rows are shown" in out
    assert "only the first" not in sql("SELECT range FROM range(10000)", "--db",
                                       str(db)).stdout


def test_spill_directory_is_closed_too(db: Path) -> None:
    # DuckDB's temporary directory for a database file is <db>.tmp/; a locked-down
    # connection could read (and write) files there
    spill = db.with_name(db.name + ".tmp")
    spill.mkdir(exist_ok=True)
    (spill / "secret.csv").write_text("secret\nhunter2\n")
    res = sql(f"SELECT * FROM read_csv('{spill / 'secret.csv'}')", "--db", str(db))
    assert res.exit_code == 1
    assert "hunter2" not in res.output
    assert "disabled by configuration" in res.stderr


def test_two_locked_down_connections_to_one_file(db: Path) -> None:
    # the dashboard opens one per browser session, in one process: DuckDB shares the
    # database instance, which the first connection locked
    from analytics.db import run_query
    from core.database import connect_readonly

    first, second = connect_readonly(db), connect_readonly(db)
    try:
        for con in (first, second, first.cursor()):
            assert run_query(con, "SELECT current_setting('TimeZone')").rows == [("UTC",)]
            with pytest.raises(QueryError, match="locked"):
                run_query(con, "SET enable_external_access = true")
        first.close()
        assert run_query(second, "SELECT count(*) FROM messages").rows[0][0] > 0
    finally:
        second.close()
