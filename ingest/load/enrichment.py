"""Writing enrichment results: whole tables replaced, columns of messages updated."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from ingest.load.database import now_utc


def set_thread_ids(con: duckdb.DuckDBPyConnection, table: pa.Table) -> int:
    """Write ``thread_id`` for the messages in ``table`` (message_id, thread_id)."""
    con.register("_threads", table)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "UPDATE messages SET thread_id = t.thread_id FROM _threads t "
            "WHERE messages.message_id = t.message_id "
            "AND messages.thread_id IS DISTINCT FROM t.thread_id"
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_threads")
    return table.num_rows


def replace_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
    """Replace the rows of enrichment tables, all in one transaction.

    Columns are matched by name; columns the Arrow table lacks are left NULL.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        for name, table in tables.items():
            if table.num_columns == 0 or table.num_rows == 0:
                con.execute(f"DELETE FROM {name}")  # nothing to insert (an empty database)
                continue
            view = f"_replace_{name}"
            con.register(view, table)
            try:
                con.execute(f"DELETE FROM {name}")
                con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM {view}")
            finally:
                con.unregister(view)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def set_message_series(con: duckdb.DuckDBPyConnection, table: pa.Table) -> None:
    """Write ``messages.series_id`` (message_id, series_id); others become NULL."""
    con.register("_series_ids", table)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "UPDATE messages SET series_id = s.series_id FROM _series_ids s "
            "WHERE messages.message_id = s.message_id "
            "AND messages.series_id IS DISTINCT FROM s.series_id"
        )
        con.execute(
            "UPDATE messages SET series_id = NULL WHERE series_id IS NOT NULL "
            "AND message_id NOT IN (SELECT message_id FROM _series_ids)"
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_series_ids")


def store_inputs(
    con: duckdb.DuckDBPyConnection, kind: str, items: list[tuple[str, str]]
) -> None:
    """Replace the stored enrichment inputs of one kind with ``(origin, content)`` items."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM enrich_inputs WHERE kind = ?", [kind])
        for pos, (origin, content) in enumerate(items):
            con.execute(
                "INSERT INTO enrich_inputs VALUES (?, ?, ?, ?, ?)",
                [kind, pos, origin, content, now_utc()],
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def derive_message_authors(con: duckdb.DuckDBPyConnection) -> float:
    """Rebuild ``message_authors``: each sender as a person with the organisation in force
    at the message's date. Returns the share of non-bot messages whose kind is known."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM message_authors")
        con.execute("""
            INSERT INTO message_authors
            SELECT m.message_id, pa.person_id, coalesce(p.is_bot, false),
                   coalesce(a.kind, 'unknown'), a.org,
                   coalesce(a.reason, CASE WHEN m.from_email IS NULL
                                           THEN 'no usable From address' END)
            FROM messages m
            LEFT JOIN person_addresses pa ON pa.email = m.from_email
            LEFT JOIN people p ON p.person_id = pa.person_id
            LEFT JOIN affiliations a ON a.email = m.from_email
                 AND (a.valid_from IS NULL OR m.date >= a.valid_from)
                 AND (a.valid_to IS NULL OR m.date < a.valid_to)
            QUALIFY row_number() OVER (PARTITION BY m.message_id
                                       ORDER BY a.valid_from DESC NULLS LAST) = 1
        """)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    share = con.execute(
        "SELECT avg(CASE WHEN org_kind <> 'unknown' THEN 1.0 ELSE 0.0 END) "
        "FROM message_authors WHERE NOT is_bot"
    ).fetchall()[0][0]
    return float(share or 0.0)
