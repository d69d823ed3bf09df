"""The packages import one way (README.md, "What is where"): ``core/`` is shared and
imports no other part; ``ingest/``, the writing side, never imports the generator
(``corpus/``) or the reading side (``analytics/``), which never imports ``ingest/``; and
one module opens databases."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRONT_DOORS = {"pages", "cli", "app"}


def modules(package: str) -> dict[str, ast.Module]:
    """The parsed modules of ``package`` (a folder, or a module such as ``cli``)."""
    paths = ([ROOT / f"{package}.py"] if (ROOT / f"{package}.py").exists()
             else sorted((ROOT / package).rglob("*.py")))
    return {str(p.relative_to(ROOT)): ast.parse(p.read_text(encoding="utf-8")) for p in paths}


def imported(package: str) -> dict[str, set[str]]:
    """Every module each module of ``package`` imports (also inside functions), by its
    full dotted name."""
    out: dict[str, set[str]] = {}
    for name, tree in modules(package).items():
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
        out[name] = names
    return out


def wrong_imports(package: str, forbidden: set[str], allowed: frozenset[str] = frozenset()
                  ) -> dict[str, list[str]]:
    """The imports of ``package`` of a top-level package in ``forbidden`` (other than the
    ``allowed`` modules), by module."""
    found = {}
    for module, names in imported(package).items():
        bad = sorted(n for n in names if n.split(".")[0] in forbidden and n not in allowed)
        if bad:
            found[module] = bad
    return found


def test_core_imports_no_other_part_of_lorelens():
    assert wrong_imports("core", {"ingest", "analytics", "corpus", *FRONT_DOORS}) == {}


def test_ingest_imports_neither_corpus_nor_analytics():
    assert wrong_imports("ingest", {"corpus", "analytics", *FRONT_DOORS}) == {}


def test_analytics_imports_nothing_of_ingest():
    assert wrong_imports("analytics", {"ingest", "corpus", *FRONT_DOORS}) == {}


def test_the_dashboard_reads_through_analytics_and_raw_mail_through_sources():
    """A page's numbers come from named reports; the raw mail of the series explorer is
    read by the one module that reads archived copies back (as `lorelens raw` does)."""
    raw_reader = frozenset({"ingest.sources.raw"})
    assert wrong_imports("pages", {"ingest", "corpus", "cli"}, raw_reader) == {}
    assert wrong_imports("app", {"ingest", "corpus", "cli"}) == {}


def test_one_module_opens_databases():
    """Every DuckDB connection is made by ``core.database``, which maps lock errors and
    checks the schema version; the rest asks it."""
    opening = {}
    for package in ("core", "ingest", "analytics", "corpus", *FRONT_DOORS):
        for module, tree in modules(package).items():
            calls = [node.lineno for node in ast.walk(tree)
                     if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                     and node.func.attr == "connect"
                     and isinstance(node.func.value, ast.Name) and node.func.value.id == "duckdb"]
            if calls:
                opening[module] = calls
    assert list(opening) == ["core/database.py"]
