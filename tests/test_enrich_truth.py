"""Enrichment against the corpus generator's planted truths (truth.json).

One seeded corpus is generated, ingested and enriched per session; every planted answer
that enrichment computes must come out exactly.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import duckdb
import pytest

from corpus.api import write_sample
from ingest.enrich.inputs import set_maintainers, set_org_inputs
from ingest.enrich.stages import run_stages
from ingest.load import Database
from ingest.pipeline import ingest


@pytest.fixture(scope="module")
def corpus(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[dict, duckdb.DuckDBPyConnection]]:
    out = tmp_path_factory.mktemp("corpus")
    write_sample(out, seed=42, scale=1500, formats=("v2",))
    db = out / "t.duckdb"
    inboxes = sorted(str(p) for p in (out / "inbox").iterdir())
    ingest(inboxes, db, mirrors=out / "mirrors", show_progress=False, jobs=1)
    store = Database(db)
    set_maintainers(store.con, out / "MAINTAINERS")
    set_org_inputs(store.con, domain_maps=[out / "domain-map"])
    run_stages(store.con)
    truth = json.loads((out / "truth.json").read_text())
    yield truth, store.con
    store.close()


def _iso(v: dt.datetime | None) -> str | None:
    return v.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if v else None


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, dict]:
    rows = con.sql(sql).to_arrow_table().to_pylist()
    return {r[next(iter(r))]: r for r in rows}


def test_totals(corpus):
    truth, con = corpus
    t = truth["totals"]
    got = con.execute(
        "SELECT count(*), count(DISTINCT thread_id), count(*) FILTER (is_patch), "
        "count(*) FILTER (is_cover) FROM messages"
    ).fetchall()[0]
    assert got == (t["messages"], t["threads"], t["patches"], t["covers"])
    assert con.execute("SELECT count(*) FROM series").fetchall()[0][0] == t["series"]
    outcomes = dict(con.execute(
        "SELECT outcome_detail, count(*) FROM series GROUP BY ALL").fetchall())
    assert outcomes == t["outcomes"]  # truth.json plants the detailed outcome
    # the contract column: the four outcomes of docs/metrics.md, "discussed" is pending, a
    # backport none
    contract = dict(con.execute("SELECT outcome, count(*) FROM series GROUP BY ALL").fetchall())
    want = {"applied": t["outcomes"].get("applied", 0),
            "superseded": t["outcomes"].get("superseded", 0),
            "ignored": t["outcomes"].get("ignored", 0),
            "pending": t["outcomes"].get("pending", 0) + t["outcomes"].get("discussed", 0),
            None: t["outcomes"].get("backport", 0)}
    assert contract == {k: v for k, v in want.items() if v}


def test_every_message(corpus):
    truth, con = corpus
    db = _rows(con, "SELECT message_id, thread_id, is_patch, is_cover, is_reply, date_source, "
                    "date, series_id, lists FROM messages")
    key_to_id = {s["key"]: s["message_ids"][0] for s in truth["series"]}
    wrong: list[tuple] = []
    for m in truth["messages"]:
        if m.get("msgid_synthetic") or m.get("duplicate"):
            continue  # identified by content hash / kept as a copy: tested in test_ingest
        r = db.get(m["message_id"])
        assert r is not None, m["message_id"]
        want = (m["thread_root"], m["is_patch"], m["is_cover"], m["is_reply"],
                m["date_source"], m["date"], sorted(m["lists"]))
        have = (r["thread_id"], r["is_patch"], r["is_cover"], r["is_reply"], r["date_source"],
                _iso(r["date"]), sorted(r["lists"]))
        if want != have:
            wrong.append((m["message_id"], want, have))
        is_post = m["is_patch"] or m["is_cover"]
        if m["series"] is not None and is_post and r["series_id"] != key_to_id[m["series"]]:
            wrong.append((m["message_id"], "series", key_to_id[m["series"]], r["series_id"]))
    assert wrong == []


def test_series_grouping_versions_and_events(corpus):
    truth, con = corpus
    db = _rows(con, "SELECT * FROM series")
    key_to_id = {s["key"]: s["message_ids"][0] for s in truth["series"]}
    members: dict[str, list[str]] = {}
    for mid, sid in con.execute(
        "SELECT message_id, series_id FROM posts ORDER BY series_id, is_cover DESC, counter"
    ).fetchall():
        members.setdefault(sid, []).append(mid)
    wrong = []
    for s in truth["series"]:
        sid = s["message_ids"][0]
        r = db.get(sid)
        assert r is not None, (sid, s["pitfalls"])
        want = {
            "members": sorted(s["message_ids"]),
            "version": s["version"],
            "prev": key_to_id.get(s["prev_version"]) if s["prev_version"] else None,
            "resend_of": key_to_id.get(s["resend_of"]) if s["resend_of"] else None,
            "outcome": s["outcome"],
            "n_patches": s["n_patches"],
            "subsystems": sorted(s["subsystems"]),
            "first_response_at": s["first_response_at"],
            "first_maintainer_response_at": s["first_maintainer_response_at"],
            "first_review_at": s["first_review_at"],
            "first_tested_at": s["first_tested_at"],
            "org_kind": s["org_kind"],
            "is_rfc": s["is_rfc"],
            "is_resend": s["is_resend"],
        }
        have = {
            "members": sorted(members.get(sid, [])),
            "version": r["version"],
            "prev": r["prev_series_id"],
            "resend_of": r["resend_of"],
            "outcome": r["outcome_detail"],
            "n_patches": r["n_patches"],
            "subsystems": sorted(r["subsystems"]),
            "first_response_at": _iso(r["first_response_at"]),
            "first_maintainer_response_at": _iso(r["first_maintainer_response_at"]),
            "first_review_at": _iso(r["first_review_at"]),
            "first_tested_at": _iso(r["first_tested_at"]),
            "org_kind": r["author_org_kind"],
            "is_rfc": r["is_rfc"],
            "is_resend": r["is_resend"],
        }
        diff = {k: (want[k], have[k]) for k in want if want[k] != have[k]}
        if diff:
            wrong.append((sid, s["pitfalls"], diff))
    assert wrong == []


def test_per_post_first_response(corpus):
    truth, con = corpus
    db = dict(con.execute("SELECT message_id, first_response_at FROM posts").fetchall())
    wrong = [
        (m["message_id"], m["first_response_at"], _iso(db.get(m["message_id"])))
        for m in truth["messages"]
        if (m["is_patch"] or m["is_cover"]) and m["first_response_at"] != _iso(
            db.get(m["message_id"]))
    ]
    assert wrong == []


def test_bots_are_not_responses(corpus):
    truth, con = corpus
    bots = {p["id"] for p in truth["people"] if p["is_bot"]}
    assert bots
    bot_addresses = {a for p in truth["people"] if p["is_bot"] for a in p["addresses"]}
    flagged = {e for (e,) in con.execute(
        "SELECT pa.email FROM person_addresses pa JOIN people p USING (person_id) WHERE p.is_bot"
    ).fetchall()}
    assert bot_addresses <= flagged
    # no series' first response comes from a bot
    firsts = {b for (b,) in con.execute(
        "SELECT DISTINCT first_response_by FROM series WHERE first_response_by IS NOT NULL"
    ).fetchall()}
    assert not firsts & flagged


def test_people_organisations_at_posting_time(corpus):
    """Every person's planted organisation holds at each of their messages."""
    truth, con = corpus
    kinds = dict(con.execute("SELECT message_id, org_kind FROM message_authors").fetchall())
    people = {p["id"]: p for p in truth["people"]}
    wrong = []
    for m in truth["messages"]:
        p = people.get(m["person"])
        if p is None or p["is_bot"] or m["message_id"] not in kinds:
            continue
        when = m["date"]
        org = next(
            o for o in p["orgs"]
            if (o["valid_from"] is None or o["valid_from"] <= when)
            and (o["valid_to"] is None or when < o["valid_to"])
        )
        if kinds[m["message_id"]] != org["kind"]:
            wrong.append((m["message_id"], m["from_email"], org, kinds[m["message_id"]]))
    assert wrong == []


def test_enrichment_is_idempotent(corpus):
    _truth, con = corpus

    def snapshot() -> list:
        return [
            con.execute(f"SELECT md5(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR)) "
                        f"FROM {name} t").fetchall()[0][0]
            for name in ("series", "posts", "people", "affiliations", "message_authors",
                         "message_subsystems")
        ] + [con.execute("SELECT md5(string_agg(message_id || coalesce(series_id, '') || "
                         "thread_id, ',' ORDER BY message_id)) FROM messages").fetchall()[0][0]]

    before = snapshot()
    run_stages(con)
    assert snapshot() == before


def test_list_coverage_names_unarchived_lists(corpus):
    _truth, con = corpus
    from analytics.reports import run_report

    rows = run_report(con, "list_coverage").records()
    unarchived = {r["list"] for r in rows if r["archived"] is False}
    archived = {r["list"] for r in rows if r["archived"]}
    assert any(x.endswith("@googlegroups.com") for x in unarchived)
    assert archived == {"linux-frob@vger.example.org", "linux-widget@vger.example.org"}


def test_deleted_message_is_gone(corpus):
    truth, con = corpus
    for d in truth["deleted"]:
        assert con.execute("SELECT count(*) FROM messages WHERE message_id = ?",
                           [d["message_id"]]).fetchall()[0][0] == 0
        assert con.execute("SELECT count(*) FROM deleted_messages WHERE message_id = ?",
                           [d["message_id"]]).fetchall()[0][0] >= 1


def test_kernel_tree_commits_are_applied_evidence(tmp_path):
    """With the sample's kernel git tree, commits (same subject and author) mark the
    posting they came from as applied at the commit time, never an earlier version —
    here with every "applied" reply erased, as on a list whose maintainers apply
    silently."""
    from ingest.enrich.inputs import set_kernel_tree

    write_sample(tmp_path, seed=7, scale=600, formats=("v2",), git_tree=True)
    db = tmp_path / "t.duckdb"
    ingest(sorted(str(p) for p in (tmp_path / "inbox").iterdir()), db,
           mirrors=tmp_path / "mirrors", show_progress=False, jobs=1)
    store = Database(db)
    try:
        set_maintainers(store.con, tmp_path / "MAINTAINERS")
        set_kernel_tree(store.con, tmp_path / "kernel.git")
        store.con.execute("UPDATE messages SET applied_notice = NULL")
        run_stages(store.con)
        got = {sid: (outcome, _iso(at), notice) for sid, outcome, at, notice in
               store.con.execute("SELECT series_id, outcome_detail, applied_at, applied_notice "
                                 "FROM series").fetchall()}
    finally:
        store.close()
    truth = json.loads((tmp_path / "truth.json").read_text())
    wrong = [(s["message_ids"][0], s["outcome"], s["applied_at"], got[s["message_ids"][0]])
             for s in truth["series"]
             if got[s["message_ids"][0]][:2] != (s["outcome"], s["applied_at"])]
    assert wrong == []
    applied = [n for o, _a, n in got.values() if o == "applied"]
    assert applied and all(n.startswith("commit ") for n in applied)


def test_ttfr_report_kaplan_meier_medians(corpus):
    """The report's SQL Kaplan–Meier median per subsystem equals the generator's own
    estimator (corpus.survival.km_median) run on the planted posting and first-response
    times, censored where this database's observation of each series ends."""
    from analytics.reports import run_report
    from corpus.survival import km_median

    truth, con = corpus
    observed = dict(con.execute("SELECT series_id, observed_until FROM series").fetchall())
    # the report leaves stable backports out (no review request, docs/metrics.md,
    # "Censoring"); the generator plants none, so its medians are over review requests
    # too and every planted series counts
    assert con.execute("SELECT count(*) FROM series WHERE outcome_detail = 'backport'"
                       ).fetchall() == [(0,)]
    per_sub: dict[str, list[tuple[float, bool]]] = {}
    for s in truth["series"]:
        posted = dt.datetime.fromisoformat(s["posted_at"].replace("Z", "+00:00"))
        if s["first_response_at"]:
            end = dt.datetime.fromisoformat(s["first_response_at"].replace("Z", "+00:00"))
        else:
            end = observed[s["message_ids"][0]]
        for sub in s["subsystems"]:
            per_sub.setdefault(sub, []).append(
                ((end - posted).total_seconds() / 3600, bool(s["first_response_at"])))
    got = {r["subsystem"]: r for r in run_report(con, "ttfr_by_subsystem").records()}
    assert set(got) == set(per_sub)
    for sub, durations in per_sub.items():
        assert got[sub]["series"] == len(durations)
        assert got[sub]["unanswered"] == sum(1 for _d, answered in durations if not answered)
        want = km_median(durations)
        have = got[sub]["km_median_hours"]
        if want is None:
            assert have is None, sub
        else:
            assert abs(float(have) - want) <= 0.01, (sub, have, want)
    # and the planted per-subsystem medians, censored the same way, agree too
    planted = {x["name"]: x["km_median_first_response_hours"] for x in truth["subsystems"]
               if x["series"]}
    for sub, want in planted.items():
        have = got[sub]["km_median_hours"]
        assert (have is None) == (want is None), sub
        if want is not None:
            assert abs(float(have) - want) <= 0.01, (sub, have, want)
