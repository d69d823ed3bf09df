"""What is in a database: the numbers behind ``lorelens status``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb


@dataclass(frozen=True)
class Status:
    messages: int
    patches: int
    covers: int
    threads: int
    first: dt.datetime | None
    last: dt.datetime | None
    errors: int
    lists: list[tuple[str, int, dt.datetime, dt.datetime]]
    last_run: dict[str, Any] | None
    # the latest enrichment (enrich_runs), and how many messages came after it
    last_enrichment: dict[str, Any] | None = None
    not_enriched: int | None = None


def status(con: duckdb.DuckDBPyConnection) -> Status:
    messages, patches, covers, threads, first, last = con.execute(
        "SELECT count(*), count(*) FILTER (is_patch), count(*) FILTER (is_cover), "
        "count(DISTINCT thread_id), min(date), max(date) FROM messages"
    ).fetchall()[0]
    errors = con.execute("SELECT count(*) FROM ingest_errors").fetchall()[0][0]
    lists = con.execute(
        "SELECT l, count(*), min(date), max(date) FROM "
        "(SELECT unnest(lists) AS l, date FROM messages) GROUP BY l ORDER BY count(*) DESC"
    ).fetchall()
    cur = con.execute(
        "SELECT run_id, started_at, status, n_read, n_new, n_cross_posted, n_duplicate, n_failed, "
        "seconds "
        "FROM ingest_runs ORDER BY run_id DESC LIMIT 1"
    )
    rows = cur.fetchall()
    row = rows[0] if rows else None
    last_run = dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None
    if last_run and last_run["status"] == "running":
        # a writer holds the file locked while it runs, so this read-only connection could
        # not be open: the run ended without recording it (killed, or a full disk)
        last_run["status"] = "interrupted"
    enrichment, behind = _enrichment(con)
    return Status(messages, patches, covers, threads, first, last, errors, lists, last_run,
                  enrichment, behind)


def _enrichment(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, Any] | None, int | None]:
    """The latest ``enrich_runs`` row and the messages ingested after it (None, None for a
    database written before enrichment runs were recorded)."""
    if not con.execute("SELECT count(*) FROM information_schema.tables "
                       "WHERE table_name = 'enrich_runs'").fetchall()[0][0]:
        return None, None
    cur = con.execute("SELECT enrich_id, finished_at, mode, reason, last_run, seconds "
                      "FROM enrich_runs ORDER BY enrich_id DESC LIMIT 1")
    rows = cur.fetchall()
    if not rows:
        return None, con.execute("SELECT count(*) FROM messages").fetchall()[0][0]
    run = dict(zip([d[0] for d in cur.description], rows[0], strict=True))
    behind = con.execute("SELECT count(*) FROM messages WHERE first_seen_run > ?",
                         [run["last_run"]]).fetchall()[0][0]
    return run, behind


def stored_copies(con: duckdb.DuckDBPyConnection, message_id: str) -> list[tuple]:
    """Where the copies of a message are archived, first copy first: ``(kind, git_dir,
    blob, path, byte_offset)`` rows of ``message_sources``."""
    return con.execute(
        "SELECT kind, git_dir, blob, path, byte_offset FROM message_sources "
        "WHERE message_id = ? ORDER BY run_id, duplicate <> 'first', source",
        [message_id.strip().strip("<>")],
    ).fetchall()
