"""The messages that the threads and series stages read, held compactly in Python.

A whole enrichment holds every message's fields at once (threads and series span the
archive), so their size is the run's memory (bench/README.md, "Enrichment in bounded
memory"). Each message is one `Message` (a named tuple: a fifth of a dict's size), and
the values that repeat from message to message are held once:

- a ``from_email``, a ``lists``, ``prefixes`` or ``files`` value is shared by every
  message that has an equal one (list columns become tuples);
- an ``in_reply_to`` or reference that names a stored message is that message's own
  ``message_id`` string;
- ``references`` is kept whole only for a message that can be a posting (not a reply,
  with a PATCH tag: series.py reads its whole chain); of any other message only the
  first and the last reference are kept, which is all that threads (threads.py: the
  parent, the first reference) and review events (the parent) read.

The values are equal to the stored ones (tuples for lists); only their sharing differs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import duckdb

from ingest.enrich.rows import column_values


class Message(NamedTuple):
    message_id: str
    from_email: str | None
    date: dt.datetime | None
    subject_base: str | None
    patch_version: int | None
    patch_counter: int | None
    patch_total: int | None
    is_cover: bool
    is_patch: bool
    is_rfc: bool
    is_resend: bool
    is_reply: bool
    in_reply_to: str | None
    references: tuple[str, ...] | None
    change_id: str | None
    lists: tuple[str, ...] | None
    files: tuple[str, ...] | None
    applied_notice: str | None
    bot_report: str | None
    prefixes: tuple[str, ...] | None


#: ``messages`` columns in `Message` order; ``references`` cut to its first and last
#: element where no posting can use the rest (see the module's docstring)
_SELECT = ", ".join(
    '(CASE WHEN (is_reply OR patch_version IS NULL) AND len("references") > 2 '
    'THEN ["references"[1], "references"[-1]] ELSE "references" END) AS "references"'
    if name == "references" else f'"{name}"' for name in Message._fields)

_SHARED = ("from_email", "lists", "prefixes", "files")


def read_messages(con: duckdb.DuckDBPyConnection, where: str = "",
                  params: list[Any] | None = None) -> list[Message]:
    """`Message` of every stored message (or of those ``where``, an SQL condition,
    selects), in the table's order."""
    sql = f"SELECT {_SELECT} FROM messages" + (f" WHERE {where}" if where else "")
    table = con.sql(sql, params=params).to_arrow_table()
    cols: dict[str, list[Any]] = {}
    for name in Message._fields:
        values = column_values(table.column(name))
        table = table.drop_columns([name])  # the Arrow buffers go as their values come
        if name in _SHARED:
            values = _shared(values, tuple_of=name != "from_email")
        cols[name] = values
    ids = {mid: mid for mid in cols["message_id"]}
    cols["in_reply_to"] = [None if x is None else ids.get(x, x) for x in cols["in_reply_to"]]
    cols["references"] = [None if refs is None else tuple(ids.get(x, x) for x in refs)
                          for refs in cols["references"]]
    del ids
    out = list(map(Message._make, zip(*cols.values(), strict=True)))
    return out


def _shared(values: list[Any], *, tuple_of: bool) -> list[Any]:
    """``values`` with equal values held once (lists turned into tuples)."""
    seen: dict[Any, Any] = {}
    out = []
    for v in values:
        if v is not None:
            if tuple_of:
                v = tuple(v)
            v = seen.setdefault(v, v)
        out.append(v)
    return out
