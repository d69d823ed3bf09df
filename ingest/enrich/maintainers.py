"""Parse the Linux kernel's MAINTAINERS file into frozen `Section` records.

The file starts with a free-text preamble (the description of the entry letters and a
"Maintainers List" heading); sections follow, each a name line then ``X:<tab>value``
lines, separated by blank lines.  The section boundaries are the ones the kernel's own
``scripts/get_maintainer.pl`` uses:

* a field line is a line that starts with one capital letter and a colon (``F:``, ``M:``…);
  blank lines and lines starting with ``#`` are ignored;
* any other line is a candidate section name; the name of a section is the last such line
  before its first field line;
* everything before the first field line that is not that section's name is preamble.

Only pure parsing (and reading a file) lives here; a historical MAINTAINERS is read out
of a kernel git tree by `ingest.sources.kernel_tree.read_maintainers_from_git`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import ConfigError

__all__ = [
    "Contact",
    "MaintainersError",
    "Section",
    "decode_maintainers",
    "load_maintainers",
    "parse_contact",
    "parse_maintainers",
]

_FIELD = re.compile(r"^([A-Z]):\s*(.*)$")
_ANGLE = re.compile(r"<([^<>\s]+@[^<>\s]+)>")


class MaintainersError(ConfigError):
    """A MAINTAINERS file that cannot be found, read or understood (one-line message)."""


@dataclass(frozen=True, slots=True)
class Contact:
    """A person or team from an ``M:`` or ``R:`` line.

    ``email`` is lower-cased; ``note`` keeps a trailing remark such as ``(LOCKDEP)``.
    """

    name: str
    email: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    """One MAINTAINERS section.

    ``lists`` holds the bare, lower-cased list addresses; ``list_notes`` keeps the remark
    written after an address, e.g. ``("alsa-devel@alsa-project.org",
    "moderated for non-subscribers")``.  ``fields`` is every field line of the section in
    file order (letter, value) — the matcher needs the order of ``F:`` and ``N:`` lines —
    and ``other`` holds the letters this class has no attribute for (``B:``, ``C:``,
    ``P:``, ``Q:``…).  ``line`` is the 1-based line number of the section's name.
    """

    name: str
    status: str = ""
    maintainers: tuple[Contact, ...] = ()
    reviewers: tuple[Contact, ...] = ()
    lists: tuple[str, ...] = ()
    list_notes: tuple[tuple[str, str], ...] = ()
    trees: tuple[str, ...] = ()
    web: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    regexes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    other: tuple[tuple[str, str], ...] = ()
    fields: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    line: int = 0

    @property
    def moderated_lists(self) -> tuple[str, ...]:
        """Lists that hold posts from non-subscribers for moderation."""
        return tuple(a for a, note in self.list_notes if "moderated" in note)

    @property
    def subscriber_only_lists(self) -> tuple[str, ...]:
        """Lists that accept posts from subscribers only."""
        return tuple(a for a, note in self.list_notes if "subscribers-only" in note)

    @property
    def is_orphan(self) -> bool:
        return self.status.lower().startswith("orphan")


def parse_contact(value: str) -> Contact:
    """``"Jane Doe <Jane@Example.org> (notes)"`` → ``Contact("Jane Doe", "jane@example.org",
    "(notes)")``; a bare address gives an empty name."""
    m = _ANGLE.search(value)
    if m:
        name = value[: m.start()].strip().strip('"').strip()
        note = value[m.end():].strip()
        return Contact(name, m.group(1).lower(), note)
    first, _, rest = value.strip().partition(" ")
    if "@" in first:
        return Contact("", first.lower(), rest.strip())
    return Contact(value.strip(), "", "")


def _parse_list(value: str) -> tuple[str, str]:
    """An ``L:`` value → (address, note).  ``Team <addr>`` forms are accepted too."""
    m = _ANGLE.search(value)
    if m:
        return m.group(1).lower(), _unparen(value[m.end():])
    first, _, rest = value.strip().partition(" ")
    return first.lower(), _unparen(rest)


def _unparen(note: str) -> str:
    note = note.strip()
    if note.startswith("(") and note.endswith(")"):
        note = note[1:-1].strip()
    return note


def _build(name: str, line: int, fields: list[tuple[str, str]]) -> Section:
    by: dict[str, list[str]] = {}
    other: list[tuple[str, str]] = []
    known = set("SMRLTWFXNK")
    for letter, value in fields:
        if letter in known:
            by.setdefault(letter, []).append(value)
        else:
            other.append((letter, value))
    lists: list[str] = []
    notes: list[tuple[str, str]] = []
    for value in by.get("L", ()):
        address, note = _parse_list(value)
        lists.append(address)
        if note:
            notes.append((address, note))
    return Section(
        name=name,
        status=(by.get("S") or [""])[0],
        maintainers=tuple(parse_contact(v) for v in by.get("M", ())),
        reviewers=tuple(parse_contact(v) for v in by.get("R", ())),
        lists=tuple(lists),
        list_notes=tuple(notes),
        trees=tuple(by.get("T", ())),
        web=tuple(by.get("W", ())),
        files=tuple(by.get("F", ())),
        excludes=tuple(by.get("X", ())),
        regexes=tuple(by.get("N", ())),
        keywords=tuple(by.get("K", ())),
        other=tuple(other),
        fields=tuple(fields),
        line=line,
    )


def parse_maintainers(text: str) -> list[Section]:
    """Parse MAINTAINERS text into its sections, in file order (the preamble is skipped).

    Raises `MaintainersError` when the text holds no section at all.
    """
    sections: list[Section] = []
    name: str | None = None
    name_line = 0
    fields: list[tuple[str, str]] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        m = _FIELD.match(line)
        if m:
            if name is None:
                # get_maintainer.pl would attach these to whatever text precedes them;
                # a field line with no name line before it cannot name a section.
                continue
            fields.append((m.group(1), m.group(2)))
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if fields:
            assert name is not None
            sections.append(_build(name, name_line, fields))
            fields = []
        name, name_line = line.strip(), lineno
    if fields and name is not None:
        sections.append(_build(name, name_line, fields))
    if not sections:
        raise MaintainersError("not a MAINTAINERS file: no section (a name line then F:/M:… lines)")
    return sections


def decode_maintainers(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # very old MAINTAINERS files were ISO-8859-1


def load_maintainers(path: Path | str) -> list[Section]:
    """Read and parse a MAINTAINERS file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise MaintainersError(f"MAINTAINERS file not found: {path}") from None
    except OSError as exc:
        raise MaintainersError(f"cannot read MAINTAINERS file {path}: {exc.strerror}") from None
    try:
        return parse_maintainers(decode_maintainers(data))
    except MaintainersError as exc:
        raise MaintainersError(f"{path}: {exc}") from None
