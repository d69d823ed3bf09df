"""file_activity (docs/schema.md): when each file last changed in a kernel git tree, read
once and then only the new commits, against the sample tree's planted last-change dates
(docs/corpus.md, kernel.git)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

from tests.minidb import enrich_sample


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_last_change_of_every_file_is_the_planted_one(tree_sample, tmp_path):
    truth = json.loads((tree_sample / "truth.json").read_text())
    db = tmp_path / "t.duckdb"
    db.write_bytes((tree_sample / "t.duckdb").read_bytes())
    note, rows = enrich_sample(db, tree_sample, tree_sample / "kernel.git")
    assert "commits read from" in note
    want = {f["path"]: (_ts(f["last_change"]), sorted(f["subsystems"]) or None)
            for f in truth["files"]}
    got = {p: (r[0], r[2] and sorted(r[2])) for p, r in rows.items() if r[0] is not None}
    assert got == want
    # every path a patch touched is there too, with its sections, tree history or not
    posted = {f for m in truth["messages"] if m["is_patch"] for f in m["files"]}
    assert posted <= set(rows)


def test_a_second_pass_reads_only_the_new_commits(tree_sample, tmp_path):
    tree = tmp_path / "kernel.git"
    subprocess.run(["git", "clone", "-q", "--mirror", str(tree_sample / "kernel.git"),
                    str(tree)], check=True)
    head = _git(tree, "rev-parse", "HEAD")
    branch = _git(tree, "symbolic-ref", "HEAD")
    db = tmp_path / "t.duckdb"
    db.write_bytes((tree_sample / "t.duckdb").read_bytes())
    _, whole = enrich_sample(db, tree_sample, tree)

    _git(tree, "update-ref", branch, "HEAD~5")
    note, _ = enrich_sample(db, tree_sample, tree)
    _git(tree, "update-ref", branch, head)
    note, rows = enrich_sample(db, tree_sample, tree)
    assert note.startswith(f"{len(rows):,} paths") and "5 commits read since" in note
    assert rows == whole

    # history rewritten (the recorded HEAD is no longer an ancestor): read it all again
    _git(tree, "update-ref", branch, "HEAD~10")
    note, rows = enrich_sample(db, tree_sample, tree)
    assert "since" not in note
    newest = dt.datetime.fromtimestamp(int(_git(tree, "log", "-1", "--format=%ct")), dt.UTC)
    assert max(r[0] for r in rows.values() if r[0]) == newest
    assert sum(r[1] or 0 for r in rows.values()) < sum(r[1] or 0 for r in whole.values())

    note, rows = enrich_sample(db, tree_sample, None)  # tree forgotten: posted paths only
    assert "no kernel tree" in note and all(r[0] is None for r in rows.values())
