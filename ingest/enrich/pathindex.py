"""Text helpers of `subsystems.SectionMatcher`: an index of strings by prefix, and what
an N: regex requires of a path before it can match."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from typing import Generic, TypeVar

V = TypeVar("V")


def required_literal(regex: str) -> str | None:
    """The longest plain text every match of ``regex`` must contain, or None when that is
    not clear (alternations, groups, escapes) or shorter than two characters."""
    if "|" in regex or "(" in regex or "\\" in regex or "#" in regex:
        return None
    runs: list[str] = []
    run = ""
    i = 0
    while i < len(regex):
        ch = regex[i]
        nxt = regex[i + 1] if i + 1 < len(regex) else ""
        if ch == "[":
            end = regex.find("]", i + 2 if nxt in "^]" else i + 1)
            if end == -1:
                return None
            runs.append(run)
            run = ""
            i = end + 1
            if i < len(regex) and regex[i] in "?*+{":
                i += 1
            continue
        if ch.isalnum() or ch in "_/,-":
            if nxt in ("?", "*", "{"):  # optional: the run stops before it
                runs.append(run)
                run = ""
            else:
                run += ch
        else:
            runs.append(run)
            run = ""
        i += 1
    runs.append(run)
    best = max(runs, key=len)
    return best if len(best) >= 2 else None


def alternation(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, written as a trie so Python's engine does not
    try every word at every position."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        if "" in node:
            return ""  # a shorter word already matches: nothing more is needed
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items())]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(trie)


class PrefixIndex(Generic[V]):
    """Values keyed by string; ``lookup(text)`` yields the values of every key that is a
    prefix of ``text``, with one binary search and a walk up a tree of prefixes."""

    def __init__(self, items: dict[str, V]) -> None:
        self._keys = sorted(items)
        self._values = [items[k] for k in self._keys]
        # parent[i]: index of the longest other key that is a prefix of key i, or -1
        self._parent: list[int] = []
        stack: list[int] = []
        for i, key in enumerate(self._keys):
            while stack and not key.startswith(self._keys[stack[-1]]):
                stack.pop()
            self._parent.append(stack[-1] if stack else -1)
            stack.append(i)

    def lookup(self, text: str) -> list[V]:
        keys, parent = self._keys, self._parent
        i = bisect.bisect_right(keys, text) - 1
        # the largest key <= text starts with the longest key that is a prefix of text
        while i >= 0 and not text.startswith(keys[i]):
            i = parent[i]
        found = []
        while i >= 0:
            found.append(self._values[i])
            i = parent[i]
        return found
