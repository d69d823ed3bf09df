"""Every dashboard page under streamlit's AppTest on a generated database: no exception,
the expected widgets, the numbers of the named reports for the same filters, filters
that change them, and pages that say what to run when there is no data
(docs/guide.md, "The dashboard")."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.db import run_query
from core.database import connect_readonly
from tests.conftest import report_records

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("overview", "where", "contributors", "latency", "maintainers", "series",
         "sql_console", "export")


def page(name: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def chart_titles(at: AppTest) -> list[str]:
    """Each chart's title on the page, its lines joined, as a reader sees it."""
    titles = []
    for chart in at.get("vega_lite_chart"):
        title = json.loads(chart.proto.spec).get("title", {}).get("text", "")
        lines = [title] if isinstance(title, str) else title
        # a wrapped title keeps "(n = 1,234)" on one line
        assert all(line.count("(n") == len(re.findall(r"\(n\W=\W[\d,]+\)", line))
                   for line in lines), lines
        titles.append(" ".join(lines).replace("\N{NO-BREAK SPACE}", " "))
    return titles


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


@pytest.fixture
def db(report_db, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LORELENS_DB", str(report_db.path))
    return report_db.path


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_with_the_filters(db: Path, name: str) -> None:
    at = ok(page(name))
    assert at.title and at.title[0].value
    keys = {w.key for w in at.sidebar.selectbox} | {w.key for w in at.sidebar.date_input}
    assert keys == {"f_list", "f_subsystem", "f_org_kind", "f_since", "f_until"}
    assert any("Data as of" in c.value for c in at.sidebar.caption)


def lists(db: Path) -> list[str]:
    return [r["value"] for r in report_records(db, "scope_values") if r["kind"] == "list"]


def test_overview_shows_the_report_figures_and_follows_the_list_filter(db: Path) -> None:
    at = ok(page("overview"))
    figures = report_records(db, "overview")[0]
    shown = {m.label: m.value for m in at.metric}
    assert shown["Messages"] == f"{figures['messages']:,}"
    assert shown["Series posted"] == f"{figures['series']:,}"
    assert shown["Series answered"] == f"{figures['answered_pct']:.0f}%"
    text = " ".join(m.value for m in at.markdown)
    assert all(line in text for line in figures["caveats"])
    first = lists(db)[-1]  # the list with fewest messages
    ok(at.sidebar.selectbox(key="f_list").select(first).run())
    narrowed = report_records(db, "overview", {"list": first})[0]
    assert narrowed["messages"] < figures["messages"]
    assert {m.label: m.value for m in at.metric}["Messages"] == f"{narrowed['messages']:,}"
    assert at.query_params["list"] == first


def test_filters_come_from_the_address(db: Path) -> None:
    first = lists(db)[-1]
    at = ok(page("overview", list=first, since="2024-03-01"))
    assert at.sidebar.selectbox(key="f_list").value == first
    assert at.sidebar.date_input(key="f_since").value == dt.date(2024, 3, 1)
    expected = report_records(db, "overview", {"list": first, "since": "2024-03-01"})[0]
    assert at.metric[1].value == f"{expected['series']:,}"
    # a value the database does not know is said, not silently used
    at = ok(page("overview", list="nope@example.org"))
    assert any("not in this database" in w.value for w in at.sidebar.warning)


def test_latency_page_has_the_report_medians_and_curves(db: Path) -> None:
    at = ok(page("latency"))
    cell = next(r for r in report_records(db, "review_latency", {"min_n": 10})
                if (r["subsystem"], r["author_kind"], r["author_group"]) == ("all",) * 3)
    assert at.metric[0].value == f"{cell['n_series']:,}"
    assert len(at.get("vega_lite_chart")) == 3
    kind = "individual"
    ok(at.sidebar.selectbox(key="f_org_kind").select(kind).run())
    narrowed = next(r for r in report_records(db, "review_latency", {"org_kind": kind, "min_n": 10})
                    if (r["subsystem"], r["author_kind"], r["author_group"]) == ("all",) * 3)
    assert at.metric[0].value == f"{narrowed['n_series']:,}" != f"{cell['n_series']:,}"


def test_contributors_page_counts_what_it_is_asked(db: Path) -> None:
    at = ok(page("contributors"))
    for by in ("patches", "reviews"):
        ok(at.selectbox(key="contrib_by").select(by).run())
        total = next(r["total"] for r in report_records(db, "contribution_shares",
                                                {"by": by, "period": "quarter"})
                     if r["period"] == "all" and r["subsystem"] == "all")
        assert f"Share of {by} by organisation kind, per quarter (n = {total:,})" in \
            chart_titles(at)
    (every,) = [r for r in report_records(db, "outcomes_by_org_kind") if r["org_kind"] == "all"]
    assert every["series"] > 0
    assert ("Outcome of each kind's series (RFCs and stable backports left out) "
            f"(n = {every['series']:,})") in chart_titles(at)
    table = at.dataframe[-1].value
    assert list(table["org_kind"]) == ["all", "corporate", "individual", "academic", "unknown"]
    assert int(table["applied"].iloc[0]) == every["applied"]


def test_maintainers_page_and_a_persons_page(db: Path) -> None:
    at = ok(page("maintainers"))
    rows = [r for r in report_records(db, "maintainer_responsiveness", {"min_n": 10})
            if r["subsystem"] == "all"]
    table = at.dataframe[0].value
    assert len(table) == len(rows)
    assert set(table["maintainer"]) == {r["maintainer"] for r in rows}
    person = at.selectbox(key="maint_person").value
    assert at.query_params["person"] == person
    sections = [r["detail"] for r in report_records(db, "person_activity", {"person": person})
                if r["what"] == "section"]
    assert all(s in at.markdown[-1].value or any(s in m.value for m in at.markdown)
               for s in sections)
    reviewers = report_records(db, "top_reviewers")
    assert reviewers
    shown = at.dataframe[-1].value
    assert list(shown["reviewer"]) == [r["reviewer"] for r in reviewers]
    assert f"**{len(reviewers):,}** people gave" in " ".join(m.value for m in at.markdown)


def test_series_explorer_finds_a_series_and_shows_its_raw_mail(db: Path) -> None:
    con = connect_readonly(db)
    try:
        sid, subject = run_query(con, "SELECT series_id, subject FROM series WHERE "
                                      "next_series_id IS NOT NULL ORDER BY 1 LIMIT 1").rows[0]
    finally:
        con.close()
    at = ok(page("series"))
    ok(at.text_input(key="series_q").input(sid).run())
    assert at.query_params["q"] == sid
    assert at.selectbox(key="series_pick").value == sid
    assert any(h.value == subject for h in at.subheader)
    msgs = report_records(db, "series_messages", {"series_id": sid})
    assert len(at.dataframe[2].value) == len(msgs)
    raw = at.code[0].value
    first = str(at.selectbox(key="raw_pick").value)
    assert f"<{first}>" in raw  # the mail as archived, headers and all
    link = next(m.value for m in at.markdown if "lore.kernel.org" in m.value)
    assert f"https://lore.kernel.org/{msgs[0]['list'].split('@')[0]}/" in link


def sql(at: AppTest, query: str, timeout: float = 30.0) -> AppTest:
    at.text_area(key="sql_text").input(query)
    at.number_input(key="sql_timeout").set_value(timeout)
    return at.button(key="sql_run").click().run()


@pytest.mark.parametrize("query, says", [
    ("COPY (SELECT 1) TO '/tmp/lorelens-app-copy.csv'", "disabled by configuration"),
    ("ATTACH '/tmp/lorelens-app-attach.duckdb' AS other", "disabled by configuration"),
    ("SELECT * FROM read_csv('/etc/passwd')", "disabled by configuration"),
    ("INSTALL httpfs", "disabled by configuration"),
    ("LOAD httpfs", "disabled through configuration"),
    ("DELETE FROM messages", "read-only"),
    ("CREATE TABLE t AS SELECT 1", "read-only"),
    ("SELECT 1; SELECT 2", "one statement at a time"),
])
def test_sql_console_refuses_with_a_clear_message(db: Path, query: str, says: str) -> None:
    at = sql(page("sql_console"), query)
    assert not at.exception
    assert len(at.error) == 1 and says in at.error[0].value, at.error
    assert "root:" not in str(at.dataframe)
    assert not Path("/tmp/lorelens-app-copy.csv").exists()
    assert not Path("/tmp/lorelens-app-attach.duckdb").exists()


def test_sql_console_stops_a_runaway_query(db: Path) -> None:
    started = dt.datetime.now(dt.UTC)
    at = sql(page("sql_console"), "SELECT count(*) FROM range(1000000000) a, range(1000) b "
                                  "WHERE (a.range * b.range) % 7 = 3", timeout=1.0)
    assert (dt.datetime.now(dt.UTC) - started).total_seconds() < 30
    assert "stopped after 1s" in at.error[0].value


def test_sql_console_truncates_the_display_not_the_download(db: Path) -> None:
    at = ok(sql(page("sql_console"), "SELECT range AS n FROM range(2500)"))
    assert any("Truncated: only the first 1,000 rows" in w.value for w in at.warning)
    assert len(at.dataframe[0].value) == 1000
    keys = {b.key for b in at.download_button}
    assert {"sql-csv", "sql-parquet"} <= keys
    at = ok(sql(at, "SELECT range AS n FROM range(10)"))
    assert not at.warning and len(at.dataframe[0].value) == 10


def test_sql_console_runs_a_reports_sql_with_the_filters(db: Path) -> None:
    first = lists(db)[-1]
    at = ok(page("sql_console", list=first))
    at.selectbox(key="sql_start").select("series_outcomes").run()
    assert "$list" in str(at.text_area(key="sql_text").value)
    ok(at.button(key="sql_run").click().run())
    shown = at.dataframe[0].value
    expected = report_records(db, "series_outcomes", {"list": first})
    assert list(shown["series"]) == [r["series"] for r in expected]


def test_sql_console_describes_every_table(db: Path) -> None:
    at = ok(page("sql_console"))
    labels = [e.label for e in at.expander]
    con = connect_readonly(db)
    try:
        tables = [r[0] for r in run_query(con, "SELECT DISTINCT table_name FROM "
                                               "information_schema.columns").rows]
    finally:
        con.close()
    assert sorted(label.split(" ")[0] for label in labels) == sorted(tables)
    text = " ".join(m.value for m in at.markdown)
    assert "(not described in docs/schema.md)" not in text


def test_export_page_offers_every_format(db: Path) -> None:
    at = ok(page("export"))
    assert {b.key for b in at.download_button} >= {"export-writeup", "export-csv",
                                                   "export-parquet", "export-json",
                                                   "export-md"}


def test_where_to_contribute_ranks_and_explains_every_section(db: Path) -> None:
    from pages.where import rank_key, why

    at = ok(page("where"))
    rows = [r for r in report_records(db, "where_to_contribute", {"level": "section", "min_n": 3})
            if r["level"] == "section"]
    table = at.dataframe[0].value
    assert list(table["subsystem"]) == [r["subsystem"] for r in sorted(rows, key=rank_key)]
    labels = list(table["label"])
    order = ["stale but attended", "active", "stale and unattended", "no activity known"]
    assert labels == sorted(labels, key=order.index)  # the label ranks first
    assert all(str(r["newcomer_series"] or 0) in why(r) for r in rows)  # each with its n
    contacts = {r["subsystem"]: r for r in report_records(db, "section_contacts")}
    first = table.iloc[0]
    assert first["send to"] == ", ".join(contacts[first["subsystem"]]["lists"])
    assert "The first five, explained" in [h.value for h in at.subheader]


def test_missing_database_says_what_to_run(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LORELENS_DB", str(tmp_path / "none.duckdb"))
    for name in PAGES:
        at = page(name)
        assert not at.exception
        assert "no such database" in at.error[0].value
        assert any("make demo" in m.value for m in at.markdown)


def test_empty_database_says_what_to_run(empty_db: Path, monkeypatch) -> None:
    monkeypatch.setenv("LORELENS_DB", str(empty_db))
    at = page("overview")
    assert not at.exception
    assert "holds no mail yet" in at.warning[0].value
    assert any("lorelens ingest" in m.value for m in at.markdown)


def test_overview_says_when_another_lorelens_computed_the_enrichment(
        report_db, tmp_path: Path, monkeypatch) -> None:
    import shutil

    import duckdb

    db = tmp_path / "old.duckdb"
    shutil.copyfile(report_db.path, db)
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE enrich_runs SET version = 'enrich 1, schema 1, lorelens 0.0.1'")
    monkeypatch.setenv("LORELENS_DB", str(db))
    at = ok(page("overview"))
    assert any("computed by another lorelens (enrich 1, schema 1, lorelens 0.0.1" in m.value
               for m in at.markdown)
    assert not any("Nothing to add" in m.value for m in at.markdown)


def test_without_maintainers_the_pages_say_so(bare_report_db, monkeypatch) -> None:
    monkeypatch.setenv("LORELENS_DB", str(bare_report_db.path))
    for name in ("maintainers", "overview"):
        at = ok(page(name))
        assert any("no MAINTAINERS file" in i.value for i in at.info)
