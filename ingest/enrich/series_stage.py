"""The series stage: series, versions, subsystems of every message, review events and
outcomes (pure logic in series.py and review.py, the rows in series_rows.py; this module
reads and writes). `_compute` runs the steps in order: who sent what (`_Senders`), the
postings grouped into series (`_postings`), subsystems (`_subsystems`), review events
(`_reviews`, with `_Maintainers`), then the rows.

After an ingest that only added messages (``ctx.delta``), only a **region** is recomputed:
the threads of the new messages, closed under everything that ties a series to other
threads (see `region.region`); every other series gets only its end of observation, the
outcomes that depend on it, and its author's organisation refreshed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import pyarrow as pa

from ingest.enrich.context import Context, Delta
from ingest.enrich.people import BotRules
from ingest.enrich.records import Message, read_messages
from ingest.enrich.region import region as find_region
from ingest.enrich.review import (
    ANSWER_OUTCOMES,
    Events,
    Node,
    ReplyIndex,
    answered_outcome,
    contract_outcome,
    review_all,
)
from ingest.enrich.series import (
    Series,
    group_series,
    link_versions,
    posts_from_rows,
)
from ingest.enrich.series_rows import (
    SeriesTables,
    Trailers,
    carried_tags,
    message_subsystems,
    org_at,
    post_rows,
    review_tag_rows,
    series_row,
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
        out = _compute(ctx, msgs, None)
        del msgs  # not needed to write the tables
        details: dict[str, int] = Counter(r["outcome_detail"] for r in out.series)
        # one table at a time, each let go once written
        replace_tables(ctx.con, {"series": _table(out.series, "series", ctx)})
        out.series = []
        replace_tables(ctx.con, {"posts": _table(out.posts, "posts", ctx)})
        out.posts = []
        replace_tables(ctx.con, {"review_tags": _table(out.review_tags, "review_tags", ctx)})
        out.review_tags = []
        replace_tables(ctx.con, {
            "message_subsystems": _subs_table(out.message_subsystems)})
        out.message_subsystems = []
        set_message_series(ctx.con, pa.table({"message_id": list(out.message_series),
                                              "series_id": list(out.message_series.values())}))
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
        out = _compute(ctx, msgs, "_region_ids")
    replace_rows(ctx.con, {
        "series": ("series_id", old_series, _table(out.series, "series", ctx)),
        "posts": ("message_id", ids, _table(out.posts, "posts", ctx)),
        "message_subsystems": ("message_id", ids, _subs_table(out.message_subsystems)),
        "review_tags": ("post_id", ids, _table(out.review_tags, "review_tags", ctx)),
    })
    set_message_series(ctx.con, pa.table({"message_id": list(out.message_series),
                                          "series_id": list(out.message_series.values())}),
                       scope=ids)
    refreshed = _refresh_others(ctx, {r["series_id"] for r in out.series})
    # (``cast``: a region is only found when there is a delta)
    cast(Delta, ctx.delta).n_recomputed = len(ids)
    details = dict(ctx.con.execute(
        "SELECT outcome_detail, count(*) FROM series GROUP BY ALL").fetchall())
    return (f"{_summary(details)}; incremental: recomputed {len(out.series):,} "
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


@dataclass(frozen=True)
class _Senders:
    """The messages being computed by Message-ID, the person who sent each, and which
    of them are bots."""

    by_id: dict[str, Message]
    person_of: dict[str | None, str]  # address → person
    bot_people: set[str]
    rules: BotRules

    @classmethod
    def of(cls, ctx: Context, msgs: list[Message]) -> _Senders:
        # (``cast``: the person of a non-empty address is never None)
        person_of: dict[str | None, str] = {
            e: cast(str, ctx.person(e)) for e in {m.from_email for m in msgs if m.from_email}}
        bot_people = ({p.person_id for p in ctx.identities.people if p.is_bot}
                      if ctx.identities else set())
        return cls({m.message_id: m for m in msgs}, person_of, bot_people,
                   BotRules.builtin())

    def person(self, m: Message) -> str | None:
        return self.person_of.get(m.from_email)

    def is_bot(self, m: Message) -> bool:
        """A bot's address or name, a bot's Message-ID sent from a person's address, or a
        tool's report (``messages.bot_report``) sent from a person's address."""
        return (self.person(m) in self.bot_people or m.bot_report is not None
                or self.rules.is_bot_message(m.message_id))


def _postings(msgs: list[Message], who: _Senders) -> tuple[dict[str, str], dict[str, Series]]:
    """The postings (cover letters and patches, not a bot's) grouped into series, their
    versions linked: ``(series of each posting, series by id)``."""
    heads = {
        m.in_reply_to for m in msgs
        if m.is_patch and m.in_reply_to in who.by_id
        and who.person(who.by_id[m.in_reply_to]) == who.person(m)
    }
    post_rows = [m for m in msgs
                 if _is_post(m, who.by_id, who.person_of, heads) and not who.is_bot(m)]
    anchor, series = group_series(posts_from_rows(post_rows, who.person_of))
    link_versions(series)
    return anchor, series


def _subsystems(ctx: Context, series: dict[str, Series], posts: Iterable[str],
                by_id: dict[str, Message]
                ) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Subsystems of each post, from its files; of a series, the union of its posts', or
    without any diff, from the lists it was posted to."""
    post_subs = {mid: ctx.sections_for_files(by_id[mid].files) for mid in posts}
    series_subs: dict[str, tuple[str, ...]] = {}
    for s in series.values():
        subs: list[str] = []
        for mid in s.message_ids:
            subs.extend(x for x in post_subs[mid] if x not in subs)
        if not subs and ctx.matcher is not None:
            for lst in sorted(s.lists):
                subs.extend(x for x in ctx.matcher.sections_for_list(lst) if x not in subs)
        series_subs[s.series_id] = tuple(subs)
    return post_subs, series_subs


class _Maintainers:
    """The maintainers of a series: M: and R: of every section its files match (not only
    the most specific: a subsystem maintainer answering a driver patch is a maintainer)
    and of its subsystems."""

    def __init__(self, ctx: Context, by_id: dict[str, Message],
                 series_subs: dict[str, tuple[str, ...]]) -> None:
        self.ctx, self.by_id, self.series_subs = ctx, by_id, series_subs
        self._people: dict[str, frozenset[str]] = {}  # filled for the sections in play

    def __call__(self, s: Series) -> frozenset[str]:
        names = set(self.series_subs[s.series_id])
        for mid in s.message_ids:
            names.update(self.ctx.sections_for_files(self.by_id[mid].files, every=True))
        out: set[str] = set()
        for name in names:
            out |= self._section_people(name)
        return frozenset(out)

    def _section_people(self, name: str) -> frozenset[str]:
        found = self._people.get(name)
        if found is None:
            found = frozenset()
            if self.ctx.matcher is not None:
                sec = self.ctx.matcher.section(name)
                found = frozenset(p for c in (*sec.maintainers, *sec.reviewers)
                                  if (p := self.ctx.person(c.email)))
            self._people[name] = found
        return found


def _reviews(ctx: Context, msgs: list[Message], who: _Senders, anchor: dict[str, str],
             series: dict[str, Series], maintainers: _Maintainers, trailers: Trailers
             ) -> tuple[ReplyIndex, dict[str, Events], dict[str, Events]]:
    """The reply tree of the messages and the review events of every post and series
    (docs/metrics.md), with what the kernel tree says was applied."""
    nodes = []
    for m in msgs:
        refs = m.references or ()
        parent = m.in_reply_to or (refs[-1] if refs else None)
        nodes.append(Node(m.message_id, parent, m.date, who.person(m), who.is_bot(m),
                          m.message_id in anchor, m.applied_notice))
    index = ReplyIndex(nodes)
    tags = {mid: {kind for _pos, kind, _email, in_reply in rows if in_reply}
            for mid, rows in trailers.items()}
    # "applied" is a maintainer's word (or patchwork-bot's): anyone M: or R: somewhere
    appliers = None if ctx.matcher is None else frozenset(
        p for sec in ctx.matcher.sections for c in (*sec.maintainers, *sec.reviewers)
        if (p := ctx.person(c.email)))
    per_post, per_series = review_all(index, series, maintainers, tags, appliers)
    for sid, (at, by, notice) in tree_evidence(ctx, series, who.by_id).items():
        ev = per_series[sid]
        if ev.applied_at is None or at < ev.applied_at:
            ev.applied_at, ev.applied_by, ev.applied_notice = at, by, notice
    return index, per_post, per_series


def _compute(ctx: Context, msgs: list[Message], region_view: str | None) -> SeriesTables:
    """The series stage's rows for ``msgs``: every message, or (``region_view`` names a
    view of their Message-IDs) whole threads closed under what ties series together
    (`region.region`)."""
    in_region = (f" AND message_id IN (SELECT message_id FROM {region_view})"
                 if region_view else "")
    who = _Senders.of(ctx, msgs)
    anchor, series = _postings(msgs, who)
    post_subs, series_subs = _subsystems(ctx, series, anchor, who.by_id)
    trailers = _review_trailers(ctx, in_region)
    index, per_post, per_series = _reviews(
        ctx, msgs, who, anchor, series, _Maintainers(ctx, who.by_id, series_subs), trailers)
    list_end, last_any = _list_end(ctx)
    carried, first_carried = carried_tags(ctx, series, trailers)

    out = SeriesTables(review_tags=review_tag_rows(ctx, series, index, who.by_id, trailers))
    for s in series.values():
        sid = s.series_id
        observed_until = _observed(s.lists, list_end, last_any)
        out.series.append(series_row(ctx, s, per_series[sid], observed_until, series_subs[sid],
                                     carried.get(sid, 0), first_carried.get(sid)))
        out.posts.extend(post_rows(s, per_post, who.by_id, post_subs, series_subs[sid],
                                   observed_until))
        for mid in s.message_ids:
            out.message_series[mid] = sid
            for r in index.replies(mid):
                out.message_series.setdefault(r.message_id, sid)
    out.message_subsystems = message_subsystems(ctx, msgs, out.message_series, series_subs)
    return out


def _empty(name: str, ctx: Context) -> pa.Table:
    return ctx.con.sql(f"SELECT * FROM {name} LIMIT 0").to_arrow_table()


def _review_trailers(ctx: Context, in_region: str) -> Trailers:
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
        kind, org = org_at(ctx, r["author_email"], r["posted_at"])
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
