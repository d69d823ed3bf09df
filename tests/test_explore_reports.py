"""The reports behind the dashboard's series explorer, person pages and filters, checked
against the tables they read (docs/schema.md)."""

from __future__ import annotations

import pytest

from analytics.db import run_query
from analytics.reports import run_report
from core.database import connect_readonly


@pytest.fixture(scope="module")
def con(report_db):
    c = connect_readonly(report_db.path)
    yield c
    c.close()


def one(con, sql: str, params=None):
    return run_query(con, sql, params).rows


def test_scope_values_offer_every_list_and_touched_section(con) -> None:
    rows = run_report(con, "scope_values").rows
    lists = {v: n for k, v, n in rows if k == "list"}
    assert lists == dict(one(con, "SELECT l, count(*) FROM (SELECT unnest(lists) l "
                                  "FROM messages) GROUP BY l"))
    sections = {v for k, v, _ in rows if k == "subsystem"}
    assert sections == {r[0] for r in one(con, "SELECT DISTINCT unnest(subsystems) FROM series")}
    assert sections  # the sample has MAINTAINERS
    days = {k: v for k, v, _ in rows if k.endswith("_day")}
    assert days["first_day"] <= days["last_day"]


def test_series_search_matches_subject_author_and_outcome(con) -> None:
    word = one(con, "SELECT split_part(subject, ' ', 1) FROM series "
                    "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")[0][0]
    res = run_report(con, "series_search", {"q": word.upper(), "limit": "5"}).records()
    expected = one(con, "SELECT count(*) FROM series WHERE subject ILIKE ?", [f"%{word}%"])[0][0]
    assert len(res) == min(5, expected) and res[0]["matches"] == expected
    assert all(word.lower() in r["subject"].lower() for r in res)
    ignored = run_report(con, "series_search", {"outcome": "ignored", "limit": "1000"})
    assert len(ignored.rows) == one(con, "SELECT count(*) FROM series "
                                         "WHERE outcome = 'ignored'")[0][0] > 0
    sid = ignored.records()[0]["series_id"]
    assert [r["series_id"] for r in run_report(con, "series_search", {"q": sid}).records()] \
        == [sid]


def test_series_versions_and_messages_follow_the_version_key(con) -> None:
    sid, nxt = one(con, "SELECT series_id, next_series_id FROM series "
                        "WHERE next_series_id IS NOT NULL ORDER BY series_id LIMIT 1")[0]
    versions = run_report(con, "series_versions", {"series_id": nxt}).records()
    ids = [v["series_id"] for v in versions]
    assert ids.index(sid) < ids.index(nxt)
    assert [v["is_this"] for v in versions].count(True) == 1
    msgs = run_report(con, "series_messages", {"series_id": nxt}).records()
    expected = one(con, "SELECT count(*) FROM messages WHERE list_contains(?, series_id)",
                   [ids])[0][0]
    assert len(msgs) == expected
    assert {m["kind"] for m in msgs} >= {"patch", "reply"} or {"cover letter"} <= {
        m["kind"] for m in msgs}
    dates = [m["date"] for m in msgs if m["date"] is not None]
    assert dates == sorted(dates)


def test_person_activity_names_their_sections_and_series(con) -> None:
    email = one(con, "SELECT maintainers[1] FROM subsystems WHERE len(maintainers) > 0 "
                     "ORDER BY name LIMIT 1")[0][0]
    rows = run_report(con, "person_activity", {"person": email.upper()}).records()
    sections = {r["detail"] for r in rows if r["what"] == "section"}
    assert sections == {r[0] for r in one(
        con, "SELECT s.name FROM subsystems s, people p WHERE list_contains(p.emails, ?) AND "
             "(len(list_intersect(s.maintainers, p.emails)) > 0 OR "
             "len(list_intersect(s.reviewers, p.emails)) > 0)", [email])}
    person = one(con, "SELECT person_id FROM people WHERE list_contains(emails, ?)", [email])[0][0]
    authored = [r for r in rows if r["what"] == "authored"]
    assert len(authored) == one(con, "SELECT count(*) FROM series WHERE author_person_id = ?",
                                [person])[0][0]
