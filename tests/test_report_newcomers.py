"""newcomer_receptiveness (docs/metrics.md, "Newcomer"): newcomers' and regulars' series
per subsystem and per maintainer against the corpus's planted truths."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest

from analytics.reports import run_report
from core.database import connect_readonly
from corpus.maintainers import SECTIONS


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def receptiveness(report_db):
    con = connect_readonly(report_db.path)
    try:
        rows = run_report(con, "newcomer_receptiveness", {"min_n": 1}).records()
        addresses = dict(con.execute("SELECT email, person_id FROM person_addresses").fetchall())
    finally:
        con.close()
    return rows, addresses


def _planted_groups(truth: dict[str, Any]) -> dict[str, str]:
    """series key -> newcomer | regular, from the planted newcomers' first patches."""
    first = {p["id"]: _ts(p["first_patch_at"]) for p in truth["people"]
             if p["newcomer"] and p["first_patch_at"]}
    return {s["key"]: "newcomer" if s["author"] in first and _ts(s["posted_at"])
            < first[s["author"]] + dt.timedelta(days=90) else "regular"
            for s in truth["series"]}


def _expected(series: list[dict[str, Any]]) -> dict[str, Any]:
    told = [s for s in series if s["outcome"] != "pending"]
    final = [s for s in series if s["outcome"] != "superseded"]
    return {
        "n_series": len(series),
        "n_answered": sum(1 for s in series if s["first_response_at"]),
        "ignored_rate": round(sum(1 for s in told if s["outcome"] == "ignored")
                              / len(told), 4) if told else None,
        "applied_rate": round(sum(1 for s in final if s["outcome"] == "applied")
                              / len(final), 4) if final else None,
    }


def test_per_subsystem_newcomers_and_regulars_match_the_truth(report_db, receptiveness):
    rows, _addresses = receptiveness
    truth = report_db.truth
    group = _planted_groups(truth)
    want: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for s in truth["series"]:
        for sub in [*s["subsystems"], "all"]:
            for g in (group[s["key"]], "all"):
                want[(sub, g)].append(s)
    got = {(r["subsystem"], r["author_group"]): r for r in rows
           if r["maintainer"] == "all" and r["org_kind"] == "all"}
    assert set(got) == set(want)
    assert len(want[("all", "newcomer")]) > 10
    for key, series in want.items():
        have = got[key]
        assert {k: have[k] for k in ("n_series", "n_answered", "ignored_rate",
                                     "applied_rate")} == _expected(series), key
        assert have["share_answered"] == round(have["n_answered"] / have["n_series"], 4)


def test_per_maintainer_rows_cover_the_series_of_their_sections(report_db, receptiveness):
    rows, addresses = receptiveness
    truth = report_db.truth
    group = _planted_groups(truth)
    person = {p["id"]: addresses[p["addresses_used"][0]] for p in truth["people"]
              if p["addresses_used"]}
    sections: dict[str, set[str]] = defaultdict(set)
    for sec in SECTIONS:
        for pid in (*sec.maintainers, *sec.reviewers):
            sections[person[pid]].add(sec.name)
    got = {(r["maintainer"], r["author_group"]): r for r in rows
           if r["maintainer"] != "all" and r["org_kind"] == "all"}
    assert {m for m, _g in got} == set(sections)
    for maintainer, names in sections.items():
        theirs = [s for s in truth["series"] if names & set(s["subsystems"])]
        for g in ("newcomer", "regular"):
            series = [s for s in theirs if group[s["key"]] == g]
            if not series:
                assert (maintainer, g) not in got
                continue
            have = got[(maintainer, g)]
            assert have["subsystem"] == "all"
            assert {k: have[k] for k in ("n_series", "n_answered", "ignored_rate",
                                         "applied_rate")} == _expected(series), maintainer


def test_org_kind_rows_add_up_to_the_all_row(receptiveness):
    rows, _addresses = receptiveness
    cell = {(r["subsystem"], r["maintainer"], r["author_group"], r["org_kind"]): r
            for r in rows}
    for (sub, who, group, kind), r in cell.items():
        if kind != "all":
            continue
        parts = [cell.get((sub, who, group, k))
                 for k in ("corporate", "individual", "academic", "unknown")]
        for field in ("n_series", "n_answered"):
            assert r[field] == sum(p[field] for p in parts if p), (sub, who, group)
        if group == "all":
            parts = [cell.get((sub, who, g, kind)) for g in ("newcomer", "regular")]
            assert r["n_series"] == sum(p["n_series"] for p in parts if p)


def test_scope_narrows_to_one_subsystem(report_db):
    con = connect_readonly(report_db.path)
    try:
        rows = run_report(con, "newcomer_receptiveness",
                          {"subsystem": "FROB CORE", "org_kind": "individual"}).records()
    finally:
        con.close()
    truth = report_db.truth
    n = sum(1 for s in truth["series"]
            if "FROB CORE" in s["subsystems"] and s["org_kind"] == "individual")
    top = [r for r in rows if r["author_group"] == "all" and r["org_kind"] == "all"
           and r["maintainer"] == "all"]
    assert {r["subsystem"] for r in top} == {"FROB CORE", "all"}
    assert all(r["n_series"] == n for r in top) and n > 0
    assert {r["org_kind"] for r in rows} == {"individual", "all"}
