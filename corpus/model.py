"""The small typed model of the corpus generator: who exists, and what each mail is.

Everything planted is described by these types; ``truth.py`` turns them into JSON.
Times are integer seconds since the Unix epoch, UTC (the generator never reads a clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

#: The corpus covers 2024-01-01 00:00 UTC up to (not including) 2025-01-01 00:00 UTC.
START_TS = 1704067200
END_TS = 1735689600
DAY = 86400
HOUR = 3600

#: The two lists; a cross-posted mail lives in both inboxes with one Message-ID.
LIST_HOST = "vger.example.org"
LISTS = ("linux-frob", "linux-widget")


def list_address(name: str) -> str:
    return f"{name}@{LIST_HOST}"


class OrgKind(StrEnum):
    CORPORATE = "corporate"
    INDIVIDUAL = "individual"
    ACADEMIC = "academic"
    UNKNOWN = "unknown"


class Reason(StrEnum):
    """How an ingester is expected to infer an affiliation (docs/organisations.md: every
    attribution records why)."""

    DOMAIN_MAP = "domain-map"  # a `domain Employer` line
    DATED_MAP = "domain-map-dated"  # an `addr Employer < YYYY-MM-DD` line and its successor
    NO_EMPLOYER_MAP = "domain-map-none"  # the map says `(None)`: an explicit individual
    OTHER_ADDRESS = "other-address"  # the same person posts from a mapped corporate address
    SIGNED_OFF_BY = "signed-off-by"  # free-mail From:, corporate Signed-off-by in the patches
    FREE_MAIL = "free-mail"  # gmail-like address and no employer evidence
    ACADEMIC_DOMAIN = "academic-domain"  # .edu / .ac.uk style domain
    NONE = "none"  # nothing to go on: unknown
    BOT = "bot"


@dataclass(frozen=True, slots=True)
class Org:
    name: str
    kind: OrgKind
    domain: str


@dataclass(frozen=True, slots=True)
class Affiliation:
    kind: OrgKind
    org: str | None  # employer name (corporate, academic) or None
    valid_from: int | None  # None: before the corpus starts
    valid_to: int | None  # None: still valid at the corpus end
    reason: Reason


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str  # display name as in From: (unicode)
    addresses: tuple[str, ...]  # first is the usual posting address
    affiliations: tuple[Affiliation, ...]
    is_bot: bool = False
    newcomer: bool = False  # first patch planted in the second half of the corpus
    active_from: int = START_TS  # earliest posting time
    sob_address: str | None = None  # address used in Signed-off-by when not the From:
    alt_names: tuple[str, ...] = ()
    weight: float = 1.0  # how often this person posts
    moves: tuple[tuple[int, str], ...] = ()  # (from time, posting address) after a move
    # post from addresses[1] in every N-th 30-day period (0: never) — a maintainer with a
    # kernel.org address who also writes from his employer's address now and then
    alternate_every: int = 0

    def affiliation_at(self, ts: int) -> Affiliation:
        for aff in self.affiliations:
            if (aff.valid_from is None or ts >= aff.valid_from) and (
                aff.valid_to is None or ts < aff.valid_to
            ):
                return aff
        return self.affiliations[-1]

    def address_at(self, ts: int) -> str:
        """The posting address at a time (people who change employer change address)."""
        addr = self.addresses[0]
        if self.alternate_every and (ts // (30 * DAY)) % self.alternate_every == 0:
            addr = self.addresses[1]
        for since, moved in self.moves:
            if ts >= since:
                addr = moved
        return addr


@dataclass(frozen=True, slots=True)
class Section:
    """One MAINTAINERS section, and how the planted scenario treats it."""

    name: str
    maintainers: tuple[str, ...]  # person ids (M:)
    reviewers: tuple[str, ...]  # person ids (R:)
    lists: tuple[str, ...]  # list addresses (L:)
    status: str  # S:
    files: tuple[str, ...]  # F:
    excludes: tuple[str, ...] = ()  # X:
    regexes: tuple[str, ...] = ()  # N:
    keywords: tuple[str, ...] = ()  # K:
    tree: str | None = None  # T:
    web: str | None = None  # W:
    sample_files: tuple[str, ...] = ()  # concrete files that patches touch
    p_response: float = 0.8  # chance a regular series gets any human answer
    delay_scale: float = 1.0  # multiplies the reply delays
    weight: float = 1.0  # share of regular series


@dataclass(slots=True)
class Mail:
    """One planned mail. ``body`` is the RFC 5322 message from the sender (the list server
    prepends ``Received:`` and the per-list headers when it is archived)."""

    seq: int  # global planning order, breaks ties in archive time
    archive_ts: int  # the archive's receipt time (commit time, From_ line)
    lists: tuple[str, ...]  # list names ('linux-frob', …) whose archives hold it
    mid: str | None  # Message-ID without brackets (None: no Message-ID header)
    sender_name: str  # display name of the sender (commit author)
    from_addr: str
    subject: str  # decoded subject (commit message of the archive)
    date_ts: int | None  # what the Date header says, None when absent or unreadable
    date_tz: str  # offset written in the Date header, e.g. '+0100' (may be absurd)
    body: bytes  # headers after Received/List-*, blank line, body
    truth: tuple = ()  # (messages[] entry, thread root, person, kind, date, duplicate)
    deleted_at: int | None = None  # v2 only: removed again (file `d`) at this time


@dataclass(frozen=True, slots=True)
class SampleSummary:
    """What ``write_sample`` wrote."""

    out_dir: Path
    seed: int
    scale: int
    formats: tuple[str, ...]
    inboxes: dict[str, Path]  # list name -> v2 inbox dir
    v1_repos: dict[str, Path]
    mboxes: dict[str, Path]
    maildirs: dict[str, Path]
    maintainers: Path
    domain_map: Path
    truth: Path
    kernel_git: Path | None
    messages: int  # distinct Message-IDs (the no-Message-ID mail counts once)
    threads: int
    series: int
    patches: int
    epochs: dict[str, int]  # list name -> number of v2 epochs
