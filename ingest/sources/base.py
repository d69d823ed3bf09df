"""What every source kind provides: units of work (an epoch, a file) to read."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.model import Deletion, RawMail, SourceKind

# (raw item, progress marker after it): the marker is the last git commit read,
# or None for sources that resume by Message-ID alone.
Item = tuple[RawMail | Deletion, str | None]


@dataclass
class Unit:
    """One resumable stream of mails: a public-inbox epoch, an mbox file, a maildir."""

    source: str  # the source key (absolute path or URL)
    kind: SourceKind
    epoch: int  # 0 for sources without epochs
    git_dir: Path | None
    label: str | None  # list the mails were archived under, when the source says
    total: int  # how many items read() will yield (for progress), best effort
    read: Callable[[], Iterator[Item]]
    rescan: bool = False  # the last marker was gone: reading everything again
    description: str = ""
    # git sources can also be read in two halves: cheap references listed here (the
    # first element of each is its progress marker), and ``fetch``, a picklable function
    # that a worker process calls on a batch of references to read the blobs itself
    refs: Callable[[], Iterator[tuple]] | None = None
    fetch: Callable[[list[tuple]], Iterable[RawMail | Deletion]] | None = None


def list_label_from_name(name: str) -> str:
    """``linux-watchdog.vger.kernel.org.0.git`` → ``linux-watchdog@vger.kernel.org``."""
    base = name.removesuffix(".git")
    head, dot, tail = base.rpartition(".")
    if dot and tail.isdigit():
        base = head
    local, dot, domain = base.partition(".")
    if dot and "." in domain:
        return f"{local}@{domain}"
    return base
