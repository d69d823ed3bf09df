"""The few named exceptions of lorelens.

The CLI turns each into one clear line and a non-zero exit; the dashboard into ``st.error``.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path


class LorelensError(Exception):
    """Base class: a problem the user can act on (never a bug)."""


class SourceError(LorelensError):
    """A source path or URL is not a readable archive."""


class RemoteError(SourceError):
    """A remote inbox could not be reached or mirrored."""


class DatabaseError(LorelensError):
    """The database cannot be opened (locked by another writer, not a DuckDB file, …)."""


class DatabaseLocked(DatabaseError):
    """Another process holds DuckDB's lock on the database (a writer, or readers)."""


class DiskFullError(DatabaseError):
    """The disk holding the database (or a file DuckDB was writing) is full."""


class ConfigError(LorelensError):
    """A configuration file (MAINTAINERS, domain map, overrides) is missing or invalid."""


class WorkerError(LorelensError):
    """A parser process died (killed, out of memory) while the ingest ran."""


class Terminated(KeyboardInterrupt):
    """The command got SIGTERM: it ends as on Ctrl-C (the open transaction rolled back,
    the ingest run recorded as interrupted), then says so."""


_FULL = (errno.ENOSPC, errno.EDQUOT)
_WRITING = re.compile(r'Could not write file "([^"]+)"')


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the errors it arose from (``raise … from``, or raised while handling)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if id(e) not in seen:
            seen.add(id(e))
            yield e
            todo += [x for x in (e.__cause__, e.__context__) if x is not None]


def _free_mb(path: Path) -> str:
    for place in (path, *path.parents):
        try:
            return f"{shutil.disk_usage(place).free // 2**20:,}"
        except OSError:
            continue
    return "?"


def disk_full(exc: BaseException, path: Path | None) -> DiskFullError | None:
    """The one-line error for ``exc`` when it (or an error it arose from) says the disk
    is full, else None.

    DuckDB reports a full disk as an IO error naming the file it could not write ("Could
    not write file "….wal": No space left on device"); when that happens while it
    checkpoints, it invalidates the database, and every later statement fails with
    "database has been invalidated", quoting the original error. The line names that
    file (else ``path``, the database) and the space left on its disk.
    """
    for e in _chain(exc):
        text = str(e)
        if not ((isinstance(e, OSError) and e.errno in _FULL)
                or any(os.strerror(n) in text for n in _FULL)):
            continue
        m = _WRITING.search(text)
        where = (Path(m.group(1)) if m else
                 Path(os.fsdecode(e.filename)) if isinstance(e, OSError) and e.filename else
                 path)
        if where is None:
            return DiskFullError(f"disk full: {text.strip().splitlines()[0]}")
        return DiskFullError(f"disk full: {where} ({_free_mb(where)} MB free)")
    return None
