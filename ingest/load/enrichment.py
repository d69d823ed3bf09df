"""Writing enrichment results: whole tables replaced, columns of messages updated."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from ingest.load.database import now_utc, registered, transaction


def _set_column(
    con: duckdb.DuckDBPyConnection, column: str, table: pa.Table, *, clear_others: bool
) -> None:
    """Write ``messages.<column>`` from ``table`` (message_id, <column>), touching only
    rows that change; with ``clear_others``, rows not in the table become NULL."""
    with registered(con, f"_set_{column}", table) as view, transaction(con):
        con.execute(
            f"UPDATE messages SET {column} = t.{column} FROM {view} t "
            f"WHERE messages.message_id = t.message_id "
            f"AND messages.{column} IS DISTINCT FROM t.{column}"
        )
        if clear_others:
            con.execute(
                f"UPDATE messages SET {column} = NULL WHERE {column} IS NOT NULL "
                f"AND message_id NOT IN (SELECT message_id FROM {view})"
            )


def set_thread_ids(con: duckdb.DuckDBPyConnection, table: pa.Table) -> int:
    """Write ``thread_id`` for the messages in ``table`` (message_id, thread_id)."""
    _set_column(con, "thread_id", table, clear_others=False)
    return table.num_rows


def set_message_series(con: duckdb.DuckDBPyConnection, table: pa.Table) -> None:
    """Write ``messages.series_id`` (message_id, series_id); others become NULL."""
    _set_column(con, "series_id", table, clear_others=True)


def replace_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
    """Replace the rows of enrichment tables, all in one transaction.

    Columns are matched by name; columns the Arrow table lacks are left NULL.
    """
    with transaction(con):
        for name, table in tables.items():
            con.execute(f"DELETE FROM {name}")
            if table.num_columns == 0 or table.num_rows == 0:
                continue  # nothing to insert (an empty database)
            with registered(con, f"_replace_{name}", table) as view:
                con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM {view}")


def store_inputs(
    con: duckdb.DuckDBPyConnection, kind: str, items: list[tuple[str, str]]
) -> None:
    """Replace the stored enrichment inputs of one kind with ``(origin, content)`` items."""
    with transaction(con):
        con.execute("DELETE FROM enrich_inputs WHERE kind = ?", [kind])
        for pos, (origin, content) in enumerate(items):
            con.execute(
                "INSERT INTO enrich_inputs VALUES (?, ?, ?, ?, ?)",
                [kind, pos, origin, content, now_utc()],
            )


def derive_message_authors(con: duckdb.DuckDBPyConnection) -> float:
    """Rebuild ``message_authors``: each sender as a person with the organisation in force
    at the message's date. Returns the share of non-bot messages whose kind is known."""
    with transaction(con):
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
    share = con.execute(
        "SELECT avg(CASE WHEN org_kind <> 'unknown' THEN 1.0 ELSE 0.0 END) "
        "FROM message_authors WHERE NOT is_bot"
    ).fetchall()[0][0]
    return float(share or 0.0)
