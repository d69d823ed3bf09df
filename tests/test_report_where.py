"""where_to_contribute (docs/metrics.md, "Staleness"): last changes from the kernel tree or
from the lists, the maintainers' last message and the labels, recomputed from the
sample's planted truths (its files' last-change dates, its messages)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from analytics.reports import run_report
from core.database import connect_readonly
from corpus.maintainers import SECTIONS, sections_for_file
from tests.minidb import enrich_sample

DAY = 86400


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def where(tree_sample: Path, tmp_path_factory: pytest.TempPathFactory):
    """The report at file level, with the tree and without it."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name, tree in (("git", tree_sample / "kernel.git"), ("lists", None)):
        db = tmp_path_factory.mktemp(f"where-{name}") / "t.duckdb"
        db.write_bytes((tree_sample / "t.duckdb").read_bytes())
        enrich_sample(db, tree_sample, tree)
        con = connect_readonly(db)
        try:
            out[name] = run_report(con, "where_to_contribute",
                                   {"level": "file", "min_n": 1}).records()
        finally:
            con.close()
    return json.loads((tree_sample / "truth.json").read_text()), out


def _expected(truth: dict[str, Any], last: dict[str, dt.datetime]) -> dict[tuple, tuple]:
    """(subsystem, level, path) -> (last change, days since, label) from the truth."""
    msgs = [m for m in truth["messages"] if m["message_id"] and not m.get("duplicate")]
    end = max(_ts(m["date"]) for m in msgs if m["date_source"] == "header")
    seen: dict[str, dt.datetime] = {}
    for m in msgs:
        if m["date"]:
            seen[m["person"]] = max(_ts(m["date"]), seen.get(m["person"], _ts(m["date"])))
    status = {s.name: s.status for s in SECTIONS}
    attended = {}
    for s in SECTIONS:
        times = [seen[p] for p in (*s.maintainers, *s.reviewers) if p in seen]
        attended[s.name] = (s.status not in ("Orphan", "Obsolete") and bool(times)
                            and (end - max(times)).total_seconds() // DAY < 90)
    groups: dict[tuple, list[dt.datetime]] = defaultdict(list)
    for path, when in last.items():
        directory = path.rsplit("/", 1)[0] + "/" if "/" in path else "./"
        for sec in sections_for_file(path):
            for key in ((sec, "section", ""), (sec, "directory", directory),
                        (sec, "file", path)):
                groups[key].append(when)
    want: dict[tuple, tuple] = {}
    for key, times in groups.items():
        days = int((end - max(times)).total_seconds() // DAY)
        label = ("active" if days < 365 else "stale but attended" if attended[key[0]]
                 else "stale and unattended")
        want[key] = (max(times), days, label)
    for sec in status:  # a section with no known file still has its row
        want.setdefault((sec, "section", ""), (None, None, "no activity known"))
    return want


def _got(rows: list[dict[str, Any]]) -> dict[tuple, tuple]:
    return {(r["subsystem"], r["level"], r["path"]):
            (r["last_change_at"], r["days_since_change"], r["label"]) for r in rows}


def test_from_the_kernel_tree_the_planted_last_changes(where):
    truth, reports = where
    last = {f["path"]: _ts(f["last_change"]) for f in truth["files"]}
    got = _got(reports["git"])
    want = _expected(truth, last)
    assert got == want
    assert {r["staleness_source"] for r in reports["git"]} == {"git"}
    labels = {label for _t, _d, label in want.values()}
    assert {"active", "stale but attended", "stale and unattended"} <= labels
    orphan = [r for r in reports["git"] if r["status"] == "Orphan"]
    assert orphan and all(r["label"] == "stale and unattended" for r in orphan)


def test_without_a_tree_the_last_patch_posted_or_applied(where):
    truth, reports = where
    series_applied = {mid: _ts(s["applied_at"]) for s in truth["series"] if s["applied_at"]
                      for mid in s["message_ids"]}
    last: dict[str, dt.datetime] = {}
    for m in truth["messages"]:
        if m["is_patch"] and m["message_id"] and not m.get("duplicate"):
            when = max(_ts(m["date"]), series_applied.get(m["message_id"], _ts(m["date"])))
            for f in m["files"]:
                last[f] = max(when, last.get(f, when))
    assert _got(reports["lists"]) == _expected(truth, last)
    assert {r["staleness_source"] for r in reports["lists"]
            if r["last_change_at"] is not None} == {"lists"}


def test_levels_and_the_newcomer_share(where, report_db):
    _truth, reports = where
    rows = reports["git"]
    sections = {r["subsystem"]: r for r in rows if r["level"] == "section"}
    for r in rows:
        top = sections[r["subsystem"]]
        assert r["last_change_at"] <= top["last_change_at"]
        assert (r["newcomer_series"], r["maintainers_last_seen"]) == (
            top["newcomer_series"], top["maintainers_last_seen"])
    con = connect_readonly(report_db.path)
    try:
        coarse = run_report(con, "where_to_contribute", {"level": "section"}).records()
        newcomers = {r["subsystem"]: r for r in run_report(
            con, "newcomer_receptiveness", {"min_n": 1}).records()
            if r["maintainer"] == "all" and r["author_group"] == "newcomer"
            and r["org_kind"] == "all"}
    finally:
        con.close()
    assert {r["level"] for r in coarse} == {"section"}
    for r in coarse:
        n = newcomers.get(r["subsystem"])
        assert r["newcomer_series"] == (n["n_series"] if n else 0)
        if n is not None and n["n_series"] >= 10:
            assert r["newcomer_share_answered"] == n["share_answered"]
        else:
            assert r["newcomer_share_answered"] is None


def test_labels_at_their_thresholds_by_hand(tmp_path):
    """Archive end at day 400. A: changed 365 days before, a maintainer seen 89 days
    before: stale but attended. B: one file changed 364 days before (active), one 400 days
    before with the maintainer last seen 90 days before: stale and unattended. C: an
    Orphan section whose listed person wrote on the last day: still unattended. D: no
    file known."""
    from tests.minidb import MiniDB, at

    db = MiniDB(tmp_path / "w.duckdb")
    db.add("messages", message_id="end", date=at(400))
    for name, status, who, seen in (("A", "Maintained", "a", 311), ("B", "Maintained", "b", 310),
                                    ("C", "Orphan", "c", 400), ("D", "Maintained", "d", 400)):
        db.add("subsystems", name=name, status=status, maintainers=[f"{who}@x.org"],
               maintainer_names=[who])
        db.add("person_addresses", email=f"{who}@x.org", person_id=who)
        db.add("people", person_id=who, last_seen=at(seen))
    for path, section, day in (("a/x.c", "A", 35), ("b/new.c", "B", 36), ("b/old.c", "B", 0),
                               ("c.c", "C", 0)):
        db.add("file_activity", path=path, subsystems=[section], last_commit_at=at(day),
               commits=1)
    got = {(r["subsystem"], r["path"]): (r["days_since_change"], r["label"])
           for r in db.report("where_to_contribute", {"level": "file"}).records()}
    assert got == {
        ("A", ""): (365, "stale but attended"), ("A", "a/"): (365, "stale but attended"),
        ("A", "a/x.c"): (365, "stale but attended"),
        ("B", ""): (364, "active"), ("B", "b/"): (364, "active"),
        ("B", "b/new.c"): (364, "active"), ("B", "b/old.c"): (400, "stale and unattended"),
        ("C", ""): (400, "stale and unattended"), ("C", "./"): (400, "stale and unattended"),
        ("C", "c.c"): (400, "stale and unattended"),
        ("D", ""): (None, "no activity known"),
    }
