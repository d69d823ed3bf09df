"""Output of a result as a table, CSV, JSON, Parquet or Markdown.

Every front door (``lorelens report``, ``lorelens sql``, exports, the dashboard's
downloads) renders through here, so a report's CSV holds exactly the rows and values of
its table. Nothing is truncated: every row of the result is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # no DuckDB import here: cli.py imports this module at start-up
    from analytics.db import Result

FORMATS = ("table", "csv", "json", "parquet", "md")


def render(result: Result, fmt: str, *, width: int | None = None) -> bytes:
    """``result`` in format ``fmt`` (one of :data:`FORMATS`), as bytes (UTF-8 for text)."""
    if fmt == "csv":
        return to_csv(result).encode()
    if fmt == "json":
        return (json.dumps(result.records(), default=_json_default, indent=2,
                           ensure_ascii=False) + "\n").encode()
    if fmt == "parquet":
        return to_parquet(result)
    if fmt == "md":
        return to_markdown(result).encode()
    if fmt == "table":
        return to_table(result, width=width).encode()
    raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")


def text(v: Any) -> str:
    """One value as CSV, Markdown and the table show it (NULL as an empty cell)."""
    if v is None:
        return ""
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, list | tuple | dict):
        return json.dumps(v, default=_json_default, ensure_ascii=False)
    return str(v)


def to_csv(result: Result) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(result.columns)
    for row in result.rows:
        w.writerow([text(v) for v in row])
    return buf.getvalue()


def to_markdown(result: Result) -> str:
    """A GitHub-flavoured Markdown table (pipes in values escaped)."""
    def cell(v: Any) -> str:
        return text(v).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(c) for c in result.columns) + " |",
             "|" + "|".join("---" for _ in result.columns) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in result.rows]
    return "\n".join(lines) + "\n"


def to_table(result: Result, *, width: int | None = None) -> str:
    """A rich table and a row count, as the terminal shows it."""
    from rich.console import Console
    from rich.table import Table

    table = Table(*result.columns, show_lines=False)
    for row in result.rows:
        table.add_row(*[text(v) for v in row])
    console = Console(width=width or 240, file=io.StringIO(), record=True,
                      force_terminal=False, color_system=None)
    console.print(table)
    return console.export_text() + f"({len(result.rows):,} rows)\n"


def to_parquet(result: Result) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {name: [row[i] for row in result.rows] for i, name in enumerate(result.columns)}
    table = pa.table(columns) if result.columns else pa.table({})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def _json_default(v: Any) -> Any:
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return str(v)
