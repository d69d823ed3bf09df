"""Date headers → aware UTC datetimes, with the archive's time as the fallback."""

from __future__ import annotations

import datetime as dt
import email.utils
import re

from ingest.model import DateSource

UTC = dt.UTC
EARLIEST = dt.datetime(1991, 1, 1, tzinfo=UTC)  # Linux was announced in 1991
MAX_OFFSET = 14 * 3600  # UTC+14 is the furthest offset any place uses
SLACK = dt.timedelta(days=1)
# a number of three or more digits that is neither part of a time (``:``) nor an offset
# (``+``/``-``): the year, when it is written in full
_LONG_NUMBER = re.compile(r"(?<![\d:+-])\d{3,}(?![\d:])")


def parse_date_header(value: str) -> tuple[dt.datetime | None, DateSource]:
    """Parse an RFC 5322 date; report bad offsets instead of trusting them."""
    try:
        parts = email.utils.parsedate_tz(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        parts = None
    if parts is None:
        return None, DateSource.UNPARSABLE
    if any(int(n) < 100 for n in _LONG_NUMBER.findall(value[:200])):
        # the email package reads a year below 100 as two digits (24 → 2024), so the
        # year 0001 would become 2001: a year written "0001" is absurd, not 2001
        return None, DateSource.TOO_OLD
    offset = parts[9] or 0
    if abs(offset) > MAX_OFFSET or offset % 900:
        return None, DateSource.BAD_OFFSET
    try:
        stamp = email.utils.mktime_tz(parts)
        return dt.datetime.fromtimestamp(stamp, UTC), DateSource.HEADER
    except (OverflowError, ValueError, OSError):
        return None, DateSource.UNPARSABLE


def resolve_date(
    header: str | None, archive_time: dt.datetime | None
) -> tuple[dt.datetime | None, DateSource]:
    """Pick the message's date: the header when it is sane, else the archive's time.

    Sane means parsable, with a real timezone offset, not before 1991 and not after the
    archive's own time plus a day (a mail cannot be archived before it was written).
    """
    if header is None or not header.strip():
        return archive_time, DateSource.MISSING if archive_time else DateSource.NONE
    when, why = parse_date_header(header)
    if when is not None:
        if when < EARLIEST:
            why = DateSource.TOO_OLD
        elif archive_time is not None and when > archive_time + SLACK:
            why = DateSource.FUTURE
        else:
            return when, DateSource.HEADER
    if archive_time is None:
        return None, DateSource.NONE
    return archive_time, why
