"""gitdm-format domain maps: parse them and look an address up at a date.

The format (LWN's gitdm ``domain-map``, CNCF's fork, OSSystems' fork)::

    # comment
    example.com        Example Corp
    old.example        Old Name < 2012-07-20     # valid only before that date
    old.example        New Name                  # valid from then on
    alice@example.org  Example Corp              # a per-address entry

Several lines for one key form a time series: the entry with the earliest end date
that is still after the date asked for wins; an entry without an end date is valid
forever after the dated ones. Lookups try the address itself, then its domain and each
parent domain (``mail.foo.example.com`` → ``foo.example.com`` → ``example.com``);
the most specific key wins, then the map listed first.

gitdm's employer-name conventions are mapped to a :class:`EntryKind`:
``(Unknown)`` carries no information; ``(None)``, ``Independent``, ``(Hobbyist)``,
``(Consultant)``… mean "no employer"; ``(Academia)`` means academic.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from fnmatch import fnmatchcase
from pathlib import Path

from core.errors import ConfigError


class DomainMapError(ConfigError, ValueError):
    """A domain-map line could not be understood."""


class EntryKind(StrEnum):
    EMPLOYER = "employer"
    NO_EMPLOYER = "no-employer"
    ACADEMIC = "academic"
    UNKNOWN = "unknown"


#: Employer names with a special meaning, compared case-insensitively.
#: Sources: gitdm's README and ``gitdm`` script (marc-hb/gitdm: "(Unknown)" is the
#: default employer, "(None)" marks hobbyists), CNCF's gitdm fork (``Independent``,
#: ``NotFound``), LWN's kernel release statistics (``(None)``, ``(Unknown)``,
#: ``(Consultant)``, ``(Academia)``).
SPECIAL_NAMES: dict[str, EntryKind] = {
    "(unknown)": EntryKind.UNKNOWN,
    "unknown": EntryKind.UNKNOWN,
    "notfound": EntryKind.UNKNOWN,
    "(notfound)": EntryKind.UNKNOWN,
    "?": EntryKind.UNKNOWN,
    "(none)": EntryKind.NO_EMPLOYER,
    "none": EntryKind.NO_EMPLOYER,
    "independent": EntryKind.NO_EMPLOYER,
    "(independent)": EntryKind.NO_EMPLOYER,
    "individual": EntryKind.NO_EMPLOYER,
    "(individual)": EntryKind.NO_EMPLOYER,
    "hobbyist": EntryKind.NO_EMPLOYER,
    "(hobbyist)": EntryKind.NO_EMPLOYER,
    "self": EntryKind.NO_EMPLOYER,
    "(self)": EntryKind.NO_EMPLOYER,
    "self-employed": EntryKind.NO_EMPLOYER,
    "no employer": EntryKind.NO_EMPLOYER,
    "(consultant)": EntryKind.NO_EMPLOYER,
    "consultant": EntryKind.NO_EMPLOYER,
    "(academia)": EntryKind.ACADEMIC,
    "academia": EntryKind.ACADEMIC,
    "(academic)": EntryKind.ACADEMIC,
}

_DATE_TAIL = re.compile(r"\s<\s*(\d{4}-\d{2}-\d{2})\s*$")
_INLINE_COMMENT = re.compile(r"\s#.*$")
_MIN = datetime.min.replace(tzinfo=UTC)
_SUFFIX = re.compile(r"[a-z]{2,}|(?:co|com|net|org|ne|or)\.[a-z]{2}")
_KEY = re.compile(r"^[^\s@]*@?[a-z0-9_.-]+$")


@dataclass(frozen=True)
class MapEntry:
    key: str  # a lower-case domain, or an address
    employer: str
    kind: EntryKind
    until: datetime | None  # valid strictly before this instant (UTC), or forever
    source: str  # short name of the file, used in reasons
    line: int

    @property
    def is_address(self) -> bool:
        return "@" in self.key

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"


@dataclass(frozen=True)
class MapHit:
    entry: MapEntry
    matched: str  # the key that matched: the address, its domain or a parent domain

    @property
    def reason(self) -> str:
        prefix = "address-map" if self.entry.is_address else "domain-map"
        if self.entry.until is not None:
            prefix += "-until"
        return f"{prefix}:{self.entry.where}"


def _utc(day: str, source: str, lineno: int) -> datetime:
    try:
        return datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise DomainMapError(f"{source}:{lineno}: bad end date {day!r}") from exc


def employer_key(name: str) -> str:
    """An employer name folded for comparison: ``Red Hat, Inc.`` → ``redhatinc``."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed.casefold() if c.isalnum())


def classify_name(employer: str) -> EntryKind:
    return SPECIAL_NAMES.get(employer.strip().lower(), EntryKind.EMPLOYER)


def parse_domain_map(text: str | Iterable[str], source: str) -> list[MapEntry]:
    """Parse gitdm domain-map text into entries (in file order)."""
    lines = text.splitlines() if isinstance(text, str) else text
    entries: list[MapEntry] = []
    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        line = _INLINE_COMMENT.sub("", line).strip()
        until = None
        m = _DATE_TAIL.search(line)
        if m:
            until = _utc(m.group(1), source, lineno)
            line = line[: m.start()].strip()
        parts = line.split(None, 1)
        if len(parts) != 2:
            raise DomainMapError(f"{source}:{lineno}: expected 'domain employer', got {raw!r}")
        key = parts[0].strip().lower().strip("<>").rstrip(".")
        if not _KEY.match(key):
            raise DomainMapError(f"{source}:{lineno}: not a domain or address: {parts[0]!r}")
        employer = " ".join(parts[1].split())
        entries.append(MapEntry(key, employer, classify_name(employer), until, source, lineno))
    return entries


def parent_domains(domain: str) -> Iterator[str]:
    """``a.b.example.com`` yields itself, ``b.example.com``, ``example.com``, ``com``."""
    labels = domain.lower().strip(".").split(".")
    for i in range(len(labels)):
        yield ".".join(labels[i:])


def _pick(series: Sequence[MapEntry], at: datetime | None) -> MapEntry | None:
    """gitdm's time-series rule. ``series`` is sorted: dated entries by end, then open."""
    if at is None:
        return series[-1] if series[-1].until is None else None
    for entry in series:
        if entry.until is None or at < entry.until:
            return entry
    return None


@dataclass(frozen=True)
class DomainMap:
    """One or more parsed maps; maps named first win for the same key."""

    entries: tuple[MapEntry, ...]
    _index: dict[str, tuple[MapEntry, ...]] = field(repr=False, compare=False, default_factory=dict)
    _employers: dict[str, MapEntry] = field(repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        grouped: dict[str, list[MapEntry]] = {}
        first_source: dict[str, str] = {}
        for entry in self.entries:
            # A key's series comes from the first map that has it: no mixing of files.
            owner = first_source.setdefault(entry.key, entry.source)
            if owner == entry.source:
                grouped.setdefault(entry.key, []).append(entry)
        for key, series in grouped.items():
            series.sort(
                key=lambda e: (e.until is None, e.until or datetime.min.replace(tzinfo=UTC))
            )
            self._index[key] = tuple(series)
        for entry in self.entries:  # for notes such as "Jane Doe (Example Corp)"
            if entry.kind is EntryKind.EMPLOYER:
                self._employers.setdefault(employer_key(entry.employer), entry)

    @classmethod
    def from_text(cls, text: str, source: str) -> DomainMap:
        return cls(tuple(parse_domain_map(text, source)))

    @classmethod
    def from_file(cls, path: str | Path, source: str | None = None) -> DomainMap:
        p = Path(path)
        return cls.from_text(p.read_text(encoding="utf-8"), source or p.name)

    @classmethod
    def merge(cls, *maps: DomainMap) -> DomainMap:
        return cls(tuple(e for m in maps for e in m.entries))

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.source for e in self.entries))

    def series(self, key: str) -> tuple[MapEntry, ...]:
        return self._index.get(key.lower(), ())

    def candidates(self, email: str) -> Iterator[str]:
        """Keys to try for an address, most specific first."""
        email = email.strip().lower()
        yield email
        if "@" in email:
            yield from parent_domains(email.rsplit("@", 1)[1])

    def lookup(
        self,
        email: str,
        at: datetime | None = None,
        *,
        skip: Iterable[str] = (),
        addresses: bool = True,
        domains: bool = True,
    ) -> MapHit | None:
        """The most specific entry valid at ``at`` (None: the current entry).

        Keys in ``skip`` (domains known not to be employers) are passed over, and so
        are ``(Unknown)`` entries: both let a parent domain or a later rule decide.
        """
        skipped = set(skip)
        for key in self.candidates(email):
            is_address = "@" in key
            if (is_address and not addresses) or (not is_address and not domains):
                continue
            if key in skipped:
                continue
            series = self._index.get(key)
            if not series:
                continue
            entry = _pick(series, at)
            if entry is None or entry.kind is EntryKind.UNKNOWN:
                continue
            return MapHit(entry, key)
        return None

    def employer_named(self, name: str) -> MapEntry | None:
        """The first employer entry (maps in priority order) whose name is ``name``.

        Names compare with case, accents, spaces and punctuation folded away, so the
        note ``(VMWare)`` finds ``vmware.com VMware``. Special names (``(None)``…) never
        match: a note must name an employer.
        """
        return self._employers.get(employer_key(name)) if name else None

    def change_dates(self, email: str) -> list[datetime]:
        """End dates that may change the answer for ``email`` (for period splitting)."""
        out: list[datetime] = []
        for key in self.candidates(email):
            out.extend(e.until for e in self._index.get(key, ()) if e.until is not None)
        return sorted(set(out))


@dataclass(frozen=True)
class DomainList:
    """A list of domains and globs (``yahoo.*``, ``*.edu``, ``uni-*.de``) from a data file.

    A domain matches when it, or one of its parent domains, equals an entry or matches
    a glob; ``*.edu`` also matches ``example.edu`` but not ``edu``.
    """

    name: str
    exact: frozenset[str]
    globs: tuple[str, ...]
    # lookups repeat for every message of a sender: remember answers (not compared)
    _seen: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_text(cls, text: str, name: str) -> DomainList:
        exact, globs = set(), []
        for raw in text.splitlines():
            item = raw.split("#", 1)[0].strip().lower()
            if not item:
                continue
            (globs.append(item) if any(c in item for c in "*?[") else exact.add(item))
        return cls(name, frozenset(exact), tuple(globs))

    @classmethod
    def from_file(cls, path: str | Path, name: str | None = None) -> DomainList:
        p = Path(path)
        return cls.from_text(p.read_text(encoding="utf-8"), name or p.stem)

    def match(self, domain: str) -> str | None:
        """The entry that covers ``domain`` (the matched parent domain for exact ones)."""
        if domain in self._seen:
            return self._seen[domain]
        found = self._match(domain)
        self._seen[domain] = found
        return found

    def _match(self, domain: str) -> str | None:
        for candidate in parent_domains(domain):
            if candidate in self.exact:
                return candidate
            if "." not in candidate:
                break
            for glob in self.globs:
                if not fnmatchcase(candidate, glob):
                    continue
                if glob.endswith(".*") and not _SUFFIX.fullmatch(candidate[len(glob) - 1 :]):
                    continue  # "live.*" is live.com or live.co.uk, not live.intel.com
                return glob[2:] if glob.startswith("*.") else candidate
        return None
