"""The overview report (and `lorelens status`, which prints it) against the sample's
planted truths (docs/metrics.md, "Overview")."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from click.testing import CliRunner

from analytics.reports import run_report
from cli import main
from core.database import connect_readonly
from corpus.survival import km_median
from tests.conftest import rows

KINDS = ("corporate", "individual", "academic", "unknown")


def _overview(db, **params: Any) -> dict[str, Any]:
    con = connect_readonly(db)
    try:
        (row,) = run_report(con, "overview", params).records()
        return row
    finally:
        con.close()


def _when(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))


def _mails(truth: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in truth["messages"] if "duplicate" not in m]


def test_counts_and_dates_are_the_planted_ones(report_db):
    truth = report_db.truth
    o = _overview(report_db.path)
    totals = truth["totals"]
    mails = _mails(truth)
    people = [p for p in truth["people"] if not p["is_bot"]]
    assert (o["messages"], o["patches"], o["cover_letters"], o["threads"], o["series"]) == (
        totals["messages"], totals["patches"], totals["covers"], totals["threads"],
        totals["series"])
    assert o["people"] == sum(1 for p in people if p["messages"])
    assert o["authors"] == sum(1 for p in people if p["patches"])
    assert o["first_message"] == min(_when(m["date"]) for m in mails)
    assert o["last_message"] == max(_when(m["date"]) for m in mails)
    per_list = Counter(x for m in mails for x in m["lists"])
    assert {r["list"]: r["messages"] for r in o["per_list"]} == per_list
    assert o["lists"] == [x for x, _n in sorted(per_list.items(), key=lambda kv: (-kv[1], kv[0]))]
    answered = sum(1 for s in truth["series"] if s["first_response_at"])
    assert o["answered_pct"] == round(100 * answered / len(truth["series"]), 1)
    # the patches' organisation kinds, from the planted organisations at each date
    by_id = {p["id"]: p for p in people}
    kinds: Counter[str] = Counter()
    for m in mails:
        if m["is_patch"] and m["person"] in by_id:
            orgs = by_id[m["person"]]["orgs"]
            kinds[next(x["kind"] for x in orgs
                       if (x["valid_from"] is None or x["valid_from"] <= m["date"])
                       and (x["valid_to"] is None or m["date"] < x["valid_to"]))] += 1
    for kind in KINDS:
        assert o[f"{kind}_pct"] == round(100 * kinds[kind] / sum(kinds.values()), 1), kind
    assert (o["ingest_errors"], o["not_enriched"]) == (0, 0)
    assert o["enriched_at"] is not None and o["last_ingest_at"] is not None


def test_kaplan_meier_median_over_all_series(report_db):
    """The median over every series equals the generator's own estimator on the planted
    posting and first-response times, censored where this database's observation ends."""
    truth = report_db.truth
    con = connect_readonly(report_db.path)
    try:
        observed = dict(con.execute("SELECT series_id, observed_until FROM series").fetchall())
    finally:
        con.close()
    durations = []
    for s in truth["series"]:
        posted = _when(s["posted_at"])
        end = (_when(s["first_response_at"]) if s["first_response_at"]
               else observed[s["message_ids"][0]])
        durations.append(((end - posted).total_seconds() / 3600, bool(s["first_response_at"])))
    want = km_median(durations)
    assert want is not None
    assert abs(_overview(report_db.path)["km_median_hours"] - want) <= 0.01


def test_caveats_name_the_unarchived_lists_and_unknown_senders(report_db, bare_report_db):
    truth = report_db.truth
    archived = set(truth["lists"])
    in_play = {x for s in truth["subsystems"] if s["patches"] for x in s["lists"]}
    o = _overview(report_db.path)
    assert o["lists_in_play"] == len(in_play)
    assert set(o["lists_not_archived"]) == in_play - archived != set()
    (lists_caveat,) = [c for c in o["caveats"]
                       if c.startswith(f"{len(in_play - archived)} of {len(in_play)} lists")]
    # the three lists missed by most patches, counted in Python from the patches' sections
    sections = dict(rows(report_db.path, "SELECT name, lists FROM subsystems"))
    per_list: dict[str, set[str]] = {}
    for mid, sub in rows(report_db.path, "SELECT ms.message_id, ms.subsystem FROM "
                         "message_subsystems ms JOIN messages m USING (message_id) "
                         "WHERE m.is_patch AND ms.via = 'files'"):
        for lst in sections[sub]:
            per_list.setdefault(lst, set()).add(mid)
    top = sorted((-len(per_list[x]), x) for x in in_play - archived)[:3]
    assert lists_caveat.split("; the most missed: ")[1] == ", ".join(
        f"{x} ({-n:,} patches)" for n, x in top) + " (lorelens report list_coverage)"
    assert any(f"{round(100 - o['org_known_pct'], 1)}% of messages" in c for c in o["caveats"])
    assert not any("MAINTAINERS" in c for c in o["caveats"])
    bare = _overview(bare_report_db.path)
    assert bare["lists_in_play"] == 0
    assert any(c.startswith("no MAINTAINERS loaded") for c in bare["caveats"])


def test_filters_and_the_kind_shares_agree_with_contribution_shares(report_db):
    truth = report_db.truth
    address = truth["series"][0]["lists"][0]
    o = _overview(report_db.path, list=address)
    assert o["lists"] == [address]
    assert o["messages"] == sum(1 for m in _mails(truth) if address in m["lists"])
    assert o["series"] == sum(1 for s in truth["series"] if address in s["lists"])
    con = connect_readonly(report_db.path)
    try:
        shares = run_report(con, "contribution_shares", {"list": address}).records()
    finally:
        con.close()
    for r in shares:
        if r["subsystem"] == "all":
            assert o[f"{r['org_kind']}_pct"] == r["pct"], r
    half = _overview(report_db.path, since="2024-07-01")
    assert 0 < half["messages"] < _overview(report_db.path)["messages"]
    assert half["first_message"] >= dt.datetime(2024, 7, 1, tzinfo=dt.UTC)


def test_empty_database_gives_one_row_of_zeros(empty_db):
    o = _overview(empty_db)
    assert (o["messages"], o["series"], o["people"], o["lists"], o["caveats"]) == (
        0, 0, 0, [], ["no MAINTAINERS loaded: no subsystems and no maintainer responses "
                      "(lorelens maintainers)"])
    assert o["km_median_hours"] is None and o["corporate_pct"] is None


def test_status_prints_the_overview(report_db):
    o = _overview(report_db.path)
    out = CliRunner().invoke(main, ["status", "--db", str(report_db.path)])
    assert out.exit_code == 0, out.output
    assert f"messages: {o['messages']:,} ({o['patches']:,} patches" in out.stdout
    assert f"series:   {o['series']:,} ({o['answered_pct']}% answered" in out.stdout
    assert f"corporate {o['corporate_pct']}%, individual {o['individual_pct']}%" in out.stdout
    for caveat in o["caveats"]:
        assert f"  - {caveat}\n" in out.stdout


DIFF = """Fix it.

Signed-off-by: {name} <{addr}>
---
 foo.c | 1 +
 1 file changed, 1 insertion(+)

diff --git a/foo.c b/foo.c
--- a/foo.c
+++ b/foo.c
@@ -1 +1,2 @@
 a
+b
"""


def test_stable_backports_are_left_out_of_the_latency(tmp_path):
    """A backport answered after 1 hour would halve the median of one posting answered
    after 10 hours; it is no review request, so the median stays 10 hours, as in
    review_latency's 'all' row."""
    from ingest.enrich.stages import run_stages
    from ingest.load import Database
    from tests.conftest import make_mail, run_ingest, write_mbox

    def at(hours: int) -> str:
        return (dt.datetime(2024, 3, 4, 9, tzinfo=dt.UTC) + dt.timedelta(hours=hours)
                ).strftime("%a, %d %b %Y %H:%M:%S +0000")

    mails = [
        make_mail(1, subject="[PATCH] foo: fix bar", sender="Ann <ann@example.com>",
                  date=at(0), body=DIFF.format(name="Ann", addr="ann@example.com")),
        make_mail(2, subject="[PATCH AUTOSEL 6.6 1/1] foo: fix baz",
                  sender="Sasha <sasha@example.org>", date=at(1),
                  body=DIFF.format(name="Sasha", addr="sasha@example.org")),
        make_mail(3, subject="Re: [PATCH AUTOSEL 6.6 1/1] foo: fix baz",
                  sender="Bob <bob@example.net>", date=at(2),
                  extra="In-Reply-To: <mail-2@example.com>"),
        make_mail(4, subject="Re: [PATCH] foo: fix bar", sender="Carl <carl@example.net>",
                  date=at(10), extra="In-Reply-To: <mail-1@example.com>"),
        make_mail(5, subject="unrelated", sender="Dee <dee@example.net>", date=at(24 * 40)),
    ]
    db = tmp_path / "b.duckdb"
    run_ingest([write_mbox(tmp_path / "l.mbox", mails)], db, label="l@example.org")
    store = Database(db)
    try:
        run_stages(store.con)
    finally:
        store.close()
    o = _overview(db)
    assert (o["series"], o["answered_pct"], o["km_median_hours"]) == (2, 100.0, 10.0)
    con = connect_readonly(db)
    try:
        cells = run_report(con, "review_latency", {"min_n": 1}).records()
    finally:
        con.close()
    (everything,) = [r for r in cells if r["subsystem"] == "all" and r["author_kind"] == "all"
                     and r["author_group"] == "all"]
    assert everything["km_median_hours"] == o["km_median_hours"]
