"""The documentation keeps up with the database: every table and column is in docs/schema.md."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from ingest.load.database import schema_sql

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_table_and_column_is_documented():
    con = duckdb.connect()
    con.execute(schema_sql())
    columns: dict[str, list[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns ORDER BY ALL"
    ).fetchall():
        columns.setdefault(table, []).append(column)
    con.close()
    text = (DOCS / "schema.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### (\w+)\n(.*?)(?=^### |^## |\Z)", text, re.M | re.S))
    missing = []
    for table, cols in columns.items():
        if table not in sections:
            missing.append(table)
            continue
        documented = set(re.findall(r"^\|[^|]*", sections[table], re.M))
        names = {n for cell in documented for n in re.findall(r"`(\w+)`", cell)}
        missing += [f"{table}.{c}" for c in cols if c not in names]
    assert missing == []


#: What a reader of the repository does not have: the planning documents and issues
#: the work came from. Code and docs cite docs/ instead.
ELSEWHERE = re.compile(r"\b(?:PRODUCT|STYLE|RECIPES)\.md\b|\bissues? #\d+", re.I)


def test_nothing_cites_documents_outside_the_repository():
    import subprocess

    root = DOCS.parent
    tracked = subprocess.run(["git", "-C", str(root), "ls-files", "*.py", "*.sql", "*.md",
                              "*.toml", "Makefile", ".ci/*"],
                             capture_output=True, text=True, check=True).stdout.split()
    found = [f"{name}:{n}" for name in tracked if name != "tests/test_docs.py"
             for n, line in enumerate((root / name).read_text(encoding="utf-8").splitlines(), 1)
             if ELSEWHERE.search(line)]
    assert found == []
