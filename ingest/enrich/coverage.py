"""Coverage: how much of an archive the organisation rules attribute.

Shares of messages, of distinct persons (patch authors, reviewers, senders) whose kind
is not unknown at the date that counts; bots are left out unless asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .orgs import _FAR_PAST, OrgResolver
from .orgtypes import Attribution, OrgKind


@dataclass(frozen=True)
class Coverage:
    """How many of ``total`` items have a kind other than unknown (bots left out)."""

    total: int
    known: int
    bots: int  # items left out because they come from bots
    by_kind: tuple[tuple[str, int], ...]
    by_rule: tuple[tuple[str, int], ...]

    @property
    def share(self) -> float:
        return self.known / self.total if self.total else 0.0


def _summarise(attrs: list[Attribution], bots: int) -> Coverage:
    kinds: dict[str, int] = {}
    rules: dict[str, int] = {}
    for a in attrs:
        kinds[a.kind.value] = kinds.get(a.kind.value, 0) + 1
        rules[a.rule] = rules.get(a.rule, 0) + 1
    known = sum(a.kind is not OrgKind.UNKNOWN for a in attrs)
    order = (
        sorted(kinds.items(), key=lambda kv: -kv[1]),
        sorted(rules.items(), key=lambda kv: -kv[1]),
    )
    return Coverage(len(attrs), known, bots, tuple(order[0]), tuple(order[1]))


def message_coverage(
    resolver: OrgResolver,
    messages: Iterable[tuple[str, datetime | None]],
    *,
    exclude_bots: bool = True,
) -> Coverage:
    """Share of messages ``(from_email, date)`` whose sender's kind is known then."""
    attrs, bots = [], 0
    for email, at in messages:
        a = resolver.attribute(email, at)
        if exclude_bots and a.reason == "bot":
            bots += 1
        else:
            attrs.append(a)
    return _summarise(attrs, bots)


def people_coverage(
    resolver: OrgResolver,
    events: Iterable[tuple[str, datetime | None]],
    *,
    exclude_bots: bool = True,
) -> Coverage:
    """Share of distinct persons known at their latest event.

    ``events`` are ``(email, date)`` of what makes someone count: the patches of patch
    authors, the review replies (or review tags) of reviewers, any message of senders.
    """
    latest: dict[str, tuple[datetime, str]] = {}
    for email, at in events:
        pid = resolver.person_id(email)
        when = at or _FAR_PAST
        if pid not in latest or when >= latest[pid][0]:
            latest[pid] = (when, email)
    attrs, bots = [], 0
    for when, email in latest.values():
        a = resolver.attribute(email, None if when == _FAR_PAST else when)
        if exclude_bots and a.reason == "bot":
            bots += 1
        else:
            attrs.append(a)
    return _summarise(attrs, bots)


patch_author_coverage = people_coverage
reviewer_coverage = people_coverage
