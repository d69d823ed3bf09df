"""File paths as the database stores them: text, whatever bytes the file system holds.

DuckDB stores text as UTF-8, but a Linux file name is any bytes (a maildir written by
a mail program with another locale, say). A path that is not UTF-8 is stored with each
undecodable byte written ``\\xNN`` (docs/schema.md, ``message_sources.path``), and
:func:`from_stored` finds the file again.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_ESCAPE = re.compile(rb"\\x([0-9a-f]{2})")


def to_stored(path: str | os.PathLike[str]) -> str:
    """The text stored for ``path``: itself when it is UTF-8, else with its undecodable
    bytes written ``\\xNN``."""
    raw = os.fsencode(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def from_stored(text: str) -> Path:
    """The file a stored path names: the path as written when that exists, else the one
    whose bytes the ``\\xNN`` escapes give."""
    path = Path(text)
    if "\\x" not in text or path.exists():
        return path
    raw = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), text.encode("utf-8"))
    return Path(os.fsdecode(raw))


def is_utf8(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` (as the command line or the file system gave it) is UTF-8."""
    try:
        os.fsencode(path).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
