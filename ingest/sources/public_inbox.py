"""public-inbox archives: v1 (one bare git repo) and v2 (``git/N.git`` epochs).

Each commit adds one message as the file ``m`` at the tree root; a v2 commit whose tree
holds ``d`` instead deletes that message. ``m`` is read at *every* commit (a commit may
carry an unchanged ``m``, which a diff-based walk would miss).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from core.errors import SourceError
from ingest.model import Deletion, Location, RawMail, SourceKind
from ingest.sources.base import Item, Unit, list_label_from_name
from ingest.sources.gitstream import (
    commit_range,
    count_commits,
    head_ref,
    is_bare_repo,
    iter_commits,
    read_objects,
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


@dataclass(frozen=True, slots=True)
class EpochSpec:
    """Everything a worker process needs to fetch blobs of one epoch itself."""

    source: str
    kind: SourceKind
    epoch: int
    git_dir: str
    label: str | None


# (commit sha, commit time as a Unix timestamp)
Ref = tuple[str, int]


def fetch(spec: EpochSpec, refs: Iterable[Ref]) -> list[RawMail | Deletion]:
    """The raw mails (or deletions) of ``refs``, in order, read with ``git cat-file``.

    Each commit's ``m`` is asked for; the few commits without one (v2 deletions, an
    inbox's initial commit) are asked for ``d`` in a second pass, so no scan of the whole
    history has to run before the first mail.
    """
    refs = list(refs)
    found = read_objects(spec.git_dir, [f"{sha}:m" for sha, _ts in refs])
    lacking = [ref[0] for ref, (_blob, data) in zip(refs, found, strict=True) if data is None]
    deletions = dict(zip(
        lacking, read_objects(spec.git_dir, [f"{sha}:d" for sha in lacking]), strict=True))
    out: list[RawMail | Deletion] = []
    for (sha, ts), (blob, data) in zip(refs, found, strict=True):
        d_blob, d_data = deletions.get(sha, (None, None))
        if data is None and d_data is not None:
            out.append(Deletion(d_data, _location(spec, sha, d_blob)))
        else:
            # data None: a commit with neither m nor d; nothing to store, but it is
            # recorded as an empty read so nothing vanishes silently
            out.append(RawMail(data or b"", _location(spec, sha, blob),
                               dt.datetime.fromtimestamp(ts, dt.UTC)))
    return out


def _location(spec: EpochSpec, sha: str, blob: str | None) -> Location:
    return Location(source=spec.source, kind=spec.kind, list=spec.label, epoch=spec.epoch,
                    git_dir=spec.git_dir, commit=sha, blob=blob)


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
    spec = EpochSpec(source, kind, epoch, str(git_dir), label)

    def refs() -> Iterator[Ref]:
        return iter_commits(git_dir, rng)

    def read() -> Iterator[Item]:
        batch: list[Ref] = []
        for ref in refs():
            batch.append(ref)
            if len(batch) >= 256:
                yield from zip(fetch(spec, batch), (r[0] for r in batch), strict=True)
                batch = []
        if batch:
            yield from zip(fetch(spec, batch), (r[0] for r in batch), strict=True)

    return Unit(
        source=source,
        kind=kind,
        epoch=epoch,
        git_dir=git_dir,
        label=label,
        total=total,
        read=read,
        rescan=rescan,
        description=(
            git_dir.name if kind == SourceKind.PUBLIC_INBOX_V1
            else f"{(label or git_dir.parent.parent.name).split('@')[0]} epoch {epoch}"
        ),
        refs=refs,
        fetch=partial(fetch, spec),
    )


def v1_units(path: Path, state: dict[int, str], label: str | None) -> list[Unit]:
    path = path.resolve()
    if not is_v1(path):
        raise SourceError(f"{path} is not a bare git repository")
    if head_ref(path) is None:
        raise SourceError(f"{path} is an empty git repository: no commit, so no mail "
                          "(a public-inbox v1 inbox has one commit per mail)")
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
