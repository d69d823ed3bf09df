"""maintainer_responsiveness (docs/metrics.md, "Maintainer responsiveness"): each listed
maintainer's and reviewer's patches and answers, recomputed from the corpus's planted
messages (who replied below which patch or cover letter) without the database."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from typing import Any

import pytest

from analytics.reports import run_report
from core.database import connect_readonly
from corpus.maintainers import SECTIONS, sections_for_files
from tests.minidb import MiniDB, at


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _planted(truth: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(section or 'all', truth person) -> patches of others there and their answers."""
    msgs = {m["message_id"]: m for m in truth["messages"]
            if m["message_id"] and not m.get("duplicate")}
    cover: dict[str, str] = {}
    for s in truth["series"]:
        for mid in s["message_ids"]:
            if msgs[mid]["is_cover"]:
                cover[s["key"]] = mid

    def post_above(m: dict[str, Any]) -> str | None:
        seen = set()
        while (parent := m["in_reply_to"]) in msgs and parent not in seen:
            seen.add(parent)
            m = msgs[parent]
            if m["is_patch"] or m["is_cover"]:
                return parent
        return None

    first_answer: dict[tuple[str, str], dt.datetime] = {}  # (post, person) -> first time
    for m in msgs.values():
        if m["is_response"] and m["date"]:
            post = post_above(m)
            if post is not None:
                key = (post, m["person"])
                when = _ts(m["date"])
                first_answer[key] = min(when, first_answer.get(key, when))
    people = {sec.name: {*sec.maintainers, *sec.reviewers} for sec in SECTIONS}
    out: dict[tuple[str, str], dict[str, Any]] = defaultdict(lambda: {"patches": set(),
                                                                      "answers": {}})
    for s in truth["series"]:
        for mid in s["message_ids"]:
            m = msgs[mid]
            if not m["is_patch"]:
                continue
            for sec in sections_for_files(m["files"]):
                for who in people[sec] - {s["author"]}:
                    for area in (sec, "all"):
                        cell = out[(area, who)]
                        cell["patches"].add(mid)
                        times = [first_answer[(p, who)] for p in (mid, cover.get(s["key"], ""))
                                 if (p, who) in first_answer]
                        if times:
                            cell["answers"][mid] = (min(times) - _ts(m["date"]))
    return out


@pytest.fixture(scope="module")
def responsiveness(report_db):
    con = connect_readonly(report_db.path)
    try:
        rows = run_report(con, "maintainer_responsiveness", {"min_n": 30}).records()
        addresses = dict(con.execute("SELECT email, person_id FROM person_addresses").fetchall())
    finally:
        con.close()
    return rows, addresses


def test_patches_and_answers_match_the_planted_replies(report_db, responsiveness):
    rows, addresses = responsiveness
    truth = report_db.truth
    person = {p["id"]: addresses[p["addresses_used"][0]] for p in truth["people"]
              if p["addresses_used"]}
    want = _planted(truth)
    got = {(r["subsystem"], r["maintainer"]): r for r in rows}
    assert set(got) == {(area, person[who]) for area, who in want}
    answered = 0
    for (area, who), cell in want.items():
        have = got[(area, person[who])]
        hours = [d.total_seconds() / 3600 for d in cell["answers"].values()]
        assert (have["n_patches"], have["n_answered"]) == (len(cell["patches"]),
                                                           len(hours)), (area, who)
        if hours:
            assert have["median_hours_to_answer"] == pytest.approx(statistics.median(hours),
                                                                   abs=0.01)
            answered += 1
    assert answered > 5


def test_only_rows_with_min_n_patches_are_ranked(responsiveness):
    rows, _addresses = responsiveness
    assert any(r["n_patches"] < 30 for r in rows) and any(r["n_patches"] >= 30 for r in rows)
    for sub in {r["subsystem"] for r in rows}:
        ranked = sorted((r for r in rows if r["subsystem"] == sub and r["rank"] is not None),
                        key=lambda r: r["rank"])
        assert all(r["n_patches"] >= 30 for r in ranked)
        assert [r["share_answered"] for r in ranked] == sorted(
            (r["share_answered"] for r in ranked), reverse=True)
    unranked = [r for r in rows if r["n_patches"] < 30]
    assert all(r["rank"] is None for r in unranked)


def test_by_hand_cover_answers_tags_load_and_own_patches(tmp_path):
    """Two patches by A under a cover, one by the maintainer M himself. M answers the
    cover after 2 hours (and again below his answer at 4 h): both of A's patches are
    answered, after 2 h. The reviewer R answers patch 2 only, after 10 h, and acks it;
    M's own patch is R's to answer, not M's. A bot's reply and M's reply to his own patch
    count for nothing. The patches span 61 days: about two months."""
    db = MiniDB(tmp_path / "m.duckdb")
    db.add("subsystems", name="S", maintainers=["m@x.org"], maintainer_names=["M"],
           reviewers=["r@x.org"], reviewer_names=["R"])
    for who in ("m", "r", "a", "bot"):
        db.add("person_addresses", email=f"{who}@x.org", person_id=who)
        db.add("people", person_id=who, name=who.upper(), is_bot=who == "bot",
               last_seen=at(5))

    def mail(mid: str, who: str, when: dt.datetime, series: str, parent: str | None = None,
             patch: bool = False, cover: bool = False) -> None:
        db.add("messages", message_id=mid, date=when, in_reply_to=parent, series_id=series,
               is_patch=patch, is_cover=cover, is_reply=parent is not None and not patch)
        db.add("message_authors", message_id=mid, person_id=who, is_bot=who == "bot")

    db.add("series", series_id="c", author_person_id="a", posted_at=at(1), subsystems=["S"],
           observed_until=at(90))
    db.add("series", series_id="own", author_person_id="m", posted_at=at(62),
           subsystems=["S"], observed_until=at(90))
    mail("c", "a", at(1), "c", cover=True)
    db.add("posts", message_id="c", series_id="c", is_cover=True, posted_at=at(1))
    for i in (1, 2):
        mail(f"p{i}", "a", at(1), "c", parent="c", patch=True)
        db.add("posts", message_id=f"p{i}", series_id="c", posted_at=at(1), subsystems=["S"])
    mail("own", "m", at(62), "own", patch=True)
    db.add("posts", message_id="own", series_id="own", posted_at=at(62), subsystems=["S"])
    hour = dt.timedelta(hours=1)
    mail("m1", "m", at(1) + 2 * hour, "c", parent="c")
    mail("m2", "m", at(1) + 4 * hour, "c", parent="m1")
    mail("r1", "r", at(1) + 10 * hour, "c", parent="p2")
    mail("b1", "bot", at(1) + hour, "c", parent="p1")
    mail("m3", "m", at(62) + hour, "own", parent="own")
    db.add("review_tags", series_id="c", post_id="p2", message_id="r1", kind="acked-by",
           given_by="r", given_at=at(1) + 10 * hour)
    got = {(r["subsystem"], r["maintainer"]): r
           for r in db.report("maintainer_responsiveness", {"min_n": 2}).records()}
    m, r = got[("S", "m")], got[("S", "r")]
    assert (m["n_patches"], m["n_answered"], m["median_hours_to_answer"]) == (2, 2, 2.0)
    assert (r["n_patches"], r["n_answered"], r["median_hours_to_answer"]) == (3, 1, 10.0)
    assert (m["review_tags_given"], r["review_tags_given"]) == (0, 1)
    assert (m["patches_per_month"], r["patches_per_month"]) == (1.0, 1.5)
    assert (m["rank"], r["rank"]) == (1, 2)
    assert got[("all", "r")]["n_patches"] == 3 and m["role"] == "M"
