"""What each copy of a batch is: a new message, or another copy of a stored one.

A pure function of the batch and of what the database already holds, so the rules
(docs/schema.md, ``message_sources.duplicate``) are tested without a database:

- ``first``: the first copy of a Message-ID not stored yet: its row goes to ``messages``;
- ``other-list``: the same Message-ID from another list's archive: the mail cross-posted
  (even when that list changed it, a footer or a tag): its list is added;
- ``same-content`` / ``different-content``: the Message-ID again from a list it is
  already known from;
- ``deleted``: a copy of a Message-ID deleted from a public-inbox v2 archive (file d):
  a copy read again elsewhere does not bring it back;
- a copy stored by an earlier run at the very same location (an mbox read again, a
  rescanned epoch) is not recorded again at all.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence, Set
from dataclasses import dataclass, field


@dataclass
class Copies:
    """The classification of one batch's copies."""

    new: dict[str, int] = field(default_factory=dict)  # Message-ID → row of its first copy
    sources: list[tuple[int, str]] = field(default_factory=list)  # (row, duplicate kind)
    list_updates: dict[str, set[str]] = field(default_factory=dict)  # lists to add
    cross_posted: int = 0
    duplicate: int = 0


def _as_set(list_address: str | None) -> set[str]:
    """A copy's list (None for a source without one) as a set of lists."""
    return {list_address} if list_address else set()


def classify(
    ids: Sequence[str],
    hashes: Sequence[str],
    lists: Sequence[str | None],
    locations: Sequence[Hashable],
    *,
    stored: Mapping[str, tuple[str, set[str]]],
    stored_locations: Set[Hashable],
    deleted: Set[str],
) -> Copies:
    """Classify copy ``i`` (Message-ID ``ids[i]``, content hash, list, location) against
    the ``stored`` messages (Message-ID → (content hash, lists)), the locations of their
    stored copies and the ``deleted`` Message-IDs."""
    out = Copies()
    for i, mid in enumerate(ids):
        if locations[i] in stored_locations:
            out.duplicate += 1
            continue
        first = out.new.get(mid)
        if first is None and mid in deleted:
            out.sources.append((i, "deleted"))
            out.duplicate += 1
            continue
        if first is None and mid not in stored:
            out.new[mid] = i
            out.sources.append((i, "first"))
            continue
        if first is not None:
            old_hash = hashes[first]
            old_lists = _as_set(lists[first]) | out.list_updates.get(mid, set())
        else:
            old_hash, old_lists = stored[mid]
        lst = lists[i]
        if lst and lst not in old_lists:
            out.sources.append((i, "other-list"))
            out.list_updates.setdefault(mid, set()).add(lst)
            out.cross_posted += 1
        elif old_hash != hashes[i]:
            out.sources.append((i, "different-content"))
            out.duplicate += 1
        else:
            out.sources.append((i, "same-content"))
            out.duplicate += 1
    return out


def new_lists(copies: Copies, lists: Sequence[str | None], ids: Sequence[str]) -> list[list[str]]:
    """The ``lists`` column of each new message: its first copy's list and those of its
    other copies in the batch."""
    return [sorted(_as_set(lists[i]) | copies.list_updates.get(ids[i], set()))
            for i in copies.new.values()]
