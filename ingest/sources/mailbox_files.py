"""mbox files (mboxo / mboxrd, optionally gzip-compressed) and maildirs.

The mbox reader streams the file (a list archive can be gigabytes) and records each
mail's byte offset so it can be found again. ``>From `` quoting is undone the mboxrd
way (one ``>`` removed from ``>+From `` lines), which is also right for mboxo files
except for the rare body line that itself began with ``>From ``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import re
from collections.abc import Iterator
from pathlib import Path

from core.errors import SourceError
from ingest.model import Location, RawMail, SourceKind
from ingest.sources.base import Item, Unit
from ingest.sources.paths import to_stored

_FROM_LINE = re.compile(rb"^From \S+ +(.*)$")
_QUOTED_FROM = re.compile(rb"^>(>*From )", re.M)
_ASCTIME = "%a %b %d %H:%M:%S %Y"


def _open(path: Path):
    with path.open("rb") as fh:
        magic = fh.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else path.open("rb")


def is_mbox(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        with _open(path) as fh:
            return fh.read(5) == b"From "
    except (OSError, EOFError):
        return False


def is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def _from_line_time(line: bytes) -> dt.datetime | None:
    m = _FROM_LINE.match(line.rstrip(b"\r\n"))
    if not m:
        return None
    text = m.group(1).decode("ascii", "replace").strip()
    text = " ".join(text.split())
    try:
        return dt.datetime.strptime(text[:24], _ASCTIME).replace(tzinfo=dt.UTC)
    except ValueError:
        parsed = email.utils.parsedate_tz(text)
        if parsed:
            return dt.datetime.fromtimestamp(email.utils.mktime_tz(parsed), dt.UTC)
    return None


def _label(path: Path, label: str | None) -> str:
    if label:
        return label
    name = path.name
    for suffix in (".gz", ".mbox", ".mboxrd", ".mbx"):
        name = name.removesuffix(suffix)
    return name


def mbox_units(path: Path, state: dict[int, str], label: str | None) -> list[Unit]:
    path = path.resolve()
    if not is_mbox(path):
        raise SourceError(f"{path} is not an mbox file (it must start with a 'From ' line)")
    key = str(path)
    lab = _label(path, label)

    def read() -> Iterator[Item]:
        with _open(path) as fh:
            offset = 0
            start = 0
            when: dt.datetime | None = None
            buf: list[bytes] = []
            started = False
            for line in fh:
                if line.startswith(b"From ") and _FROM_LINE.match(line.rstrip(b"\r\n")):
                    if started:
                        yield _mail(buf, key, lab, path, start, when), None
                    started = True
                    start = offset
                    when = _from_line_time(line)
                    buf = []
                elif started:
                    buf.append(line)
                offset += len(line)
            if started:
                yield _mail(buf, key, lab, path, start, when), None

    return [Unit(key, SourceKind.MBOX, 0, None, lab, _count(path), read, description=path.name)]


def _count(path: Path) -> int:
    n = 0
    with _open(path) as fh:
        for line in fh:
            if line.startswith(b"From ") and _FROM_LINE.match(line.rstrip(b"\r\n")):
                n += 1
    return n


def _mail(
    lines: list[bytes], key: str, label: str, path: Path, offset: int, when: dt.datetime | None
) -> RawMail:
    data = b"".join(lines)
    # the separator's blank line belongs to the mbox, not to the message
    if data.endswith(b"\r\n\r\n"):
        data = data[:-2]
    elif data.endswith(b"\n\n"):
        data = data[:-1]
    data = _QUOTED_FROM.sub(rb"\1", data)
    loc = Location(source=key, kind=SourceKind.MBOX, list=label, path=str(path), byte_offset=offset)
    return RawMail(data, loc, when)


def maildir_units(path: Path, state: dict[int, str], label: str | None) -> list[Unit]:
    path = path.resolve()
    if not is_maildir(path):
        raise SourceError(f"{path} is not a maildir (it needs cur/ and new/)")
    key = str(path)
    lab = label or path.name
    files = sorted(
        [p for sub in ("new", "cur") for p in (path / sub).iterdir() if p.is_file()],
        key=lambda p: p.name,
    )

    def read() -> Iterator[Item]:
        for f in files:
            when = dt.datetime.fromtimestamp(f.stat().st_mtime, dt.UTC)
            loc = Location(source=key, kind=SourceKind.MAILDIR, list=lab, path=to_stored(f))
            yield RawMail(f.read_bytes(), loc, when), None

    return [Unit(key, SourceKind.MAILDIR, 0, None, lab, len(files), read, description=path.name)]
