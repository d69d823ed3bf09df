"""contribution_shares and contribution_by_org against the corpus's planted truths
(docs/metrics.md, "Contribution shares" and "Elephant factor"): every count is exact,
because the sample plants each person's organisation over time and every series."""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

import pytest
from click.testing import CliRunner

from analytics.reports import ParamError, run_report
from cli import main
from core.database import connect_readonly

KINDS = ("corporate", "individual", "academic", "unknown")


def _rows(db, name: str, **params: Any) -> list[dict[str, Any]]:
    con = connect_readonly(db.path)
    try:
        return run_report(con, name, params).records()
    finally:
        con.close()


def _quarter(iso: str) -> str:
    return f"{iso[:4]}-Q{(int(iso[5:7]) - 1) // 3 + 1}"


def _org_at(truth: dict[str, Any], person: str, when: str) -> dict[str, Any]:
    """The planted organisation of ``person`` at the ISO date ``when``."""
    p = next(p for p in truth["people"] if p["id"] == person)
    return next(o for o in p["orgs"]
                if (o["valid_from"] is None or o["valid_from"] <= when)
                and (o["valid_to"] is None or when < o["valid_to"]))


def _mails(truth: dict[str, Any]) -> list[dict[str, Any]]:
    """Every stored message of the sample that is not from a bot (one copy each)."""
    return [m for m in truth["messages"] if "duplicate" not in m and not m["from_is_bot"]]


def _counts(rows: list[dict[str, Any]]) -> Counter[tuple[str, str, str]]:
    return Counter({(r["period"], r["subsystem"], r["org_kind"]): r["n"]
                    for r in rows if r["n"]})


def test_series_shares_are_the_planted_series(report_db):
    want: Counter[tuple[str, str, str]] = Counter()
    for s in report_db.truth["series"]:
        for period in (_quarter(s["posted_at"]), "all"):
            for sub in [*s["subsystems"], "all"]:
                want[period, sub, s["org_kind"]] += 1
    rows = _rows(report_db, "contribution_shares", by="series", period="quarter")
    assert _counts(rows) == want
    everything = [r for r in rows if r["period"] == "all" and r["subsystem"] == "all"]
    assert {r["org_kind"]: r["total"] for r in everything} == dict.fromkeys(
        KINDS, len(report_db.truth["series"]))


def test_patch_message_and_author_shares_are_the_planted_ones(report_db):
    truth = report_db.truth
    mails = _mails(truth)
    for by, chosen in (("patches", [m for m in mails if m["is_patch"]]), ("messages", mails)):
        want: Counter[tuple[str, str, str]] = Counter()
        for m in chosen:
            kind = _org_at(truth, m["person"], m["date"])["kind"]
            want[m["date"][:7], "all", kind] += 1
            want["all", "all", kind] += 1
        rows = _rows(report_db, "contribution_shares", by=by, period="month")
        got = _counts([r for r in rows if r["subsystem"] == "all"])
        assert got == want, by
    latest: dict[str, dict[str, Any]] = {}
    for m in sorted((m for m in mails if m["is_patch"]), key=lambda m: m["date"]):
        latest[m["person"]] = m
    want = Counter(("all", "all", _org_at(truth, p, m["date"])["kind"])
                   for p, m in latest.items())
    rows = _rows(report_db, "contribution_shares", by="authors")
    assert _counts([r for r in rows if r["subsystem"] == "all"]) == want


def test_review_shares_count_the_tags_given_in_replies(report_db):
    truth = report_db.truth
    want: Counter[tuple[str, str, str]] = Counter()
    for m in _mails(truth):
        if m["is_reply"]:
            n = sum(1 for kind, _email in m["trailers"] if kind in ("reviewed-by", "acked-by"))
            if n:
                want["all", "all", _org_at(truth, m["person"], m["date"])["kind"]] += n
    assert sum(want.values()) > 20
    rows = _rows(report_db, "contribution_shares", by="reviews")
    assert _counts([r for r in rows if r["subsystem"] == "all"]) == want


@pytest.mark.parametrize("by", ["patches", "series", "messages", "authors", "reviews"])
def test_shares_sum_to_one_and_every_kind_is_listed(report_db, by):
    rows = _rows(report_db, "contribution_shares", by=by, period="year")
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["period"], r["subsystem"]), []).append(r)
    assert ("all", "all") in groups and len(groups) > 5
    for key, members in groups.items():
        assert [r["org_kind"] for r in members] == list(KINDS), key
        total = sum(r["n"] for r in members)
        assert all(r["total"] == total for r in members), key
        assert total > 0 and abs(sum(r["share"] for r in members) - 1) < 1e-9, key
    # the year rows add up to the 'all' row
    for sub in {s for _p, s in groups}:
        years = [g for g in groups if g[1] == sub and g[0] != "all"]
        for kind in KINDS:
            assert sum(r["n"] for g in years for r in groups[g] if r["org_kind"] == kind) \
                == next(r["n"] for r in groups["all", sub] if r["org_kind"] == kind)


def test_filters_narrow_to_the_planted_subset(report_db):
    truth = report_db.truth
    series = truth["series"]
    address = series[0]["lists"][0]
    sub = series[0]["subsystems"][0]
    cases = [
        ({"list": address}, [s for s in series if address in s["lists"]]),
        ({"subsystem": sub}, [s for s in series if sub in s["subsystems"]]),
        ({"since": "2024-04-01", "until": "2024-06-30"},
         [s for s in series if "2024-04-01" <= s["posted_at"] < "2024-07-01"]),
    ]
    for params, chosen in cases:
        rows = _rows(report_db, "contribution_shares", by="series", **params)
        everything = {r["org_kind"]: r["n"] for r in rows if r["subsystem"] == "all"}
        assert everything == {k: sum(1 for s in chosen if s["org_kind"] == k) for k in KINDS}
        assert 0 < len(chosen) < len(series), params
    rows = _rows(report_db, "contribution_shares", by="series", subsystem=sub)
    assert {r["subsystem"] for r in rows} == {"all", sub}
    by_sub = {(r["subsystem"], r["org_kind"]): r["n"] for r in rows}
    assert all(by_sub[sub, k] == by_sub["all", k] for k in KINDS)


def test_an_empty_scope_still_lists_every_kind(report_db):
    rows = _rows(report_db, "contribution_shares", list="no-such-list@example.org")
    assert [(r["period"], r["subsystem"], r["org_kind"], r["n"], r["share"]) for r in rows] \
        == [("all", "all", k, 0, None) for k in KINDS]


def test_cli_csv_equals_the_rows_and_bad_values_are_one_line(report_db):
    runner = CliRunner()
    out = runner.invoke(main, ["report", "contribution_shares", "--db", str(report_db.path),
                               "--format", "csv", "-p", "by=authors", "-p", "period=quarter"])
    assert out.exit_code == 0, out.output
    want = _rows(report_db, "contribution_shares", by="authors", period="quarter")
    got = list(csv.DictReader(io.StringIO(out.stdout)))
    assert got == [{k: "" if v is None else str(v) for k, v in r.items()} for r in want]
    out = runner.invoke(main, ["report", "contribution_shares", "--db", str(report_db.path),
                               "-p", "by=commits"])
    assert out.exit_code == 1
    assert out.stderr.strip() == ("lorelens: error: by='commits': not one of patches, series, "
                                  "messages, authors, reviews")
    with pytest.raises(ParamError):
        _rows(report_db, "contribution_shares", by="reviews", period="week")


def _elephant(counts: Counter[str]) -> int | None:
    """The fewest organisations, largest first, that make up half of their total."""
    total, running = sum(counts.values()), 0
    for i, n in enumerate(sorted(counts.values(), reverse=True), start=1):
        running += n
        if running >= total / 2:
            return i
    return None


def test_organisations_and_elephant_factor_are_the_planted_ones(report_db):
    series = report_db.truth["series"]
    rows = _rows(report_db, "contribution_by_org", by="series")
    subsystems = {sub for s in series for sub in s["subsystems"]} | {"all"}
    assert {r["subsystem"] for r in rows} == subsystems
    for sub in subsystems:
        chosen = [s for s in series if sub == "all" or sub in s["subsystems"]]
        got = [r for r in rows if r["subsystem"] == sub]
        # corporate organisations by their planted names; the groups by kind
        assert {r["org"]: r["n"] for r in got if r["org_kind"] == "corporate"} == Counter(
            s["org_name"] for s in chosen if s["org_kind"] == "corporate"), sub
        labels = {"individual": "(individuals)", "unknown": "(unknown)"}
        for kind, label in labels.items():
            n = sum(1 for s in chosen if s["org_kind"] == kind)
            assert [r["n"] for r in got if r["org"] == label] == ([n] if n else []), sub
        assert sum(r["n"] for r in got if r["org_kind"] == "academic") == sum(
            1 for s in chosen if s["org_kind"] == "academic"), sub
        assert [(r["org_kind"], r["n"], r["total"]) for r in got if r["org"] == "all"] == [
            ("all", len(chosen), len(chosen))], sub
        want = _elephant(Counter(s["org_name"] for s in chosen
                                 if s["org_kind"] in ("corporate", "academic")))
        assert {r["elephant_factor"] for r in got} == {want}, sub
    ranks = [r["org_rank"] for r in rows if r["subsystem"] == "all" and r["period"] == "all"
             and r["org_kind"] in ("corporate", "academic")]
    assert ranks == list(range(1, len(ranks) + 1))


@pytest.mark.parametrize("by", ["patches", "series", "messages", "authors", "reviews"])
def test_organisations_add_up_to_the_kind_shares(report_db, by):
    shares = _counts(_rows(report_db, "contribution_shares", by=by, period="quarter"))
    orgs: Counter[tuple[str, str, str]] = Counter()
    for r in _rows(report_db, "contribution_by_org", by=by, period="quarter"):
        if r["org_kind"] != "all":
            orgs[r["period"], r["subsystem"], r["org_kind"]] += r["n"]
    assert orgs == shares

