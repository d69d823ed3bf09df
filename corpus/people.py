"""The cast: organisations, planted people with known affiliations, bots, and a seeded
crowd of ordinary contributors; plus the gitdm-style domain map that lets an ingester
infer the organisations again.

All names and company domains are invented (``.example`` domains); the only real-looking
addresses are the well-known bots and the free-mail / kernel.org domains whose meaning
the analysis depends on.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass

from corpus.cast import (
    _CORP_WEIGHTS,
    _FIXED,
    _NON_ASCII,
    ACAD,
    APRIL_2024,
    BOTS,
    CORP,
    FIRST,
    FREE_MAIL,
    INDIV,
    LAST,
    ORGS,
    SPAMMER,
    UNK,
    UNKNOWN_DOMAINS,
    A,
)
from corpus.model import DAY, END_TS, START_TS, Person, Reason


@dataclass
class Cast:
    """Everyone, plus fast weighted choice among the ordinary contributors."""

    people: dict[str, Person]
    crowd: list[Person]  # ordinary contributors and reviewers (no bots, no spammer)
    cum_weights: list[float]

    def pick(self, rng: random.Random, ts: int) -> Person:
        total = self.cum_weights[-1]
        for _ in range(8):
            p = self.crowd[bisect.bisect_right(self.cum_weights, rng.random() * total)]
            if p.active_from <= ts:
                return p
        return self.people["p-valdane"]

    def bot(self, pid: str) -> Person:
        return self.people[pid]


def _address(rng: random.Random, first: str, last: str, domain: str, n: int, used: set[str]) -> str:
    """A fresh address for a person: one of four local-part styles at random (free mail:
    ``first.last<n>``).  Real mail systems never give two people one address, so on a clash
    with an address in ``used`` the other styles are tried in order, then a digit is added.
    The random stream is the same either way (one draw), so a clash changes nothing else.
    The result is added to ``used``."""
    f = first.lower().replace(" ", "")
    la = last.lower().replace(" ", "")
    style = rng.randrange(4)
    styles = (f"{f}.{la}", f"{f[0]}{la}", f"{f}", f"{la}.{f[0]}")
    if domain in FREE_MAIL:
        candidates = [f"{f}.{la}{n % 97}", f"{f}.{la}{n}"]
    else:
        candidates = [styles[(style + k) % 4] for k in range(4)]
    candidates += [f"{candidates[0]}{k}" for k in range(2, 100)]
    for local in candidates:
        addr = f"{local}@{domain}"
        if addr not in used:
            used.add(addr)
            return addr
    raise AssertionError(f"no free address for {first} {last} at {domain}")


def _ascii(name: str) -> str:
    return name.encode("ascii", "ignore").decode().lower() or "user"


def build_cast(rng: random.Random, n_people: int) -> Cast:
    """The fixed cast plus ``n_people`` seeded contributors."""
    people: dict[str, Person] = {p.id: p for p in (*_FIXED, *BOTS, SPAMMER)}
    crowd: list[Person] = [p for p in _FIXED]
    combos = list(itertools.product(range(len(FIRST)), range(len(LAST))))
    picked = rng.sample(combos, min(n_people, len(combos)))
    vanity_n = 0
    # every address already taken (fixed cast, bots, spammer); compared case-insensitively
    used = {
        a.lower()
        for p in people.values()
        for a in (*p.addresses, *(m[1] for m in p.moves), p.sob_address)
        if a is not None
    }
    for i, (fi, li) in enumerate(picked):
        first, last = FIRST[fi], LAST[li]
        name = f"{first} {last}"
        if i < len(_NON_ASCII) and i % 2 == 0:
            name = _NON_ASCII[i // 2 % len(_NON_ASCII)]
            first, last = _ascii(name.split()[0]), _ascii(name.split()[-1])
        r = rng.random()
        moves: tuple[tuple[int, str], ...] = ()
        if r < 0.58:
            org = rng.choices(ORGS[:9], weights=_CORP_WEIGHTS)[0]
            addrs: tuple[str, ...] = (_address(rng, first, last, org.domain, i, used),)
            reason = Reason.DOMAIN_MAP
            if org.domain == "massive-dynamic.example":
                affs: tuple[A, ...] = (
                    A(CORP, org.name, None, APRIL_2024, Reason.DATED_MAP),
                    A(CORP, "Globex Corporation", APRIL_2024, None, Reason.DATED_MAP),
                )
            else:
                affs = (A(CORP, org.name, None, None, reason),)
            if rng.random() < 0.12:  # also posts from a free-mail address
                addrs = (*addrs, _address(rng, first, last, "gmail.com", i, used))
        elif r < 0.74:
            addrs = (_address(rng, first, last, rng.choice(FREE_MAIL), i, used),)
            affs = (A(INDIV, None, None, None, Reason.FREE_MAIL),)
        elif r < 0.78:
            vanity_n += 1
            addrs = (f"{first.lower()}@{last.lower()}{vanity_n}.example",)
            used.add(addrs[0])
            affs = (A(INDIV, None, None, None, Reason.NO_EMPLOYER_MAP),)
        elif r < 0.87:
            org = rng.choice(ORGS[9:])
            addrs = (_address(rng, first, last, org.domain, i, used),)
            affs = (A(ACAD, org.name, None, None, Reason.ACADEMIC_DOMAIN),)
        else:
            addrs = (_address(rng, first, last, rng.choice(UNKNOWN_DOMAINS), i, used),)
            affs = (A(UNK, None, None, None, Reason.NONE),)
        active_from = START_TS
        newcomer = False
        if rng.random() < 0.18:
            newcomer = True
            active_from = rng.randrange(START_TS + 183 * DAY, END_TS - 20 * DAY)
        weight = min(40.0, rng.paretovariate(1.3))
        p = Person(
            f"p{i:05d}",
            name,
            addrs,
            affs,
            newcomer=newcomer,
            active_from=active_from,
            weight=weight,
            moves=moves,
        )
        people[p.id] = p
        crowd.append(p)
    cum = list(itertools.accumulate(p.weight for p in crowd))
    return Cast(people, crowd, cum)


def address_reason(person: Person, addr: str) -> str:
    """How an ingester should attribute mail from ``addr`` (the ``inferred_via`` field)."""
    if person.is_bot:
        return Reason.BOT.value
    domain = addr.rsplit("@", 1)[1]
    aff = person.affiliations[-1]
    if domain == "kernel.org" or (domain in FREE_MAIL and aff.kind is CORP):
        if aff.reason in (Reason.DATED_MAP, Reason.SIGNED_OFF_BY):
            return aff.reason.value
        return Reason.OTHER_ADDRESS.value
    return aff.reason.value if aff.reason is not Reason.OTHER_ADDRESS else "domain-map"


def domain_map(cast: Cast) -> str:
    """The gitdm-style map: ``domain-or-address<TAB>Employer [< YYYY-MM-DD]``."""
    lines = [
        "# Domain and address to employer map for the lorelens sample corpus.",
        "# Format as in gitdm's domain-map / email-map: <domain or address> <employer>,",
        "# optionally '< YYYY-MM-DD': the employer applies before that date only; the next",
        "# line for the same key applies after it.  '(None)' means no employer (hobbyist).",
        "",
    ]
    for org in ORGS:
        if org.kind is not CORP:
            continue
        if org.domain == "massive-dynamic.example":
            lines.append(f"{org.domain}\tMassive Dynamic < 2024-04-01")
            lines.append(f"{org.domain}\tGlobex Corporation")
        else:
            lines.append(f"{org.domain}\t{org.name}")
    lines.append("")
    lines.append("# Explicit individuals (personal domains)")
    vanity = sorted(
        {
            a.rsplit("@", 1)[1]
            for p in cast.people.values()
            if p.affiliations[-1].reason is Reason.NO_EMPLOYER_MAP
            for a in p.addresses
        }
    )
    lines.extend(f"{d}\t(None)" for d in vanity)
    lines.append("")
    lines.append("# Addresses whose employer changed")
    lines.append("mirela.c@gmail.com\tHooli < 2024-05-01")
    lines.append("mirela.c@gmail.com\tSoylent Networks")
    return "\n".join(lines) + "\n"
