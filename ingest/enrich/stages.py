"""Enrichment: the stages that run after messages are loaded, in order.

Each stage reads what it needs from the database, computes with the pure functions of
its module (threads, people, orgs, subsystems, series, review), and writes through
``ingest.load``. Every stage recomputes its tables whole from the stored messages and
inputs, so running it twice gives the same tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ingest.enrich.context import Context
from ingest.enrich.domainmap import DomainMap
from ingest.enrich.orgs import OrgResolver, Signoff, parse_overrides
from ingest.enrich.people import AddressStat, AliasFile, parse_mailmap, resolve_identities
from ingest.enrich.series_stage import series_stage
from ingest.enrich.subsystems import SectionMatcher, directories_of
from ingest.enrich.threads import thread_ids
from ingest.load import (
    BatchCounts,
    derive_message_authors,
    replace_tables,
    set_thread_ids,
)

Log = Callable[[str], None]


@dataclass(frozen=True)
class Stage:
    name: str
    description: str
    run: Callable[[Context], str]


def threads_stage(ctx: Context) -> str:
    """Thread roots, recomputed whole: a late parent can join two threads."""
    t = ctx.con.sql('SELECT message_id, in_reply_to, "references", date FROM messages')
    t = t.to_arrow_table()
    ids = t.column("message_id").to_pylist()
    roots = thread_ids(ids, t.column("in_reply_to").to_pylist(),
                       t.column("references").to_pylist(), t.column("date").to_pylist())
    set_thread_ids(ctx.con, pa.table({"message_id": ids, "thread_id": roots}))
    return f"{len(set(roots)):,} threads"


def people_stage(ctx: Context) -> str:
    rows = ctx.con.execute(
        "SELECT from_name, from_email, count(*), min(date), max(date) FROM messages "
        "WHERE from_email IS NOT NULL GROUP BY ALL"
    ).fetchall()
    ctx.stats = [AddressStat(n, e, c, f, la) for n, e, c, f, la in rows]
    mailmap = [e for _o, text in ctx.inputs("mailmap") for e in parse_mailmap(text)]
    aliases = None
    alias_inputs = ctx.inputs("aliases")
    if alias_inputs:
        aliases = AliasFile.from_text("\n".join(t for _o, t in alias_inputs), "aliases")
    ctx.identities = ident = resolve_identities(ctx.stats, mailmap, aliases)
    # a .mailmap or alias file names many who never wrote to these lists: they help to
    # join addresses, but the tables list only people who sent a message here
    senders = [p for p in ident.people if p.messages > 0]
    kept = {p.person_id for p in senders}
    people = pa.Table.from_pylist([
        {"person_id": p.person_id, "name": p.name, "emails": list(p.emails),
         "n_messages": p.messages, "first_seen": p.first, "last_seen": p.last,
         "is_bot": p.is_bot}
        for p in senders
    ])
    addresses = pa.Table.from_pylist([
        {"email": i.email, "person_id": i.person_id, "reason": i.reason}
        for i in ident.identities if i.person_id in kept
    ])
    replace_tables(ctx.con, {"people": people, "person_addresses": addresses})
    bots = sum(1 for p in senders if p.is_bot)
    return f"{len(senders):,} people ({bots:,} bots) from {addresses.num_rows:,} addresses"


def orgs_stage(ctx: Context) -> str:
    maps = [DomainMap.from_text(text, origin) for origin, text in ctx.inputs("domain-map")]
    overrides = [o for origin, text in ctx.inputs("overrides")
                 for o in parse_overrides(text, origin)]
    signoffs = [
        Signoff(r["sender"], r["email"], r["date"], r["name"], r["sender_name"],
                r["kind"].title().replace("-By", "-by"))
        for r in ctx.rows(
            "SELECT m.from_email AS sender, m.from_name AS sender_name, m.date, t.email, "
            "t.name, t.kind FROM trailers t JOIN messages m USING (message_id) "
            "WHERE t.email IS NOT NULL AND m.from_email IS NOT NULL AND ("
            "(NOT t.in_reply AND t.kind = 'signed-off-by') OR "
            "(t.in_reply AND t.kind IN ('reviewed-by', 'acked-by', 'tested-by')))"
        )
    ]
    ctx.resolver = resolver = OrgResolver(
        maps, overrides=overrides, identities=ctx.identities, stats=ctx.stats,
        signoffs=signoffs,
    )
    aff = resolver.affiliations()
    table = pa.Table.from_pylist([
        {"person_id": a.person_id, "email": a.email, "kind": str(a.kind), "org": a.org,
         "valid_from": a.valid_from, "valid_to": a.valid_to, "reason": a.reason}
        for a in aff
    ], schema=pa.schema([
        ("person_id", pa.string()), ("email", pa.string()), ("kind", pa.string()),
        ("org", pa.string()), ("valid_from", pa.timestamp("us", tz="UTC")),
        ("valid_to", pa.timestamp("us", tz="UTC")), ("reason", pa.string()),
    ]))
    replace_tables(ctx.con, {"affiliations": table})
    known = derive_message_authors(ctx.con)
    return f"{len(aff):,} affiliation periods; {known:.1%} of messages with a known kind"


def subsystems_stage(ctx: Context) -> str:
    maint = ctx.inputs("maintainers")
    if not maint:
        replace_tables(ctx.con, {"subsystems": pa.table({"name": pa.array([], pa.string())})})
        ctx.matcher = None
        return "no MAINTAINERS loaded (lorelens maintainers PATH): subsystems skipped"
    # F: lines without a trailing slash can name a directory: get_maintainer.pl asks the
    # file system; here the directories are those of the paths the archive's diffs touch
    paths = [f for (f,) in ctx.con.execute(
        "SELECT DISTINCT unnest(files) FROM messages WHERE has_diff").fetchall()]
    ctx.matcher = matcher = SectionMatcher.from_text(maint[-1][1], directories_of(paths))
    rows = []
    for s in matcher.sections:
        rows.append({
            "name": s.name, "status": s.status, "lists": list(s.lists),
            "maintainers": [c.email for c in s.maintainers],
            "maintainer_names": [c.name for c in s.maintainers],
            "reviewers": [c.email for c in s.reviewers],
            "reviewer_names": [c.name for c in s.reviewers],
            "trees": list(s.trees), "web": list(s.web), "files": list(s.files),
            "excludes": list(s.excludes), "regexes": list(s.regexes),
            "keywords": list(s.keywords), "line": s.line,
        })
    replace_tables(ctx.con, {"subsystems": pa.Table.from_pylist(rows)})
    return f"{len(rows):,} MAINTAINERS sections from {maint[-1][0]}"


STAGES: tuple[Stage, ...] = (
    Stage("threads", "thread roots from In-Reply-To and References", threads_stage),
    Stage("people", "one person across several addresses; bots", people_stage),
    Stage("orgs", "organisation kind of every address over time", orgs_stage),
    Stage("subsystems", "MAINTAINERS sections", subsystems_stage),
    Stage("series", "series, versions, subsystems, review events, outcomes", series_stage),
)


def enrich_if_changed(
    con: duckdb.DuckDBPyConnection, counts: BatchCounts, log: Log = lambda _m: None
) -> dict[str, str]:
    """Run the stages after an ingest, unless it changed nothing they read (no new,
    deleted or newly cross-posted message): an incremental run with nothing new costs
    nothing. ``lorelens enrich`` always runs them."""
    if counts.new or counts.deleted or counts.cross_posted:
        return run_stages(con, log)
    log("enrichment: nothing new, tables unchanged")
    return {}


def run_stages(con: duckdb.DuckDBPyConnection, log: Log = lambda _m: None) -> dict[str, str]:
    ctx = Context(con)
    done = {}
    for stage in STAGES:
        done[stage.name] = stage.run(ctx)
        log(f"{stage.name}: {done[stage.name]}")
    return done
