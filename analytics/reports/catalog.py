"""The registry of named reports: one entry per SQL file in this folder.

Each entry carries the definition (in the words of docs/metrics.md), the typed
parameters its SQL takes (``$name`` in the file) and a description of every output
column. Adding a report is an SQL file plus an entry here.
"""

from __future__ import annotations

from analytics.reports import Column, Report
from analytics.reports.params import (
    BY,
    LIST,
    ORG_KIND,
    PERIOD,
    SCOPE,
    SINCE,
    SUBSYSTEM,
    UNTIL,
)

C = Column

CATALOG: tuple[Report, ...] = (
    Report(
        "list_coverage",
        "Lists of the subsystems in play: archived here or not",
        "For every MAINTAINERS section that the archived patches touch, its L: lists "
        "and whether this database holds that list. A figure about a subsystem can "
        "only see what reached the lists that are archived here.",
        params=(SUBSYSTEM, SINCE, UNTIL),
        columns=(
            C("subsystem", "MAINTAINERS section touched by archived patches (by their files)"),
            C("patches", "patches in the scope whose files fall in the section"),
            C("list", "one of the section's L: addresses (empty when it names none)"),
            C("archived", "whether that list's mail is in this database"),
        ),
    ),
    Report(
        "org_coverage",
        "How much of the archive has a known organisation kind",
        "Share of messages, of patch authors and of reviewers (people who gave a "
        "Reviewed-by or Acked-by in a reply) whose organisation kind is not unknown "
        "at the time; bots are left out.",
        params=(LIST, SINCE, UNTIL),
        columns=(
            C("population", "messages, patch authors or reviewers"),
            C("total", "how many (messages, or distinct people) in the scope"),
            C("known", "of those, how many have a kind other than unknown"),
            C("known_pct", "known as a percentage of total (NULL when total is 0)"),
        ),
    ),
    Report(
        "ttfr_by_subsystem",
        "Time to first response per subsystem",
        "Per MAINTAINERS section (a series counts in each of its subsystems): series, "
        "unanswered series, the share answered within 1 / 7 / 30 days (series "
        "observed for less than N days and not answered within them are left out), "
        "and the median time to first response in hours from a Kaplan–Meier estimate "
        "in which unanswered series are censored at observed_until (NULL when fewer "
        "than half are ever answered). First response: the first reply below the "
        "series from a person other than its author, not a bot.",
        params=(*SCOPE, ORG_KIND),
        columns=(
            C("subsystem", "MAINTAINERS section of the series' patches"),
            C("series", "postings of a series in the scope"),
            C("unanswered", "of those, never answered by the end of the archive"),
            C("pct_1d", "% answered within 1 day (of series observed at least 1 day)"),
            C("pct_7d", "% answered within 7 days (of series observed at least 7 days)"),
            C("pct_30d", "% answered within 30 days (of series observed at least 30 days)"),
            C("km_median_hours", "Kaplan–Meier median time to first response, hours"),
        ),
    ),
    Report(
        "series_outcomes",
        "Series by outcome",
        "Postings of a patch series (one version each) by outcome: applied, "
        "superseded by a later version, ignored (no response within 30 days and no "
        "later version) or pending; the detail splits pending into pending (no "
        "response yet, younger than 30 days) and discussed (answered, nothing "
        "decided), and marks stable backports (no outcome: not a request for review).",
        params=(*SCOPE, ORG_KIND),
        columns=(
            C("outcome", "applied | superseded | ignored | pending (NULL: a backport)"),
            C("outcome_detail", "the outcome, with pending split into pending / discussed"),
            C("series", "postings of a series in the scope"),
            C("pct", "share of all series in the scope, %"),
        ),
    ),
    Report(
        "contribution_shares",
        "Who contributes: shares by organisation kind",
        "What `by` counts (patches, series, messages, authors or reviews given), split "
        "by the organisation kind of its sender at its date: corporate, individual, "
        "academic or unknown (unknown is always listed, never folded into a side). Per "
        "calendar period of the date and per subsystem, each with its 'all' row; an "
        "item counts in each of its subsystems. Bots are left out. An author counts "
        "once per row group, with the kind of their latest patch in it. Reviews are "
        "Reviewed-by / Acked-by tags given in replies (not carried), by the kind of the "
        "reply's sender.",
        params=(*SCOPE, PERIOD, BY),
        columns=(
            C("period", "calendar period of the date ('2024', '2024-Q1', '2024-03', "
                        "'undated') or 'all'"),
            C("subsystem", "MAINTAINERS section, or 'all' (every item in the scope once)"),
            C("org_kind", "corporate | individual | academic | unknown"),
            C("n", "items (or authors) of that kind in the period and subsystem"),
            C("total", "items (or authors) of any kind in the period and subsystem"),
            C("share", "n / total, unrounded (NULL when total is 0); sums to 1 per group"),
            C("pct", "share as a percentage, rounded to 0.1"),
        ),
    ),
    Report(
        "contribution_by_org",
        "Who contributes: organisations, and the elephant factor",
        "The items of contribution_shares (what `by` counts), per organisation of the "
        "sender at the item's date; individuals are grouped as '(individuals)' and "
        "unknown senders as '(unknown)'. Per calendar period and per subsystem, each "
        "with its 'all' row, and an org 'all' row holding the group's total. The "
        "elephant factor (CHAOSS) is the fewest organisations whose work makes up 50% "
        "of the work of all organisations; only organisations count (corporate and "
        "academic), individuals and unknown senders are left out of it.",
        params=(*SCOPE, PERIOD, BY),
        columns=(
            C("period", "calendar period of the date ('2024', '2024-Q1', '2024-03', "
                        "'undated') or 'all'"),
            C("subsystem", "MAINTAINERS section, or 'all' (every item in the scope once)"),
            C("org_kind", "corporate | individual | academic | unknown, or 'all' (the total)"),
            C("org", "organisation name; '(individuals)', '(unknown)', or 'all'"),
            C("n", "items (or authors) of that organisation in the period and subsystem"),
            C("total", "items (or authors) of anyone in the period and subsystem"),
            C("share", "n / total, unrounded (NULL when total is 0)"),
            C("pct", "share as a percentage, rounded to 0.1"),
            C("org_rank", "rank among organisations by n (1 = most; NULL: not an "
                          "organisation)"),
            C("elephant_factor", "of the period and subsystem: the fewest organisations "
                                 "making up 50% of organisations' work (NULL: none)"),
        ),
    ),
    Report(
        "overview",
        "What the database holds: headline figures and caveats",
        "One row for the scope: lists, date range, messages, patches, cover letters, "
        "threads, series, people, the share of series answered and the Kaplan–Meier "
        "median time to first response (unanswered series censored at observed_until, "
        "as in ttfr_by_subsystem), the organisation kinds of the patches (bots left "
        "out, as in contribution_shares), and the data caveats: lists of the subsystems "
        "in play that are not archived, the share of messages with a known kind, "
        "undated mails, parse errors and whether the enrichment is up to date.",
        params=SCOPE,
        columns=(
            C("lists", "list addresses of the messages in the scope, most messages first"),
            C("first_message", "date of the earliest message in the scope (UTC)"),
            C("last_message", "date of the newest message in the scope (UTC)"),
            C("messages", "messages (one per Message-ID, bots included)"),
            C("patches", "of those, patches"),
            C("cover_letters", "of those, cover letters"),
            C("threads", "distinct threads of those messages"),
            C("series", "postings of a series (one version each) with a posting date"),
            C("people", "distinct persons (not bots) who sent a message"),
            C("authors", "distinct persons (not bots) who sent a patch"),
            C("answered_pct", "% of series that received a first response"),
            C("km_median_hours", "Kaplan–Meier median time to first response, hours "
                                 "(NULL when fewer than half are ever answered)"),
            C("corporate_pct", "% of patches (bots left out) from corporate senders"),
            C("individual_pct", "% of patches from individuals"),
            C("academic_pct", "% of patches from academic senders"),
            C("unknown_pct", "% of patches whose sender's kind is unknown"),
            C("org_known_pct", "% of messages (bots left out) with a known kind"),
            C("lists_in_play", "L: lists of the MAINTAINERS sections the patches touch"),
            C("lists_not_archived", "of those, the lists not archived in this database"),
            C("per_list", "per list: messages, first and last date"),
            C("ingest_errors", "mails that could not be parsed (whole database)"),
            C("last_ingest_at", "start of the latest ingest run (whole database)"),
            C("enriched_at", "end of the latest enrichment (NULL: never enriched)"),
            C("not_enriched", "messages ingested after the latest enrichment"),
            C("caveats", "what to keep in mind before citing these figures"),
        ),
    ),
)
