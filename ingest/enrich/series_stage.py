"""The series stage: series, versions, subsystems of every message, review events and
outcomes (pure logic in series.py and review.py; this module reads and writes).

After an ingest that only added messages (``ctx.delta``), only a **region** is recomputed:
the threads of the new messages, closed under everything that ties a series to other
threads (see `_region`); every other series gets only its end of observation, the
outcomes that depend on it, and its author's organisation refreshed.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from pathlib import Path

import pyarrow as pa

from ingest.enrich.context import Context
from ingest.enrich.people import BotRules, normalise_email
from ingest.enrich.review import (
    ANSWER_OUTCOMES,
    Node,
    ReplyIndex,
    answered_outcome,
    contract_outcome,
    outcome,
    review_all,
)
from ingest.enrich.series import (
    UNTHREADED_WINDOW,
    Series,
    backport_branch,
    group_series,
    link_versions,
    normalise_subject,
    posts_from_rows,
)
from ingest.load import replace_tables, set_message_series
from ingest.load.database import registered
from ingest.load.enrichment import replace_rows, update_rows
from ingest.sources.kernel_tree import TreeCommit, tree_commits
from ingest.sources.patchid import mail_patch_ids, tree_patch_ids

_COLUMNS = (
    'message_id, from_email, date, subject_base, patch_version, patch_counter, '
    'patch_total, is_cover, is_patch, is_rfc, is_resend, is_reply, in_reply_to, '
    '"references", change_id, lists, files, applied_notice, bot_report, prefixes'
)
_REVIEW_TAGS = "('reviewed-by', 'acked-by', 'tested-by')"
_CARRIED_TAGS = "('reviewed-by', 'acked-by')"


def _sections_for_files(
    ctx: Context, files: list[str] | None, *, every: bool = False
) -> tuple[str, ...]:
    """The subsystems of a diff: per file the most specific matching sections (or, with
    ``every``, all matching sections: whose maintainers get_maintainer.pl would list)."""
    if not files or ctx.matcher is None:
        return ()
    cache = ctx.file_sections
    out: list[str] = []
    for f in files:
        pair = cache.get(f)
        if pair is None:
            pair = cache[f] = ctx.matcher.both(f)
        out.extend(x for x in pair[0 if every else 1] if x not in out)
    return tuple(out)


def _is_post(
    m: dict, by_id: dict[str, dict], person_of: dict[str, str | None], heads: set[str]
) -> bool:
    """A cover letter or patch: a PATCH-tagged mail that is not a reply. A diffless
    PATCH-tagged mail written in reply to someone else's posting, with no patches of its
    own below it (a test report titled "[PATCH 00/34] …"), is an answer, not a posting;
    ``heads`` are the mails that have patches of their own author below them."""
    if m["is_reply"] or m["patch_version"] is None:
        return False
    if m["is_patch"] or not m["in_reply_to"] or m["message_id"] in heads:
        return True
    parent = by_id.get(m["in_reply_to"])
    if parent is None or parent["is_reply"] or parent["patch_version"] is None:
        return True
    return person_of.get(parent["from_email"]) == person_of.get(m["from_email"])


def series_stage(ctx: Context) -> str:
    region: set[str] | None = None
    why = ""
    if ctx.inputs("kernel-git"):
        _store_patch_ids(ctx)
    if ctx.delta is not None:
        region, why = _region(ctx)
    if region is None:
        msgs = ctx.rows(f"SELECT {_COLUMNS} FROM messages")
        series_rows, post_table, msg_series, msg_subs, tag_rows = _compute(ctx, msgs, None)
        replace_tables(ctx.con, {
            "series": _table(series_rows, "series", ctx),
            "posts": _table(post_table, "posts", ctx),
            "message_subsystems": _subs_table(msg_subs),
            "review_tags": _table(tag_rows, "review_tags", ctx),
        })
        set_message_series(ctx.con, pa.table({"message_id": list(msg_series),
                                              "series_id": list(msg_series.values())}))
        if ctx.delta is not None:
            ctx.delta.n_recomputed = len(msgs)
        return _summary(series_rows) + (f" (recomputed whole: {why})" if why else "")
    with registered(ctx.con, "_region_threads",
                    pa.table({"thread_id": pa.array(sorted(region), pa.string())})):
        msgs = ctx.rows(f"SELECT {_COLUMNS} FROM messages WHERE thread_id IN "
                        "(SELECT thread_id FROM _region_threads)")
    ids = [m["message_id"] for m in msgs]
    with registered(ctx.con, "_region_ids", pa.table({"message_id": pa.array(ids, pa.string())})):
        old_series = {r[0] for r in ctx.con.execute(
            "SELECT DISTINCT series_id FROM posts WHERE message_id IN "
            "(SELECT message_id FROM _region_ids)").fetchall()}
        series_rows, post_table, msg_series, msg_subs, tag_rows = _compute(
            ctx, msgs, "_region_ids")
    replace_rows(ctx.con, {
        "series": ("series_id", old_series, _table(series_rows, "series", ctx)),
        "posts": ("message_id", ids, _table(post_table, "posts", ctx)),
        "message_subsystems": ("message_id", ids, _subs_table(msg_subs)),
        "review_tags": ("post_id", ids, _table(tag_rows, "review_tags", ctx)),
    })
    set_message_series(ctx.con, pa.table({"message_id": list(msg_series),
                                          "series_id": list(msg_series.values())}), scope=ids)
    refreshed = _refresh_others(ctx, {r["series_id"] for r in series_rows})
    ctx.delta.n_recomputed = len(ids)
    outcomes = ctx.con.execute(
        "SELECT outcome_detail, count(*) FROM series GROUP BY ALL ORDER BY outcome_detail"
    ).fetchall()
    total = sum(n for _k, n in outcomes)
    summary = ", ".join(f"{n:,} {k}" for k, n in outcomes)
    return (f"{total:,} series ({summary}); incremental: recomputed {len(series_rows):,} "
            f"series in {len(region):,} threads ({len(ids):,} messages), refreshed "
            f"{refreshed:,} others")


def _summary(series_rows: list[dict]) -> str:
    outcomes: dict[str, int] = defaultdict(int)
    for r in series_rows:
        outcomes[r["outcome_detail"]] += 1
    summary = ", ".join(f"{n:,} {k}" for k, n in sorted(outcomes.items()))
    return f"{len(series_rows):,} series ({summary})"


def _table(rows: list[dict], name: str, ctx: Context) -> pa.Table:
    return pa.Table.from_pylist(rows) if rows else _empty(name, ctx)


def _subs_table(msg_subs: list[tuple[str, str, str]]) -> pa.Table:
    return pa.table({
        "message_id": pa.array([a for a, _b, _c in msg_subs], pa.string()),
        "subsystem": pa.array([b for _a, b, _c in msg_subs], pa.string()),
        "via": pa.array([c for _a, _b, c in msg_subs], pa.string())})


def _list_end(ctx: Context) -> tuple[dict[str, dt.datetime], dt.datetime | None]:
    """The censoring time per list: its last trusted message (an archive that stops early
    cannot show replies after its end); and the last of all, for series without one."""
    list_end = dict(ctx.con.execute(
        "SELECT l, max(date) FROM (SELECT unnest(lists) AS l, date FROM messages "
        "WHERE date_source = 'header') GROUP BY l"
    ).fetchall())
    return list_end, max(list_end.values(), default=None)


def _observed(lists, list_end: dict[str, dt.datetime], last_any: dt.datetime | None):
    ends = [list_end[x] for x in lists if x in list_end]
    return max(ends) if ends else last_any


def _compute(
    ctx: Context, msgs: list[dict], region_view: str | None
) -> tuple[list[dict], list[dict], dict[str, str], list[tuple[str, str, str]], list[dict]]:
    """Series, posts, series of each message, subsystems of each message and review
    tags attached to their posts, from
    ``msgs``: every message, or (``region_view`` names a view of their Message-IDs)
    whole threads closed under what ties series together (`_region`)."""
    in_region = (f" AND message_id IN (SELECT message_id FROM {region_view})"
                 if region_view else "")
    person_of = {e: ctx.person(e) for e in {m["from_email"] for m in msgs if m["from_email"]}}
    by_id = {m["message_id"]: m for m in msgs}
    bot_people = {p.person_id for p in ctx.identities.people if p.is_bot} if ctx.identities \
        else set()
    bots = BotRules.builtin()

    def is_bot(m: dict) -> bool:
        """A bot's address or name, a bot's Message-ID sent from a person's address, or a
        tool's report (``messages.bot_report``) sent from a person's address."""
        return (person_of.get(m["from_email"]) in bot_people or m["bot_report"] is not None
                or bots.is_bot_message(m["message_id"]))

    heads = {
        m["in_reply_to"] for m in msgs
        if m["is_patch"] and m["in_reply_to"] in by_id
        and person_of.get(by_id[m["in_reply_to"]]["from_email"]) == person_of.get(m["from_email"])
    }
    post_rows = [m for m in msgs if _is_post(m, by_id, person_of, heads) and not is_bot(m)]
    anchor, series = group_series(posts_from_rows(post_rows, person_of))
    link_versions(series)

    # subsystems: of each post from its files; of a series, the union; without any diff,
    # from the lists it was posted to
    post_subs = {mid: _sections_for_files(ctx, by_id[mid]["files"]) for mid in anchor}
    series_subs: dict[str, tuple[str, ...]] = {}
    for s in series.values():
        subs: list[str] = []
        for mid in s.message_ids:
            subs.extend(x for x in post_subs[mid] if x not in subs)
        if not subs and ctx.matcher is not None:
            for lst in sorted(s.lists):
                subs.extend(x for x in ctx.matcher.sections_for_list(lst) if x not in subs)
        series_subs[s.series_id] = tuple(subs)

    people_of_section: dict[str, frozenset[str]] = {}  # filled for the sections in play

    def section_people(name: str) -> frozenset[str]:
        found = people_of_section.get(name)
        if found is None:
            found = frozenset()
            if ctx.matcher is not None:
                sec = ctx.matcher.section(name)
                found = frozenset(
                    p for c in (*sec.maintainers, *sec.reviewers) if (p := ctx.person(c.email)))
            people_of_section[name] = found
        return found

    def maintainers_of(s: Series) -> frozenset[str]:
        """M: and R: of every section the series' files match (not only the most
        specific: a subsystem maintainer answering a driver patch is a maintainer)."""
        names = set(series_subs[s.series_id])
        for mid in s.message_ids:
            names.update(_sections_for_files(ctx, by_id[mid]["files"], every=True))
        out: set[str] = set()
        for name in names:
            out |= section_people(name)
        return frozenset(out)

    nodes = []
    for m in msgs:
        refs = m["references"] or []
        parent = m["in_reply_to"] or (refs[-1] if refs else None)
        person = person_of.get(m["from_email"]) if m["from_email"] else None
        nodes.append(Node(m["message_id"], parent, m["date"], person, is_bot(m),
                          m["message_id"] in anchor, m["applied_notice"]))
    index = ReplyIndex(nodes)
    tags: dict[str, set[str]] = defaultdict(set)
    for mid, kind in ctx.con.execute(
        f"SELECT message_id, kind FROM trailers WHERE in_reply AND kind IN {_REVIEW_TAGS}"
        f"{in_region}"
    ).fetchall():
        tags[mid].add(kind)
    # "applied" is a maintainer's word (or patchwork-bot's): anyone M: or R: somewhere
    appliers = None if ctx.matcher is None else frozenset(
        p for sec in ctx.matcher.sections for c in (*sec.maintainers, *sec.reviewers)
        if (p := ctx.person(c.email)))
    per_post, per_series = review_all(index, series, maintainers_of, dict(tags), appliers)
    for sid, (at, by, notice) in _tree_evidence(ctx, series, by_id).items():
        ev = per_series[sid]
        if ev.applied_at is None or at < ev.applied_at:
            ev.applied_at, ev.applied_by, ev.applied_notice = at, by, notice
    list_end, last_any = _list_end(ctx)
    carried, first_carried = _carried_tags(ctx, series, in_region)

    series_rows, post_table, msg_series, msg_subs = [], [], {}, []
    tag_rows = _review_tag_rows(ctx, series, index, by_id, in_region)
    for s in series.values():
        ev = per_series[s.series_id]
        observed_until = _observed(s.lists, list_end, last_any)
        kind, org = _org_at(ctx, s.author_email, s.posted_at)
        review = (ev.first_review_at, ev.first_review_by, ev.first_review_kind, False)
        if s.series_id in first_carried and s.posted_at is not None:
            # PRODUCT.md: a review tag is given in a reply *or carried in a later version*;
            # a posting that carries one arrives reviewed, so it counts from posted_at
            by, tag = first_carried[s.series_id]
            review = (s.posted_at, by, tag, True)
        series_rows.append({
            "series_id": s.series_id, "version": s.version, "version_key": s.version_key,
            "prev_series_id": s.prev_series_id, "next_series_id": s.next_series_id,
            "resend_of": s.resend_of, "change_id": s.change_id, "subject": s.subject,
            "author_person_id": s.author, "author_email": s.author_email,
            "author_org_kind": kind, "author_org": org, "posted_at": s.posted_at,
            "n_patches": len(s.patch_ids), "patch_total": s.patch_total,
            "has_cover": s.cover_message_id is not None, "is_rfc": s.is_rfc,
            "is_resend": s.is_resend, "lists": sorted(s.lists),
            "subsystems": list(series_subs[s.series_id]),
            "first_response_at": ev.first_response_at,
            "first_response_by": ev.first_response_by,
            "first_maintainer_response_at": ev.first_maintainer_response_at,
            "first_maintainer_response_by": ev.first_maintainer_response_by,
            "first_review_at": review[0], "first_review_by": review[1],
            "first_review_kind": review[2], "first_review_carried": review[3],
            "first_tested_at": ev.first_tested_at,
            "carried_review_tags": carried.get(s.series_id, 0),
            "applied_at": ev.applied_at, "applied_by": ev.applied_by,
            "applied_notice": ev.applied_notice, "n_replies": ev.n_replies,
            "n_responses": ev.n_responses, "n_bot_replies": ev.n_bot_replies,
            "outcome": contract_outcome(detail := outcome(s, ev, observed_until)),
            "outcome_detail": detail, "observed_until": observed_until,
        })
        for mid in s.message_ids:
            pe = per_post[mid]
            post_table.append({
                "message_id": mid, "series_id": s.series_id,
                "is_cover": mid == s.cover_message_id,
                "counter": by_id[mid]["patch_counter"], "author_person_id": s.author,
                "posted_at": by_id[mid]["date"],
                "subsystems": list(post_subs[mid] or series_subs[s.series_id]),
                "first_response_at": pe.first_response_at,
                "first_response_by": pe.first_response_by,
                "first_maintainer_response_at": pe.first_maintainer_response_at,
                "first_maintainer_response_by": pe.first_maintainer_response_by,
                "first_review_at": pe.first_review_at, "first_review_by": pe.first_review_by,
                "first_tested_at": pe.first_tested_at, "n_responses": pe.n_responses,
                "observed_until": observed_until,
            })
            msg_series[mid] = s.series_id
            for r in index.replies(mid):
                msg_series.setdefault(r.message_id, s.series_id)
    # subsystems of every message: its own diff, else its series, else its lists
    for m in msgs:
        mid = m["message_id"]
        own = _sections_for_files(ctx, m["files"])
        if own:
            msg_subs.extend((mid, x, "files") for x in own)
        elif mid in msg_series:
            msg_subs.extend((mid, x, "series") for x in series_subs[msg_series[mid]])
        elif ctx.matcher is not None:
            seen: list[str] = []
            for lst in m["lists"] or []:
                seen.extend(x for x in ctx.matcher.sections_for_list(lst) if x not in seen)
            msg_subs.extend((mid, x, "list") for x in seen)
    return series_rows, post_table, msg_series, msg_subs, tag_rows


def _empty(name: str, ctx: Context) -> pa.Table:
    return ctx.con.sql(f"SELECT * FROM {name} LIMIT 0").to_arrow_table()


def _org_at(ctx: Context, email: str | None, at: dt.datetime | None) -> tuple[str, str | None]:
    if ctx.resolver is None or not email:
        return "unknown", None
    a = ctx.resolver.attribute(email, at)
    return str(a.kind), a.org


def _tree_evidence(
    ctx: Context, series: dict[str, Series], by_id: dict[str, dict]
) -> dict[str, tuple[dt.datetime, str | None, str]]:
    """Series with a patch committed to the given kernel tree after the posting: the same
    normalised subject and the same author (address or person), or the same git
    patch-id (the same change, whatever the subject or author became). Returns, per
    series, the earliest such commit's time, committer and a notice naming the commit."""
    trees = ctx.inputs("kernel-git")
    if not trees or not series:
        return {}
    repo = Path(trees[-1][0])
    start = min((s.posted_at for s in series.values() if s.posted_at), default=None)
    since = start - dt.timedelta(days=1) if start else None
    index: dict[str, list[TreeCommit]] = defaultdict(list)
    commits: dict[str, TreeCommit] = {}
    for c in tree_commits(repo, since):
        index[normalise_subject(c.subject)].append(c)
        commits[c.sha] = c
    patch_mids = [mid for s in series.values() for mid in s.patch_ids]
    pid_of = _patch_ids_of(ctx, patch_mids)
    paths = {f for mid in patch_mids for f in by_id[mid]["files"] or ()}
    by_pid = tree_patch_ids(repo, since, paths) if pid_of and paths else {}
    # each commit goes to the latest posting before it that carries the patch (a v1
    # and its v2 share subjects and often diffs; the commit is v2's)
    claims: dict[str, tuple[dt.datetime, Series, str]] = {}
    for s in series.values():
        if s.posted_at is None:
            continue
        for mid in s.patch_ids:
            found_by = [
                (c, "same subject and author")
                for c in index.get(normalise_subject(by_id[mid]["subject_base"] or ""), ())
                if c.author_email == s.author_email or ctx.person(c.author_email) == s.author
            ]
            found_by += [(commits[sha], "same patch-id")
                         for sha in by_pid.get(pid_of.get(mid, ""), ()) if sha in commits]
            for c, how in found_by:
                if c.commit_time < s.posted_at:
                    continue
                prior = claims.get(c.sha)
                if prior is None or s.posted_at > prior[0]:
                    claims[c.sha] = (s.posted_at, s, how)
    found: dict[str, tuple[dt.datetime, str | None, str]] = {}
    for sha, (_posted, s, how) in claims.items():
        c = commits[sha]
        best = found.get(s.series_id)
        if best is None or c.commit_time < best[0]:
            found[s.series_id] = (
                c.commit_time, ctx.person(c.committer_email),
                f"commit {c.sha[:12]} in {repo.name} ({how}): {c.subject}"[:200],
            )
    return found


def _review_tag_rows(ctx: Context, series: dict[str, Series], index: ReplyIndex,
                     by_id: dict[str, dict], in_region: str) -> list[dict]:
    """Every Reviewed-by / Acked-by / Tested-by attached to the post it answers: a tag in
    a reply goes to the nearest post above the reply (its patch or cover letter, however
    deep the reply); a tag carried in a patch (from someone other than the author) goes
    to that patch. Bots' replies are left out."""
    trailers: dict[str, list[tuple]] = defaultdict(list)
    for mid, pos, kind, email, in_reply in ctx.con.execute(
        "SELECT message_id, position, kind, email, in_reply FROM trailers WHERE "
        f"kind IN {_REVIEW_TAGS}{in_region} ORDER BY message_id, position"
    ).fetchall():
        trailers[mid].append((pos, kind, email, in_reply))
    rows = []

    def add(s: Series, post: str, mid: str, given_by, given_at, carried: bool) -> None:
        for pos, kind, email, in_reply in trailers.get(mid, ()):
            if in_reply == carried:
                continue
            person = ctx.person(email) if email else None
            if carried and person == s.author:
                continue
            rows.append({"series_id": s.series_id, "post_id": post, "message_id": mid,
                         "position": pos, "kind": kind, "email": email, "person_id": person,
                         "given_by": given_by, "given_at": given_at, "carried": carried})

    for s in series.values():
        for post in s.message_ids:
            if post in s.patch_ids:
                add(s, post, post, s.author, by_id[post]["date"], True)
            for n in sorted(index.replies(post), key=lambda n: n.message_id):
                if not n.is_bot:
                    add(s, post, n.message_id, n.person, n.date, False)
    return rows


def _store_patch_ids(ctx: Context) -> None:
    """git patch-ids of the posted diffs not yet known, read back from the archives
    (``patch_ids`` keeps them across runs; NULL where a mail gave none)."""
    rows = ctx.con.execute(
        "SELECT m.message_id, arg_min(s.kind, s.run_id), arg_min(s.git_dir, s.run_id), "
        "arg_min(s.blob, s.run_id), arg_min(s.path, s.run_id), "
        "arg_min(s.byte_offset, s.run_id) "
        "FROM messages m JOIN message_sources s USING (message_id) "
        "WHERE m.has_diff AND NOT m.is_reply AND s.duplicate <> 'deleted' "
        "AND m.message_id NOT IN (SELECT message_id FROM patch_ids) GROUP BY m.message_id"
    ).fetchall()
    if not rows:
        return
    found = mail_patch_ids({r[0]: (r[1], r[2], r[3], r[4], r[5]) for r in rows})
    ids = [r[0] for r in rows]
    table = pa.table({"message_id": pa.array(ids, pa.string()),
                      "patch_id": pa.array([found.get(i) for i in ids], pa.string())})
    replace_rows(ctx.con, {"patch_ids": ("message_id", ids, table)})


def _patch_ids_of(ctx: Context, message_ids: list[str]) -> dict[str, str]:
    if not message_ids:
        return {}
    table = pa.table({"i": pa.array(sorted(set(message_ids)), pa.string())})
    with registered(ctx.con, "_pid_of", table):
        return dict(ctx.con.execute(
            "SELECT message_id, patch_id FROM patch_ids WHERE patch_id IS NOT NULL "
            "AND message_id IN (SELECT i FROM _pid_of)").fetchall())


def _carried_tags(ctx: Context, series: dict[str, Series], in_region: str = ""
                  ) -> tuple[dict[str, int], dict[str, tuple[str | None, str]]]:
    """Reviewed-by / Acked-by already in a series' own patches, from someone else: how
    many per series, and the first one (person, kind; patch order, then trailer order)."""
    of_post = {mid: s for s in series.values() for mid in s.patch_ids}
    order = {mid: i for s in series.values() for i, mid in enumerate(s.patch_ids)}
    out: dict[str, int] = defaultdict(int)
    first: dict[str, tuple[tuple[int, int], str | None, str]] = {}
    for mid, email, kind, position in ctx.con.execute(
        "SELECT message_id, email, kind, position FROM trailers WHERE NOT in_reply "
        f"AND email IS NOT NULL AND kind IN {_CARRIED_TAGS}{in_region}"
    ).fetchall():
        s = of_post.get(mid)
        if s is None or (person := ctx.person(email)) == s.author:
            continue
        out[s.series_id] += 1
        key = (order[mid], position)
        if s.series_id not in first or key < first[s.series_id][0]:
            first[s.series_id] = (key, person, kind)
    return out, {sid: (p, k) for sid, (_key, p, k) in first.items()}


# -- the incremental region ------------------------------------------------------------

_POST_COLUMNS = ('message_id, thread_id, from_email, date, subject_base, change_id, prefixes, '
                 '"references"')
_POSTLIKE = "NOT is_reply AND patch_version IS NOT NULL"


def _region(ctx: Context) -> tuple[set[str] | None, str]:
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
                           f"in_reply AND email IS NOT NULL AND kind IN {_CARRIED_TAGS}")
        if tagged:
            with registered(con, "_seed_tags", pa.table({"email": pa.array(tagged, pa.string())})):
                threads.update(r[0] for r in con.execute(
                    "SELECT DISTINCT m.thread_id FROM trailers t JOIN messages m USING "
                    f"(message_id) WHERE NOT t.in_reply AND t.kind IN {_CARRIED_TAGS} AND "
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
    line with a posting in them (see `_region`), until nothing more comes in."""
    con = ctx.con
    raw_of: dict[str, list[str]] = defaultdict(list)  # person → from_email values of posts
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

    def keys(r: dict) -> tuple[str | None, str, str]:
        person = ctx.person(r["from_email"])
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
    at a series inside it (`_region` guarantees both; if not, recompute whole)."""
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
            names.update(_sections_for_files(ctx, f, every=True))
        if names & sections:
            out.update(threads)
    return out


def _refresh_others(ctx: Context, recomputed: set[str]) -> int:
    """Series outside the region keep their events, but their end of observation moves
    with the archive's newest messages (so may an unanswered posting's outcome: pending
    becomes ignored after 30 days), and their author's organisation at the posting date
    follows the organisation evidence (recomputed whole). Returns how many changed."""
    list_end, last_any = _list_end(ctx)
    table = pa.table({"series_id": pa.array(sorted(recomputed), pa.string())})
    with registered(ctx.con, "_recomputed", table):
        rows = ctx.rows(
            "SELECT series_id, lists, posted_at, first_response_at, outcome_detail, "
            "observed_until, "
            "author_email, author_org_kind, author_org FROM series "
            "WHERE series_id NOT IN (SELECT series_id FROM _recomputed)")
    changed = []
    for r in rows:
        observed_until = _observed(r["lists"] or (), list_end, last_any)
        result = r["outcome_detail"]
        if result in ANSWER_OUTCOMES:
            result = answered_outcome(r["posted_at"], r["first_response_at"], observed_until)
        kind, org = _org_at(ctx, r["author_email"], r["posted_at"])
        if (observed_until, result, kind, org) != (
                r["observed_until"], r["outcome_detail"], r["author_org_kind"], r["author_org"]):
            changed.append({"series_id": r["series_id"], "observed_until": observed_until,
                            "outcome": contract_outcome(result), "outcome_detail": result,
                            "author_org_kind": kind, "author_org": org})
    if changed:
        schema = pa.schema([("series_id", pa.string()),
                            ("observed_until", pa.timestamp("us", tz="UTC")),
                            ("outcome", pa.string()), ("outcome_detail", pa.string()),
                            ("author_org_kind", pa.string()),
                            ("author_org", pa.string())])
        table = pa.Table.from_pylist(changed, schema=schema)
        update_rows(ctx.con, "series", "series_id", table)
        update_rows(ctx.con, "posts", "series_id", table.select(["series_id", "observed_until"]))
    return len(changed)
