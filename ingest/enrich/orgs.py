"""Organisation kind of a person at a date, with the rule that decided it.

Rules, first match wins (see docs/organisations.md):

1. user override file                        ``override:FILE:LINE``
2. per-address map entries (dated or not)    ``address-map[-until]:SRC:LINE``
3. domain maps, parent domains, end dates    ``domain-map[-until]:SRC:LINE``
4. built-in academic domains and suffixes    ``academic-domain:ac.uk``
5. the same person's other addresses         ``other-address:alice@corp.example``
6. a corporate Signed-off-by of the sender   ``signed-off-by:alice@corp.example``
   an employer noted in the address's own display name  ``name-note:(Example Corp)``
7. free-mail / personal providers            ``freemail:gmail.com``
   a personal domain named after its only user  ``personal-domain:roeck-us.net``
8. otherwise unknown                         ``community-domain:kernel.org`` / ``no-evidence``

Rules 1–4 look at the address alone ("direct"); 5–6 borrow a direct corporate or
academic attribution of another address of the same person, valid within
``margin`` of when that address was used (or the Signed-off-by was given). The
name-note part of rule 6 reads the kernel habit of naming one's employer in brackets
(``Peter Zijlstra (Intel) <peterz@infradead.org>``): the note counts only when it is an
employer name of a domain map, within ``margin`` of the From header or trailer using it.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_MARGIN",
    "Affiliation",
    "Attribution",
    "BuiltinLists",
    "OrgKind",
    "OrgResolver",
    "Override",
    "Signoff",
    "load_overrides",
    "parse_overrides",
]

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .domainmap import DomainList, DomainMap, EntryKind
from .emails import normalise_email as _norm
from .orgtypes import (
    Affiliation,
    Attribution,
    OrgKind,
    Override,
    Signoff,
    load_overrides,
    parse_overrides,
)
from .people import AddressStat, BotRules, Identities, email_domain, fold, name_key, name_tokens

DATA_DIR = Path(__file__).with_name("data")
DEFAULT_MARGIN = timedelta(days=180)
_FAR_PAST = datetime(1970, 1, 1, tzinfo=UTC)
_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)
_ACADEMIC_NAME = re.compile(
    r"universit|universidad|universidade|hochschule|college|polytechnic|politecnico"
    r"|institute of technology|ecole|hogskolan|academy of sciences"
)


@dataclass(frozen=True)
class BuiltinLists:
    domain_map: DomainMap
    freemail: DomainList
    academic: DomainList
    community: DomainList

    @classmethod
    def load(cls, data_dir: Path = DATA_DIR) -> BuiltinLists:
        return cls(
            DomainMap.from_file(data_dir / "domain-map", "lorelens-domain-map"),
            DomainList.from_file(data_dir / "freemail.txt", "freemail"),
            DomainList.from_file(data_dir / "academic.txt", "academic"),
            DomainList.from_file(data_dir / "community.txt", "community"),
        )


_STRONG = (OrgKind.CORPORATE, OrgKind.ACADEMIC)
_NOTE = re.compile(r"\(([^()]{2,60})\)")
_GENERIC_SLD = frozenset(
    ["com", "co", "net", "org", "ac", "edu", "gov", "id", "ne", "or", "me", "name", "info"]
)
_ROLE_LOCALS = frozenset(
    [
        "postmaster",
        "info",
        "admin",
        "webmaster",
        "noreply",
        "no-reply",
        "support",
        "sales",
        "office",
        "mail",
        "root",
    ]
)


@dataclass(frozen=True)
class _Evidence:
    start: datetime  # the window, margin included
    end: datetime  # exclusive
    used_from: datetime  # when the evidence itself was seen
    used_to: datetime
    attribution: Attribution
    weight: int

    def distance(self, at: datetime | None) -> timedelta:
        if at is None:
            return _FAR_FUTURE - self.used_to
        if at < self.used_from:
            return self.used_from - at
        return at - self.used_to if at > self.used_to else timedelta(0)


def _institution(domain: str, matched: str) -> str:
    """``cs.ox.ac.uk`` under ``ac.uk`` → ``ox.ac.uk``; a whole matched domain as is."""
    if domain == matched or not domain.endswith("." + matched):
        return matched
    return domain[: -len(matched) - 1].rsplit(".", 1)[-1] + "." + matched


def _best(evidence: list[_Evidence], at: datetime | None) -> _Evidence:
    """Other addresses before trailers, then the nearest in time, the most used."""
    return min(
        evidence,
        key=lambda e: (
            e.attribution.rule != "other-address",
            e.distance(at),
            -e.weight,
            e.attribution.reason,
        ),
    )


class OrgResolver:
    """Attribute addresses to organisation kinds. Built once, then only read.

    ``maps`` are in priority order (the first map that has a key decides it); the
    built-in map is appended last unless ``builtin_map`` is False. ``stats`` give each
    address's names, message count and first/last dates (the "period" of rule 5).
    """

    def __init__(
        self,
        maps: Iterable[DomainMap] = (),
        *,
        overrides: Iterable[Override] = (),
        identities: Identities | None = None,
        stats: Iterable[AddressStat] = (),
        signoffs: Iterable[Signoff] = (),
        lists: BuiltinLists | None = None,
        builtin_map: bool = True,
        margin: timedelta = DEFAULT_MARGIN,
        bots: BotRules | None = None,
    ) -> None:
        self.lists = lists or BuiltinLists.load()
        self.bots = bots or BotRules.builtin()
        all_maps = list(maps) + ([self.lists.domain_map] if builtin_map else [])
        self.domain_map = DomainMap.merge(*all_maps)
        self.overrides = tuple(overrides)
        self.identities = identities
        self.stats = tuple(stats)
        self.margin = margin
        self._signoffs: dict[str, list[Signoff]] = {}
        for so in signoffs:
            self._signoffs.setdefault(_norm(so.email), []).append(so)
        self._names: dict[str, set[str]] = {}
        self._spans: dict[str, tuple[datetime | None, datetime | None, int]] = {}
        for s in self.stats:
            e = _norm(s.email)
            if s.name:
                self._names.setdefault(e, set()).add(s.name)
            first, last, n = self._spans.get(e, (None, None, 0))
            first = min((d for d in (first, s.first) if d), default=None)
            last = max((d for d in (last, s.last) if d), default=None)
            self._spans[e] = (first, last, n + s.messages)
        # employer notes in display names: (note, first, last, weight) per address, from
        # the From headers (the name/address pair's period) and from trailers naming it
        self._notes: dict[str, list[tuple[str, datetime | None, datetime | None, int]]] = {}
        for s in self.stats:
            for note in _NOTE.findall(s.name or ""):
                self._notes.setdefault(_norm(s.email), []).append(
                    (note.strip(), s.first, s.last, s.messages)
                )
        for so in signoffs:
            for note in _NOTE.findall(so.signoff_name or "") if so.date else ():
                self._notes.setdefault(_norm(so.signoff_email), []).append(
                    (note.strip(), so.date, so.date, 1)
                )
        self._domain_users: dict[str, set[str]] = {}
        for e in self._spans:
            self._domain_users.setdefault(email_domain(e), set()).add(self._person(e))
        self._evidence: dict[str, list[_Evidence]] = {}  # memos: filled on first use
        self._bot: dict[str, bool] = {}
        self._skip: dict[str, list[str]] = {}

    # -- helpers ----------------------------------------------------------------------

    def _person(self, email: str) -> str:
        return self.identities.person_id(email) if self.identities else email

    def _excluded(self, email: str) -> list[str]:
        """Domains of ``email`` that maps may not name an employer for."""
        if email in self._skip:
            return self._skip[email]
        self._skip[email] = [
            d
            for d in self.domain_map.candidates(email)
            if "@" not in d and (self.lists.freemail.match(d) or self.lists.community.match(d))
        ]
        return self._skip[email]

    def direct(self, email: str, at: datetime | None) -> Attribution | None:
        """Rules 1–4: what the address alone says."""
        email = _norm(email)
        domain = email_domain(email)
        for o in self.overrides:
            if o.covers(email) and o.active(at):
                return Attribution(o.kind, o.org, f"override:{o.source}:{o.line}")
        academic = self.lists.academic.match(domain) if domain else None
        hit = self.domain_map.lookup(email, at, skip=self._excluded(email))
        if hit is not None:
            e = hit.entry
            if e.kind is EntryKind.EMPLOYER:
                is_acad = academic or _ACADEMIC_NAME.search(fold(e.employer))
                kind = OrgKind.ACADEMIC if is_acad else OrgKind.CORPORATE
                return Attribution(kind, e.employer, hit.reason)
            if e.kind is EntryKind.ACADEMIC:
                return Attribution(OrgKind.ACADEMIC, None, hit.reason)
            if not academic:  # "no employer"; CNCF says so of students: academic wins
                return Attribution(OrgKind.INDIVIDUAL, None, hit.reason)
        if academic:
            return Attribution(
                OrgKind.ACADEMIC, _institution(domain, academic), f"academic-domain:{academic}"
            )
        return None

    def _change_points(self, email: str) -> list[datetime]:
        pts = set(self.domain_map.change_dates(email))
        for o in self.overrides:
            if o.covers(email):
                pts.update(d for d in (o.start, o.end) if d)
        return sorted(pts)

    def person_id(self, email: str) -> str:
        return self._person(_norm(email))

    def _own(self, email: str, at: datetime | None) -> Attribution | None:
        """What the address alone says: rules 1–4, then free-mail / personal domain."""
        if (a := self.direct(email, at)) is not None:
            return a
        domain = email_domain(email)
        if free := self.lists.freemail.match(domain):
            return Attribution(OrgKind.INDIVIDUAL, None, f"freemail:{free}")
        if personal := self._personal_domain(email):
            return Attribution(OrgKind.INDIVIDUAL, None, f"personal-domain:{personal}")
        return None

    def _own_periods(self, email: str, first: datetime | None, last: datetime | None):
        """(start, end, attribution) over [first, last] where ``_own`` holds."""
        lo, hi = first or _FAR_PAST, last or _FAR_FUTURE
        cuts = [lo] + [c for c in self._change_points(email) if lo < c <= hi]
        out = []
        for i, c in enumerate(cuts):
            nxt = cuts[i + 1] if i + 1 < len(cuts) else hi
            if (a := self._own(email, c)) is not None and a.kind is not OrgKind.UNKNOWN:
                out.append((c, nxt, a))
        return out

    def _evidence_for(self, email: str) -> list[_Evidence]:
        """Rules 5, 6 and 7b: windows of attributions borrowed for ``email``."""
        if email in self._evidence:
            return self._evidence[email]
        ev: list[_Evidence] = []
        pid = self._person(email)
        for other in self.identities.addresses(email) if self.identities else ():
            if other == email or self._is_bot(other):
                continue
            first, last, n = self._spans.get(other, (None, None, 1))
            for start, end, a in self._own_periods(other, first, last):
                ev.append(self._window(start, end, a, f"other-address:{other}", n))
        my_names = {name_key(n) for n in self._names.get(email, ())} - {None}
        for so in self._signoffs.get(email, ()):
            other = _norm(so.signoff_email)
            key = name_key(so.signoff_name)
            same = self._person(other) == pid or (
                key is not None and key in (my_names | {name_key(so.sender_name)})
            )
            if other == email or not same:
                continue
            a = self.direct(other, so.date)
            if a is not None and a.kind in _STRONG:
                reason = f"{so.trailer.lower()}:{other}"
                ev.append(self._window(so.date, so.date, a, reason, 1))
        ev.extend(self._note_evidence(email))
        self._evidence[email] = ev
        return ev

    def _note_evidence(self, email: str) -> list[_Evidence]:
        """Rule 6, name notes: ``Jane Doe (Example Corp)`` on this very address."""
        out = []
        for note, first, last, weight in self._notes.get(email, ()):
            entry = self.domain_map.employer_named(note)
            if entry is None:  # "(ThunderTown)", "(H)": not an employer anyone maps
                continue
            domain = entry.key.rsplit("@", 1)[-1]
            academic = self.lists.academic.match(domain) or _ACADEMIC_NAME.search(
                fold(entry.employer)
            )
            kind = OrgKind.ACADEMIC if academic else OrgKind.CORPORATE
            a = Attribution(kind, entry.employer, "")
            out.append(self._window(first, last, a, f"name-note:({note})", weight))
        return out

    def _window(self, start, end, a: Attribution, reason: str, weight: int) -> _Evidence:
        lo = start - self.margin if start and start > _FAR_PAST else _FAR_PAST
        hi = end + self.margin if end and end < _FAR_FUTURE else _FAR_FUTURE
        raw = (start or _FAR_PAST, end or _FAR_FUTURE)
        return _Evidence(lo, hi, raw[0], raw[1], Attribution(a.kind, a.org, reason), weight)

    def _is_bot(self, email: str) -> bool:
        if email not in self._bot:
            self._bot[email] = self._check_bot(email)
        return self._bot[email]

    def _check_bot(self, email: str) -> bool:
        if self.identities is not None and (p := self.identities.person(email)) and p.is_bot:
            return True
        names: Collection[str | None] = self._names.get(email) or {None}
        return any(self.bots.is_bot(n, email) for n in names)

    def _personal_domain(self, email: str) -> str | None:
        """A domain only this person uses, named after them (``roeck-us.net``).

        The domain's labels (less the TLD and generic second levels like ``id.au``)
        must be the person's name tokens plus at most 3 other letters, the local part
        must not be a role (postmaster, info…), and the name must be a full name.
        """
        domain = email_domain(email)
        local = email.split("@", 1)[0]
        if not domain or len(self._domain_users.get(domain, ())) != 1:
            return None
        if local in _ROLE_LOCALS or self.lists.community.match(domain):
            return None
        labels = [x for x in domain.split(".")[:-1] if x not in _GENERIC_SLD]
        label = re.sub(r"[^a-z]", "", fold("".join(labels)))
        names = set(self._names.get(email, ()))
        if self.identities is not None and (p := self.identities.person(email)) and p.name:
            names.add(p.name)
        for n in names:
            if name_key(n) is None:
                continue
            rest = label
            for t in sorted(name_tokens(n), key=len, reverse=True):
                if len(t) >= 4 and t in rest:
                    rest = rest.replace(t, "", 1)
            if rest != label and len(rest) <= 3:
                return domain
        return None

    # -- the rules --------------------------------------------------------------------

    def attribute(self, email: str, at: datetime | None = None) -> Attribution:
        """The organisation kind of ``email`` at ``at`` (None: now)."""
        email = _norm(email)
        if self._is_bot(email):
            return Attribution(OrgKind.UNKNOWN, None, "bot")
        a = self.direct(email, at)
        if a is not None:
            return a
        live = [e for e in self._evidence_for(email) if at is None or e.start <= at < e.end]
        strong = [e for e in live if e.attribution.kind in _STRONG]
        if strong:
            return _best(strong, at).attribution
        own = self._own(email, at)
        if own is not None:
            return own
        if live:  # another address of the person is personal at that time
            return _best(live, at).attribution
        if community := self.lists.community.match(email_domain(email)):
            return Attribution(OrgKind.UNKNOWN, None, f"community-domain:{community}")
        return Attribution(OrgKind.UNKNOWN, None, "no-evidence")

    def affiliations(self, emails: Iterable[str] | None = None) -> list[Affiliation]:
        """Time-ranged rows per address (default: every address in ``stats``)."""
        rows = []
        for email in sorted({_norm(e) for e in (emails or self._spans)}):
            first, last, _ = self._spans.get(email, (None, None, 0))
            cuts = set(self._change_points(email))
            for e in self._evidence_for(email):
                cuts.update(d for d in (e.start, e.end) if d not in (_FAR_PAST, _FAR_FUTURE))
            points = [
                c for c in sorted(cuts) if (not first or c > first) and (not last or c <= last)
            ]
            probes = [first or _FAR_PAST, *points]
            current: list[tuple[datetime | None, Attribution]] = []
            for i, p in enumerate(probes):
                a = self.attribute(email, p)
                if current and current[-1][1] == a:
                    continue
                current.append((p if i else None, a))
            for i, (start, a) in enumerate(current):
                end = current[i + 1][0] if i + 1 < len(current) else None
                rows.append(
                    Affiliation(self._person(email), email, a.kind, a.org, start, end, a.reason)
                )
        return rows
