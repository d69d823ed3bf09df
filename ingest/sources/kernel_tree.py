"""Commits of a kernel git tree: evidence that a posted patch was applied."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import SourceError
from ingest.sources.gitstream import GIT

_SEP = "\x1f"


@dataclass(frozen=True, slots=True)
class TreeCommit:
    sha: str
    author_name: str
    author_email: str
    author_time: dt.datetime
    commit_time: dt.datetime
    committer_email: str
    subject: str


def check_repo(repo: Path) -> str:
    """The HEAD commit of a git repository (bare or not), or a clear error."""
    proc = subprocess.run(
        [*GIT, "-C", str(repo), "rev-parse", "--verify", "-q", "HEAD^{commit}"],
        capture_output=True, text=True, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        raise SourceError(f"{repo} is not a git repository with commits")
    return proc.stdout.strip()


def tree_commits(repo: Path, since: dt.datetime | None = None) -> Iterator[TreeCommit]:
    """Non-merge commits reachable from HEAD (committed after ``since``), streamed."""
    fmt = _SEP.join(("%H", "%an", "%ae", "%at", "%ct", "%ce", "%s"))
    args = [*GIT, "-C", str(repo), "log", "--no-merges", f"--format={fmt}"]
    if since is not None:
        args.append(f"--since={int(since.timestamp())}")
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, errors="replace", bufsize=1 << 16)
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            parts = line.rstrip("\n").split(_SEP)
            if len(parts) != 7:
                continue
            sha, an, ae, at, ct, ce, subject = parts
            yield TreeCommit(
                sha, an, ae.lower(), dt.datetime.fromtimestamp(int(at), dt.UTC),
                dt.datetime.fromtimestamp(int(ct), dt.UTC), ce.lower(), subject,
            )
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
