"""A kernel git tree: its commits (evidence that a posted patch was applied) and its
MAINTAINERS file at a past revision."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core.errors import SourceError
from ingest.enrich.maintainers import MaintainersError, decode_maintainers
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


def _git(repo: Path, *args: str) -> bytes:
    try:
        proc = subprocess.run(
            [*GIT, "-C", str(repo), *args], capture_output=True, check=False
        )
    except FileNotFoundError:
        raise MaintainersError("git is not installed") from None
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        first = msg[0] if msg else f"exit status {proc.returncode}"
        raise MaintainersError(f"git {args[0]} failed in {repo}: {first}")
    return proc.stdout


def resolve_rev_at(repo: Path | str, at: str | dt.datetime, rev: str = "HEAD") -> str:
    """The last commit on ``rev`` made before ``at`` (``git rev-list -1 --before=AT REV``).

    ``at`` is any date git understands (``2024-06-01``, ``2 years ago``) or an aware
    datetime.
    """
    if isinstance(at, dt.datetime):
        if at.tzinfo is None:
            raise MaintainersError(f"date {at.isoformat()} has no time zone")
        at = at.isoformat()
    out = _git(Path(repo), "rev-list", "-1", f"--before={at}", rev, "--").decode().strip()
    if not out:
        raise MaintainersError(f"no commit on {rev} in {repo} before {at}")
    return out


def read_maintainers_from_git(
    repo: Path | str, rev: str = "HEAD", *, at: str | dt.datetime | None = None
) -> str:
    """The text of MAINTAINERS at ``rev`` (``git show REV:MAINTAINERS``) in a kernel git
    repository (bare or not).  With ``at``, the revision is the last commit on ``rev``
    before that date, as ``--at DATE`` does on the command line."""
    repo = Path(repo)
    if not repo.exists():
        raise MaintainersError(f"git repository not found: {repo}")
    if at is not None:
        rev = resolve_rev_at(repo, at, rev)
    return decode_maintainers(_git(repo, "show", f"{rev}:MAINTAINERS"))


def is_ancestor(repo: Path, commit: str) -> bool:
    """Whether ``commit`` is HEAD or one of its ancestors in ``repo``."""
    proc = subprocess.run(
        [*GIT, "-C", str(repo), "merge-base", "--is-ancestor", commit, "HEAD"],
        capture_output=True, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
    )
    return proc.returncode == 0


def file_changes(repo: Path, after: str | None = None) -> Iterator[tuple[dt.datetime, list[str]]]:
    """(committer time, paths touched) of each non-merge commit reachable from HEAD, and
    not from ``after`` when given (the commits since an earlier pass), streamed."""
    args = [*GIT, "-C", str(repo), "log", "--no-merges", "--name-only", "--format=\x1e%ct"]
    if after is not None:
        args.append(f"{after}..HEAD")
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, errors="replace", bufsize=1 << 16)
    assert proc.stdout is not None
    when: dt.datetime | None = None
    paths: list[str] = []
    try:
        for line in proc.stdout:
            line = line.rstrip("\n")
            if line.startswith("\x1e"):
                if when is not None:
                    yield when, paths
                when, paths = dt.datetime.fromtimestamp(int(line[1:]), dt.UTC), []
            elif line:
                paths.append(line)
        if when is not None:
            yield when, paths
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
