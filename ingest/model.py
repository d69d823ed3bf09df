"""The small typed model shared by the ingest stages."""

from __future__ import annotations

import builtins
import datetime as dt
from dataclasses import dataclass, field, fields
from enum import StrEnum
from operator import attrgetter
from typing import TypeVar

_C = TypeVar("_C", bound=type)


def _pickled_by_fields(cls: _C) -> _C:
    """Pickle instances as ``cls(*fields)``.

    Raw mails, deletions and failures travel between the parser processes and the main
    one by pickle (parsed messages go as Arrow tables, :mod:`ingest.columns`); the
    default for slotted dataclasses (a Python ``__getstate__``/``__setstate__`` pair that
    sets each field in turn) costs several times more.
    """
    get = attrgetter(*(f.name for f in fields(cls)))

    def __reduce__(self: object) -> tuple[type, tuple]:
        return cls, get(self)

    cls.__reduce__ = __reduce__  # type: ignore[assignment]
    return cls


class SourceKind(StrEnum):
    PUBLIC_INBOX_V1 = "public-inbox-v1"
    PUBLIC_INBOX_V2 = "public-inbox-v2"
    REMOTE = "remote"
    MBOX = "mbox"
    MAILDIR = "maildir"


class DateSource(StrEnum):
    """Where a message's ``date`` came from (stored in ``messages.date_source``)."""

    HEADER = "header"
    MISSING = "archive:missing"  # no Date header
    UNPARSABLE = "archive:unparsable"  # a Date header nobody can read
    BAD_OFFSET = "archive:bad-offset"  # a timezone offset no place has (+1900, +2000)
    FUTURE = "archive:future"  # after the archive's own time plus a day
    TOO_OLD = "archive:too-old"  # before 1991
    NONE = "none"  # no usable Date header and no archive time


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Location:
    """Where one raw mail lives; enough to read it again."""

    source: str
    kind: SourceKind
    list: str | None = None
    epoch: int | None = None
    git_dir: str | None = None
    commit: str | None = None
    blob: str | None = None
    path: str | None = None
    byte_offset: int | None = None


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class RawMail:
    data: bytes
    location: Location
    archive_time: dt.datetime | None  # aware UTC


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Deletion:
    """A public-inbox v2 commit that removed a message (file ``d``)."""

    data: bytes
    location: Location


@dataclass(frozen=True, slots=True)
class Trailer:
    position: int
    kind: str  # lower-cased name
    type: str  # person | utility | unknown (b4's classification)
    name: str | None
    email: str | None
    value: str
    in_reply: bool


@dataclass(slots=True)
class ParsedMessage:
    """One parsed mail: the columns of ``messages`` plus its trailers."""

    message_id: str
    msgid_synthetic: bool
    date: dt.datetime | None
    date_source: str
    date_raw: str | None
    archive_time: dt.datetime | None
    from_name: str | None
    from_email: str | None
    from_domain: str | None
    from_raw: str | None
    from_via: str | None
    subject: str
    subject_base: str
    prefixes: list[str]
    in_reply_to: str | None
    references: list[str]
    is_reply: bool
    is_patch: bool
    is_cover: bool
    is_rfc: bool
    is_resend: bool
    patch_version: int | None
    patch_counter: int | None
    patch_total: int | None
    has_diff: bool
    files: list[str]
    lines_added: int | None
    lines_removed: int | None
    change_id: str | None
    applied_notice: str | None
    bot_report: str | None
    to_addrs: list[str]
    cc_addrs: list[str]
    list: str | None
    body_bytes: int
    content_hash: str
    location: Location
    # `builtins.list`: below the field `list`, mypy reads a bare `list` as that field
    trailers: builtins.list[Trailer] = field(default_factory=builtins.list)


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class ParseFailure:
    location: Location
    reason: str
    raw_size: int
