"""The series stage: series, versions, subsystems of every message, review events and
outcomes (pure logic in series.py and review.py; this module reads and writes).

After an ingest that only added messages (``ctx.delta``), only a **region** is recomputed:
the threads of the new messages, closed under everything that ties a series to other
threads (see `region.region`); every other series gets only its end of observation, the
outcomes that depend on it, and its author's organisation refreshed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import cast

import pyarrow as pa

from ingest.enrich.context import Context, Delta
from ingest.enrich.people import BotRules
from ingest.enrich.records import Message, read_messages
from ingest.enrich.region import CARRIED_KINDS
from ingest.enrich.region import region as find_region
from ingest.enrich.review import (
    ANSWER_OUTCOMES,
    Node,
    ReplyIndex,
    answered_outcome,
    contract_outcome,
    outcome,
    review_all,
)
from ingest.enrich.rows import Columns
from ingest.enrich.series import (
    Series,
    group_series,
    link_versions,
    posts_from_rows,
)
from ingest.enrich.tree_evidence import store_patch_ids, tree_evidence
from ingest.load import replace_tables, set_message_series
from ingest.load.database import registered
from ingest.load.enrichment import replace_rows, update_rows

_REVIEW_TAGS = "('reviewed-by', 'acked-by', 'tested-by')"


def _is_post(
    m: Message, by_id: dict[str, Message], person_of: dict[str | None, str], heads: set[str]
) -> bool:
    """A cover letter or patch: a PATCH-tagged mail that is not a reply. A diffless
    PATCH-tagged mail written in reply to someone else's posting, with no patches of its
    own below it (a test report titled "[PATCH 00/34] …"), is an answer, not a posting;
    ``heads`` are the mails that have patches of their own author below them."""
    if m.is_reply or m.patch_version is None:
        return False
    if m.is_patch or not m.in_reply_to or m.message_id in heads:
        return True
    parent = by_id.get(m.in_reply_to)
    if parent is None or parent.is_reply or parent.patch_version is None:
        return True
    return person_of.get(parent.from_email) == person_of.get(m.from_email)


def series_stage(ctx: Context) -> str:
    region: set[str] | None = None
    why = ""
    if ctx.inputs("kernel-git"):
        store_patch_ids(ctx)
    if ctx.delta is not None:
        region, why = find_region(ctx)
    if region is None:
        msgs = ctx.messages(last_use=True)
        n_msgs = len(msgs)
        series_rows, post_table, msg_series, msg_subs, tag_rows = _compute(ctx, msgs, None)
        del msgs  # not needed to write the tables
        details: dict[str, int] = Counter(series_rows.columns.get("outcome_detail", ()))
        # one table at a time, each let go once written
        for name, built in (("series", series_rows), ("posts", post_table),
                            ("review_tags", tag_rows)):
            replace_tables(ctx.con, {name: _table(built, name, ctx)})
        replace_tables(ctx.con, {"message_subsystems": _subs_table(msg_subs)})
        del msg_subs
        set_message_series(ctx.con, pa.table({"message_id": list(msg_series),
                                              "series_id": list(msg_series.values())}))
        if ctx.delta is not None:
            ctx.delta.n_recomputed = n_msgs
        return _summary(details) + (f" (recomputed whole: {why})" if why else "")
    with registered(ctx.con, "_region_threads",
                    pa.table({"thread_id": pa.array(sorted(region), pa.string())})):
        msgs = read_messages(ctx.con, "thread_id IN (SELECT thread_id FROM _region_threads)")
    ids = [m.message_id for m in msgs]
    with registered(ctx.con, "_region_ids", pa.table({"message_id": pa.array(ids, pa.string())})):
        old_series = {r[0] for r in ctx.con.execute(
            "SELECT DISTINCT series_id FROM posts WHERE message_id IN "
            "(SELECT message_id FROM _region_ids)").fetchall()}
        series_rows, post_table, msg_series, msg_subs, tag_rows = _compute(
            ctx, msgs, "_region_ids")
    new_series = set(series_rows.columns.get("series_id", ()))  # (taken by the writing)
    replace_rows(ctx.con, {
        "series": ("series_id", old_series, _table(series_rows, "series", ctx)),
        "posts": ("message_id", ids, _table(post_table, "posts", ctx)),
        "message_subsystems": ("message_id", ids, _subs_table(msg_subs)),
        "review_tags": ("post_id", ids, _table(tag_rows, "review_tags", ctx)),
    })
    set_message_series(ctx.con, pa.table({"message_id": list(msg_series),
                                          "series_id": list(msg_series.values())}), scope=ids)
    refreshed = _refresh_others(ctx, new_series)
    # (``cast``: a region is only found when there is a delta)
    cast(Delta, ctx.delta).n_recomputed = len(ids)
    details = dict(ctx.con.execute(
        "SELECT outcome_detail, count(*) FROM series GROUP BY ALL").fetchall())
    return (f"{_summary(details)}; incremental: recomputed {len(new_series):,} "
            f"series in {len(region):,} threads ({len(ids):,} messages), refreshed "
            f"{refreshed:,} others")


def _summary(details: dict[str, int]) -> str:
    """The counts of ``series.outcome``, with the detail that splits ``pending`` and the
    backports that have no outcome: "1,935 series; outcome: 172 applied, 646 superseded,
    119 ignored, 882 pending (880 discussed); 116 stable backports (no outcome)"."""
    outcomes: dict[str | None, int] = defaultdict(int)
    for detail, n in details.items():
        outcomes[contract_outcome(detail)] += n
    parts = [f"{outcomes[o]:,} {o}" for o in ("applied", "superseded", "ignored", "pending")]
    if details.get("discussed"):
        parts[-1] += f" ({details['discussed']:,} discussed)"
    text = f"{sum(details.values()):,} series; outcome: " + ", ".join(parts)
    if outcomes[None]:
        text += f"; {outcomes[None]:,} stable backports (no outcome)"
    return text


def _table(rows: Columns, name: str, ctx: Context) -> pa.Table:
    return rows.take_table() if rows.n else _empty(name, ctx)


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
    ctx: Context, msgs: list[Message], region_view: str | None
) -> tuple[Columns, Columns, dict[str, str], list[tuple[str, str, str]], Columns]:
    """Series, posts, series of each message, subsystems of each message and review
    tags attached to their posts, from
    ``msgs``: every message, or (``region_view`` names a view of their Message-IDs)
    whole threads closed under what ties series together (`_region`)."""
    in_region = (f" AND message_id IN (SELECT message_id FROM {region_view})"
                 if region_view else "")
    # (``cast``: the person of a non-empty address is never None)
    person_of: dict[str | None, str] = {
        e: cast(str, ctx.person(e)) for e in {m.from_email for m in msgs if m.from_email}}
    by_id = {m.message_id: m for m in msgs}
    bot_people: set[str | None] = {p.person_id for p in ctx.identities.people if p.is_bot} \
        if ctx.identities else set()
    bots = BotRules.builtin()

    def is_bot(m: Message) -> bool:
        """A bot's address or name, a bot's Message-ID sent from a person's address, or a
        tool's report (``messages.bot_report``) sent from a person's address."""
        return (person_of.get(m.from_email) in bot_people or m.bot_report is not None
                or bots.is_bot_message(m.message_id))

    heads = {
        m.in_reply_to for m in msgs
        if m.is_patch and m.in_reply_to in by_id
        and person_of.get(by_id[m.in_reply_to].from_email) == person_of.get(m.from_email)
    }
    post_rows = [m for m in msgs if _is_post(m, by_id, person_of, heads) and not is_bot(m)]
    anchor, series = group_series(posts_from_rows(post_rows, person_of))
    link_versions(series)

    # subsystems: of each post from its files; of a series, the union; without any diff,
    # from the lists it was posted to
    post_subs = {mid: ctx.sections_for_files(by_id[mid].files) for mid in anchor}
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
            names.update(ctx.sections_for_files(by_id[mid].files, every=True))
        out: set[str] = set()
        for name in names:
            out |= section_people(name)
        return frozenset(out)

    nodes = []
    for m in msgs:
        refs = m.references or ()
        parent = m.in_reply_to or (refs[-1] if refs else None)
        person = person_of.get(m.from_email) if m.from_email else None
        nodes.append(Node(m.message_id, parent, m.date, person, is_bot(m),
                          m.message_id in anchor, m.applied_notice))
    index = ReplyIndex(nodes)
    review = _review_trailers(ctx, in_region)
    tags = {mid: {kind for _pos, kind, _email, in_reply in rows if in_reply}
            for mid, rows in review.items()}
    # "applied" is a maintainer's word (or patchwork-bot's): anyone M: or R: somewhere
    appliers = None if ctx.matcher is None else frozenset(
        p for sec in ctx.matcher.sections for c in (*sec.maintainers, *sec.reviewers)
        if (p := ctx.person(c.email)))
    per_post, per_series = review_all(index, series, maintainers_of, tags, appliers)
    for sid, (at, by, notice) in tree_evidence(ctx, series, by_id).items():
        ev = per_series[sid]
        if ev.applied_at is None or at < ev.applied_at:
            ev.applied_at, ev.applied_by, ev.applied_notice = at, by, notice
    list_end, last_any = _list_end(ctx)
    carried, first_carried = _carried_tags(ctx, series, review)

    series_rows = Columns()
    post_table = Columns()
    msg_series: dict[str, str] = {}
    msg_subs: list[tuple[str, str, str]] = []
    tag_rows = _review_tag_rows(ctx, series, index, by_id, review)
    for s in series.values():
        ev = per_series[s.series_id]
        observed_until = _observed(s.lists, list_end, last_any)
        kind, org = _org_at(ctx, s.author_email, s.posted_at)
        first_review = (ev.first_review_at, ev.first_review_by, ev.first_review_kind, False)
        if s.series_id in first_carried and s.posted_at is not None:
            # PRODUCT.md: a review tag is given in a reply *or carried in a later version*;
            # a posting that carries one arrives reviewed, so it counts from posted_at
            by, tag = first_carried[s.series_id]
            first_review = (s.posted_at, by, tag, True)
        series_rows.add(
            series_id=s.series_id, version=s.version, version_key=s.version_key,
            prev_series_id=s.prev_series_id, next_series_id=s.next_series_id,
            resend_of=s.resend_of, change_id=s.change_id, subject=s.subject,
            author_person_id=s.author, author_email=s.author_email,
            author_org_kind=kind, author_org=org, posted_at=s.posted_at,
            n_patches=len(s.patch_ids), patch_total=s.patch_total,
            has_cover=s.cover_message_id is not None, is_rfc=s.is_rfc,
            is_resend=s.is_resend, lists=sorted(s.lists),
            subsystems=list(series_subs[s.series_id]),
            first_response_at=ev.first_response_at,
            first_response_by=ev.first_response_by,
            first_maintainer_response_at=ev.first_maintainer_response_at,
            first_maintainer_response_by=ev.first_maintainer_response_by,
            first_review_at=first_review[0], first_review_by=first_review[1],
            first_review_kind=first_review[2], first_review_carried=first_review[3],
            first_tested_at=ev.first_tested_at,
            carried_review_tags=carried.get(s.series_id, 0),
            applied_at=ev.applied_at, applied_by=ev.applied_by,
            applied_notice=ev.applied_notice, n_replies=ev.n_replies,
            n_responses=ev.n_responses, n_bot_replies=ev.n_bot_replies,
            outcome=contract_outcome(detail := outcome(s, ev, observed_until)),
            outcome_detail=detail, observed_until=observed_until,
        )
        for mid in s.message_ids:
            pe = per_post[mid]
            post_table.add(
                message_id=mid, series_id=s.series_id,
                is_cover=mid == s.cover_message_id,
                counter=by_id[mid].patch_counter, author_person_id=s.author,
                posted_at=by_id[mid].date,
                subsystems=list(post_subs[mid] or series_subs[s.series_id]),
                first_response_at=pe.first_response_at,
                first_response_by=pe.first_response_by,
                first_maintainer_response_at=pe.first_maintainer_response_at,
                first_maintainer_response_by=pe.first_maintainer_response_by,
                first_review_at=pe.first_review_at, first_review_by=pe.first_review_by,
                first_tested_at=pe.first_tested_at, n_responses=pe.n_responses,
                observed_until=observed_until,
            )
            msg_series[mid] = s.series_id
            for r in index.replies(mid):
                msg_series.setdefault(r.message_id, s.series_id)
    # subsystems of every message: its own diff, else its series, else its lists
    for m in msgs:
        mid = m.message_id
        own = ctx.sections_for_files(m.files)
        if own:
            msg_subs.extend((mid, x, "files") for x in own)
        elif mid in msg_series:
            msg_subs.extend((mid, x, "series") for x in series_subs[msg_series[mid]])
        elif ctx.matcher is not None:
            seen: list[str] = []
            for lst in m.lists or []:
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


def _review_trailers(ctx: Context, in_region: str) -> dict[str, list[tuple]]:
    """Reviewed-by / Acked-by / Tested-by trailers per message, in trailer order:
    ``(position, kind, email, in_reply)``; read once for the review events, the carried
    tags and ``review_tags``."""
    trailers: dict[str, list[tuple]] = defaultdict(list)
    for mid, pos, kind, email, in_reply in ctx.con.execute(
        "SELECT message_id, position, kind, email, in_reply FROM trailers WHERE "
        f"kind IN {_REVIEW_TAGS}{in_region} ORDER BY message_id, position"
    ).fetchall():
        trailers[mid].append((pos, kind, email, in_reply))
    return trailers


def _review_tag_rows(ctx: Context, series: dict[str, Series], index: ReplyIndex,
                     by_id: dict[str, Message], trailers: dict[str, list[tuple]]) -> Columns:
    """Every Reviewed-by / Acked-by / Tested-by attached to the post it answers: a tag in
    a reply goes to the nearest post above the reply (its patch or cover letter, however
    deep the reply); a tag carried in a patch (from someone other than the author) goes
    to that patch. Bots' replies are left out."""
    rows = Columns()

    def add(s: Series, post: str, mid: str, given_by, given_at, carried: bool) -> None:
        for pos, kind, email, in_reply in trailers.get(mid, ()):
            if in_reply == carried:
                continue
            person = ctx.person(email) if email else None
            if carried and person == s.author:
                continue
            rows.add(series_id=s.series_id, post_id=post, message_id=mid,
                         position=pos, kind=kind, email=email, person_id=person,
                         given_by=given_by, given_at=given_at, carried=carried)

    for s in series.values():
        for post in s.message_ids:
            if post in s.patch_ids:
                add(s, post, post, s.author, by_id[post].date, True)
            for n in sorted(index.replies(post), key=lambda n: n.message_id):
                if not n.is_bot:
                    add(s, post, n.message_id, n.person, n.date, False)
    return rows


def _carried_tags(ctx: Context, series: dict[str, Series], trailers: dict[str, list[tuple]]
                  ) -> tuple[dict[str, int], dict[str, tuple[str | None, str]]]:
    """Reviewed-by / Acked-by already in a series' own patches, from someone else: how
    many per series, and the first one (person, kind; patch order, then trailer order)."""
    out: dict[str, int] = defaultdict(int)
    first: dict[str, tuple[str | None, str]] = {}
    for s in series.values():
        for mid in s.patch_ids:
            for _pos, kind, email, in_reply in trailers.get(mid, ()):
                if in_reply or email is None or kind not in CARRIED_KINDS:
                    continue
                if (person := ctx.person(email)) == s.author:
                    continue
                out[s.series_id] += 1
                first.setdefault(s.series_id, (person, kind))
    return out, first


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
