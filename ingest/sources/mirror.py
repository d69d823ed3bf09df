"""A mirror folder: many inboxes side by side, as grokmirror or ``public-inbox-clone``
leave a mirror of lore.kernel.org.

Each child is one list: ``DIR/<list>/git/N.git`` (a v2 inbox) or ``DIR/<list>.git``
(a v1 repository), the two kinds possibly mixed. A mirror folder is not read itself: it
is replaced by its inboxes, each then read and remembered as if it had been named on
the command line (its own source key and progress markers), so a mirror can also be
ingested one list at a time, or a list later added to it, without reading anything
twice. Mails without a List-Id header get the list named after their inbox's folder
(docs/guide.md, "Bring in a list").
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from core.errors import SourceError
from ingest.sources import public_inbox


def _is_inbox(path: Path) -> bool:
    return public_inbox.is_v2(path) or public_inbox.is_v1(path)


def inboxes(path: Path, log: Callable[[str], None] = lambda _m: None) -> list[Path]:
    """The inboxes directly inside ``path``, in name order.

    Folders that are not inboxes are named in ``log`` (a mirror may hold other things,
    such as grokmirror's work folders); plain files (``manifest.js.gz``) are not.
    """
    found: list[Path] = []
    for child in sorted(path.iterdir()):
        if not child.is_dir():
            continue
        if _is_inbox(child):
            found.append(child)
        elif not child.name.startswith("."):
            log(f"{child}: not a public-inbox inbox, skipped")
    return found


def is_mirror(path: Path) -> bool:
    return path.is_dir() and any(
        child.is_dir() and _is_inbox(child) for child in path.iterdir()
    )


def expand(
    spec: str, label: str | None, log: Callable[[str], None] = lambda _m: None
) -> list[str]:
    """The inboxes of the mirror folder ``spec``, as sources to read."""
    found = inboxes(Path(spec), log)
    if label is not None and len(found) > 1:
        raise SourceError(
            f"--list names one list, but {spec} is a mirror of {len(found)} inboxes "
            "(each takes its list from its mails' List-Id or its folder's name)")
    log(f"{spec}: a mirror of {len(found)} inboxes")
    return [str(p) for p in found]
