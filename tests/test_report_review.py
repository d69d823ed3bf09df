"""The reports on review work and where patches end (docs/metrics.md, "Top reviewers",
"Unanswered patches", "Outcomes by organisation kind", "Versions needed"): checked
against the seeded corpus' planted truths (docs/corpus.md) and on hand-built databases
whose answers are worked out by hand."""

from __future__ import annotations

import collections
from typing import Any

from core.database import connect_readonly
from tests.conftest import report_records
from tests.minidb import MiniDB, at

TAGS = ("reviewed-by", "acked-by", "tested-by")


def _stored(truth: dict[str, Any]) -> list[dict[str, Any]]:
    """The planted messages the database holds: no second copy, no deleted spam."""
    deleted = {d["message_id"] for d in truth["deleted"]}
    return [m for m in truth["messages"]
            if not m.get("duplicate") and m["message_id"] not in deleted]


def test_top_reviewers_count_the_planted_tags_of_each_reviewer(report_db):
    """Every tag planted in a reply below a posting, by a person (not a bot), counts for
    the reply's sender; the person is found by the sender's address."""
    want: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    series: dict[str, set[str]] = collections.defaultdict(set)
    senders: dict[str, str] = {}
    for m in _stored(report_db.truth):
        if not m["is_reply"] or m["from_is_bot"] or not m["responds_to_series"]:
            continue
        for kind, _ in m["trailers"]:
            if kind in TAGS:
                want[m["person"]][kind] += 1
                senders[m["person"]] = m["from_email"]
                if kind != "tested-by":
                    series[m["person"]].add(m["responds_to_series"])
    con = connect_readonly(report_db.path)
    try:
        ids = dict(con.execute("SELECT email, person_id FROM person_addresses").fetchall())
    finally:
        con.close()
    got = {r["reviewer"]: r for r in report_records(report_db.path, "top_reviewers")}
    assert len(got) == len(want) > 10
    for person, counts in want.items():
        row = got[ids[senders[person]]]
        assert (row["reviewed_by"], row["acked_by"], row["tested_by"]) == tuple(
            counts[k] for k in TAGS), person
        assert row["review_tags"] == counts["reviewed-by"] + counts["acked-by"]
        assert row["series_reviewed"] == len(series[person]), person
    tags = [r["review_tags"] for r in got.values()]
    assert tags == sorted(tags, reverse=True)


def test_top_reviewers_leave_out_carried_tags_and_bots(tmp_path):
    """R gave two Reviewed-by on patch p1 and one Acked-by on the cover of series c
    (relaying X's: it counts for R, the sender), a Tested-by on p2, three tags as
    corporate and one as individual; a carried tag and a bot's tag do not count; the
    scope's since leaves the first tag out."""
    db = MiniDB(tmp_path / "r.duckdb")
    db.add("people", person_id="r", name="R")
    db.add("series", series_id="c", author_person_id="a", posted_at=at(0),
           subsystems=["S", "T"])
    for post, subs in (("c", []), ("p1", ["S"]), ("p2", ["T"])):
        db.add("posts", message_id=post, series_id="c", posted_at=at(0), subsystems=subs)
    replies = (("m1", "r", "corporate", "p1", "reviewed-by", False, 1),
               ("m2", "r", "corporate", "p1", "reviewed-by", False, 2),
               ("m3", "r", "individual", "c", "acked-by", False, 3),
               ("m4", "r", "corporate", "p2", "tested-by", False, 4),
               ("p2", "a", "corporate", "p2", "reviewed-by", True, 0),
               ("m5", "bot", "unknown", "p1", "acked-by", False, 5))
    for mid, who, kind, post, tag, carried, day in replies:
        db.add("message_authors", message_id=mid, person_id=who, org_kind=kind,
               is_bot=who == "bot")
        db.add("review_tags", series_id="c", post_id=post, message_id=mid, kind=tag,
               person_id="x" if mid == "m3" else "r", given_by="a" if carried else "r",
               given_at=at(day),
               carried=carried)
    (row,) = db.report("top_reviewers").records()
    assert row["reviewer"] == "r" and row["name"] == "R"
    assert (row["review_tags"], row["reviewed_by"], row["acked_by"], row["tested_by"]) == (
        3, 2, 1, 1)
    assert (row["posts_reviewed"], row["series_reviewed"]) == (2, 1)
    assert row["usual_org_kind"] == "corporate"
    # p1 (S) twice, the cover (the series' S and T) once
    assert row["subsystems"] == ["S", "T"]
    assert (row["first_given_at"], row["last_given_at"]) == (at(1), at(4))
    (later,) = db.report("top_reviewers", {"since": at(2).date().isoformat()}).records()
    assert (later["reviewed_by"], later["usual_org_kind"]) == (1, "corporate")
    (t_only,) = db.report("top_reviewers", {"subsystem": "T"}).records()
    assert (t_only["review_tags"], t_only["tested_by"]) == (1, 1)


def test_outcomes_by_org_kind_match_the_planted_outcomes(report_db):
    want: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for s in report_db.truth["series"]:
        if not s["is_rfc"]:
            want[s["org_kind"]][s["outcome"]] += 1
            want["all"][s["outcome"]] += 1
    rows = report_records(report_db.path, "outcomes_by_org_kind")
    assert [r["org_kind"] for r in rows] == ["all", "corporate", "individual", "academic",
                                             "unknown"]
    for r in rows:
        counts = want[r["org_kind"]]
        assert r["series"] == sum(counts.values()), r["org_kind"]
        for outcome in ("applied", "superseded", "discussed", "ignored", "pending"):
            assert r[outcome] == counts[outcome], (r["org_kind"], outcome)


def test_outcomes_by_org_kind_rates_by_hand(tmp_path):
    """Individuals: applied, superseded, ignored, pending, discussed; an RFC and a
    backport left out. Nobody academic: the row is there with zeros."""
    db = MiniDB(tmp_path / "o.duckdb")
    for i, detail in enumerate(("applied", "superseded", "ignored", "pending", "discussed")):
        db.add("series", series_id=f"s{i}", author_org_kind="individual", posted_at=at(i),
               outcome_detail=detail)
    db.add("series", series_id="rfc", author_org_kind="individual", is_rfc=True,
           posted_at=at(0), outcome_detail="ignored")
    db.add("series", series_id="bp", author_org_kind="corporate", posted_at=at(0),
           outcome_detail="backport")
    got = {r["org_kind"]: r for r in db.report("outcomes_by_org_kind").records()}
    ind = got["individual"]
    assert (ind["series"], ind["applied"], ind["ignored"], ind["pending"]) == (5, 1, 1, 1)
    assert ind["ignored_rate"] == 0.25  # 1 of the 4 not pending
    assert ind["applied_rate"] == 0.25  # 1 of the 4 not superseded
    assert got["all"]["series"] == 5
    assert got["academic"]["series"] == 0 and got["academic"]["ignored_rate"] is None
    assert got["corporate"]["series"] == 0


def test_versions_needed_match_the_planted_version_chains(report_db):
    """Patch sets are the planted chains of versions and resends (RFCs left out)."""
    series = {s["key"]: s for s in report_db.truth["series"]}
    root = {k: k for k in series}

    def find(k: str) -> str:
        while root[k] != k:
            k = root[k]
        return k

    for s in series.values():
        for link in ("prev_version", "resend_of"):
            if s[link] in series:
                root[find(s[link])] = find(s["key"])
    sets: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for s in series.values():
        if not s["is_rfc"]:
            sets[find(s["key"])].append(s)
    want: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for postings in sets.values():
        for label in (str(len({s["version"] for s in postings})), "all"):
            want[label]["patch_sets"] += 1
            want[label]["postings"] += len(postings)
            want[label]["applied"] += any(s["outcome"] == "applied" for s in postings)
    rows = report_records(report_db.path, "versions_needed")
    assert [r["versions"] for r in rows] == sorted(want, key=lambda v: (v == "all", v))
    for r in rows:
        got = {k: r[k] for k in ("patch_sets", "postings", "applied")}
        assert got == dict(want[r["versions"]]), r["versions"]
    assert rows[-1]["applied"] + rows[-1]["last_ignored"] + rows[-1]["undecided"] == (
        rows[-1]["patch_sets"])


def test_versions_needed_by_hand(tmp_path):
    """Set a: v1, its resend, v2 (applied): 2 versions, 1 resend. Set b: v1 ignored.
    Set c: v1 superseded by v2, v2 discussed. An RFC of set b is left out."""
    db = MiniDB(tmp_path / "v.duckdb")
    for sid, key, version, day, detail in (
            ("a1", "a", 1, 0, "superseded"), ("a1r", "a", 1, 5, "superseded"),
            ("a2", "a", 2, 9, "applied"), ("b1", "b", 1, 0, "ignored"),
            ("c1", "c", 1, 0, "superseded"), ("c2", "c", 2, 3, "discussed")):
        db.add("series", series_id=sid, version_key=key, version=version, posted_at=at(day),
               outcome_detail=detail)
    db.add("series", series_id="b0", version_key="b", version=2, is_rfc=True,
           posted_at=at(1), outcome_detail="ignored")
    got = {r["versions"]: r for r in db.report("versions_needed").records()}
    assert list(got) == ["1", "2", "all"]
    two = got["2"]
    assert (two["patch_sets"], two["postings"], two["resends"], two["applied"]) == (2, 5, 1, 1)
    assert (two["last_ignored"], two["undecided"], two["applied_rate"]) == (0, 1, 0.5)
    assert (got["1"]["patch_sets"], got["1"]["last_ignored"]) == (1, 1)
    assert (got["all"]["patch_sets"], got["all"]["postings"]) == (3, 6)


def test_unanswered_patches_match_the_planted_responses(report_db):
    truth = report_db.truth
    series = {s["key"]: s for s in truth["series"]}
    patches = [m for m in _stored(truth) if m["is_patch"]]
    (top,) = [r for r in report_records(report_db.path, "unanswered_patches")
              if r["subsystem"] == "all"]
    assert top["patches"] == len(patches)
    assert top["without_response"] == sum(m["first_response_at"] is None for m in patches)
    assert top["in_unanswered_series"] == sum(
        series[m["series"]]["first_response_at"] is None for m in patches)
    assert top["in_ignored_series"] == sum(
        series[m["series"]]["outcome"] == "ignored" for m in patches)
    assert 0 < top["in_unanswered_series"] < top["without_response"] < top["patches"]


def test_unanswered_patches_by_hand(tmp_path):
    """Series c (answered on its cover only) has p1 in S and p2 in S and T; series d
    (unanswered, ignored) has p3 in T; a backport's patch is left out. p2 has a review."""
    db = MiniDB(tmp_path / "u.duckdb")
    db.add("series", series_id="c", posted_at=at(0), first_response_at=at(1),
           outcome_detail="discussed")
    db.add("series", series_id="d", posted_at=at(0), outcome_detail="ignored")
    db.add("series", series_id="bp", posted_at=at(0), outcome_detail="backport")
    for mid, sid, subs, review in (("p1", "c", ["S"], None), ("p2", "c", ["S", "T"], at(2)),
                                   ("p3", "d", ["T"], None), ("p4", "bp", ["S"], None)):
        db.add("messages", message_id=mid, date=at(0), is_patch=True, series_id=sid)
        db.add("posts", message_id=mid, series_id=sid, posted_at=at(0), subsystems=subs,
               first_review_at=review, first_response_at=review)
    got = {r["subsystem"]: r for r in db.report("unanswered_patches").records()}
    assert list(got) == ["all", "S", "T"] or list(got) == ["all", "T", "S"]
    cols = ("patches", "without_response", "in_unanswered_series", "in_ignored_series",
            "with_review_tag")
    assert tuple(got["all"][c] for c in cols) == (3, 2, 1, 1, 1)
    assert tuple(got["S"][c] for c in cols) == (2, 1, 0, 0, 1)
    assert tuple(got["T"][c] for c in cols) == (2, 1, 1, 1, 1)
    assert got["S"]["share_without_response"] == 0.5
    only_t = db.report("unanswered_patches", {"subsystem": "T"}).records()
    assert [(r["subsystem"], r["patches"]) for r in only_t] == [("all", 2), ("T", 2)]
