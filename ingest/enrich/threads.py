"""Threads: every message gets the Message-ID of its thread's root.

A message hangs under its In-Reply-To (else the last of its References); all messages
linked that way, and all that name the same first Reference, form one thread. Its root is
the earliest message of the thread that has no parent in the database; when the true
root is missing from the archive (a reply to a mail sent only to another list), the
missing root's Message-ID is used, so threads of one lost root stay together.
"""

from __future__ import annotations

from collections.abc import Sequence


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        root = x
        while (p := parent.get(root, root)) != root:
            root = p
        while (p := parent.get(x, x)) != root:  # path compression
            parent[x] = root
            x = p
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


def thread_ids(
    ids: Sequence[str],
    in_reply_to: Sequence[str | None],
    references: Sequence[Sequence[str] | None],
    dates: Sequence[object],
) -> list[str]:
    """The thread root of each message (same order as ``ids``)."""
    known = set(ids)
    uf = _UnionFind()
    parent_of: dict[str, str | None] = {}
    for mid, irt, refs in zip(ids, in_reply_to, references, strict=True):
        refs = list(refs or [])
        parent = irt or (refs[-1] if refs else None)
        if parent == mid:
            parent = None
        parent_of[mid] = parent
        if parent:
            uf.union(mid, parent)
        if refs and refs[0] != mid:
            uf.union(mid, refs[0])
    # pick each component's root: earliest parentless known message, else the missing
    # ancestor named as first reference / parent
    best: dict[str, tuple[int, object, str]] = {}
    comps = [uf.find(mid) for mid in ids]
    for mid, comp, date, refs in zip(ids, comps, dates, references, strict=True):
        parent = parent_of[mid]
        if parent is None or parent not in known:
            if parent is None:
                cand = (0, date, mid)
            else:
                missing = (list(refs or []) or [parent])[0]
                cand = (1, date, missing if missing not in known else mid)
            cur = best.get(comp)
            if cur is None or _key(cand) < _key(cur):
                best[comp] = cand
    return [best[comp][2] if comp in best else mid for mid, comp in zip(ids, comps, strict=True)]


def _key(c: tuple[int, object, str]) -> tuple:
    kind, date, mid = c
    return (kind, date is None, date if date is not None else 0, mid)
