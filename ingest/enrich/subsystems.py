"""Match file paths to MAINTAINERS sections with the rules of ``get_maintainer.pl``.

The rules, as ``scripts/get_maintainer.pl --no-git --sections -f PATH`` applies them
(Linux 6.12; see docs/subsystems.md for examples):

* ``F:``/``X:`` globs become regexes: ``.`` is literal, ``*`` is ``.*`` (it crosses
  ``/``), ``?`` is any one character; ``[ch]`` stays a character class.  A glob with none
  of ``. * ?`` and no trailing ``/`` that names a directory gets a trailing ``/``.
* The regex is anchored at the start of the path only.  A pattern ending in ``/``
  matches everything below it; any other pattern matches only when the path has as many
  ``/`` as the pattern (so ``drivers/net/*`` covers ``drivers/net/a.c`` but not
  ``drivers/net/phy/a.c``).
* A section whose ``X:`` pattern matches the path is skipped entirely (its ``N:`` too).
* ``N:`` is a (Perl ``/x``) regex searched anywhere in the path.
* Every section with a matching ``F:`` or ``N:`` is reported.  Its specificity comes from
  the *last* matching ``F:``/``N:`` line of the section, in file order: the number of
  ``/`` in the pattern, plus one when it does not end in ``/``; ``-1`` when the pattern
  starts with ``*``; ``0`` for ``N:``.  Sections are listed most specific first.
* ``THE REST`` (``F: *`` and ``F: */``) matches every path with specificity ``-1``;
  `SectionMatcher.primary` drops it unless no other section matches.

Whether a plain pattern such as ``F: net/ife`` names a directory is a property of the
kernel tree, which lorelens does not need: the pattern is taken as a directory when the
path lies below it (then it must be one) or when it is in the optional ``directories``
set (``git ls-tree -r -d --name-only`` of a kernel tree, or `directories_of` the paths of
all the diffs at hand), otherwise as a file name.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ingest.enrich.maintainers import Section, load_maintainers, parse_maintainers
from ingest.enrich.pathindex import PrefixIndex, alternation, required_literal

__all__ = ["THE_REST", "Match", "SectionMatcher", "directories_of"]

THE_REST = "THE REST"

_NOT_LITERAL = re.compile(r"[*?\[\]{}()+|^$\\]")
_PLAIN_N = re.compile(r"^[A-Za-z0-9_/,-]+$")


@dataclass(frozen=True, slots=True)
class Match:
    """A section that covers a path.

    ``specificity`` is get_maintainer.pl's pattern depth (higher is more specific);
    ``pattern``/``kind`` are the F: glob or N: regex that set it; ``section_index`` is the
    section's position in MAINTAINERS (the tie-breaker).
    """

    section_name: str
    specificity: int
    pattern: str
    kind: str
    section_index: int


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@dataclass(slots=True)  # not frozen: thousands are built per run, 10× faster so
class _Glob:
    """An F: or X: pattern compiled the way get_maintainer.pl compiles it.

    A glob without wildcards is tested with ``str.startswith`` (the same as the anchored
    regex the script builds); only the others get a regex.
    """

    glob: str
    pattern: str | None  # the regex source; compiled on first use (most never are)
    slashes: int
    trailing_slash: bool
    maybe_dir: bool  # get_maintainer.pl tests `-d` on it (no . * ? and no trailing /)
    depth: int

    @classmethod
    def compile(cls, glob: str) -> _Glob:
        pattern = None
        if _NOT_LITERAL.search(glob):
            pattern = glob.replace(".", r"\.").replace("*", ".*").replace("?", ".")
        slashes = glob.count("/")
        trailing = glob.endswith("/")
        # a directory gets a "/" appended, so its depth is the same as a file's
        depth = -1 if glob.startswith("*") else slashes + (0 if trailing else 1)
        return cls(
            glob=glob,
            pattern=pattern,
            slashes=slashes,
            trailing_slash=trailing,
            maybe_dir=not trailing and not any(c in glob for c in ".*?"),
            depth=depth,
        )

    @property
    def literal(self) -> bool:
        return self.pattern is None

    @property
    def regex(self) -> re.Pattern[str] | None:
        return None if self.pattern is None else _compiled(self.pattern)

    def matches(self, path: str, directories: Collection[str]) -> bool:
        if self.maybe_dir:
            below = path.startswith(self.glob + "/")
            if below or self.glob in directories:
                return below
        if self.pattern is None:
            if not path.startswith(self.glob):
                return False
        elif _compiled(self.pattern).match(path) is None:
            return False
        return self.trailing_slash or path.count("/") == self.slashes


@dataclass(frozen=True, slots=True)
class _Regex:
    """An N: regex; ``literal`` is set when a plain substring test is equivalent."""

    source: str
    regex: re.Pattern[str]
    literal: str | None

    @classmethod
    def compile(cls, source: str) -> _Regex:
        plain = source if _PLAIN_N.match(source) else None
        return cls(source, re.compile(source, re.VERBOSE), plain)

    def matches(self, path: str) -> bool:
        if self.literal is not None:
            return self.literal in path
        return self.regex.search(path) is not None


@dataclass(slots=True)  # not frozen, as _Glob
class _Entry:
    """One F: or N: line: its section and its position among the section's lines."""

    section: int
    position: int
    pattern: _Glob | _Regex


def _literal_prefix(glob: str) -> str:
    """The text every path matched by ``glob`` starts with (up to the first wildcard)."""
    m = _NOT_LITERAL.search(glob)
    if m is None:
        return glob
    if "|" in glob:  # a Perl alternation: nothing is certain
        return ""
    end = m.start() - (glob[m.start()] == "{")  # "x{0,1}" makes the x optional
    return glob[: max(end, 0)]


@dataclass(slots=True)
class _Bucket:
    """The F: lines that share one literal prefix: those that may match paths of any
    depth ("dir/" patterns and possible directories) and the others by their "/" count."""

    any_depth: list[_Entry] = field(default_factory=list)
    by_depth: dict[int, list[_Entry]] = field(default_factory=dict)


class SectionMatcher:
    """Index MAINTAINERS sections once, then map paths to sections quickly.

    Every F: line is indexed by its literal prefix (the text before its first wildcard)
    and, unless it ends in "/", by its number of "/": a path is only tested against the
    lines whose prefix is a prefix of the path (found by a binary search) and whose depth
    fits.  N: regexes are tested behind one combined regex that rules most paths out.
    """

    def __init__(
        self, sections: Iterable[Section], directories: Collection[str] = frozenset()
    ) -> None:
        self.sections: tuple[Section, ...] = tuple(sections)
        self._directories = frozenset(d.rstrip("/") for d in directories)
        self._by_name = {s.name: s for s in self.sections}
        self._names = tuple(s.name for s in self.sections)
        buckets: dict[str, _Bucket] = {}
        regexes: list[_Entry] = []
        excludes: list[tuple[_Glob, ...]] = []
        by_list: dict[str, list[str]] = {}
        for i, section in enumerate(self.sections):
            for pos, (letter, value) in enumerate(section.fields):
                if letter == "F":
                    glob = _Glob.compile(value)
                    bucket = buckets.setdefault(_literal_prefix(value), _Bucket())
                    entry = _Entry(i, pos, glob)
                    if glob.trailing_slash or glob.maybe_dir:
                        bucket.any_depth.append(entry)
                    else:
                        bucket.by_depth.setdefault(glob.slashes, []).append(entry)
                elif letter == "N":
                    regexes.append(_Entry(i, pos, _Regex.compile(value)))
            excludes.append(tuple(_Glob.compile(v) for v in section.excludes))
            for address in section.lists:
                by_list.setdefault(address, []).append(section.name)
        self._index = PrefixIndex(buckets)
        self._regexes = tuple(regexes)
        # a path that contains none of the texts the N: regexes require is ruled out by
        # one search; a regex without a clear required text is always tested
        required = [required_literal(e.pattern.source) for e in regexes
                    if isinstance(e.pattern, _Regex)]
        self._always_regexes = None in required
        words = {w for w in required if w}
        self._any_regex = re.compile(alternation(words)) if words else None
        self._excludes = tuple(excludes)
        self._by_list = {k: tuple(v) for k, v in by_list.items()}

    @classmethod
    def from_file(cls, path: Path | str, directories: Collection[str] = frozenset()
                  ) -> SectionMatcher:
        return cls(load_maintainers(path), directories)

    @classmethod
    def from_text(cls, text: str, directories: Collection[str] = frozenset()
                  ) -> SectionMatcher:
        return cls(parse_maintainers(text), directories)

    def section(self, name: str) -> Section:
        """The section called ``name`` (KeyError if there is none)."""
        return self._by_name[name]

    def _candidates(self, path: str) -> dict[int, list[_Entry]]:
        """F:/N: lines that may match ``path``, grouped by section."""
        found: dict[int, list[_Entry]] = {}
        slashes = path.count("/")
        for bucket in self._index.lookup(path):
            for entry in bucket.any_depth:
                found.setdefault(entry.section, []).append(entry)
            for entry in bucket.by_depth.get(slashes, ()):
                found.setdefault(entry.section, []).append(entry)
        if self._always_regexes or (
            self._any_regex is not None and self._any_regex.search(path)
        ):
            for entry in self._regexes:
                if entry.pattern.matches(path):  # type: ignore[call-arg]
                    found.setdefault(entry.section, []).append(entry)
        return found

    def match(self, path: str) -> list[Match]:
        """Every section that covers ``path`` (THE REST included), most specific first;
        equal specificities keep MAINTAINERS order."""
        out = []
        for _key, i, pattern in self._matched(path):
            if isinstance(pattern, _Glob):
                out.append(Match(self.sections[i].name, pattern.depth, pattern.glob, "F", i))
            else:
                out.append(Match(self.sections[i].name, 0, pattern.source, "N", i))
        return out

    def _matched(self, path: str) -> list[tuple[int, int, _Glob | _Regex]]:
        """`match` as ``(-specificity, section index, pattern)`` tuples, sorted (no `Match`
        objects: the enrichment asks for thousands of paths)."""
        path = normalise_path(path)
        dirs = self._directories
        found: list[tuple[int, int, _Glob | _Regex]] = []
        for i, entries in self._candidates(path).items():
            excludes = self._excludes[i]
            if excludes and any(x.matches(path, dirs) for x in excludes):
                continue
            # the last matching F:/N: line of the section sets the depth, as in the script
            best: _Entry | None = None
            for entry in entries:
                if best is not None and entry.position < best.position:
                    continue
                pattern = entry.pattern
                if (pattern.matches(path, dirs) if isinstance(pattern, _Glob)
                        else pattern.matches(path)):
                    best = entry
            if best is None:
                continue
            pattern = best.pattern
            found.append((-pattern.depth if isinstance(pattern, _Glob) else 0, i, pattern))
        found.sort(key=lambda m: (m[0], m[1]))
        return found

    def primary(self, path: str) -> tuple[str, ...]:
        """The sections get_maintainer.pl lists for ``path``, most specific first, without
        THE REST unless nothing else matches."""
        return self.both(path)[0]

    def most_specific(self, path: str) -> tuple[str, ...]:
        """Only the sections tied for the highest specificity (THE REST as a last resort)."""
        return self.both(path)[1]

    def both(self, path: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """``(primary(path), most_specific(path))`` from one match."""
        names = self._names
        found = self._matched(path)
        kept = [m for m in found if names[m[1]] != THE_REST] or found
        if not kept:
            return (), ()
        top = kept[0][0]
        return (tuple(names[i] for _k, i, _p in kept),
                tuple(names[i] for k, i, _p in kept if k == top))

    def sections_for_files(self, files: Iterable[str]) -> tuple[str, ...]:
        """The union of the primary sections of ``files``: most specific first (the best
        specificity any file gave the section), then MAINTAINERS order.  The result does
        not depend on the order of ``files``."""
        best: dict[str, tuple[int, int]] = {}
        for path in files:
            found = self.match(path)
            kept = [m for m in found if m.section_name != THE_REST] or found
            for m in kept:
                key = (-m.specificity, m.section_index)
                if m.section_name not in best or key < best[m.section_name]:
                    best[m.section_name] = key
        return tuple(sorted(best, key=best.__getitem__))

    def sections_for_list(self, list_address: str) -> tuple[str, ...]:
        """Sections whose ``L:`` names ``list_address`` (any case, ``<>`` or ``mailto:``
        allowed), in MAINTAINERS order."""
        address = list_address.strip().strip("<>").lower().removeprefix("mailto:")
        return self._by_list.get(address, ())


def directories_of(paths: Iterable[str]) -> frozenset[str]:
    """Every directory that ``paths`` prove to exist (their ancestors), for the
    ``directories`` argument of `SectionMatcher` when no kernel tree is at hand: e.g. the
    paths of every diff in an archive."""
    found: set[str] = set()
    for path in paths:
        path = normalise_path(path)
        i = path.rfind("/")
        while i > 0 and path[:i] not in found:
            found.add(path[:i])
            i = path.rfind("/", 0, i)
    return frozenset(found)


def normalise_path(path: str) -> str:
    """A path relative to the top of the tree: ``./`` and leading ``/`` dropped."""
    path = path.strip()
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/")
