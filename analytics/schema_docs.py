"""The table and column descriptions of docs/schema.md (the data contract), read from the
file itself so the SQL console's schema browser and the documentation cannot disagree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SCHEMA_MD = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


@dataclass(frozen=True)
class ColumnDoc:
    names: tuple[str, ...]  # a row may describe several columns (`is_rfc`, `is_resend`)
    type: str
    meaning: str


@dataclass(frozen=True)
class TableDoc:
    name: str
    summary: str  # the section's first paragraph
    columns: tuple[ColumnDoc, ...]

    def describe(self, column: str) -> ColumnDoc | None:
        return next((c for c in self.columns if column in c.names), None)


def _plain(text: str) -> str:
    """Markdown links become their text (their targets are relative to docs/)."""
    return re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text).strip()


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table row (``\\|`` inside a cell is a pipe)."""
    parts = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [p.strip().replace("\\|", "|") for p in parts]


def read_tables(path: Path = SCHEMA_MD) -> dict[str, TableDoc]:
    """Every ``### table`` section of docs/schema.md with its column table; an empty
    mapping when the file is not there (an installed copy without docs/)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    tables: dict[str, TableDoc] = {}
    for name, body in re.findall(r"^### (\w+)\n(.*?)(?=^### |^## |\Z)", text, re.M | re.S):
        paragraphs = [p for p in body.strip().split("\n\n") if p and not p.startswith("|")]
        columns = []
        for line in body.splitlines():
            if not line.startswith("| `"):
                continue
            cells = _cells(line)
            names = tuple(re.findall(r"`(\w+)`", cells[0]))
            columns.append(ColumnDoc(names, cells[1] if len(cells) > 1 else "",
                                     _plain(cells[2]) if len(cells) > 2 else ""))
        summary = _plain(" ".join(paragraphs[0].split())) if paragraphs else ""
        tables[name] = TableDoc(name, summary, tuple(columns))
    return tables
