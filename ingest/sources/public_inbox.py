"""public-inbox archives: v1 (one bare git repo) and v2 (``git/N.git`` epochs).

Each commit adds one message as the file ``m`` at the tree root; a v2 commit whose tree
holds ``d`` instead deletes that message. ``m`` is read at *every* commit (a commit may
carry an unchanged ``m``, which a diff-based walk would miss).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ingest.errors import SourceError
from ingest.model import Deletion, Location, RawMail, SourceKind
from ingest.sources.base import Item, Unit, list_label_from_name
from ingest.sources.gitstream import (
    CatFile,
    commit_range,
    count_commits,
    git,
    is_bare_repo,
    iter_commits,
)

_EPOCH = re.compile(r"^(\d+)\.git$")


def is_v2(path: Path) -> bool:
    return path.is_dir() and bool(epochs(path))


def is_v1(path: Path) -> bool:
    return path.is_dir() and is_bare_repo(path)


def epochs(inbox: Path) -> list[tuple[int, Path]]:
    """The epochs of a v2 inbox, in order."""
    gdir = inbox / "git"
    if not gdir.is_dir():
        return []
    found = []
    for child in gdir.iterdir():
        m = _EPOCH.match(child.name)
        if m and is_bare_repo(child):
            found.append((int(m.group(1)), child))
    return sorted(found)


def _deletion_commits(git_dir: Path) -> set[str]:
    """Commits that add the file ``d``: v2 deletions (few, so a set is fine)."""
    out = git(git_dir, "log", "--format=%H", "--diff-filter=A", "HEAD", "--", "d", check=False)
    return set(out.split())


def epoch_unit(
    source: str,
    kind: SourceKind,
    epoch: int,
    git_dir: Path,
    label: str | None,
    last_commit: str | None,
) -> Unit:
    rng, rescan = commit_range(git_dir, last_commit)
    total = count_commits(git_dir, rng)

    def read() -> Iterator[Item]:
        deletions = (
            _deletion_commits(git_dir) if kind != SourceKind.PUBLIC_INBOX_V1 and total else set()
        )
        names = (
            (c, f"{c.sha}:{'d' if c.sha in deletions else 'm'}") for c in iter_commits(git_dir, rng)
        )
        for commit, name, blob, data in CatFile(git_dir).read(names):
            loc = Location(
                source=source,
                kind=kind,
                list=label,
                epoch=epoch,
                git_dir=str(git_dir),
                commit=commit.sha,
                blob=blob,
            )
            if data is None:
                # a commit with neither m nor d (e.g. an inbox's initial commit): nothing
                # to store, but it is recorded as an empty read so nothing vanishes silently
                yield RawMail(b"", loc, commit.time), commit.sha
            elif name.endswith(":d"):
                yield Deletion(data, loc), commit.sha
            else:
                yield RawMail(data, loc, commit.time), commit.sha

    return Unit(
        source=source,
        kind=kind,
        epoch=epoch,
        git_dir=git_dir,
        label=label,
        total=total,
        read=read,
        rescan=rescan,
        description=f"{git_dir.name}" if kind == SourceKind.PUBLIC_INBOX_V1 else f"epoch {epoch}",
    )


def v1_units(path: Path, state: dict[int, str], label: str | None) -> list[Unit]:
    path = path.resolve()
    if not is_v1(path):
        raise SourceError(f"{path} is not a bare git repository")
    label = label or list_label_from_name(path.name)
    return [epoch_unit(str(path), SourceKind.PUBLIC_INBOX_V1, 0, path, label, state.get(0))]


def v2_units(
    path: Path,
    state: dict[int, str],
    label: str | None,
    kind: SourceKind = SourceKind.PUBLIC_INBOX_V2,
    key: str | None = None,
) -> list[Unit]:
    path = path.resolve()
    found = epochs(path)
    if not found:
        raise SourceError(f"{path} has no public-inbox epochs (git/0.git, …)")
    label = label or list_label_from_name(path.name)
    return [
        epoch_unit(key or str(path), kind, n, gdir, label, state.get(n)) for n, gdir in found
    ]
