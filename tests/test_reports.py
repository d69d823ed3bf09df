"""The report layer: typed parameters, the registry, renderers and the CLI front door
(docs/metrics.md, "Parameters"). Each report's own figures are tested against the
corpus's planted truths in the report's own test module."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import duckdb
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from analytics.db import QueryError, Result
from analytics.render import FORMATS, render
from analytics.reports import REPORTS, ParamError, get_report, run_report
from analytics.reports.params import MIN_N, PERIOD, SINCE, UNTIL, bind, parse_assignments
from cli import main
from core.database import connect_readonly


def test_every_report_declares_exactly_the_parameters_its_sql_uses():
    for report in REPORTS.values():
        used = set(re.findall(r"\$([a-z_]+)", report.sql))
        assert used == {p.name for p in report.params}, report.name


def test_every_report_describes_every_output_column(report_db):
    con = connect_readonly(report_db.path)
    try:
        for report in REPORTS.values():
            result = run_report(con, report.name)
            assert result.columns == [c.name for c in report.columns], report.name
            assert all(c.description for c in report.columns), report.name
    finally:
        con.close()


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_report_runs_on_an_empty_database(empty_db, name):
    con = connect_readonly(empty_db)
    try:
        result = run_report(con, name)
    finally:
        con.close()
    assert result.columns == [c.name for c in get_report(name).columns]


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_report_runs_without_maintainers(bare_report_db, name):
    con = connect_readonly(bare_report_db.path)
    try:
        run_report(con, name)
    finally:
        con.close()


def test_parameters_are_typed_and_checked():
    assert bind((SINCE, UNTIL), {"since": "2024-01-31", "until": "2024-02-01"}, "r") == {
        "since": dt.datetime(2024, 1, 31, tzinfo=dt.UTC),
        "until": dt.datetime(2024, 2, 2, tzinfo=dt.UTC),  # the last day is included
    }
    assert bind((PERIOD, MIN_N), {}, "r") == {"period": "all", "min_n": 10}
    assert bind((PERIOD, MIN_N), {"period": "Year", "min_n": "3"}, "r") == {
        "period": "year", "min_n": 3}
    cases: list[tuple[dict[str, object], str]] = [
        ({"sine": "2024-01-01"}, "takes no parameter 'sine' (accepted: since, until)"),
        ({"since": "2024-13-01"}, "not a date (YYYY-MM-DD)"),
        ({"since": "2024-02-01", "until": "2024-01-01"}, "until is before since"),
        ({"since": dt.datetime(2024, 1, 1)}, "needs a time zone"),  # noqa: DTZ001
    ]
    for given, message in cases:
        with pytest.raises(ParamError, match=re.escape(message)):
            bind((SINCE, UNTIL), given, "r")
    cases = [({"period": "week"}, "not one of all, year, quarter, month"),
             ({"min_n": "0"}, "must be at least 1"),
             ({"min_n": "ten"}, "not a whole number"),
             ({"min_n": float("nan")}, "not a whole number")]
    for given, message in cases:
        with pytest.raises(ParamError, match=re.escape(message)):
            bind((PERIOD, MIN_N), given, "r")
    assert parse_assignments(["a=1", "b=x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(ParamError, match="KEY=VALUE"):
        parse_assignments(["since"])


def test_unknown_report_names_the_known_ones():
    with pytest.raises(QueryError, match=r"no report named 'nope' .*series_outcomes"):
        get_report("nope")


def test_filters_narrow_the_rows(report_db):
    con = connect_readonly(report_db.path)
    try:
        def total(**params: str) -> int:
            return sum(r["series"] for r in run_report(con, "series_outcomes", params).records())

        everything = total()
        first, last = con.execute("SELECT min(posted_at), max(posted_at) FROM series").fetchall()[0]
        middle = (first + (last - first) / 2).date().isoformat()
        assert everything == con.execute("SELECT count(*) FROM series").fetchall()[0][0]
        assert 0 < total(until=middle) < everything
        assert total(until=middle) + total(since=middle) >= everything
        by_kind = sum(total(org_kind=k) for k in ("corporate", "individual", "academic",
                                                 "unknown"))
        assert by_kind == everything
        assert total(list="no-such-list@example.org") == 0
    finally:
        con.close()


def _result() -> Result:
    return Result(["name", "n", "at", "tags"], [
        ("a|b", 1, dt.datetime(2024, 1, 1, tzinfo=dt.UTC), ["x", "y"]),
        (None, 2, None, []),
    ])


def test_renderers_hold_the_same_rows():
    result = _result()
    rows = list(csv.reader(io.StringIO(render(result, "csv").decode())))
    assert rows == [["name", "n", "at", "tags"],
                    ["a|b", "1", "2024-01-01T00:00:00+00:00", '["x", "y"]'],
                    ["", "2", "", "[]"]]
    assert json.loads(render(result, "json"))[0]["at"] == "2024-01-01T00:00:00+00:00"
    md = render(result, "md").decode().splitlines()
    assert md[0] == "| name | n | at | tags |" and md[2].startswith("| a\\|b | 1 |")
    assert len(md) == 4
    table = pq.read_table(io.BytesIO(render(result, "parquet")))
    assert table.column_names == result.columns and table.num_rows == 2
    assert table.column("n").to_pylist() == [1, 2]
    text = render(result, "table").decode()
    assert "a|b" in text and text.rstrip().endswith("(2 rows)")
    assert set(FORMATS) == {"table", "csv", "json", "parquet", "md"}


def test_nothing_is_truncated():
    many = Result(["i"], [(i,) for i in range(25_000)])
    assert render(many, "csv").decode().count("\n") == 25_001
    assert "(25,000 rows)" in render(many, "table").decode()


def test_cli_report_csv_equals_the_report_rows(report_db, tmp_path):
    runner = CliRunner()
    out = runner.invoke(main, ["report", "ttfr_by_subsystem", "--db", str(report_db.path),
                               "--format", "csv", "-p", "org_kind=corporate"])
    assert out.exit_code == 0, out.output
    con = connect_readonly(report_db.path)
    try:
        want = run_report(con, "ttfr_by_subsystem", {"org_kind": "corporate"})
    finally:
        con.close()
    got = list(csv.reader(io.StringIO(out.stdout)))
    assert got[0] == want.columns
    assert got[1:] == [["" if v is None else str(v) for v in row] for row in want.rows]

    target = tmp_path / "outcomes.parquet"
    out = runner.invoke(main, ["report", "series_outcomes", "--db", str(report_db.path),
                               "--out", str(target)])
    assert out.exit_code == 0, out.output
    n_series = duckdb.connect(str(report_db.path), read_only=True).execute(
        "SELECT count(*) FROM series").fetchall()[0][0]
    assert duckdb.sql(f"SELECT sum(series) FROM '{target}'").fetchall()[0][0] == n_series


def test_cli_report_errors_are_one_line(report_db):
    runner = CliRunner()
    for args, message in [
        (["report", "nope"], "no report named 'nope'"),
        (["report", "series_outcomes", "-p", "colour=red"],
         "takes no parameter 'colour' (accepted: list, subsystem, since, until, org_kind)"),
        (["report", "series_outcomes", "-p", "since=yesterday"], "not a date"),
    ]:
        out = runner.invoke(main, [*args, "--db", str(report_db.path)])
        assert out.exit_code == 1, out.output
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("lorelens: error: ")
        assert message in lines[0]


def test_cli_report_lists_reports_with_their_parameters():
    out = CliRunner().invoke(main, ["report"])
    assert out.exit_code == 0
    assert "series_outcomes" in out.output and "--param since (date" in out.output
