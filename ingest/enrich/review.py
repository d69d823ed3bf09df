"""Review events and outcomes per patch and per series. Pure functions.

Definitions (docs/metrics.md):

- The **replies** of a post (cover letter or patch) are the messages in the thread below
  it, not descending into other posts (a later version posted as a reply has replies of
  its own). A series' replies are those of all its posts.
- A **response** is a reply from a person other than the series' author (by identity,
  not address) who is not a bot.
- A **maintainer response** is a response from an ``M:`` or ``R:`` of a MAINTAINERS
  section the series touches.
- A **review** is a response carrying Reviewed-by or Acked-by (Tested-by is kept apart).
- **Outcome**: ``backport`` for stable-tree backports (AUTOSEL picks, stable review
  postings: not review requests), else ``applied`` (a reply says so: "Applied, thanks",
  patchwork-bot's "This series was applied to …"), else ``superseded`` (a later version
  exists), else
  ``ignored`` (no response within 30 days, and observed for 30 days), ``pending`` (no
  response yet, observed for less than 30 days), or ``discussed`` (answered in time, not
  applied, not superseded).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ingest.enrich.series import Series

IGNORED_AFTER = dt.timedelta(days=30)
_MIN = dt.datetime.min.replace(tzinfo=dt.UTC)
REVIEW_KINDS = frozenset({"reviewed-by", "acked-by"})
TESTED_KINDS = frozenset({"tested-by"})


@dataclass(slots=True)  # not frozen: one per message, and frozen is 10× slower to build
class Node:
    message_id: str
    parent: str | None
    date: dt.datetime | None
    person: str | None
    is_bot: bool
    is_post: bool
    applied_notice: str | None


@dataclass(slots=True)
class Events:
    first_response_at: dt.datetime | None = None
    first_response_by: str | None = None
    first_response_id: str | None = None
    first_maintainer_response_at: dt.datetime | None = None
    first_maintainer_response_by: str | None = None
    first_review_at: dt.datetime | None = None
    first_review_by: str | None = None
    first_review_kind: str | None = None
    first_tested_at: dt.datetime | None = None
    applied_at: dt.datetime | None = None
    applied_by: str | None = None
    applied_notice: str | None = None
    n_replies: int = 0
    n_responses: int = 0
    n_bot_replies: int = 0

    def merge(self, other: Events) -> None:
        """Add ``other``'s events: the earlier of each first event, the sums of counts."""
        if _earlier(other.first_response_at, self.first_response_at):
            self.first_response_at = other.first_response_at
            self.first_response_by = other.first_response_by
            self.first_response_id = other.first_response_id
        if _earlier(other.first_maintainer_response_at, self.first_maintainer_response_at):
            self.first_maintainer_response_at = other.first_maintainer_response_at
            self.first_maintainer_response_by = other.first_maintainer_response_by
        if _earlier(other.first_review_at, self.first_review_at):
            self.first_review_at = other.first_review_at
            self.first_review_by = other.first_review_by
            self.first_review_kind = other.first_review_kind
        if _earlier(other.first_tested_at, self.first_tested_at):
            self.first_tested_at = other.first_tested_at
        if other.applied_notice is not None and (
            self.applied_notice is None or _earlier(other.applied_at, self.applied_at)
        ):  # the earliest notice; a dated one before one without a date
            self.applied_at, self.applied_by = other.applied_at, other.applied_by
            self.applied_notice = other.applied_notice
        self.n_replies += other.n_replies
        self.n_responses += other.n_responses
        self.n_bot_replies += other.n_bot_replies


def _earlier(at: dt.datetime | None, than: dt.datetime | None) -> bool:
    """Whether ``at`` is a time before ``than`` (any time is before None)."""
    return at is not None and (than is None or at < than)


class ReplyIndex:
    def __init__(self, nodes: Iterable[Node]) -> None:
        self.nodes = {n.message_id: n for n in nodes}
        self.children: dict[str, list[str]] = defaultdict(list)
        self._replies: dict[str, list[Node]] = {}  # asked for events, then for series ids
        for n in self.nodes.values():
            if n.parent and n.parent != n.message_id:
                self.children[n.parent].append(n.message_id)

    def replies(self, post_id: str) -> list[Node]:
        """Messages below a post, not descending into other posts."""
        if post_id in self._replies:
            return self._replies[post_id]
        out: list[Node] = []
        stack = list(self.children.get(post_id, ()))
        seen = {post_id}
        while stack:
            mid = stack.pop()
            if mid in seen:
                continue
            seen.add(mid)
            node = self.nodes.get(mid)
            if node is None or node.is_post:
                continue
            out.append(node)
            stack.extend(self.children.get(mid, ()))
        self._replies[post_id] = out
        return out


def post_events(
    index: ReplyIndex,
    post_id: str,
    author: str,
    maintainers: frozenset[str],
    tags: dict[str, set[str]],
    appliers: frozenset[str] | None = None,
) -> Events:
    """What happened below one post. An "applied" notice counts from a bot
    (patchwork-bot) or, when ``appliers`` is given (the persons listed ``M:`` or ``R:``
    anywhere in MAINTAINERS), from one of them; from anyone when it is None."""
    ev = Events()
    replies = sorted(index.replies(post_id),
                     key=lambda n: (n.date is None, n.date or _MIN, n.message_id))
    for n in replies:
        ev.n_replies += 1
        if n.applied_notice and ev.applied_notice is None and (
                appliers is None or n.is_bot or n.person in appliers):
            ev.applied_at, ev.applied_by, ev.applied_notice = n.date, n.person, n.applied_notice
        if n.is_bot:
            ev.n_bot_replies += 1
            continue
        if n.person is None or n.person == author or n.date is None:
            continue
        ev.n_responses += 1
        if ev.first_response_at is None:
            ev.first_response_at, ev.first_response_by = n.date, n.person
            ev.first_response_id = n.message_id
        if n.person in maintainers and ev.first_maintainer_response_at is None:
            ev.first_maintainer_response_at = n.date
            ev.first_maintainer_response_by = n.person
        kinds = tags.get(n.message_id, set())
        if kinds & REVIEW_KINDS and ev.first_review_at is None:
            ev.first_review_at, ev.first_review_by = n.date, n.person
            ev.first_review_kind = sorted(kinds & REVIEW_KINDS)[0]
        if kinds & TESTED_KINDS and ev.first_tested_at is None:
            ev.first_tested_at = n.date
    return ev


def outcome(s: Series, ev: Events, observed_until: dt.datetime | None) -> str:
    if s.branch:
        return "backport"  # a stable-tree backport: not a request for review
    if ev.applied_notice is not None:  # applied_at is NULL for a reply without any date
        return "applied"
    if s.next_series_id is not None or s.later_version:
        return "superseded"
    return answered_outcome(s.posted_at, ev.first_response_at, observed_until)


#: ``series.outcome`` keeps the four values of docs/metrics.md ("Outcome");
#: ``outcome_detail`` says more: a ``discussed`` series (answered in time, nothing
#: decided yet) is ``pending``, and a stable backport has no outcome, being no request
#: for review.
_CONTRACT = {"discussed": "pending", "backport": None}


def contract_outcome(detail: str) -> str | None:
    """``applied``, ``superseded``, ``ignored`` or ``pending`` (None for a backport)."""
    return _CONTRACT.get(detail, detail)


#: the outcomes `answered_outcome` gives: a series that has one of them gets it again from
#: `answered_outcome` when only the end of its observation moved
ANSWER_OUTCOMES = frozenset({"ignored", "pending", "discussed"})


def answered_outcome(
    posted_at: dt.datetime | None,
    first_response_at: dt.datetime | None,
    observed_until: dt.datetime | None,
) -> str:
    """The outcome of a series that is no backport, not applied and not superseded: it
    depends only on its posting time, its first response and the end of observation."""
    if posted_at is None:
        return "pending"
    if first_response_at is None or first_response_at - posted_at > IGNORED_AFTER:
        if observed_until is not None and observed_until - posted_at >= IGNORED_AFTER:
            return "ignored"
        return "pending"
    return "discussed"


def review_all(
    index: ReplyIndex,
    series: dict[str, Series],
    maintainers_of: Callable[[Series], frozenset[str]],
    tags: dict[str, set[str]],
    appliers: frozenset[str] | None = None,
) -> tuple[dict[str, Events], dict[str, Events]]:
    """Events per post (message_id) and per series (series_id)."""
    per_post: dict[str, Events] = {}
    per_series: dict[str, Events] = {}
    for s in series.values():
        maint = maintainers_of(s)
        total = Events()
        for mid in s.message_ids:
            ev = post_events(index, mid, s.author, maint, tags, appliers)
            per_post[mid] = ev
            total.merge(ev)
        per_series[s.series_id] = total
    return per_post, per_series
