"""The region of an incremental series stage: which threads must be recomputed.

After an ingest that only added messages, the series stage recomputes the threads of
the new messages closed under everything that ties a series to other threads (same
author within the unthreaded window, References, version lines, change-ids, and with
a kernel tree the same subject or git patch-id); see `region`.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from typing import cast

import pyarrow as pa

from ingest.enrich.context import Context
from ingest.enrich.emails import normalise_email
from ingest.enrich.series import UNTHREADED_WINDOW, backport_branch, normalise_subject
from ingest.load.database import registered

#: review tags a patch can carry from an earlier version (Tested-by is kept apart)
CARRIED_KINDS = ("reviewed-by", "acked-by")
CARRIED_TAGS = str(CARRIED_KINDS)  # as an SQL list

_POST_COLUMNS = ('message_id, thread_id, from_email, date, subject_base, change_id, prefixes, '
                 '"references"')
_POSTLIKE = "NOT is_reply AND patch_version IS NOT NULL"


def region(ctx: Context) -> tuple[set[str] | None, str]:
    """The threads whose series must be recomputed after messages were added, or None
    (and why) when the series stage must recompute whole.

    It starts from the threads of the new messages (a thread that a new parent joined is
    one of them), of older messages that gained a list, of messages sent by (or, for
    carried review tags, naming) an address whose person changed, and of diffs whose
    subsystems a newly seen directory may change. It then adds, until nothing more comes
    in, the threads of every posting that a posting inside could share a series or a
    version line with: the same author within `UNTHREADED_WINDOW` (patches sent without
    threading join a start of the same author), a References entry either way (a patch
    joins the series of any earlier posting of its author it names), the same author and
    normalised subject, or the same change-id (versions); with a kernel tree, the same
    author and normalised patch subject, or the same git patch-id (a commit goes to the
    latest posting that carries it).
    """
    delta = ctx.delta
    assert delta is not None
    con = ctx.con
    kernel = bool(ctx.inputs("kernel-git"))
    changed = delta.changed_people
    if changed and kernel:
        return None, "people changed and a kernel tree is set (commits name people)"
    threads = set(delta.threads)
    if changed:
        threads |= _maintainer_seeds(ctx, changed)
    seeds: list[tuple[str, list[str]]] = [("message_id", sorted(delta.relisted))]
    if changed:
        seeds.append(("from_email", _matching(ctx, changed, "SELECT DISTINCT from_email "
                                              "FROM messages WHERE from_email IS NOT NULL")))
        tagged = _matching(ctx, changed, "SELECT DISTINCT email FROM trailers WHERE NOT "
                           f"in_reply AND email IS NOT NULL AND kind IN {CARRIED_TAGS}")
        if tagged:
            with registered(con, "_seed_tags", pa.table({"email": pa.array(tagged, pa.string())})):
                threads.update(r[0] for r in con.execute(
                    "SELECT DISTINCT m.thread_id FROM trailers t JOIN messages m USING "
                    f"(message_id) WHERE NOT t.in_reply AND t.kind IN {CARRIED_TAGS} AND "
                    "t.email IN (SELECT email FROM _seed_tags)").fetchall())
    for column, values in seeds:
        if values:
            with registered(con, "_seeds", pa.table({"v": pa.array(values, pa.string())})):
                threads.update(r[0] for r in con.execute(
                    f"SELECT DISTINCT thread_id FROM messages WHERE {column} IN "
                    "(SELECT v FROM _seeds)").fetchall())
    if delta.redirected_paths:
        table = pa.table({"f": pa.array(delta.redirected_paths, pa.string())})
        with registered(con, "_seed_paths", table):
            threads.update(r[0] for r in con.execute(
                "SELECT DISTINCT thread_id FROM (SELECT thread_id, unnest(files) AS f FROM "
                "messages WHERE has_diff) WHERE f IN (SELECT f FROM _seed_paths)").fetchall())
    threads.discard(None)
    _close_region(ctx, threads, kernel)
    why = _check_region(ctx, threads)
    return (None, why) if why else (threads, "")


def _close_region(ctx: Context, threads: set[str], kernel: bool) -> None:
    """Add to ``threads`` the threads of postings that may share a series or a version
    line with a posting in them (see `region`), until nothing more comes in."""
    con = ctx.con
    # person → from_email values of posts (None: the person of an empty address)
    raw_of: dict[str | None, list[str]] = defaultdict(list)
    for (email,) in con.execute(
            f"SELECT DISTINCT from_email FROM messages WHERE {_POSTLIKE} "
            "AND from_email IS NOT NULL").fetchall():
        raw_of[ctx.person(email)].append(email)
    dates: dict[str, list[dt.datetime]] = defaultdict(list)  # person → sorted post dates
    plain: set[str] = set()
    cids: set[str] = set()
    subjects: set[str] = set()
    ids: set[str] = set()  # postings inside, and the Message-IDs they name in References
    named: set[str] = set()
    asked_people: set[str] = set()
    asked_cids: set[str] = set()
    outside: dict[str, dict] = {}

    def keys(r: dict) -> tuple[str, str, str]:
        # (only for rows with a from_email, whose person is never None)
        person = cast(str, ctx.person(r["from_email"]))
        subject = normalise_subject(r["subject_base"] or "")
        branch = backport_branch(r["prefixes"] or ())
        line = f"{person}|{subject}" + (f"|{branch}" if branch else "")
        return person, line, f"{person}|{subject}"

    def near(person: str, when: dt.datetime | None) -> bool:
        if when is None or person not in dates:
            return False
        ds = dates[person]
        i = bisect.bisect_left(ds, when - UNTHREADED_WINDOW)
        return i < len(ds) and ds[i] <= when + UNTHREADED_WINDOW

    fresh = set(threads)
    while fresh:
        with registered(con, "_fresh", pa.table({"t": pa.array(sorted(fresh), pa.string())})):
            inside = ctx.rows(f"SELECT {_POST_COLUMNS} FROM messages WHERE {_POSTLIKE} "
                              "AND thread_id IN (SELECT t FROM _fresh)")
        people: set[str] = set()
        for r in inside:
            outside.pop(r["message_id"], None)
            ids.add(r["message_id"])
            named.update(r["references"] or ())
            if r["change_id"]:
                cids.add(r["change_id"])
            if not r["from_email"]:
                continue
            person, line, subject = keys(r)
            people.add(person)
            plain.add(line)
            subjects.add(subject)
            if r["date"] is not None:
                bisect.insort(dates[person], r["date"])
        emails = [e for p in people - asked_people for e in raw_of.get(p, ())]
        new_cids = sorted(cids - asked_cids)
        asked_people |= people
        asked_cids |= cids
        if emails or new_cids:
            table = pa.table({"t": pa.array(sorted(threads), pa.string())})
            with registered(con, "_inside", table), \
                    registered(con, "_emails", pa.table({"e": pa.array(emails, pa.string())})), \
                    registered(con, "_cids", pa.table({"c": pa.array(new_cids, pa.string())})):
                for r in ctx.rows(
                        f"SELECT {_POST_COLUMNS} FROM messages WHERE {_POSTLIKE} AND "
                        "thread_id NOT IN (SELECT t FROM _inside) AND (from_email IN "
                        "(SELECT e FROM _emails) OR change_id IN (SELECT c FROM _cids))"):
                    outside[r["message_id"]] = r
        fresh = set()
        for r in outside.values():
            if r["thread_id"] in threads or r["thread_id"] in fresh:
                continue
            hit = (r["change_id"] in cids if r["change_id"] else False) \
                or r["message_id"] in named or any(x in ids for x in r["references"] or ())
            if not hit and r["from_email"]:
                person, line, subject = keys(r)
                hit = (line in plain or near(person, r["date"])
                       or (kernel and subject in subjects))
            if hit:
                fresh.add(r["thread_id"])
        if kernel and inside:  # a commit goes to the latest posting with its patch-id
            fresh |= _same_patch_threads(ctx, [r["message_id"] for r in inside]) - threads
        threads |= fresh


def _same_patch_threads(ctx: Context, message_ids: list[str]) -> set[str]:
    """Threads of the postings whose diff has the git patch-id of one of ``message_ids``."""
    table = pa.table({"i": pa.array(sorted(set(message_ids)), pa.string())})
    with registered(ctx.con, "_same_patch", table):
        return {r[0] for r in ctx.con.execute(
            "SELECT DISTINCT m.thread_id FROM patch_ids p JOIN messages m USING (message_id) "
            "WHERE m.thread_id IS NOT NULL AND p.patch_id IN (SELECT patch_id FROM patch_ids "
            "WHERE patch_id IS NOT NULL AND message_id IN (SELECT i FROM _same_patch))"
        ).fetchall()}


def _check_region(ctx: Context, threads: set[str]) -> str:
    """A safety net: no series outside the region may have a posting inside it or point
    at a series inside it (`region` guarantees both; if not, recompute whole)."""
    with registered(ctx.con, "_check_threads",
                    pa.table({"t": pa.array(sorted(threads), pa.string())})):
        split, linked = ctx.con.execute("""
            WITH inside AS (
                SELECT DISTINCT p.series_id FROM posts p JOIN messages m USING (message_id)
                WHERE m.thread_id IN (SELECT t FROM _check_threads))
            SELECT
              (SELECT count(*) FROM posts p JOIN messages m USING (message_id)
               WHERE p.series_id IN (SELECT series_id FROM inside)
               AND m.thread_id NOT IN (SELECT t FROM _check_threads)),
              (SELECT count(*) FROM series s WHERE s.series_id NOT IN
                 (SELECT series_id FROM inside)
               AND (s.prev_series_id IN (SELECT series_id FROM inside)
                    OR s.next_series_id IN (SELECT series_id FROM inside)
                    OR s.resend_of IN (SELECT series_id FROM inside)))
        """).fetchall()[0]
    if split or linked:
        return f"region check failed ({split} postings, {linked} links outside)"
    return ""


def _matching(ctx: Context, changed: set[str], sql: str) -> list[str]:
    """The stored addresses (of the one-column query ``sql``) whose normalised form is in
    ``changed``: a cheap text filter on the local part first, then the exact test."""
    locals_ = sorted({e.rsplit("@", 1)[0] for e in changed if e})
    if not locals_:
        return []
    with registered(ctx.con, "_locals", pa.table({"l": pa.array(locals_, pa.string())})):
        candidates = [r[0] for r in ctx.con.execute(
            f"WITH e(x) AS ({sql}) SELECT DISTINCT e.x FROM e JOIN _locals "
            "ON contains(lower(e.x), _locals.l)").fetchall()]
    return sorted(e for e in candidates if normalise_email(e) in changed)


def _maintainer_seeds(ctx: Context, changed: set[str]) -> set[str]:
    """Threads of older series whose maintainer responses may change because an M: or R:
    address of MAINTAINERS now belongs to another person (a maintainer's new kernel.org
    address, first seen now, joins the person who answered from an older one).

    A response flips only if its sender is (before or after) the person of that address;
    and only in a series whose sections (most specific, and every section its files
    match, as in ``maintainers_of``) include one that lists it.
    """
    delta = ctx.delta
    assert delta is not None and ctx.identities is not None
    if ctx.matcher is None:
        return set()
    locals_ = {e.rsplit("@", 1)[0] for e in changed}
    listed: dict[str, set[str]] = defaultdict(set)  # changed address → its sections
    for sec in ctx.matcher.sections:
        for c in (*sec.maintainers, *sec.reviewers):
            if c.email and any(x in c.email for x in locals_) \
                    and (e := normalise_email(c.email)) in changed:
                listed[e].add(sec.name)
    if not listed:
        return set()
    sections = set().union(*listed.values())
    group: set[str] = set()
    for e in listed:
        before = delta.old_addresses.get(e, (e, False))[0]
        group.update(delta.old_groups.get(before, (e,)))
        p = ctx.identities.person(e)
        group.update(p.emails if p else (e,))
    senders = _matching(ctx, group, "SELECT DISTINCT from_email FROM messages "
                                    "WHERE from_email IS NOT NULL")
    if not senders:
        return set()
    with registered(ctx.con, "_senders", pa.table({"e": pa.array(senders, pa.string())})):
        rows = ctx.con.execute(f"""
            WITH cand AS (
                SELECT DISTINCT series_id FROM messages
                WHERE from_email IN (SELECT e FROM _senders) AND series_id IS NOT NULL
                AND first_seen_run <= {int(delta.last_run)})
            SELECT p.series_id, any_value(s.subsystems), list(m.files), list(m.thread_id)
            FROM posts p JOIN messages m USING (message_id)
            JOIN series s ON s.series_id = p.series_id
            WHERE p.series_id IN (SELECT series_id FROM cand) GROUP BY p.series_id
        """).fetchall()
    out: set[str] = set()
    for _sid, subs, files, threads in rows:
        names = set(subs or ())
        for f in files:
            names.update(ctx.sections_for_files(f, every=True))
        if names & sections:
            out.update(threads)
    return out
