"""The packages import one way (docs: README.md, "What is where"): ingest/, the writing
side, never imports the generator (corpus/) or the reading side (analytics/)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported(package: str) -> dict[str, set[str]]:
    """Every top-level package each module of ``package`` imports (also inside functions)."""
    out: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
        out[str(path.relative_to(ROOT))] = names
    return out


def test_ingest_imports_neither_corpus_nor_analytics():
    wrong = {m: sorted(n & {"corpus", "analytics", "pages", "cli"})
             for m, n in imported("ingest").items() if n & {"corpus", "analytics", "pages", "cli"}}
    assert wrong == {}
