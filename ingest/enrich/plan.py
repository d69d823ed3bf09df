"""Full, incremental or nothing: what an enrichment run will do (`plan_enrichment`).

The database is compared with its latest ``enrich_runs`` row: the run is incremental
when the only change since is new messages (and older messages that gained a list), and
whole when anything else changed (messages deleted or replaced, inputs, kernel tree HEAD
or enrichment version, no earlier run, most messages new, ``--full``); see ``stages.py``
for what an incremental run recomputes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

import duckdb

from core.database import enrichment_version
from core.errors import LorelensError
from ingest.sources.kernel_tree import check_repo


@dataclass(frozen=True)
class Plan:
    """What `enrich` will do, decided from the database and its latest ``enrich_runs``."""

    mode: str  # full | incremental | none
    reason: str
    last_run: int  # the newest ingest run now: what the run will cover
    n_messages: int
    n_new: int
    inputs_hash: str
    version: str
    since_run: int = 0  # incremental: the previous enrichment's last_run
    relisted: frozenset[str] = field(default_factory=frozenset)


class _PlanBase(TypedDict):
    """The `Plan` fields every outcome of `plan_enrichment` shares."""

    last_run: int
    n_messages: int
    inputs_hash: str
    version: str


def inputs_hash(con: duckdb.DuckDBPyConnection) -> str:
    """A digest of the stored inputs (their text, not when they were loaded) and of the
    kernel tree's current HEAD, whose commits are read at every run."""
    h = hashlib.sha1()
    for kind, pos, origin, content in con.execute(
        "SELECT kind, position, origin, content FROM enrich_inputs ORDER BY kind, position"
    ).fetchall():
        h.update(f"{kind}\0{pos}\0{origin}\0{len(content)}\0".encode())
        h.update(content.encode("utf-8", "surrogatepass"))
        if kind == "kernel-git":
            try:
                head = check_repo(Path(origin))
            except LorelensError:
                head = "unreadable"
            h.update(f"\0HEAD {head}".encode())
    return h.hexdigest()


def plan_enrichment(con: duckdb.DuckDBPyConnection, *, full: bool = False) -> Plan:
    """Full, incremental or nothing to do (see the module docstring)."""
    last_run, n_messages = con.execute(
        "SELECT (SELECT coalesce(max(run_id), 0) FROM ingest_runs), "
        "(SELECT count(*) FROM messages)").fetchall()[0]
    digest, version = inputs_hash(con), enrichment_version()
    base: _PlanBase = dict(last_run=int(last_run), n_messages=int(n_messages),
                           inputs_hash=digest, version=version)
    prev = con.execute(
        "SELECT version, inputs_hash, last_run, n_messages FROM enrich_runs "
        "ORDER BY enrich_id DESC LIMIT 1").fetchall()

    def whole(reason: str) -> Plan:
        return Plan("full", reason, n_new=int(n_messages), **base)

    if full:
        return whole("asked for")
    if not prev:
        return whole("no earlier enrichment")
    p_version, p_hash, p_run, p_messages = prev[0]
    if p_version != version:
        return whole(f"enrichment version changed ({p_version} → {version})")
    if p_hash != digest:
        return whole("enrichment inputs changed")
    n_old, n_new = con.execute(
        "SELECT count(*) FILTER (first_seen_run <= ?), count(*) FILTER (first_seen_run > ?) "
        "FROM messages", [p_run, p_run]).fetchall()[0]
    if n_old != p_messages:
        return whole(f"{p_messages - n_old:,} messages deleted or replaced since the last "
                     "enrichment")
    relisted = frozenset(r[0] for r in con.execute(
        "SELECT DISTINCT s.message_id FROM message_sources s JOIN messages m "
        "USING (message_id) WHERE s.run_id > ? AND s.duplicate = 'other-list' "
        "AND m.first_seen_run <= ?", [p_run, p_run]).fetchall())
    if not n_new and not relisted:
        return Plan("none", "nothing new since the last enrichment", n_new=0, **base)
    if n_new > n_old:
        return whole(f"most messages are new ({n_new:,} of {n_messages:,})")
    reason = f"{n_new:,} new messages"
    if relisted:
        reason += f", {len(relisted):,} older messages with a new list"
    return Plan("incremental", reason, n_new=int(n_new), since_run=int(p_run),
                relisted=relisted, **base)
