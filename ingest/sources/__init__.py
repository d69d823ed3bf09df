"""Source kinds. Each is a small module plus one entry in :data:`REGISTRY`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.errors import SourceError
from ingest.model import SourceKind
from ingest.sources import mailbox_files, mirror, public_inbox, remote
from ingest.sources.base import Unit
from ingest.sources.paths import is_utf8, to_stored


@dataclass(frozen=True)
class Kind:
    kind: SourceKind
    detect: Callable[[Path], bool]
    units: Callable[[Path, dict[int, str], str | None], list[Unit]]


# Order matters: a v2 inbox folder is checked before a bare repository.
REGISTRY: tuple[Kind, ...] = (
    Kind(SourceKind.PUBLIC_INBOX_V2, public_inbox.is_v2, public_inbox.v2_units),
    Kind(SourceKind.PUBLIC_INBOX_V1, public_inbox.is_v1, public_inbox.v1_units),
    Kind(SourceKind.MAILDIR, mailbox_files.is_maildir, mailbox_files.maildir_units),
    Kind(SourceKind.MBOX, mailbox_files.is_mbox, mailbox_files.mbox_units),
)


def source_key(spec: str) -> str:
    """The stable key a source is remembered by: its URL or its absolute path."""
    return spec.rstrip("/") if remote.is_url(spec) else str(Path(spec).resolve())


def expand(
    specs: Sequence[str], label: str | None = None, log: Callable[[str], None] = lambda _m: None
) -> list[str]:
    """``specs`` with every mirror folder replaced by the inboxes it holds (each read and
    remembered as its own source, see ``ingest.sources.mirror``); a source named twice
    (an inbox and its mirror folder) is read once."""
    out: dict[str, str] = {}  # source key → spec
    for spec in specs:
        found = ([spec] if remote.is_url(spec) or not _is_mirror(Path(spec))
                 else mirror.expand(spec, label, log))
        for s in found:
            out.setdefault(source_key(s), s)
    return list(out.values())


def _is_mirror(path: Path) -> bool:
    # an inbox is read as one, even if it held inboxes too
    return (path.is_dir() and not any(k.detect(path) for k in REGISTRY)
            and mirror.is_mirror(path))


def detect(spec: str) -> SourceKind:
    if remote.is_url(spec):
        return SourceKind.REMOTE
    path = Path(spec)
    if not is_utf8(spec) or not is_utf8(path.resolve()):
        raise SourceError(
            f"{to_stored(spec)}: the path is not valid UTF-8, which the database needs for "
            "a source's key; rename it (or link to it from a UTF-8 path)")
    if not path.exists():
        raise SourceError(f"{spec}: no such file or directory")
    for k in REGISTRY:
        if k.detect(path):
            return k.kind
    if path.is_dir():
        raise SourceError(
            f"{spec} holds no inbox: expected a public-inbox v2 inbox (git/N.git), a v1 "
            "repository, a maildir, or a mirror of inboxes (<list>/git/N.git, <list>.git)"
        )
    raise SourceError(
        f"{spec} is not an archive lorelens can read "
        "(public-inbox v1 or v2, mbox, maildir, or an http(s) inbox URL)"
    )


def plan(
    spec: str,
    state: dict[int, str],
    *,
    label: str | None = None,
    mirrors: Path,
    log: Callable[[str], None] = lambda _m: None,
) -> list[Unit]:
    """The units to read for one source, given its saved per-epoch markers."""
    kind = detect(spec)
    if kind == SourceKind.REMOTE:
        return remote.remote_units(spec, state, label, mirrors, log)
    entry = next(k for k in REGISTRY if k.kind == kind)
    return entry.units(Path(spec), state, label)


__all__ = ["REGISTRY", "Unit", "detect", "expand", "plan", "source_key"]
