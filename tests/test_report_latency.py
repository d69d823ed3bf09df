"""review_latency and review_latency_curve (docs/metrics.md, "Time to first response",
"Censoring", "Newcomer"): the Kaplan–Meier quantiles and the Wilson interval on a
hand-worked example, the newcomer rule at its edges, and the figures on the corpus
against its planted truths."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from analytics.reports import run_report
from core.database import connect_readonly
from corpus.survival import km_median
from tests.minidb import MiniDB, at

# (days to the first response or to the end of observation, answered?)
CASES = [(1, True), (2, False), (3, True), (3, False), (4, True), (5, True), (6, False)]


def _latency_db(tmp_path: Path) -> MiniDB:
    db = MiniDB(tmp_path / "km.duckdb")
    for i, (days, answered) in enumerate(CASES):
        posted = at(10 + i)
        db.add("series", series_id=f"s{i}", posted_at=posted, subsystems=["X"],
               author_org_kind="individual" if i < 4 else "corporate",
               first_response_at=posted + dt.timedelta(days=days) if answered else None,
               observed_until=posted + dt.timedelta(days=30 if answered else days),
               outcome_detail="ignored" if i == 6 else "discussed")
    return db


def test_kaplan_meier_quantiles_and_wilson_interval_by_hand(tmp_path):
    """S(t) = 6/7 at 1 day, ·4/5 = 24/35 at 3, ·2/3 = 16/35 ≈ 0.457 at 4 (the median), ·1/2 =
    8/35 ≈ 0.229 at 5 (the 75th percentile). Within 1 day: 1 of 7 (every series was
    observed a day); Wilson with z = 1.96: centre (1/7 + z²/14) / (1 + z²/7) = 0.26941,
    half-width z·√(1/7·6/7/7 + z²/196) / (1 + z²/7) = 0.24373, so 2.6% to 51.3%. Within 7
    days: the three censored before 7 days are left out, 4 of 4."""
    db = _latency_db(tmp_path)
    rows = {(r["subsystem"], r["author_kind"], r["author_group"]): r
            for r in db.report("review_latency", {"min_n": 1}).records()}
    top = rows[("X", "all", "all")]
    assert (top["n_series"], top["n_answered"]) == (7, 4)
    assert (top["km_median_hours"], top["km_p75_hours"]) == (96.0, 120.0)
    assert (top["pct_answered_1d"], top["pct_answered_1d_lo"], top["pct_answered_1d_hi"]) == (
        14.3, 2.6, 51.3)
    assert (top["pct_answered_7d"], top["pct_answered_7d_lo"]) == (100.0, 51.0)
    assert top["ignored_rate"] == round(1 / 7, 4)
    assert rows[("all", "all", "all")]["km_median_hours"] == 96.0
    # individual: 1 (event), 2 (censored), 3 (event), 3 (censored): S = 3/4, then ·1/2
    assert rows[("X", "individual", "all")]["km_median_hours"] == 72.0
    # corporate: 4, 5 events, 6 censored: S = 2/3, 1/3 → median 5 days, never 0.25
    corporate = rows[("X", "corporate", "all")]
    assert (corporate["km_median_hours"], corporate["km_p75_hours"]) == (120.0, None)
    # with min_n above a cell's n the estimate is withheld, the counts stay
    withheld = {(r["subsystem"], r["author_kind"], r["author_group"]): r
                for r in db.report("review_latency", {"min_n": 5}).records()}
    assert withheld[("X", "corporate", "all")]["km_median_hours"] is None
    assert withheld[("X", "corporate", "all")]["n_series"] == 3
    assert withheld[("X", "all", "all")]["km_median_hours"] == 96.0

    curve = [(r["days"], r["share_unanswered"], r["at_risk"])
             for r in db.report("review_latency_curve").records()
             if (r["subsystem"], r["author_kind"], r["author_group"]) == ("X", "all", "all")]
    assert curve == [(0.0, 1.0, 7), (1.0, round(6 / 7, 4), 7), (3.0, round(24 / 35, 4), 5),
                     (4.0, round(16 / 35, 4), 3), (5.0, round(8 / 35, 4), 2)]

def test_ttfr_by_subsystem_leaves_backports_out_like_review_latency(tmp_path):
    """A stable backport answered at once is no review request: adding it to X changes
    neither report (docs/metrics.md, "Censoring")."""
    db = _latency_db(tmp_path)
    db.add("series", series_id="bp", posted_at=at(10), subsystems=["X"],
           first_response_at=at(10) + dt.timedelta(hours=1), observed_until=at(40),
           outcome_detail="backport")
    (row,) = db.report("ttfr_by_subsystem").records()
    assert (row["subsystem"], row["series"], row["unanswered"]) == ("X", 7, 3)
    assert (row["km_median_hours"], row["pct_1d"]) == (96.0, 14.3)


def test_ttfr_by_subsystem_medians_are_review_latency_ones(report_db):
    """Nothing computes a figure a second way: per subsystem of the demo database,
    ttfr_by_subsystem's series, answered share and median are review_latency's row for
    that subsystem, all kinds, all authors."""
    con = connect_readonly(report_db.path)
    try:
        ttfr = {r["subsystem"]: r for r in run_report(con, "ttfr_by_subsystem").records()}
        latency = {r["subsystem"]: r for r in run_report(con, "review_latency", {"min_n": 1})
                   .records() if (r["author_kind"], r["author_group"]) == ("all", "all")}
    finally:
        con.close()
    assert set(ttfr) == set(latency) - {"all"} and len(ttfr) >= 5
    for sub, row in ttfr.items():
        same = latency[sub]
        assert (row["series"], row["series"] - row["unanswered"]) == (
            same["n_series"], same["n_answered"]), sub
        assert row["km_median_hours"] == same["km_median_hours"], sub
        assert (row["pct_1d"], row["pct_7d"], row["pct_30d"]) == (
            same["pct_answered_1d"], same["pct_answered_7d"], same["pct_answered_30d"]), sub



def test_newcomer_rule_at_its_edges(tmp_path):
    """The archive's first trusted message is in January 2024, so the warm-up ends on
    2024-07-01: a first patch at that instant makes a newcomer, one a minute earlier does
    not; a newcomer's series count as a newcomer's for 90 days after the first patch."""
    db = MiniDB(tmp_path / "nc.duckdb")
    db.add("messages", message_id="early", date=at(14))
    warm_up_end = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
    firsts = {"new": warm_up_end, "old": warm_up_end - dt.timedelta(minutes=1)}
    for person, first in firsts.items():
        db.add("messages", message_id=f"p-{person}", date=first, is_patch=True, has_diff=True)
        db.add("message_authors", message_id=f"p-{person}", person_id=person)
    posted = {"n0": ("new", 0), "n89": ("new", 89.99), "n90": ("new", 90), "o0": ("old", 0)}
    for sid, (person, offset) in posted.items():
        when = firsts[person] + dt.timedelta(days=offset)
        db.add("series", series_id=sid, author_person_id=person, posted_at=when,
               observed_until=when + dt.timedelta(days=40), subsystems=[sid])
    got = {r["subsystem"]: r["n_series"]
           for r in db.report("review_latency", {"min_n": 1}).records()
           if r["author_group"] == "newcomer" and r["author_kind"] == "all"}
    assert got == {"all": 2, "n0": 1, "n89": 1}


@pytest.fixture(scope="module")
def latency(report_db):
    con = connect_readonly(report_db.path)
    try:
        rows = run_report(con, "review_latency", {"min_n": 1}).records()
        curve = run_report(con, "review_latency_curve").records()
        series = con.execute("SELECT series_id, observed_until FROM series").fetchall()
    finally:
        con.close()
    return rows, curve, dict(series)


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_counts_and_medians_match_the_planted_truth(report_db, latency):
    rows, _curve, observed = latency
    truth = report_db.truth
    top = {r["subsystem"]: r for r in rows
           if r["author_kind"] == "all" and r["author_group"] == "all"}
    planted = {s["name"]: s for s in truth["subsystems"] if s["series"]}
    assert set(top) == {*planted, "all"}
    for name, sub in planted.items():
        assert top[name]["n_series"] == sub["series"], name
        assert top[name]["n_answered"] == sub["answered"], name
    assert top["all"]["n_series"] == len(truth["series"])
    assert top["all"]["n_answered"] == sum(1 for s in truth["series"] if s["first_response_at"])
    # the median over all series, censored where this database's observation ends
    durations = []
    for s in truth["series"]:
        end = s["first_response_at"] and _ts(s["first_response_at"])
        end = end or observed[s["message_ids"][0]]
        durations.append(((end - _ts(s["posted_at"])).total_seconds() / 3600,
                          bool(s["first_response_at"])))
    want = km_median(durations)
    assert want is not None and top["all"]["km_median_hours"] == pytest.approx(want, abs=0.01)
    maintained = sum(1 for s in truth["series"] if s["first_maintainer_response_at"])
    assert top["all"]["n_maintainer_answered"] == maintained


def test_newcomer_series_are_the_planted_newcomers_first_90_days(report_db, latency):
    rows = latency[0]
    truth = report_db.truth
    first = {p["id"]: _ts(p["first_patch_at"]) for p in truth["people"]
             if p["newcomer"] and p["first_patch_at"]}
    assert first, "the corpus plants newcomers"
    want: Counter[str] = Counter()
    for s in truth["series"]:
        if s["author"] in first and _ts(s["posted_at"]) < first[s["author"]] + dt.timedelta(90):
            want.update([*s["subsystems"], "all"])
    got = {r["subsystem"]: r["n_series"] for r in rows
           if r["author_kind"] == "all" and r["author_group"] == "newcomer"}
    assert got == dict(want)


def test_all_rows_are_the_sums_of_the_split_rows(latency):
    rows = latency[0]
    cell = {(r["subsystem"], r["author_kind"], r["author_group"]): r for r in rows}
    for (sub, kind, group), r in cell.items():
        for field in ("n_series", "n_answered", "n_maintainer_answered", "n_reviewed"):
            if group == "all":
                parts = [cell.get((sub, kind, g)) for g in ("newcomer", "regular")]
                assert r[field] == sum(p[field] for p in parts if p), (sub, kind, field)
            if kind == "all":
                parts = [cell.get((sub, k, group))
                         for k in ("corporate", "individual", "academic", "unknown")]
                assert r[field] == sum(p[field] for p in parts if p), (sub, group, field)


def test_curve_crosses_one_half_at_the_median(latency):
    rows, curve, _observed = latency
    points: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
    for p in curve:
        key = (p["subsystem"], p["author_kind"], p["author_group"])
        points.setdefault(key, []).append((p["days"], p["share_unanswered"]))
    checked = 0
    for r in rows:
        key = (r["subsystem"], r["author_kind"], r["author_group"])
        below = [d for d, share in points[key] if share <= 0.5]
        if r["km_median_hours"] is None:
            assert below == [], key
        else:
            assert below[0] * 24 == pytest.approx(r["km_median_hours"], abs=0.01), key
            checked += 1
    assert checked > 10


def test_periods_split_the_whole(report_db, latency):
    rows = latency[0]
    con = connect_readonly(report_db.path)
    try:
        by_quarter = run_report(con, "review_latency", {"period": "quarter", "min_n": 1})
    finally:
        con.close()
    records = by_quarter.records()
    assert [r for r in records if r["period"] == "all"] == rows
    want = Counter(f"{_ts(s['posted_at']).year}-Q{(_ts(s['posted_at']).month - 1) // 3 + 1}"
                   for s in report_db.truth["series"])
    got = {r["period"]: r["n_series"] for r in records if r["period"] != "all"
           and (r["subsystem"], r["author_kind"], r["author_group"]) == ("all", "all", "all")}
    assert got == dict(want) and len(got) >= 4
