"""What is in a database: the numbers behind ``lorelens status`` (from the ``overview``
report) and where a stored mail's copies are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from core.database import enrichment_version


@dataclass(frozen=True)
class Status:
    # the row of the `overview` report for the whole database (docs/metrics.md, "Overview")
    overview: dict[str, Any]
    # the latest ingest run (ingest_runs) and enrichment (enrich_runs), as logged
    last_run: dict[str, Any] | None
    last_enrichment: dict[str, Any] | None


def status(con: duckdb.DuckDBPyConnection) -> Status:
    """What ``lorelens status`` prints: the figures of the ``overview`` report, and the
    log rows of the latest ingest and enrichment runs (the latter with ``current``: made
    by this lorelens' enrichment)."""
    from analytics.reports import run_report

    (overview,) = run_report(con, "overview").records()
    last_run = _latest(con, "SELECT run_id, started_at, status, n_read, n_new, "
                            "n_cross_posted, n_duplicate, n_failed, seconds "
                            "FROM ingest_runs ORDER BY run_id DESC LIMIT 1")
    if last_run and last_run["status"] == "running":
        # a writer holds the file locked while it runs, so this read-only connection could
        # not be open: the run ended without recording it (killed, or a full disk)
        last_run["status"] = "interrupted"
    enrichment = _latest(con, _LAST_ENRICHMENT)
    if enrichment is not None:
        enrichment["current"] = enrichment["version"] == enrichment_version()
        if (stale := _stale(enrichment["version"])) is not None:
            overview["caveats"] = [*(overview["caveats"] or []), stale]
    return Status(overview, last_run, enrichment)


_LAST_ENRICHMENT = ("SELECT enrich_id, finished_at, mode, reason, last_run, seconds, version "
                    "FROM enrich_runs ORDER BY enrich_id DESC LIMIT 1")


def stale_enrichment(con: duckdb.DuckDBPyConnection) -> str | None:
    """A caveat when the enrichment tables were computed by a lorelens whose enrichment
    differs from this one's (``enrich_runs.version``): they may lack what this one
    computes, until the next ``lorelens enrich`` recomputes them whole."""
    last = _latest(con, _LAST_ENRICHMENT)
    return None if last is None else _stale(last["version"])


def _stale(version: str) -> str | None:
    if version == enrichment_version():
        return None
    return (f"the enrichment tables were computed by another lorelens ({version}; this "
            f"one is {enrichment_version()}): run lorelens enrich to recompute them")


def _latest(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, Any] | None:
    cur = con.execute(sql)
    rows = cur.fetchall()
    return dict(zip([d[0] for d in cur.description], rows[0], strict=True)) if rows else None


def stored_copies(con: duckdb.DuckDBPyConnection, message_id: str) -> list[tuple]:
    """Where the copies of a message are archived, first copy first: ``(kind, git_dir,
    blob, path, byte_offset)`` rows of ``message_sources``."""
    return con.execute(
        "SELECT kind, git_dir, blob, path, byte_offset FROM message_sources "
        "WHERE message_id = ? ORDER BY run_id, duplicate <> 'first', source",
        [message_id.strip().strip("<>")],
    ).fetchall()
