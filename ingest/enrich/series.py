"""Series and versions: which patches were posted together, and which postings are
versions of one another. Pure functions over message records.

A **series** is one posting of one version: a cover letter (``0/N``) and its patches,
or patches alone. A patch joins the series of the nearest message it is threaded under
(In-Reply-To, then References from the nearest) that is a cover letter or patch of the
same author, version, total, RFC and RESEND flags — the way ``git send-email`` threads a
posting, shallow or deep. A cover letter always starts its own series, so a v2 posted as
a reply to v1 stays apart from it. Patches that are threaded under nothing of theirs join
the nearest earlier cover or ``1/N`` by the same author with the same version and total
posted within an hour (series sent without threading); otherwise they stand alone.

**Versions** are linked per key: b4's ``change-id`` when the posting carries one, else
the author (a person, across addresses) and the normalised subject. Postings of one key
are ordered by version, then time; each points at the latest posting of a lower version
(``prev_series_id``), which in turn points forward (``next_series_id``: it is superseded).
A posting with the same version as an earlier one (a RESEND, or a posting sent twice)
points at it with ``resend_of`` instead: a resend does not supersede the posting it
repeats (an ignored posting that was resent and never followed up is still ignored),
and the next version follows the resend. Every posting of a version lower than the
highest of its key is superseded (docs/metrics.md, "Outcome": ignored means "no later
version").
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ingest.enrich.records import Message

UNTHREADED_WINDOW = dt.timedelta(hours=1)
_MIN = dt.datetime.min.replace(tzinfo=dt.UTC)


@dataclass(slots=True)  # not frozen: one per posting, and frozen is 10× slower to build
class Post:
    """A non-reply message with a PATCH tag: a cover letter or a patch."""

    message_id: str
    author: str  # person id (or address when identities are not known)
    author_email: str | None
    date: dt.datetime | None
    subject: str  # b4's subject without prefixes
    version: int
    counter: int
    total: int
    is_cover: bool
    is_patch: bool
    is_rfc: bool
    is_resend: bool
    in_reply_to: str | None
    references: tuple[str, ...]
    change_id: str | None
    lists: tuple[str, ...]
    branch: str = ""  # stable backports: "AUTOSEL 6.6" or "5.10" from the subject's prefixes


@dataclass(slots=True)
class Series:
    series_id: str  # Message-ID of its cover letter, else of its first patch
    version: int
    author: str
    author_email: str | None
    subject: str
    posted_at: dt.datetime | None
    patch_total: int
    is_rfc: bool
    is_resend: bool
    change_id: str | None
    cover_message_id: str | None
    message_ids: list[str] = field(default_factory=list)  # cover first, then by counter
    patch_ids: list[str] = field(default_factory=list)
    lists: set[str] = field(default_factory=set)
    version_key: str = ""
    prev_series_id: str | None = None
    next_series_id: str | None = None
    resend_of: str | None = None
    later_version: bool = False  # a higher version of the same key exists: superseded
    branch: str = ""  # a stable backport's branch ("" for a review request)


def normalise_subject(subject: str) -> str:
    s = subject.lower().strip()
    s = re.sub(r"\s+", " ", s)
    return s.rstrip(" .")


_STABLE = re.compile(r"^(?:autosel|stable|\d+\.\d+(?:\.\d+|\.y)?)$", re.I)


def backport_branch(prefixes: Sequence[str]) -> str:
    """"AUTOSEL 6.6", "5.10", … from a subject's prefixes: a stable-tree backport (Sasha
    Levin's AUTOSEL picks, Greg KH's stable review postings), not a review request."""
    return " ".join(x for x in prefixes if _STABLE.match(x))


def _shape(p: Post) -> tuple:
    # RFC is left out: a series where only some patches say RFC is still one posting
    return (p.author, p.version, p.total, p.is_resend, p.branch)


THREADED_WINDOW = dt.timedelta(days=14)


def _close(q: Post, p: Post) -> bool:
    """Whether p was sent soon enough after q to belong to the same posting: patches of
    the same shape answering a cover weeks later are a new (partial) posting."""
    return q.date is None or p.date is None or p.date - q.date <= THREADED_WINDOW


def _cover_like(q: Post, p: Post) -> bool:
    """A diffless, unnumbered posting ("[PATCH v3] foo" with the patch sent as a reply to
    it, or "[PATCHv2]" over "[PATCHv2 1/5]"): the cover letter of the patches below it."""
    return (not q.is_patch and not q.is_cover and q.counter <= 1 and q.total <= 1
            and q.author == p.author and q.version == p.version and q.branch == p.branch)


def group_series(posts: Iterable[Post]) -> tuple[dict[str, str], dict[str, Series]]:
    """Assign every post to a series; return (message_id → series_id, series by id)."""
    ordered = sorted(posts, key=lambda p: (p.date is None, p.date or _MIN, p.counter,
                                           p.message_id))
    by_id = {p.message_id: p for p in ordered}
    anchor: dict[str, str] = {}
    # anchors by shape, for unthreaded patches: [(date, message_id, is cover)]
    starts: dict[tuple, list[tuple[dt.datetime | None, str, bool]]] = defaultdict(list)
    counters: dict[str, set[int]] = defaultdict(set)  # counters each anchor already has

    def anchor_of(p: Post) -> str:
        if p.message_id in anchor:
            return anchor[p.message_id]
        if p.is_cover:
            anchor[p.message_id] = p.message_id
            return p.message_id
        found = None
        for cand in (p.in_reply_to, *reversed(p.references)):
            if not cand or cand == p.message_id:
                continue
            q = by_id.get(cand)
            if q is None:
                continue
            if _cover_like(q, p) and q.message_id != p.message_id:
                found = anchor_of(q)
                break
            if _shape(q) != _shape(p) or not _close(q, p):
                continue
            if q.is_cover or q.counter < p.counter:
                found = anchor_of(q)
                break
        if found is None and p.counter >= 1 and p.total > 1:
            # threaded under nothing of its own (sent unthreaded, or in reply to a review
            # of the previous version): the nearest earlier start of the same shape within
            # the hour that does not have this patch number yet; patch 1 only joins a cover
            found = _nearest_start(starts[_shape(p)], p.date, p.counter == 1,
                                   lambda a: p.counter not in counters[a])
        anchor[p.message_id] = found or p.message_id
        counters[anchor[p.message_id]].add(p.counter)
        return anchor[p.message_id]

    for p in ordered:
        a = anchor_of(p)
        if a == p.message_id:
            starts[_shape(p)].append((p.date, p.message_id, p.is_cover))

    series: dict[str, Series] = {}
    for p in ordered:
        sid = anchor[p.message_id]
        s = series.get(sid)
        if s is None:
            head = by_id[sid]
            s = series[sid] = Series(
                series_id=sid,
                version=head.version,
                author=head.author,
                author_email=head.author_email,
                subject=head.subject,
                posted_at=head.date,
                patch_total=head.total,
                is_rfc=head.is_rfc,
                is_resend=head.is_resend,
                change_id=head.change_id,
                cover_message_id=sid if head.is_cover else None,
                branch=head.branch,
            )
        s.message_ids.append(p.message_id)
        if p.is_patch:
            s.patch_ids.append(p.message_id)
        s.lists.update(p.lists)
        if s.change_id is None and p.change_id:
            s.change_id = p.change_id
        s.is_rfc = s.is_rfc or p.is_rfc
        if p.date is not None and (s.posted_at is None or p.date < s.posted_at):
            s.posted_at = p.date
    for s in series.values():
        s.message_ids.sort(key=lambda m: (not by_id[m].is_cover, by_id[m].counter, m))
        s.patch_ids.sort(key=lambda m: (by_id[m].counter, m))
    return anchor, series


def _nearest_start(
    starts: list[tuple[dt.datetime | None, str, bool]],
    when: dt.datetime | None,
    covers_only: bool,
    accepts: Callable[[str], bool],
) -> str | None:
    if when is None:
        return None
    best = None
    for date, mid, is_cover in starts:
        if date is None or date > when or when - date > UNTHREADED_WINDOW:
            continue
        if (covers_only and not is_cover) or not accepts(mid):
            continue
        if best is None or date > best[0]:
            best = (date, mid)
    return best[1] if best else None


def _rank(s: Series) -> tuple[int, int]:
    return (s.version, 0 if s.is_rfc else 1)


def _join_change_id_groups(groups: dict[str, list[Series]]) -> None:
    """b4 adds a change-id from the version it first manages: the earlier versions, sent
    without one, are linked by author and subject. A change-id line whose lowest version
    has the subject of an author|subject line with only lower versions continues it."""
    for key in [k for k in groups if k.startswith("change-id:")]:
        members = groups[key]
        first = min(members, key=_rank)
        plain = f"{first.author}|{normalise_subject(first.subject)}"
        if first.branch:
            plain += f"|{first.branch}"
        earlier = groups.get(plain)
        if earlier and max(_rank(s) for s in earlier) < _rank(first):
            for s in earlier:
                s.version_key = key
            members.extend(earlier)
            del groups[plain]


def link_versions(series: dict[str, Series]) -> None:
    """Fill version_key, prev/next_series_id and resend_of on every series."""
    groups: dict[str, list[Series]] = defaultdict(list)
    for s in series.values():
        if s.change_id:
            s.version_key = f"change-id:{s.change_id}"
        else:
            s.version_key = f"{s.author}|{normalise_subject(s.subject)}"
        if s.branch:  # each stable branch's backports are a line of their own
            s.version_key += f"|{s.branch}"
        groups[s.version_key].append(s)
    _join_change_id_groups(groups)
    for members in groups.values():
        # an RFC ranks below the PATCH posting of the same version number that follows it
        members.sort(key=lambda s: (_rank(s), s.posted_at is None, s.posted_at or _MIN,
                                    s.series_id))
        latest_by_rank: dict[tuple[int, int], Series] = {}
        for s in members:
            same = latest_by_rank.get(_rank(s))
            if same is not None:
                s.resend_of = same.series_id
            else:
                lower = [r for r in latest_by_rank if r < _rank(s)]
                if lower:
                    prev = latest_by_rank[max(lower)]
                    s.prev_series_id = prev.series_id
                    prev.next_series_id = s.series_id
            latest_by_rank[_rank(s)] = s
        top = max(_rank(s) for s in members)
        for s in members:
            s.later_version = _rank(s) < top


def posts_from_rows(rows: Sequence[Message], person_of: dict[str | None, str]) -> list[Post]:
    """Posts from messages (non-reply, PATCH-tagged: covers and patches)."""
    out = []
    for r in rows:
        email = r.from_email
        out.append(Post(
            message_id=r.message_id,
            author=person_of.get(email, email) if email else f"unknown:{r.message_id}",
            author_email=email,
            date=r.date,
            subject=r.subject_base or "",
            version=r.patch_version or 1,
            counter=r.patch_counter if r.patch_counter is not None else 1,
            total=r.patch_total or 1,
            is_cover=r.is_cover,
            is_patch=r.is_patch,
            is_rfc=r.is_rfc,
            is_resend=r.is_resend,
            in_reply_to=r.in_reply_to,
            references=tuple(r.references or ()),
            change_id=r.change_id,
            lists=tuple(r.lists or ()),
            branch=backport_branch(r.prefixes or ()),
        ))
    return out
