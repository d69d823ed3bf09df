"""Identities: which addresses belong to one person, and which senders are bots.

Input is what the ``messages`` table gives per distinct sender: ``(from_name,
from_email)`` with a message count and first/last dates, plus optionally git's
``.mailmap`` and a lorelens alias file. Addresses are merged (union-find) when

- a ``.mailmap`` line maps one onto another (``mailmap:LINE``),
- an alias-file line lists them together (``alias:FILE:LINE``),
- their display names normalise to the same key (``same-name:KEY``): NFKD, accents and
  case folded, "Last, First" turned round, initials and bracketed notes dropped, tokens
  sorted (so "Melin Tomas" is "Tomas Melin"). Names that are one token, placeholders
  ("root", "unknown", "linux"…) or listed as ``nomerge`` in the alias file never merge.

Bots never merge by name. The person id is the person's most used address.

Alias file format (one person a line, ``#`` comments)::

    alice@example.org  alice@corp.example  a.smith@old.example
    nomerge: Wei Liu          # two different people share this name: don't merge by name
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from fnmatch import translate
from functools import cached_property, lru_cache
from pathlib import Path
from typing import cast

from core.errors import ConfigError
from ingest.enrich.emails import normalise_email

DATA_DIR = Path(__file__).with_name("data")

#: Display names that are placeholders, not persons: never merged by name.
PLACEHOLDER_NAMES = frozenset(
    [
        "root",
        "admin",
        "administrator",
        "unknown",
        "user",
        "nobody",
        "none",
        "null",
        "test",
        "tester",
        "linux",
        "kernel",
        "developer",
        "dev",
        "info",
        "support",
        "noreply",
        "mail",
        "postmaster",
        "webmaster",
        "daemon",
        "system",
        "anonymous",
        "guest",
        "owner",
        "maintainer",
        "maintainers",
        "team",
        "bot",
        "robot",
    ]
)


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[1].lower() if "@" in email else ""


_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|<[^>]*>|\{[^}]*\}")
_NON_WORD = re.compile(r"[^\w\s'-]+|_")


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """NFKD, strip combining marks, casefold."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold().replace("ß", "ss")


def name_tokens(name: str | None) -> list[str]:
    """Folded tokens of a display name, "Last, First" turned round, notes dropped.

    Notes are bracketed parts ("(Google)"), what follows a "/" and, when the part before
    a comma has several words, what follows the comma ("Jane Doe, Example Corp").
    """
    if not name:
        return []
    text = _BRACKETS.sub(" ", name).strip().strip("\"'").strip()
    if "@" in text:  # "alice@example.org" used as a name
        return []
    text = text.split("/", 1)[0]  # "Bonnie Lo/WYHQ/Wiwynn" (Lotus Notes style)
    if "," in text:
        before, after = (p.strip() for p in text.split(",", 1))
        # "Roeck, Guenter" → "Guenter Roeck"; "Jorge Ramirez-Ortiz, Foundries" → a note
        text = f"{after} {before}" if len(before.split()) == 1 else before
    text = fold(text)
    text = _NON_WORD.sub(" ", text).replace("-", " ").replace("'", "")
    return text.split()


@lru_cache(maxsize=1 << 16)
def name_key(name: str | None) -> str | None:
    """The key under which addresses merge by name, or None if this name must not merge.

    Memoised: the same few thousand names are asked about for every trailer."""
    tokens = name_tokens(name)
    if any(t in PLACEHOLDER_NAMES for t in tokens):
        return None
    words = [t for t in tokens if len(t) > 1 and not t.isdigit()]  # drop initials, numbers
    if len(words) < 2 or sum(len(w) for w in words) < 5:
        return None
    return " ".join(sorted(words))


@dataclass(frozen=True)
class AddressStat:
    """One distinct (from_name, from_email) of the messages table."""

    name: str | None
    email: str
    messages: int = 1
    first: datetime | None = None
    last: datetime | None = None


@dataclass(frozen=True)
class Person:
    person_id: str  # the most used address
    name: str | None  # the most used display name
    emails: tuple[str, ...]
    messages: int
    first: datetime | None
    last: datetime | None
    is_bot: bool


@dataclass(frozen=True)
class Identity:
    email: str
    person_id: str
    reason: str  # why this address is in that person: self, same-name:KEY, mailmap:N, alias:F:N


@dataclass(frozen=True)
class Identities:
    people: tuple[Person, ...]
    identities: tuple[Identity, ...]
    _by_email: dict[str, Identity] = field(repr=False, compare=False, default_factory=dict)
    _by_id: dict[str, Person] = field(repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._by_email.update((i.email, i) for i in self.identities)
        self._by_id.update((p.person_id, p) for p in self.people)

    def person_id(self, email: str) -> str:
        """The person of an address; an address never seen is its own person."""
        e = normalise_email(email)
        hit = self._by_email.get(e)
        return hit.person_id if hit else e

    def person(self, email: str) -> Person | None:
        return self._by_id.get(self.person_id(email))

    def addresses(self, email: str) -> tuple[str, ...]:
        p = self.person(email)
        return p.emails if p else (normalise_email(email),)


# --- bots ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BotRules:
    address_globs: tuple[str, ...]
    name_patterns: tuple[re.Pattern[str], ...]
    # bots that send from a person's address are known by their Message-IDs
    message_id_globs: tuple[str, ...] = ()

    @classmethod
    def from_text(cls, text: str) -> BotRules:
        globs, names, mids = [], [], []
        for lineno, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            kind, _, value = line.partition(" ")
            if kind == "address":
                globs.append(value.strip().lower())
            elif kind == "name":
                names.append(re.compile(value.strip(), re.IGNORECASE))
            elif kind == "message-id":
                mids.append(value.strip().lower())
            else:
                raise ConfigError(
                    f"bots:{lineno}: expected 'address GLOB', 'name REGEX' or 'message-id GLOB'")
        return cls(tuple(globs), tuple(names), tuple(mids))

    @cached_property
    def _address_re(self) -> re.Pattern[str] | None:
        return _globs_re(self.address_globs)

    @cached_property
    def _message_id_re(self) -> re.Pattern[str] | None:
        return _globs_re(self.message_id_globs)

    def is_bot_message(self, message_id: str) -> bool:
        return bool(self._message_id_re and self._message_id_re.match(message_id.lower()))

    @classmethod
    def builtin(cls) -> BotRules:
        return _builtin_bots()

    def is_bot(self, name: str | None, email: str | None) -> bool:
        addr = (email or "").strip().lower()
        if addr and self._address_re and self._address_re.match(addr):
            return True
        nm = " ".join((name or "").split()).strip("\"'")
        return bool(nm) and any(p.fullmatch(nm) for p in self.name_patterns)


def _globs_re(globs: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for many fnmatch globs (each translated whole: ``fnmatchcase``)."""
    return re.compile("|".join(translate(g) for g in globs)) if globs else None


@lru_cache(maxsize=1)
def _builtin_bots() -> BotRules:
    return BotRules.from_text((DATA_DIR / "bots.txt").read_text(encoding="utf-8"))


def is_bot(name: str | None, email: str | None, rules: BotRules | None = None) -> bool:
    """True for automated senders (patchwork-bot, lkp, syzbot, kernelci, tip-bot…)."""
    return (rules or BotRules.builtin()).is_bot(name, email)


# --- .mailmap and alias files ---------------------------------------------------------

_MAILMAP = re.compile(r"^\s*([^<#]*?)\s*<([^>]*)>\s*(?:([^<#]*?)\s*<([^>]*)>)?\s*(?:#.*)?$")


@dataclass(frozen=True)
class MailmapEntry:
    proper_name: str | None
    proper_email: str | None
    commit_name: str | None
    commit_email: str
    line: int


def parse_mailmap(text: str) -> list[MailmapEntry]:
    """git's .mailmap forms: ``Name <proper>``, ``<proper> <commit>``,
    ``Name <proper> <commit>``, ``Name <proper> Other <commit>``."""
    out = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        m = _MAILMAP.match(raw)
        if not m:
            continue
        pname, first, cname, second = (g.strip() if g else g for g in m.groups())
        if second is None:  # "Proper Name <commit@email>": a name fix only
            out.append(MailmapEntry(pname or None, None, None, normalise_email(first), lineno))
        else:
            out.append(
                MailmapEntry(
                    pname or None,
                    normalise_email(first) if first else None,
                    cname or None,
                    normalise_email(second),
                    lineno,
                )
            )
    return out


@dataclass(frozen=True)
class AliasFile:
    groups: tuple[tuple[tuple[str, ...], str], ...]  # (addresses, "alias:FILE:LINE")
    nomerge: frozenset[str]  # name keys that must not merge by name

    @classmethod
    def from_text(cls, text: str, source: str = "aliases") -> AliasFile:
        groups, nomerge = [], set()
        for lineno, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if line.lower().startswith("nomerge:"):
                key = name_key(line.split(":", 1)[1])
                if key:
                    nomerge.add(key)
                continue
            addrs = tuple(normalise_email(a) for a in line.replace(",", " ").split())
            if not all("@" in a for a in addrs):
                raise ConfigError(f"{source}:{lineno}: expected addresses, got {raw!r}")
            groups.append((addrs, f"alias:{source}:{lineno}"))
        return cls(tuple(groups), frozenset(nomerge))

    @classmethod
    def from_file(cls, path: str | Path) -> AliasFile:
        p = Path(path)
        return cls.from_text(p.read_text(encoding="utf-8"), p.name)


# --- merging ------------------------------------------------------------------------


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def resolve_identities(
    stats: Iterable[AddressStat],
    mailmap: Iterable[MailmapEntry] = (),
    aliases: AliasFile | None = None,
    bots: BotRules | None = None,
) -> Identities:
    """Group addresses into persons."""
    bots = bots or BotRules.builtin()
    per_email: dict[str, list[AddressStat]] = {}
    for s in stats:
        per_email.setdefault(normalise_email(s.email), []).append(s)

    uf = _UnionFind()
    why: dict[str, str] = {}
    for e in per_email:
        uf.find(e)
    for m in mailmap:
        if m.proper_email and m.proper_email != m.commit_email:
            uf.union(m.proper_email, m.commit_email)
            why.setdefault(m.commit_email, f"mailmap:{m.line}")
            why.setdefault(m.proper_email, f"mailmap:{m.line}")
    for addrs, reason in aliases.groups if aliases else ():
        for a in addrs:
            uf.union(addrs[0], a)
            why.setdefault(a, reason)

    bot_emails = {e for e, rows in per_email.items() if any(bots.is_bot(r.name, e) for r in rows)}
    nomerge = aliases.nomerge if aliases else frozenset()
    by_key: dict[str, str] = {}
    for e, rows in sorted(per_email.items()):
        if e in bot_emails:
            continue
        # sorted: a set's order changes with each process's string hashing, and the
        # reason recorded below must not
        keys = {name_key(r.name) for r in rows} - {None} - nomerge
        for key in sorted(cast("set[str]", keys)):  # (None taken out)
            if key in by_key and uf.find(by_key[key]) != uf.find(e):
                uf.union(by_key[key], e)
                why.setdefault(e, f"same-name:{key}")
                why.setdefault(by_key[key], f"same-name:{key}")
            by_key.setdefault(key, e)

    members: dict[str, list[str]] = {}
    for e in uf.parent:
        members.setdefault(uf.find(e), []).append(e)

    people: list[Person] = []
    identities: list[Identity] = []
    for group in members.values():
        rows = [r for e in group for r in per_email.get(e, [])]
        count = {e: sum(r.messages for r in per_email.get(e, [])) for e in group}
        pid = max(sorted(group), key=lambda e: count[e])
        names: dict[str, int] = {}
        for r in rows:
            if r.name:
                names[r.name] = names.get(r.name, 0) + r.messages
        firsts = [r.first for r in rows if r.first]
        lasts = [r.last for r in rows if r.last]
        people.append(
            Person(
                person_id=pid,
                name=max(sorted(names), key=lambda n: names[n]) if names else None,
                emails=tuple(sorted(group, key=lambda e: (-count[e], e))),
                messages=sum(count.values()),
                first=min(firsts) if firsts else None,
                last=max(lasts) if lasts else None,
                is_bot=any(e in bot_emails for e in group),
            )
        )
        identities.extend(
            Identity(e, pid, "self" if len(group) == 1 else why.get(e, "self")) for e in group
        )
    people.sort(key=lambda p: p.person_id)
    identities.sort(key=lambda i: i.email)
    return Identities(tuple(people), tuple(identities))
