"""Typed report parameters: what a report accepts, its default, and how a value is read.

Values arrive as text from the command line (``--param since=2024-01-01``) and from the
dashboard's URL, or already typed from Python. Each is checked here once, so every front
door gives the same one-line error for a wrong name or value (docs/metrics.md,
"Parameters").
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from core.errors import LorelensError


class ParamError(LorelensError):
    """A report was given a parameter it does not take, or a value it cannot use."""


Kind = Literal["text", "date", "int", "choice"]

ORG_KINDS = ("corporate", "individual", "academic", "unknown")
PERIODS = ("all", "year", "quarter", "month")
COUNTED = ("patches", "series", "messages", "authors", "reviews")


@dataclass(frozen=True)
class Param:
    name: str
    kind: Kind
    help: str
    default: Any = None  # None: no filter
    choices: tuple[str, ...] = ()
    minimum: int | None = None

    def parse(self, value: Any) -> Any:
        """The typed value of ``value`` (text or already typed); None stays None."""
        if value is None or (isinstance(value, str) and value.strip() == ""):
            return None
        if self.kind == "text":
            return str(value).strip()
        if self.kind == "choice":
            text = str(value).strip().lower()
            if text not in self.choices:
                raise ParamError(f"{self.name}={value!r}: not one of {', '.join(self.choices)}")
            return text
        if self.kind == "int":
            return self._int(value)
        return self._date(value)

    def _int(self, value: Any) -> int:
        try:
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, float):
                if not math.isfinite(value) or value != int(value):
                    raise ValueError
                n = int(value)
            else:
                n = int(str(value).strip().replace("_", ""))
        except ValueError:
            raise ParamError(f"{self.name}={value!r}: not a whole number") from None
        if self.minimum is not None and n < self.minimum:
            raise ParamError(f"{self.name}={n}: must be at least {self.minimum}")
        return n

    def _date(self, value: Any) -> dt.date:
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                raise ParamError(f"{self.name}={value!r}: a date-time needs a time zone")
            return value.astimezone(dt.UTC).date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ParamError(f"{self.name}={value!r}: not a date (YYYY-MM-DD)") from None

    def describe(self) -> str:
        """One line for listings: ``since (date, default: none) …``."""
        kind = "|".join(self.choices) if self.kind == "choice" else self.kind
        default = "none" if self.default is None else str(self.default)
        return f"{self.name} ({kind}, default: {default}): {self.help}"


# The parameters every report accepts where they make sense (docs/metrics.md).
LIST = Param("list", "text", "only this list (its address, as in `lorelens status`)")
SUBSYSTEM = Param("subsystem", "text", "only this MAINTAINERS section (its exact title)")
SINCE = Param("since", "date", "from this day on (UTC), by posting date")
UNTIL = Param("until", "date", "up to and including this day (UTC), by posting date")
ORG_KIND = Param("org_kind", "choice", "only authors of this organisation kind",
                 choices=ORG_KINDS)
PERIOD = Param("period", "choice", "one row group per period of the posting date",
               default="all", choices=PERIODS)
MIN_N = Param("min_n", "int", "rows with fewer cases than this are not ranked or estimated",
              default=10, minimum=1)
BY = Param("by", "choice", "what is counted: patches, series (postings), messages, authors "
           "(people who posted a patch) or reviews (Reviewed-by / Acked-by given in replies)",
           default="patches", choices=COUNTED)
SCOPE = (LIST, SUBSYSTEM, SINCE, UNTIL)


def bind(params: tuple[Param, ...], given: Mapping[str, Any] | None,
         report: str) -> dict[str, Any]:
    """Every declared parameter's typed value, from ``given`` or its default.

    Dates become the SQL's bounds: ``since`` the start of that UTC day, ``until`` the
    start of the next one (an exclusive bound, so the day itself is included).
    """
    known = {p.name: p for p in params}
    unknown = sorted(set(given or {}) - set(known))
    if unknown:
        accepted = ", ".join(known) if known else "none"
        raise ParamError(f"report {report} takes no parameter {unknown[0]!r} "
                         f"(accepted: {accepted})")
    values: dict[str, Any] = {}
    for p in params:
        raw = (given or {}).get(p.name, p.default)
        value = p.parse(raw)
        if value is None and p.default is not None:
            value = p.parse(p.default)
        if p.kind == "date" and value is not None:
            day = value + dt.timedelta(days=1) if p.name == "until" else value
            value = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        values[p.name] = value
    since, until = values.get("since"), values.get("until")
    if since is not None and until is not None and until <= since:
        raise ParamError("until is before since")
    return values


def parse_assignments(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``["since=2024-01-01", "list=x"]`` → a mapping; a malformed item is one error."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ParamError(f"{item!r}: write a parameter as KEY=VALUE")
        out[name.strip()] = value
    return out
