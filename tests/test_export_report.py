"""`lorelens export-report`: the write-up's files, its tables against the reports' rows,
its charts (valid PNG and SVG) and its front matter (docs/guide.md, "Export a report")."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml
from click.testing import CliRunner

from analytics import charts
from analytics.render import text, to_markdown
from analytics.reports import get_report, run_report
from analytics.writeup import sections
from cli import main
from core.database import connect_readonly

PNG = b"\x89PNG\r\n\x1a\n"


def _export(db: Path, out: Path, *args: str) -> str:
    res = CliRunner().invoke(main, ["export-report", "--db", str(db), "--out", str(out), *args])
    assert res.exit_code == 0, res.output
    return res.output


def test_export_writes_tables_equal_to_the_reports_and_valid_charts(report_db, tmp_path):
    out = tmp_path / "exp"
    _export(report_db.path, out, "--front-matter")
    md = (out / "report.md").read_text()
    con = connect_readonly(report_db.path)
    try:
        overview = run_report(con, "overview")
        (row,) = overview.records()
        for column, value in row.items():
            if isinstance(value, list):
                continue  # as text, below
            cell = text(value).replace("|", "\\|")
            assert f"\n| {column} | {cell} |\n" in md, column
        # lists as a reader writes them, not JSON; the caveats as bullets above the table
        assert f"\n| lists | {', '.join(row['lists'])} |\n" in md
        assert f"\n| lists_not_archived | {', '.join(row['lists_not_archived'])} |\n" in md
        per_list = "; ".join(f"{p['list']}: {p['messages']:,} messages, "
                             f"{p['first']:%Y-%m-%d} to {p['last']:%Y-%m-%d}"
                             for p in row["per_list"])
        assert f"\n| per_list | {per_list} |\n" in md
        assert row["caveats"]
        assert "Before you cite these figures:\n\n" + "".join(
            f"- {c}\n" for c in row["caveats"]) in md
        assert f"\n| caveats | the {len(row['caveats'])} above |\n" in md
        # the figures in words, each from the row
        assert (f"\n{row['messages']:,} messages ({row['patches']:,} patches, "
                f"{row['cover_letters']:,} cover letters) in {row['threads']:,} threads") in md
        assert (f" {row['series']:,} series were posted; {row['answered_pct']}% of those that "
                "ask for review were answered, and the median time to a first response was "
                f"{row['km_median_hours']:,.1f} hours") in md
        position = 0
        for section in sections():
            params = {k: v for k, v in section.extra.items()
                      if k in {p.name for p in get_report(section.report).params}}
            table = to_markdown(run_report(con, section.report, params))
            at = md.find(table, position)
            assert at > position, section.report
            # the SQL that made it follows the table, before the next section
            sql = get_report(section.report).sql.rstrip()
            assert md.find(sql, at) < md.find("\n## ", at), section.report
            position = at
            if section.chart is not None:
                assert (out / f"{section.report}.png").read_bytes().startswith(PNG)
                root = ET.fromstring((out / f"{section.report}.svg").read_text())
                assert root.tag == "{http://www.w3.org/2000/svg}svg"
                assert f"]({section.report}.png)" in md
        assert "## Provenance" in md and f"| messages in the database | {row['messages']:,} |" in md
    finally:
        con.close()
    front = yaml.safe_load(md.split("---\n")[1])
    assert front == {"title": "lorelens report", "date": dt.datetime.now(dt.UTC).date()}


def test_export_of_a_scope_as_html(report_db, tmp_path):
    address = report_db.truth["series"][0]["lists"][0]
    out = tmp_path / "html"
    _export(report_db.path, out, "--format", "html", "--list", address, "--since", "2024-07-01")
    page = (out / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<h2>Provenance</h2>" in page
    assert f"lorelens report: list {address}, since 2024-07-01" in page
    assert '<img src="contribution_shares.svg"' in page
    con = connect_readonly(report_db.path)
    try:
        scoped = run_report(con, "contribution_shares", {"list": address, "since": "2024-07-01",
                                                         "by": "patches"})
    finally:
        con.close()
    first = scoped.rows[0]
    assert "<tr>" + "".join(f"<td>{text(v)}</td>" for v in first) + "</tr>" in page
    assert json.dumps(address) in page.replace("&quot;", '"')


def test_charts_say_what_they_show_with_n(report_db):
    con = connect_readonly(report_db.path)
    try:
        shares = run_report(con, "contribution_shares", {"by": "series"})
        latency = run_report(con, "ttfr_by_subsystem")
    finally:
        con.close()
    spec = charts.contribution_shares_chart(shares, counted="series").to_dict()
    n = len(report_db.truth["series"])
    assert f"n = {n:,} series" in spec["title"]["subtitle"][0]
    assert spec["encoding"]["x"]["title"].startswith("share of series")
    labels = {v["label"] for v in spec["data"]["values"]}
    assert f"all subsystems (n={n:,} series)" in labels
    spec = charts.latency_chart(latency).to_dict()
    assert "Kaplan–Meier" in spec["encoding"]["x"]["title"]
    assert {v["label"] for v in spec["data"]["values"]} == {
        f"{r['subsystem']} (n={r['series']:,} series)"
        + ("" if r["km_median_hours"] is not None else ", no median")
        for r in latency.records()}


def test_export_on_an_empty_database_and_bad_values(empty_db, tmp_path):
    out = tmp_path / "empty"
    _export(empty_db, out)
    md = (out / "report.md").read_text()
    assert "No rows for this scope." in md and "No chart: nothing to draw" in md
    assert not list(out.glob("*.png"))
    bad = tmp_path / "bad"
    res = CliRunner().invoke(main, ["export-report", "--db", str(empty_db), "--out", str(bad),
                                    "--since", "yesterday"])
    assert res.exit_code == 1
    assert res.stderr.strip() == "lorelens: error: since='yesterday': not a date (YYYY-MM-DD)"
    assert not bad.exists()


def test_a_chart_of_many_subsystems_keeps_the_largest_and_says_so():
    from analytics.db import Result

    rows = [("all", "all", "corporate", 465, 465, 1.0, 100.0)]
    rows += [("all", f"S{i:02d}", "corporate", i, i, 1.0, 100.0) for i in range(1, 31)]
    result = Result(["period", "subsystem", "org_kind", "n", "total", "share", "pct"], rows)
    spec = charts.contribution_shares_chart(result).to_dict()
    shown = {v["subsystem"] for v in spec["data"]["values"]}
    assert shown == {"all"} | {f"S{i:02d}" for i in range(6, 31)}
    assert spec["title"]["subtitle"][1] == ("the 25 largest of 30 subsystems shown "
                                            "(the table lists all)")


def test_the_latency_chart_keeps_the_all_rows_of_each_split():
    from analytics.db import Result

    columns = ["period", "subsystem", "author_kind", "author_group", "n_series",
               "km_median_hours"]
    rows = [("all", "S", "all", "all", 12, 5.0), ("2024", "S", "all", "all", 7, 4.0),
            ("all", "S", "individual", "all", 3, 9.0), ("all", "S", "all", "newcomer", 2, None)]
    spec = charts.latency_chart(Result(columns, rows)).to_dict()
    assert [(v["label"], v["km_median_hours"]) for v in spec["data"]["values"]] == [
        ("S (n=12 series)", 5.0)]
