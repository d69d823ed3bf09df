"""The series stage: series, versions, subsystems of every message, review events and
outcomes (pure logic in series.py and review.py; this module reads and writes)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pyarrow as pa

from ingest.enrich.context import Context
from ingest.enrich.people import BotRules
from ingest.enrich.review import Node, ReplyIndex, outcome, review_all
from ingest.enrich.series import (
    Series,
    group_series,
    link_versions,
    normalise_subject,
    posts_from_rows,
)
from ingest.load import replace_tables, set_message_series
from ingest.sources.kernel_tree import TreeCommit, tree_commits


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
    msgs = ctx.rows(
        'SELECT message_id, from_email, date, subject_base, patch_version, patch_counter, '
        'patch_total, is_cover, is_patch, is_rfc, is_resend, is_reply, in_reply_to, '
        '"references", change_id, lists, files, applied_notice, prefixes FROM messages'
    )
    person_of = {e: ctx.person(e) for e in {m["from_email"] for m in msgs if m["from_email"]}}
    by_id = {m["message_id"]: m for m in msgs}
    bot_people = {p.person_id for p in ctx.identities.people if p.is_bot} if ctx.identities \
        else set()
    bots = BotRules.builtin()

    def is_bot(m: dict) -> bool:
        return person_of.get(m["from_email"]) in bot_people or bots.is_bot_message(
            m["message_id"])

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

    people_of_section: dict[str, frozenset[str]] = {}
    if ctx.matcher is not None:
        for sec in ctx.matcher.sections:
            people_of_section[sec.name] = frozenset(
                p for c in (*sec.maintainers, *sec.reviewers) if (p := ctx.person(c.email))
            )

    def maintainers_of(s: Series) -> frozenset[str]:
        """M: and R: of every section the series' files match (not only the most
        specific: a subsystem maintainer answering a driver patch is a maintainer)."""
        names = set(series_subs[s.series_id])
        for mid in s.message_ids:
            names.update(_sections_for_files(ctx, by_id[mid]["files"], every=True))
        out: set[str] = set()
        for name in names:
            out |= people_of_section.get(name, frozenset())
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
        "SELECT message_id, kind FROM trailers WHERE in_reply AND kind IN "
        "('reviewed-by', 'acked-by', 'tested-by')"
    ).fetchall():
        tags[mid].add(kind)
    per_post, per_series = review_all(index, series, maintainers_of, dict(tags))
    for sid, (at, by, notice) in _tree_evidence(ctx, series, by_id).items():
        ev = per_series[sid]
        if ev.applied_at is None or at < ev.applied_at:
            ev.applied_at, ev.applied_by, ev.applied_notice = at, by, notice
    # censoring time: the last trusted message of the lists a series went to (an archive
    # that stops early cannot show replies after its end)
    list_end = dict(ctx.con.execute(
        "SELECT l, max(date) FROM (SELECT unnest(lists) AS l, date FROM messages "
        "WHERE date_source = 'header') GROUP BY l"
    ).fetchall())
    last_any = max(list_end.values(), default=None)

    def observed(s: Series) -> dt.datetime | None:
        ends = [list_end[x] for x in s.lists if x in list_end]
        return max(ends) if ends else last_any

    carried = _carried_tags(ctx, series)

    series_rows, post_table, msg_series, msg_subs = [], [], {}, []
    for s in series.values():
        ev = per_series[s.series_id]
        observed_until = observed(s)
        kind, org = _org_at(ctx, s.author_email, s.posted_at)
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
            "first_review_at": ev.first_review_at, "first_review_by": ev.first_review_by,
            "first_review_kind": ev.first_review_kind, "first_tested_at": ev.first_tested_at,
            "carried_review_tags": carried.get(s.series_id, 0),
            "applied_at": ev.applied_at, "applied_by": ev.applied_by,
            "applied_notice": ev.applied_notice, "n_replies": ev.n_replies,
            "n_responses": ev.n_responses, "n_bot_replies": ev.n_bot_replies,
            "outcome": outcome(s, ev, observed_until), "observed_until": observed_until,
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
    replace_tables(ctx.con, {
        "series": pa.Table.from_pylist(series_rows) if series_rows else _empty("series", ctx),
        "posts": pa.Table.from_pylist(post_table) if post_table else _empty("posts", ctx),
        "message_subsystems": pa.table({
            "message_id": [a for a, _b, _c in msg_subs], "subsystem": [b for _a, b, _c in msg_subs],
            "via": [c for _a, _b, c in msg_subs]}),
    })
    set_message_series(ctx.con, pa.table({"message_id": list(msg_series),
                                          "series_id": list(msg_series.values())}))
    outcomes: dict[str, int] = defaultdict(int)
    for r in series_rows:
        outcomes[r["outcome"]] += 1
    summary = ", ".join(f"{n:,} {k}" for k, n in sorted(outcomes.items()))
    return f"{len(series):,} series ({summary})"


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
    """Series with a patch committed to the given kernel tree: same normalised subject,
    same author (address or person), committed after the posting. Returns, per series,
    the earliest such commit's time, committer and a notice naming the commit."""
    trees = ctx.inputs("kernel-git")
    if not trees or not series:
        return {}
    repo = Path(trees[-1][0])
    start = min((s.posted_at for s in series.values() if s.posted_at), default=None)
    index: dict[str, list[TreeCommit]] = defaultdict(list)
    for c in tree_commits(repo, start - dt.timedelta(days=1) if start else None):
        index[normalise_subject(c.subject)].append(c)
    # each commit goes to the latest posting before it that carries the patch (a v1
    # and its v2 share subjects; the commit is v2's)
    claims: dict[str, tuple[dt.datetime, Series]] = {}
    for s in series.values():
        if s.posted_at is None:
            continue
        for mid in s.patch_ids:
            for c in index.get(normalise_subject(by_id[mid]["subject_base"] or ""), ()):
                if c.commit_time < s.posted_at:
                    continue
                if c.author_email != s.author_email and ctx.person(c.author_email) != s.author:
                    continue
                prior = claims.get(c.sha)
                if prior is None or s.posted_at > prior[0]:
                    claims[c.sha] = (s.posted_at, s)
    commits = {c.sha: c for cs in index.values() for c in cs}
    found: dict[str, tuple[dt.datetime, str | None, str]] = {}
    for sha, (_posted, s) in claims.items():
        c = commits[sha]
        best = found.get(s.series_id)
        if best is None or c.commit_time < best[0]:
            found[s.series_id] = (
                c.commit_time, ctx.person(c.committer_email),
                f"commit {c.sha[:12]} in {repo.name}: {c.subject}"[:200],
            )
    return found


def _carried_tags(ctx: Context, series: dict[str, Series]) -> dict[str, int]:
    """Reviewed-by / Acked-by already in a series' own patches, from someone else."""
    of_post = {mid: s for s in series.values() for mid in s.patch_ids}
    out: dict[str, int] = defaultdict(int)
    for mid, email in ctx.con.execute(
        "SELECT message_id, email FROM trailers WHERE NOT in_reply AND email IS NOT NULL "
        "AND kind IN ('reviewed-by', 'acked-by')"
    ).fetchall():
        s = of_post.get(mid)
        if s is not None and ctx.person(email) != s.author:
            out[s.series_id] += 1
    return out
