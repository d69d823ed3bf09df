"""Enrichment: the stages that run after messages are loaded, in order.

Each stage reads what it needs from the database, computes with the pure functions of
its module (threads, people, orgs, subsystems, series, review), and writes through
``ingest.load``. One enrichment run is one transaction, ending with its ``enrich_runs``
row; the tables always equal what a whole recomputation from the stored messages and
inputs gives, so running it twice gives the same tables.

**Full or incremental.** `plan.plan_enrichment` compares the database with the latest
``enrich_runs`` row. When the only change since is new messages (and older messages
that gained a list), the run is *incremental* (``Context.delta``): threads are
recomputed for the threads the new messages touch; people, organisations and
``affiliations`` whole (an identity merge or an employer window can change any old
row: they are cheap); ``message_authors`` for new messages and senders whose person or
affiliation rows changed; subsystems not at all (only MAINTAINERS changes them); series,
posts, ``message_subsystems`` and ``messages.series_id`` for a closed region of threads
(`series_stage._region`), with every other series' end of observation, unanswered
outcome and author organisation refreshed. Anything else (messages deleted or replaced,
inputs, kernel tree HEAD or enrichment version changed, no earlier run, most messages
new, ``--full``) recomputes everything whole.
"""

from __future__ import annotations

import bisect
import gc
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ingest.enrich.context import Context, Delta
from ingest.enrich.domainmap import DomainMap
from ingest.enrich.file_activity import file_activity_stage
from ingest.enrich.orgs import OrgResolver, Signoff, parse_overrides
from ingest.enrich.people import (
    AddressStat,
    AliasFile,
    Identities,
    parse_mailmap,
    resolve_identities,
)
from ingest.enrich.plan import plan_enrichment
from ingest.enrich.rows import column_values
from ingest.enrich.series_stage import series_stage
from ingest.enrich.subsystems import SectionMatcher, directories_of, normalise_path
from ingest.enrich.threads import thread_ids
from ingest.load import (
    BatchCounts,
    derive_message_authors,
    replace_tables,
    set_thread_ids,
)
from ingest.load.database import registered, working_memory
from ingest.load.enrichment import enrichment_transaction, record_enrichment

Log = Callable[[str], None]


@dataclass(frozen=True)
class Stage:
    name: str
    description: str
    run: Callable[[Context], str]


_THREAD_COLUMNS = 'message_id, in_reply_to, "references", date'


def threads_stage(ctx: Context) -> str:
    """Thread roots: a late parent can join two threads, so an incremental run recomputes
    every thread that a new message links to (whole threads: see threads.py)."""
    if ctx.delta is not None:
        return _threads_incremental(ctx, ctx.delta)
    m = ctx.messages()
    ids = [x.message_id for x in m]
    roots = thread_ids(ids, [x.in_reply_to for x in m], [x.references for x in m],
                       [x.date for x in m])
    set_thread_ids(ctx.con, pa.table({"message_id": ids, "thread_id": roots}))
    return f"{len(set(roots)):,} threads"


def _threads_incremental(ctx: Context, delta: Delta) -> str:
    """A thread is a connected component of the links a message makes (to its parent and
    to its first reference). New messages can only add links and nodes, so the threads
    that change are the new messages together with every older thread that holds one of
    the nodes they link (as a message, or as the parent or first reference of one);
    thread_ids() on exactly those messages gives their roots as on the whole archive."""
    con = ctx.con
    new = ctx.rows(f"SELECT {_THREAD_COLUMNS} FROM messages WHERE first_seen_run > ?",
                   [delta.last_run])
    nodes: set[str] = set()
    for r in new:
        refs = r["references"] or []
        nodes.add(r["message_id"])
        nodes.update(x for x in (r["in_reply_to"], refs[-1] if refs else None,
                                 refs[0] if refs else None) if x)
    with registered(con, "_nodes", pa.table({"n": pa.array(sorted(nodes), pa.string())})):
        rows = con.execute(f"""
            WITH touched AS (
                SELECT DISTINCT thread_id FROM messages
                WHERE first_seen_run <= {int(delta.last_run)} AND thread_id IS NOT NULL AND (
                    message_id IN (SELECT n FROM _nodes)
                    OR in_reply_to IN (SELECT n FROM _nodes)
                    OR "references"[1] IN (SELECT n FROM _nodes)
                    OR "references"[-1] IN (SELECT n FROM _nodes)))
            SELECT {_THREAD_COLUMNS}, first_seen_run > {int(delta.last_run)} FROM messages
            WHERE first_seen_run > {int(delta.last_run)} OR thread_id IS NULL
               OR thread_id IN (SELECT thread_id FROM touched)
        """).fetchall()
    ids = [r[0] for r in rows]
    roots = thread_ids(ids, [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows])
    set_thread_ids(con, pa.table({"message_id": pa.array(ids, pa.string()),
                                  "thread_id": pa.array(roots, pa.string())}))
    delta.threads = {root for r, root in zip(rows, roots, strict=True) if r[4]}
    delta.n_rethreaded = len(ids)
    total = con.execute("SELECT count(DISTINCT thread_id) FROM messages").fetchall()[0][0]
    return (f"{total:,} threads; incremental: {len(ids):,} messages in "
            f"{len(set(roots)):,} threads rethreaded")


_ADDRESS_STATS = ("SELECT from_name, from_email, count(*), min(date), max(date) FROM messages "
                  "WHERE from_email IS NOT NULL {and_} GROUP BY ALL")


def people_stage(ctx: Context) -> str:
    """Recomputed whole (a new address can merge two people, and the most used address,
    which names a person, can change with any message); an incremental run also works out
    which addresses now belong to another person, for the series stage."""
    rows = ctx.con.execute(_ADDRESS_STATS.format(and_="")).fetchall()
    ctx.stats = [AddressStat(n, e, c, f, la) for n, e, c, f, la in rows]
    mailmap = [e for _o, text in ctx.inputs("mailmap") for e in parse_mailmap(text)]
    aliases = None
    alias_inputs = ctx.inputs("aliases")
    if alias_inputs:
        aliases = AliasFile.from_text("\n".join(t for _o, t in alias_inputs), "aliases")
    ctx.identities = ident = resolve_identities(ctx.stats, mailmap, aliases)
    if ctx.delta is not None:
        # the people before: the tables the last run wrote (every address of every
        # person who sent a message; any other address was its own person, or in a group
        # that sent nothing, whose every address is then counted as changed: harmless)
        delta = ctx.delta
        delta.old_addresses = {e: (p, bool(b)) for e, p, b in ctx.con.execute(
            "SELECT a.email, a.person_id, coalesce(p.is_bot, false) FROM person_addresses a "
            "LEFT JOIN people p USING (person_id)").fetchall()}
        delta.old_groups = {p: tuple(es or ()) for p, es in ctx.con.execute(
            "SELECT person_id, emails FROM people").fetchall()}
        delta.changed_people = _changed_people(delta.old_addresses, ident)
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
    line = f"{len(senders):,} people ({bots:,} bots) from {addresses.num_rows:,} addresses"
    if ctx.delta is not None:
        line += f"; {len(ctx.delta.changed_people):,} addresses changed person"
    return line


def _changed_people(old: dict[str, tuple[str, bool]], new: Identities) -> set[str]:
    """Addresses whose person, or whether that person is a bot, differs from ``old``
    (address → person, bot; an address not in it was its own person, no bot)."""
    n = {i.email: i.person_id for i in new.identities}
    bots = {p.person_id: p.is_bot for p in new.people}
    out = set()
    for e in old.keys() | n.keys():
        pn = n.get(e, e)
        if old.get(e, (e, False)) != (pn, bots.get(pn, False)):
            out.add(e)
    return out


def _changed_senders(ctx: Context, delta: Delta, table: pa.Table, old_aff: Counter) -> set[str]:
    """``from_email`` values whose ``message_authors`` rows may change: their address row
    (person, bot flag) or their affiliation rows differ from before."""
    new_addresses = {e: (p, bool(b)) for e, p, b in ctx.con.execute(
        "SELECT a.email, a.person_id, coalesce(p.is_bot, false) FROM person_addresses a "
        "LEFT JOIN people p USING (person_id)").fetchall()}
    out = {e for e in delta.old_addresses.keys() | new_addresses.keys()
           if delta.old_addresses.get(e) != new_addresses.get(e)}
    new_aff = Counter(_affiliation_keys(table.to_pylist()))
    out.update(e for e, *_rest in (old_aff - new_aff) + (new_aff - old_aff))
    return out


def _affiliation_keys(rows: list[dict]) -> list[tuple]:
    return [(r["email"], r["person_id"], r["kind"], r["org"], r["valid_from"], r["valid_to"],
             r["reason"]) for r in rows]


def orgs_stage(ctx: Context) -> str:
    maps = [DomainMap.from_text(text, origin) for origin, text in ctx.inputs("domain-map")]
    overrides = [o for origin, text in ctx.inputs("overrides")
                 for o in parse_overrides(text, origin)]
    trailers = ctx.con.sql(
        "SELECT m.from_email, t.email, m.date, t.name, m.from_name, t.kind "
        "FROM trailers t JOIN messages m USING (message_id) "
        # every person trailer: rule 6 keeps those naming the sender, rule 6b reads
        # the employer notes of anyone's (a sign-off chain carries them along)
        "WHERE t.email IS NOT NULL AND m.from_email IS NOT NULL AND "
        "t.kind IN ('signed-off-by', 'reviewed-by', 'acked-by', 'tested-by')"
    ).to_arrow_table()
    *fields, kinds = (column_values(c) for c in trailers.columns)
    names = {k: k.title().replace("-By", "-by") for k in set(kinds)}  # Signed-off-by
    # (the ignore: f is the 5 columns before the kind, but mypy takes *f as filling every
    # parameter, so one more argument is "too many": python/mypy#14648)
    signoffs = [Signoff(*f, names[k]) for *f, k in zip(*fields, kinds, strict=True)]  # type: ignore[call-arg]
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
    delta = ctx.delta
    if delta is None:
        replace_tables(ctx.con, {"affiliations": table})
        known = derive_message_authors(ctx.con)
        return f"{len(aff):,} affiliation periods; {known:.1%} of messages with a known kind"
    old_aff = Counter(_affiliation_keys(ctx.rows(
        "SELECT email, person_id, kind, org, valid_from, valid_to, reason FROM affiliations")))
    replace_tables(ctx.con, {"affiliations": table})
    senders = _changed_senders(ctx, delta, table, old_aff)
    delta.changed_authors = senders
    known = derive_message_authors(ctx.con, new_after_run=delta.last_run, senders=senders)
    return (f"{len(aff):,} affiliation periods; {known:.1%} of messages with a known kind; "
            f"incremental: message authors of new messages and {len(senders):,} senders")


def subsystems_stage(ctx: Context) -> str:
    maint = ctx.inputs("maintainers")
    if not maint:
        replace_tables(ctx.con, {"subsystems": pa.table({"name": pa.array([], pa.string())})})
        ctx.matcher = None
        return "no MAINTAINERS loaded (lorelens maintainers PATH): subsystems skipped"
    # F: lines without a trailing slash can name a directory: get_maintainer.pl asks the
    # file system; here the directories are those of the paths the archive's diffs touch
    delta = ctx.delta
    after = int(delta.last_run) if delta is not None else 0
    found = ctx.con.execute(
        f"SELECT f, bool_and(first_seen_run > {after}) FROM (SELECT unnest(files) AS f, "
        "first_seen_run FROM messages WHERE has_diff) GROUP BY f").fetchall()
    paths = [f for f, _only_new in found]
    ctx.matcher = matcher = SectionMatcher.from_text(maint[-1][1], directories_of(paths))
    if delta is not None:
        # the table depends on MAINTAINERS alone; but a directory first seen now turns
        # "F: dir" from a file-name prefix into a directory, for older paths too
        old = [f for f, only_new in found if not only_new]
        delta.redirected_paths = _redirected(old, [f for f, only_new in found if only_new])
        return (f"{len(matcher.sections):,} MAINTAINERS sections from {maint[-1][0]} "
                f"(unchanged); {len(delta.redirected_paths):,} older paths under a new "
                "directory name")
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


def _redirected(old_paths: list[str], new_paths: list[str]) -> list[str]:
    """Older diff paths whose matching a directory first proved by ``new_paths`` may
    change: a plain ``F: dir`` pattern matches ``dir…`` paths as a file-name prefix only
    until ``dir`` is known to be a directory (subsystems.py)."""
    fresh = directories_of(new_paths) - directories_of(old_paths)
    if not fresh:
        return []
    norm = sorted((normalise_path(p), p) for p in old_paths)
    keys = [n for n, _p in norm]
    out: set[str] = set()
    for d in fresh:
        i = bisect.bisect_left(keys, d)
        while i < len(keys) and keys[i].startswith(d):
            out.add(norm[i][1])
            i += 1
    return sorted(out)


STAGES: tuple[Stage, ...] = (
    Stage("threads", "thread roots from In-Reply-To and References", threads_stage),
    Stage("people", "one person across several addresses; bots", people_stage),
    Stage("orgs", "organisation kind of every address over time", orgs_stage),
    Stage("subsystems", "MAINTAINERS sections", subsystems_stage),
    Stage("series", "series, versions, subsystems, review events, outcomes", series_stage),
    Stage("files", "when each file last changed in the kernel tree", file_activity_stage),
)


def enrich(
    con: duckdb.DuckDBPyConnection, log: Log = lambda _m: None, *, full: bool = False
) -> dict[str, str]:
    """Bring the enrichment tables up to date: incrementally after an ingest that only
    added messages, else whole (``full`` forces it); nothing when nothing changed.
    One transaction: the tables and their ``enrich_runs`` row commit together."""
    plan = plan_enrichment(con, full=full)
    if plan.mode == "none":
        log(f"enrichment: {plan.reason}, tables unchanged")
        return {}
    started = time.perf_counter()
    log(f"enrichment: {plan.mode} ({plan.reason})")
    delta = None
    if plan.mode == "incremental":
        delta = Delta(last_run=plan.since_run, n_new=plan.n_new, relisted=plan.relisted)
    done: dict[str, str] = {}
    with _gc_paused(), working_memory(con, plan.n_messages), enrichment_transaction(con):
        ctx = Context(con, delta=delta)
        for stage in STAGES:
            done[stage.name] = stage.run(ctx)
            log(f"{stage.name}: {done[stage.name]}")
        recomputed = plan.n_messages
        if delta is not None and delta.n_recomputed is not None:
            recomputed = delta.n_recomputed
        record_enrichment(con, {
            "mode": plan.mode, "reason": plan.reason, "version": plan.version,
            "inputs_hash": plan.inputs_hash, "last_run": plan.last_run,
            "n_messages": plan.n_messages, "n_new": plan.n_new, "n_recomputed": recomputed,
            "stages": [f"{k}: {v}" for k, v in done.items()],
            "seconds": time.perf_counter() - started,
        })
    return done


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No automatic garbage collection for the block: enrichment builds ~10⁶ objects,
    nearly none in reference cycles, and the collector's passes over them took ~10% of
    its CPU time; it is switched back on (if it was on) afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def enrich_if_changed(
    con: duckdb.DuckDBPyConnection, counts: BatchCounts, log: Log = lambda _m: None
) -> dict[str, str]:
    """Enrichment after an ingest: incremental when it only added messages, nothing when
    nothing changed since the last enrichment (also one that an earlier, interrupted or
    ``--no-enrich``, ingest left undone), else whole. ``counts`` is the ingest's own
    tally; the database itself says what changed (`plan_enrichment`)."""
    del counts
    return enrich(con, log)


def run_stages(con: duckdb.DuckDBPyConnection, log: Log = lambda _m: None) -> dict[str, str]:
    """Recompute every enrichment table whole (`enrich` with ``full``)."""
    return enrich(con, log, full=True)
