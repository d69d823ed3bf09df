"""Enrichment: the stages that run after messages are loaded, in order.

Each stage reads what it needs from the database, computes in pure functions, and
writes through ``ingest.load``. Stages are idempotent: running them again gives the
same tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ingest.enrich.threads import thread_ids
from ingest.load import set_thread_ids


@dataclass(frozen=True)
class Stage:
    name: str
    description: str
    run: Callable[[duckdb.DuckDBPyConnection], str]


def threads_stage(con: duckdb.DuckDBPyConnection) -> str:
    """Give every message its thread root (recomputed whole: threads can merge when a
    late-arriving parent links two of them)."""
    t = con.sql('SELECT message_id, in_reply_to, "references", date FROM messages').to_arrow_table()
    ids = t.column("message_id").to_pylist()
    roots = thread_ids(
        ids,
        t.column("in_reply_to").to_pylist(),
        t.column("references").to_pylist(),
        t.column("date").to_pylist(),
    )
    set_thread_ids(con, pa.table({"message_id": ids, "thread_id": roots}))
    return f"{len(set(roots)):,} threads"


STAGES: tuple[Stage, ...] = (
    Stage("threads", "thread roots from In-Reply-To and References", threads_stage),
)


def run_stages(
    con: duckdb.DuckDBPyConnection, log: Callable[[str], None] = lambda _m: None
) -> dict[str, str]:
    done = {}
    for stage in STAGES:
        done[stage.name] = stage.run(con)
        log(f"{stage.name}: {done[stage.name]}")
    return done
