"""Patch-ids of posted patches equal those of the commits made from them."""

from __future__ import annotations

import os
import quopri
import subprocess
from pathlib import Path

import pytest

from ingest.sources.patchid import (
    diff_of_mail,
    mail_patch_ids,
    patch_ids,
    tree_patch_ids,
)

ENV = {
    **os.environ,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Ann Author",
    "GIT_AUTHOR_EMAIL": "ann@corp.example",
    "GIT_COMMITTER_NAME": "Max Maintainer",
    "GIT_COMMITTER_EMAIL": "max@kernel.example",
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], env=ENV, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A repository with three commits; returns it and format-patch text per commit."""
    repo = tmp_path_factory.mktemp("tree")
    git(repo, "init", "-q", "-b", "master")
    (repo / "drivers").mkdir()
    (repo / "drivers/wdt.c").write_text("int a;\nint b;\nint c;\n")
    (repo / "README").write_text("hello\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "initial")
    (repo / "drivers/wdt.c").write_text("int a;\nint b2;\nint c;\n")
    (repo / "README").write_text("hello world\n")
    git(repo, "commit", "-qam", "wdt: change b")
    (repo / "drivers/wdt.c").write_text("int a;\nint b2;\nint c;\nint d;\n")
    git(repo, "commit", "-qam", "wdt: add d")
    patches = {}
    for rev in ("HEAD~1", "HEAD"):
        sha = git(repo, "rev-parse", rev).strip()
        patches[sha] = git(repo, "format-patch", "-1", "--stdout", rev)
    return repo, patches


def as_mail(patch: str, subject: str, qp: bool = False) -> bytes:
    """The format-patch text as a list mail would carry it, with another subject."""
    body = patch.split("\n\n", 1)[1]
    headers = (
        "From: Ann Author <ann@gmail.example>\n"
        f"Subject: [PATCH v2] {subject}\n"
        "Message-ID: <x@y>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
    )
    if qp:
        encoded = quopri.encodestring(body.encode()).decode()
        return (headers + "Content-Transfer-Encoding: quoted-printable\n\n" + encoded).encode()
    return (headers + "\n" + body).encode()


def test_mail_and_commit_share_a_patch_id(tree, tmp_path):
    repo, patches = tree
    by_tree = tree_patch_ids(repo)
    commit_of = {c: pid for pid, cs in by_tree.items() for c in cs}
    assert len(commit_of) == 3  # the initial commit has a diff too
    for i, (sha, text) in enumerate(patches.items()):
        # the subject was edited and the mail is quoted-printable: the id stays
        mail = as_mail(text, f"watchdog: edited subject {i}", qp=bool(i))
        diff = diff_of_mail(mail)
        assert diff is not None and diff.startswith("diff --git a/")
        assert patch_ids({"m": diff}) == {"m": commit_of[sha]}
        stored = tmp_path / f"mail{i}"
        stored.write_bytes(mail)
        got = mail_patch_ids({"m": ("maildir", None, None, str(stored), None)})
        assert got == {"m": commit_of[sha]}


def test_tree_walk_limited_by_paths(tree):
    repo, _ = tree
    only_readme = tree_patch_ids(repo, paths=["README"])
    assert sum(len(cs) for cs in only_readme.values()) == 2  # initial + "change b"


def test_mails_without_a_diff_or_unreadable_are_left_out(tmp_path):
    plain = tmp_path / "plain"
    plain.write_bytes(b"From: a@b.example\nSubject: Re: hi\n\nThanks, applied.\n")
    locs = {
        "reply": ("maildir", None, None, str(plain), None),
        "gone": ("maildir", None, None, str(tmp_path / "missing"), None),
    }
    assert mail_patch_ids(locs) == {}


def test_git_blobs_in_bulk(tree, tmp_path):
    repo, patches = tree
    text = next(iter(patches.values()))
    mail = as_mail(text, "a subject")
    blob = subprocess.run(
        ["git", "-C", str(repo), "hash-object", "-w", "--stdin"],
        input=mail, capture_output=True, check=True, env=ENV,
    ).stdout.decode().strip()
    git_dir = str(repo / ".git")
    got = mail_patch_ids({
        "a": ("public-inbox-v1", git_dir, blob, None, None),
        "missing": ("public-inbox-v1", git_dir, "0" * 40, None, None),
    })
    assert list(got) == ["a"]
    assert got["a"] == patch_ids({"a": diff_of_mail(mail) or ""})["a"]


def test_series_applied_by_patch_id_despite_edited_subject_and_address(tree, tmp_path):
    """End to end: a posted patch whose subject the maintainer edited, committed under
    the author's other address, is applied by patch-id; another patch is not."""
    from ingest.enrich.inputs import set_kernel_tree
    from ingest.enrich.stages import run_stages
    from ingest.load import Database
    from tests.conftest import run_ingest, write_v1

    repo, patches = tree
    applied_sha, text = next(iter(patches.items()))
    posted = as_mail(text, "wdt: make b a b2 (posted wording)")
    posted = posted.replace(
        b"Message-ID: <x@y>\n",
        b"Message-ID: <p1@gmail.example>\nDate: Mon, 6 Jan 2020 10:00:00 +0000\n",
    )
    other = (
        b"From: Bob Other <bob@other.example>\nSubject: [PATCH] wdt: unrelated\n"
        b"Message-ID: <p2@other.example>\nDate: Mon, 6 Jan 2020 11:00:00 +0000\n\n"
        b"Signed-off-by: Bob Other <bob@other.example>\n---\n"
        b"diff --git a/drivers/wdt.c b/drivers/wdt.c\n--- a/drivers/wdt.c\n+++ b/drivers/wdt.c\n"
        b"@@ -1,3 +1,3 @@\n int a;\n-int b;\n+int b3;\n int c;\n"
    )
    archive = write_v1(tmp_path / "wdt.git", [posted, other])
    db = tmp_path / "x.duckdb"
    run_ingest([archive], db)
    store = Database(db)
    try:
        set_kernel_tree(store.con, repo)
        run_stages(store.con)
        rows = dict(
            (sid, (detail, notice)) for sid, detail, notice in store.con.execute(
                "SELECT series_id, outcome_detail, applied_notice FROM series").fetchall())
        stored = dict(store.con.execute("SELECT message_id, patch_id FROM patch_ids").fetchall())
    finally:
        store.close()
    detail, notice = rows["p1@gmail.example"]
    assert detail == "applied"
    assert notice.startswith(f"commit {applied_sha[:12]} ") and "(same patch-id)" in notice
    assert rows["p2@other.example"][0] != "applied"
    assert set(stored) == {"p1@gmail.example", "p2@other.example"}
    assert all(stored.values())
