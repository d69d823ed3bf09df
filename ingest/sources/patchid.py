"""git's patch-id of posted patches and of a kernel tree's commits.

A maintainer often edits the subject of a patch he applies ("watchdog: foo: ..." →
"watchdog: foo - ..."), or the tree records another address of the author; the change
itself stays the same. ``git patch-id --stable`` names a change by its diff alone
(whitespace and line numbers ignored, file order irrelevant), so a posted patch and the
commit made from it share one id. lorelens does not re-implement it: the diffs are fed
to git's own command.

Posted diffs are read back from where the mails are archived (``message_sources``:
git blobs streamed through the ingest's own `CatFile` reader, one ``git cat-file
--batch`` per repository, mbox and maildir
copies one by one), decoded with the ``email`` package and cut at the first
``diff --git`` line; git's parser stops at the end of the last hunk, so the signature
and anything after it do not count.
"""

from __future__ import annotations

import email
import email.policy
import subprocess
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path

from core.errors import SourceError
from ingest.sources.gitstream import GIT, CatFile
from ingest.sources.raw import read_raw

#: one stored copy: (kind, git_dir, blob, path, byte_offset), as in message_sources
Location = tuple[str, str | None, str | None, str | None, int | None]


def diff_of_mail(raw: bytes) -> str | None:
    """The diff a mail carries inline (or as a text attachment), from ``diff --git``."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    for part in msg.walk():
        if part.get_content_maintype() != "text" or part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        charset = part.get_content_charset() or "utf-8"
        try:
            text = payload.decode(charset, "replace")
        except LookupError:  # an unknown charset name
            text = payload.decode("utf-8", "replace")
        text = text.replace("\r\n", "\n")
        if text.startswith("diff --git "):
            return text
        at = text.find("\ndiff --git ")
        if at >= 0:
            return text[at + 1 :]
    return None


def _parse(out: bytes) -> Iterator[tuple[str, str]]:
    for line in out.decode().splitlines():
        pid, _, commit = line.partition(" ")
        if pid and commit:
            yield pid, commit


def patch_ids(diffs: Mapping[str, str]) -> dict[str, str]:
    """``{key: patch-id}`` for diffs given as text; keys with an empty diff are absent."""
    keys = list(diffs)
    # a stand-in commit id tells git where one patch ends and the next begins
    data = b"".join(
        f"commit {i + 1:040x}\n{diffs[key]}\n".encode("utf-8", "surrogateescape")
        for i, key in enumerate(keys)
    )
    out = subprocess.run(
        [*GIT, "patch-id", "--stable"], input=data, capture_output=True, check=True
    ).stdout
    return {keys[int(commit, 16) - 1]: pid for pid, commit in _parse(out)}


def read_copies(locations: Mapping[str, Location]) -> Iterator[tuple[str, bytes]]:
    """``(key, raw mail)`` for stored copies; git blobs in bulk, per repository.

    A copy that can no longer be read (a blob pruned, an mbox moved) is skipped: the
    caller falls back to subject and author matching for it.
    """
    by_repo: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, (kind, git_dir, blob, path, offset) in locations.items():
        if git_dir and blob:
            by_repo[git_dir].append((key, blob))
            continue
        try:
            yield key, read_raw(kind, git_dir, blob, path, offset)
        except (SourceError, OSError):
            continue
    for git_dir, items in by_repo.items():
        for key, _name, _oid, content in CatFile(Path(git_dir)).read(items):
            if content is not None:  # a blob no longer there: left out, as above
                yield key, content


def mail_patch_ids(locations: Mapping[str, Location]) -> dict[str, str]:
    """``{message_id: patch-id}`` of the diffs in the given stored mails."""
    diffs = {}
    for key, raw in read_copies(locations):
        diff = diff_of_mail(raw)
        if diff:
            diffs[key] = diff
    return patch_ids(diffs) if diffs else {}


def tree_patch_ids(
    repo: Path, since: datetime | None = None, paths: Iterable[str] = ()
) -> dict[str, list[str]]:
    """``{patch-id: [commit, …]}`` of the non-merge commits reachable from HEAD.

    ``since`` (commit time) and ``paths`` (the files the archive's patches touch) keep
    the walk small on a full kernel tree.
    """
    args = [*GIT, "-C", str(repo), "log", "-p", "--no-merges", "--no-color",
            "--no-ext-diff", "--format=commit %H"]
    if since is not None:
        args.append(f"--since={int(since.timestamp())}")
    paths = sorted(set(paths))
    if paths:
        args += ["--", *paths]
    # git log | git patch-id, as a shell pipeline: the diffs never pass through Python
    log = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    pid_proc = subprocess.Popen([*GIT, "patch-id", "--stable"], stdin=log.stdout,
                                stdout=subprocess.PIPE)
    assert log.stdout is not None
    log.stdout.close()  # patch-id holds the read end now
    try:
        data, _ = pid_proc.communicate()
        log.wait()
    except BaseException:
        for proc in (log, pid_proc):
            proc.kill()
            proc.wait()
        raise
    if log.returncode != 0 or pid_proc.returncode != 0:
        raise SourceError(f"git log -p | git patch-id failed in {repo}")
    out: dict[str, list[str]] = defaultdict(list)
    for pid, commit in _parse(data):
        out[pid].append(commit)
    return dict(out)
