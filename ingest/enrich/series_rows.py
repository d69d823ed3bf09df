"""Rows of the series stage's tables (``series``, ``posts``, ``review_tags``,
``message_subsystems``, ``messages.series_id``) from what the stage computed: the series,
their review events and subsystems. Pure: nothing here reads or writes the database
(columns in docs/schema.md, their meaning in docs/metrics.md)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from ingest.enrich.context import Context
from ingest.enrich.records import Message
from ingest.enrich.region import CARRIED_KINDS
from ingest.enrich.review import Events, ReplyIndex, contract_outcome, outcome
from ingest.enrich.series import Series

Trailers = dict[str, list[tuple]]  # message → (position, kind, email, in_reply), in order


@dataclass
class SeriesTables:
    """What the series stage writes, for every message it computed."""

    series: list[dict] = field(default_factory=list)
    posts: list[dict] = field(default_factory=list)
    message_series: dict[str, str] = field(default_factory=dict)  # message → its series
    message_subsystems: list[tuple[str, str, str]] = field(default_factory=list)
    review_tags: list[dict] = field(default_factory=list)


def org_at(ctx: Context, email: str | None, at: dt.datetime | None) -> tuple[str, str | None]:
    """The organisation kind and name of ``email`` at ``at`` (unknown without people)."""
    if ctx.resolver is None or not email:
        return "unknown", None
    a = ctx.resolver.attribute(email, at)
    return str(a.kind), a.org


def series_row(ctx: Context, s: Series, ev: Events, observed_until: dt.datetime | None,
               subsystems: tuple[str, ...], carried: int,
               first_carried: tuple[str | None, str] | None) -> dict:
    """The ``series`` row of ``s``, whose review events are ``ev``; ``carried``
    review tags in its own patches, the first of them ``first_carried``."""
    kind, org = org_at(ctx, s.author_email, s.posted_at)
    first_review = (ev.first_review_at, ev.first_review_by, ev.first_review_kind, False)
    if first_carried is not None and s.posted_at is not None:
        # docs/metrics.md, "Review tag": given in a reply *or carried in a later version*;
        # a posting that carries one arrives reviewed, so it counts from posted_at
        by, tag = first_carried
        first_review = (s.posted_at, by, tag, True)
    return {
        "series_id": s.series_id, "version": s.version, "version_key": s.version_key,
        "prev_series_id": s.prev_series_id, "next_series_id": s.next_series_id,
        "resend_of": s.resend_of, "change_id": s.change_id, "subject": s.subject,
        "author_person_id": s.author, "author_email": s.author_email,
        "author_org_kind": kind, "author_org": org, "posted_at": s.posted_at,
        "n_patches": len(s.patch_ids), "patch_total": s.patch_total,
        "has_cover": s.cover_message_id is not None, "is_rfc": s.is_rfc,
        "is_resend": s.is_resend, "lists": sorted(s.lists),
        "subsystems": list(subsystems),
        "first_response_at": ev.first_response_at,
        "first_response_by": ev.first_response_by,
        "first_maintainer_response_at": ev.first_maintainer_response_at,
        "first_maintainer_response_by": ev.first_maintainer_response_by,
        "first_review_at": first_review[0], "first_review_by": first_review[1],
        "first_review_kind": first_review[2], "first_review_carried": first_review[3],
        "first_tested_at": ev.first_tested_at,
        "carried_review_tags": carried,
        "applied_at": ev.applied_at, "applied_by": ev.applied_by,
        "applied_notice": ev.applied_notice, "n_replies": ev.n_replies,
        "n_responses": ev.n_responses, "n_bot_replies": ev.n_bot_replies,
        "outcome": contract_outcome(detail := outcome(s, ev, observed_until)),
        "outcome_detail": detail, "observed_until": observed_until,
    }


def post_rows(s: Series, per_post: dict[str, Events], by_id: dict[str, Message],
              post_subs: dict[str, tuple[str, ...]], series_subs: tuple[str, ...],
              observed_until: dt.datetime | None) -> list[dict]:
    """The ``posts`` rows of the cover letter and patches of ``s``; a post without
    subsystems of its own has its series'."""
    rows = []
    for mid in s.message_ids:
        pe = per_post[mid]
        rows.append({
            "message_id": mid, "series_id": s.series_id,
            "is_cover": mid == s.cover_message_id,
            "counter": by_id[mid].patch_counter, "author_person_id": s.author,
            "posted_at": by_id[mid].date,
            "subsystems": list(post_subs[mid] or series_subs),
            "first_response_at": pe.first_response_at,
            "first_response_by": pe.first_response_by,
            "first_maintainer_response_at": pe.first_maintainer_response_at,
            "first_maintainer_response_by": pe.first_maintainer_response_by,
            "first_review_at": pe.first_review_at, "first_review_by": pe.first_review_by,
            "first_tested_at": pe.first_tested_at, "n_responses": pe.n_responses,
            "observed_until": observed_until,
        })
    return rows


def message_subsystems(ctx: Context, msgs: list[Message], message_series: dict[str, str],
                       series_subs: dict[str, tuple[str, ...]]) -> list[tuple[str, str, str]]:
    """``(message, subsystem, via)`` of every message: from its own diff, else from its
    series, else from its lists (docs/subsystems.md)."""
    out: list[tuple[str, str, str]] = []
    for m in msgs:
        mid = m.message_id
        own = ctx.sections_for_files(m.files)
        if own:
            out.extend((mid, x, "files") for x in own)
        elif mid in message_series:
            out.extend((mid, x, "series") for x in series_subs[message_series[mid]])
        elif ctx.matcher is not None:
            seen: list[str] = []
            for lst in m.lists or []:
                seen.extend(x for x in ctx.matcher.sections_for_list(lst) if x not in seen)
            out.extend((mid, x, "list") for x in seen)
    return out


def review_tag_rows(ctx: Context, series: dict[str, Series], index: ReplyIndex,
                    by_id: dict[str, Message], trailers: Trailers) -> list[dict]:
    """Every Reviewed-by / Acked-by / Tested-by attached to the post it answers: a tag in
    a reply goes to the nearest post above the reply (its patch or cover letter, however
    deep the reply); a tag carried in a patch (from someone other than the author) goes
    to that patch. Bots' replies are left out."""
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
                add(s, post, post, s.author, by_id[post].date, True)
            for n in sorted(index.replies(post), key=lambda n: n.message_id):
                if not n.is_bot:
                    add(s, post, n.message_id, n.person, n.date, False)
    return rows


def carried_tags(ctx: Context, series: dict[str, Series], trailers: Trailers
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
