"""The values of organisation attribution and the user override file.

`OrgKind`, `Attribution` (a kind, an organisation, the reason), `Affiliation` (an
address's attribution over a period), `Signoff` (trailer evidence) and `Override`
lines (``WHO KIND [FROM..UNTIL] [ORGANISATION NAME]``, see docs/organisations.md). The
rules that produce attributions are in `ingest.enrich.orgs`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from .domainmap import DomainMapError
from .people import email_domain
from .people import normalise_email as _norm


class OrgKind(StrEnum):
    CORPORATE = "corporate"
    INDIVIDUAL = "individual"
    ACADEMIC = "academic"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Attribution:
    kind: OrgKind
    org: str | None
    reason: str

    @property
    def rule(self) -> str:
        return self.reason.split(":", 1)[0]


@dataclass(frozen=True)
class Affiliation:
    person_id: str
    email: str
    kind: OrgKind
    org: str | None
    valid_from: datetime | None  # None: open (from the beginning)
    valid_to: datetime | None  # exclusive; None: open (still valid)
    reason: str


@dataclass(frozen=True)
class Signoff:
    """A Signed-off-by (or other own trailer) in a message sent from ``email``.

    It is evidence only when it names the sender (same person, or same name key).
    """

    email: str
    signoff_email: str
    date: datetime | None
    signoff_name: str | None = None
    sender_name: str | None = None
    trailer: str = "Signed-off-by"  # or Reviewed-by, Acked-by, Tested-by given by the sender


@dataclass(frozen=True)
class Override:
    who: str  # an address, or a domain (which covers its subdomains)
    kind: OrgKind
    org: str | None
    start: datetime | None  # inclusive
    end: datetime | None  # exclusive
    source: str
    line: int

    def covers(self, email: str) -> bool:
        if "@" in self.who:
            return email == self.who
        domain = email_domain(email)
        return domain == self.who or domain.endswith("." + self.who)

    def active(self, at: datetime | None) -> bool:
        if at is None:
            return self.end is None
        return (self.start is None or at >= self.start) and (self.end is None or at < self.end)


_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})?\.\.(\d{4}-\d{2}-\d{2})?$")


def _day(text: str | None) -> datetime | None:
    return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC) if text else None


def parse_overrides(text: str, source: str = "overrides") -> tuple[Override, ...]:
    """``WHO KIND [FROM..UNTIL] [ORGANISATION NAME]`` a line; ``#`` comments."""
    out = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        parts = raw.split("#", 1)[0].split()
        if not parts:
            continue
        if len(parts) < 2:
            raise DomainMapError(f"{source}:{lineno}: expected 'WHO KIND [FROM..UNTIL] [ORG]'")
        who, kind_text, rest = parts[0].lower(), parts[1].lower(), parts[2:]
        try:
            kind = OrgKind(kind_text)
        except ValueError as exc:
            kinds = ", ".join(k.value for k in OrgKind)
            raise DomainMapError(f"{source}:{lineno}: kind must be one of {kinds}") from exc
        start = end = None
        if rest and (m := _RANGE.match(rest[0])):
            try:
                start, end = _day(m.group(1)), _day(m.group(2))
            except ValueError as exc:
                raise DomainMapError(f"{source}:{lineno}: bad date in {rest[0]!r}") from exc
            rest = rest[1:]
        who = _norm(who) if "@" in who else who.strip(".")
        out.append(Override(who, kind, " ".join(rest) or None, start, end, source, lineno))
    return tuple(out)


def load_overrides(path: str | Path) -> tuple[Override, ...]:
    p = Path(path)
    return parse_overrides(p.read_text(encoding="utf-8"), p.name)
