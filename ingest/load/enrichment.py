"""Writing enrichment results: whole tables replaced, or only the rows an incremental
run recomputed; columns of messages updated.

One enrichment run is one transaction (`enrichment_transaction`): its tables and the
``enrich_runs`` row that says what they cover commit together or not at all. The writers
below join that transaction when one is open, else open their own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import cast

import duckdb
import pyarrow as pa

from ingest.load.database import now_utc, registered, transaction

_OPEN: set[int] = set()  # id() of connections inside an enrichment transaction


@contextmanager
def _tx(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    if id(con) in _OPEN:
        yield con
        return
    with transaction(con):
        yield con


@contextmanager
def enrichment_transaction(
    con: duckdb.DuckDBPyConnection,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction for a whole enrichment run: committed when the block ends, rolled
    back (every table as before, ``enrich_runs`` too) if it raises."""
    with _tx(con):
        _OPEN.add(id(con))
        try:
            yield con
        finally:
            _OPEN.discard(id(con))


def _ids(values: Sequence[str] | set[str] | frozenset[str]) -> pa.Table:
    return pa.table({"message_id": pa.array(sorted(values), pa.string())})


def _set_column(
    con: duckdb.DuckDBPyConnection, column: str, table: pa.Table, *, clear_others: bool,
    scope: Sequence[str] | set[str] | None = None,
) -> None:
    """Write ``messages.<column>`` from ``table`` (message_id, <column>), touching only
    rows that change; with ``clear_others``, rows not in the table become NULL (with
    ``scope``, only such rows among the Message-IDs in ``scope``)."""
    with registered(con, f"_set_{column}", table) as view, _tx(con):
        con.execute(
            f"UPDATE messages SET {column} = t.{column} FROM {view} t "
            f"WHERE messages.message_id = t.message_id "
            f"AND messages.{column} IS DISTINCT FROM t.{column}"
        )
        if clear_others and scope is None:
            con.execute(
                f"UPDATE messages SET {column} = NULL WHERE {column} IS NOT NULL "
                f"AND message_id NOT IN (SELECT message_id FROM {view})"
            )
        elif clear_others:
            # scope is not None here (the branch above took the None case)
            in_scope = cast("Sequence[str] | set[str]", scope)
            with registered(con, f"_scope_{column}", _ids(in_scope)) as where:
                con.execute(
                    f"UPDATE messages SET {column} = NULL WHERE {column} IS NOT NULL "
                    f"AND message_id IN (SELECT message_id FROM {where}) "
                    f"AND message_id NOT IN (SELECT message_id FROM {view})"
                )


def set_thread_ids(con: duckdb.DuckDBPyConnection, table: pa.Table) -> int:
    """Write ``thread_id`` for the messages in ``table`` (message_id, thread_id)."""
    _set_column(con, "thread_id", table, clear_others=False)
    return table.num_rows


def set_message_series(
    con: duckdb.DuckDBPyConnection, table: pa.Table,
    scope: Sequence[str] | set[str] | None = None,
) -> None:
    """Write ``messages.series_id`` (message_id, series_id); others become NULL (with
    ``scope``: only the others among those Message-IDs)."""
    _set_column(con, "series_id", table, clear_others=True, scope=scope)


def replace_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
    """Replace the rows of enrichment tables, all in one transaction.

    Columns are matched by name; columns the Arrow table lacks are left NULL.
    """
    with _tx(con):
        for name, table in tables.items():
            _clear(con, name)
            _insert(con, name, table)


def _clear(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Empty table ``name``. One that holds rows is dropped and created again from its own
    definition in the catalog (same columns, types, constraints and defaults): DuckDB
    commits that in a fraction of the time a ``DELETE`` of every row takes (each deleted
    key must also leave the primary-key index)."""
    if not con.execute(f"SELECT EXISTS (FROM {name})").fetchall()[0][0]:
        return
    ddl = con.execute(
        "SELECT sql FROM duckdb_tables() WHERE table_name = ? AND NOT temporary "
        "AND database_name = current_database() AND schema_name = current_schema()",
        [name]).fetchall()[0][0]
    con.execute(f"DROP TABLE {name}")
    con.execute(ddl)


def _insert(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    if table.num_columns == 0 or table.num_rows == 0:
        return  # nothing to insert (an empty database)
    with registered(con, f"_replace_{name}", table) as view:
        con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM {view}")


def replace_rows(
    con: duckdb.DuckDBPyConnection,
    tables: dict[str, tuple[str, Sequence[str] | set[str], pa.Table]],
) -> None:
    """Replace some rows of enrichment tables: per table ``(key column, keys, rows)``,
    the rows whose key is among ``keys`` are deleted and ``rows`` inserted."""
    with _tx(con):
        for name, (key, keys, table) in tables.items():
            if keys:
                keyed = pa.table({key: pa.array(sorted(keys), pa.string())})
                with registered(con, f"_drop_{name}", keyed) as view:
                    con.execute(f"DELETE FROM {name} WHERE {key} IN (SELECT {key} FROM {view})")
            _insert(con, name, table)


def update_rows(
    con: duckdb.DuckDBPyConnection, name: str, key: str, table: pa.Table
) -> None:
    """Set the columns of ``table`` (besides ``key``) on the rows of ``name`` whose
    ``key`` it lists."""
    if table.num_rows == 0:
        return
    cols = [c for c in table.column_names if c != key]
    sets = ", ".join(f"{c} = t.{c}" for c in cols)
    with registered(con, f"_update_{name}", table) as view, _tx(con):
        con.execute(f"UPDATE {name} SET {sets} FROM {view} t WHERE {name}.{key} = t.{key}")


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


_MESSAGE_AUTHORS = """
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
    {where}
    QUALIFY row_number() OVER (PARTITION BY m.message_id
                               ORDER BY a.valid_from DESC NULLS LAST) = 1
"""


def derive_message_authors(
    con: duckdb.DuckDBPyConnection,
    *,
    new_after_run: int | None = None,
    senders: Sequence[str] | set[str] = (),
) -> float:
    """Rebuild ``message_authors``: each sender as a person with the organisation in force
    at the message's date. With ``new_after_run``, only the rows of messages first seen
    after that ingest run and of messages from ``senders`` (``from_email`` values whose
    person, bot flag or affiliation changed) are rebuilt. Returns the share of non-bot
    messages whose kind is known."""
    with _tx(con):
        if new_after_run is None:
            _clear(con, "message_authors")
            con.execute("INSERT INTO message_authors " + _MESSAGE_AUTHORS.format(where=""))
        else:
            table = pa.table({"email": pa.array(sorted(senders), pa.string())})
            with registered(con, "_changed_senders", table):
                pick = (f"m.first_seen_run > {int(new_after_run)} OR m.from_email IN "
                        "(SELECT email FROM _changed_senders)")
                con.execute(
                    "DELETE FROM message_authors WHERE message_id IN (SELECT message_id "
                    f"FROM messages m WHERE {pick})")
                con.execute("INSERT INTO message_authors "
                            + _MESSAGE_AUTHORS.format(where=f"WHERE {pick}"))
    share = con.execute(
        "SELECT avg(CASE WHEN org_kind <> 'unknown' THEN 1.0 ELSE 0.0 END) "
        "FROM message_authors WHERE NOT is_bot"
    ).fetchall()[0][0]
    return float(share or 0.0)


def record_enrichment(con: duckdb.DuckDBPyConnection, row: dict[str, object]) -> None:
    """Append the ``enrich_runs`` row of a finished enrichment (inside its transaction)."""
    with _tx(con):
        n = con.execute("SELECT coalesce(max(enrich_id), 0) + 1 FROM enrich_runs").fetchall()
        cols = ["enrich_id", "finished_at", *row]
        marks = ", ".join("?" for _ in cols)
        con.execute(f"INSERT INTO enrich_runs ({', '.join(cols)}) VALUES ({marks})",
                    [n[0][0], now_utc(), *row.values()])
