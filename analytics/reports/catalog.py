"""The registry of named reports: one entry per SQL file in this folder (files named
``_*.sql`` are shared parts that reports include with ``-- @include NAME``).

Each entry carries the definition (in the words of docs/metrics.md), the typed
parameters its SQL takes (``$name`` in the file) and a description of every output
column. Adding a report is an SQL file plus an entry here.
"""

from __future__ import annotations

from analytics.reports import Column, Report
from analytics.reports.params import (
    BY,
    LIST,
    MIN_N,
    ORG_KIND,
    PERIOD,
    SCOPE,
    SINCE,
    SUBSYSTEM,
    UNTIL,
    Param,
)

C = Column

LEVEL = Param("level", "choice", "the finest rows shown: section, directory or file",
              default="directory", choices=("section", "directory", "file"))

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
        "series from a person other than its author, not a bot. Stable backports are "
        "left out: the series and estimator are review_latency's, whose row for the "
        "subsystem, all kinds and all authors, gives the same figures.",
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
        "median time to first response (stable backports left out and unanswered "
        "series censored at observed_until, as in review_latency), the organisation "
        "kinds of the patches (bots left out, as in contribution_shares), and the data "
        "caveats: lists of the subsystems in play that are not archived, the share of "
        "messages with a known kind, undated mails, parse errors and whether the "
        "enrichment is up to date.",
        params=SCOPE,
        columns=(
            C("lists", "list addresses of the messages in the scope, most messages first"),
            C("first_message", "date of the earliest message in the scope (UTC)"),
            C("last_message", "date of the newest message in the scope (UTC)"),
            C("messages", "messages (one per Message-ID, bots included)"),
            C("patches", "of those, patches"),
            C("cover_letters", "of those, cover letters"),
            C("threads", "distinct threads of those messages"),
            C("series", "postings of a series (one version each), stable backports included"),
            C("people", "distinct persons (not bots) who sent a message"),
            C("authors", "distinct persons (not bots) who sent a patch"),
            C("answered_pct", "% of series that received a first response (stable "
                              "backports left out: no review request)"),
            C("km_median_hours", "Kaplan–Meier median time to first response of those, "
                                 "hours (NULL when fewer than half are ever answered)"),
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
    Report(
        "review_latency",
        "Review latency per subsystem, by organisation kind and newcomer / regular",
        "Per MAINTAINERS section (a series counts in each of its subsystems, and once "
        "in 'all'), split by the author's organisation kind at posting and by author "
        "group (newcomer: a series posted within 90 days of its author's first patch, "
        "when that first patch comes after the archive's six-month warm-up; else "
        "regular), each dimension with its 'all' row: Kaplan–Meier median and 75th "
        "percentile of the time to the first response, the first maintainer response "
        "and the first review tag, unanswered series censored at observed_until (NULL "
        "when the estimate never reaches that share, or when n_series < min_n); the "
        "share answered within 1 / 7 / 30 days (series observed for less and not "
        "answered within them left out) with a Wilson 95% interval; the ignored rate. "
        "Stable backports are left out.",
        params=(*SCOPE, ORG_KIND, PERIOD, MIN_N),
        columns=(
            C("period", "calendar period of posting (2024, 2024-Q3, 2024-07), or 'all'"),
            C("subsystem", "MAINTAINERS section of the series' patches, or 'all'"),
            C("author_kind", "author's organisation kind at posting, or 'all'"),
            C("author_group", "newcomer | regular | all (docs/metrics.md, Newcomer)"),
            C("n_series", "postings of a series in the cell"),
            C("n_answered", "of those, with a first response"),
            C("n_maintainer_answered", "of those, with a response by an M:/R: of theirs"),
            C("n_reviewed", "with a Reviewed-by/Acked-by given in a reply (series "
              "that carried a tag are left out of the review figures)"),
            C("km_median_hours", "Kaplan–Meier median time to first response, hours"),
            C("km_p75_hours", "Kaplan–Meier 75th percentile time to first response, hours"),
            C("km_median_maintainer_hours", "the same median for the first maintainer "
              "response"),
            C("km_p75_maintainer_hours", "its 75th percentile"),
            C("km_median_review_hours", "the same median for the first review tag given "
              "in a reply"),
            C("km_p75_review_hours", "its 75th percentile"),
            C("pct_answered_1d", "% answered within 1 day (of series answered within it "
              "or observed at least 1 day)"),
            C("pct_answered_1d_lo", "lower end of its Wilson 95% interval, %"),
            C("pct_answered_1d_hi", "upper end of its Wilson 95% interval, %"),
            C("pct_answered_7d", "% answered within 7 days (likewise)"),
            C("pct_answered_7d_lo", "lower end of its Wilson 95% interval, %"),
            C("pct_answered_7d_hi", "upper end of its Wilson 95% interval, %"),
            C("pct_answered_30d", "% answered within 30 days (likewise)"),
            C("pct_answered_30d_lo", "lower end of its Wilson 95% interval, %"),
            C("pct_answered_30d_hi", "upper end of its Wilson 95% interval, %"),
            C("ignored_rate", "share (0-1) of series with outcome ignored, of those "
              "observed long enough to tell (outcome_detail not pending)"),
        ),
    ),
    Report(
        "review_latency_curve",
        "Kaplan–Meier curve of the time to first response",
        "The survival curve behind review_latency's km_median_hours: the share of "
        "series still without a first response after a number of days, unanswered "
        "series censored at observed_until, per subsystem, author organisation kind "
        "and author group (each with its 'all' rows). One point at 0 days and one at "
        "each time a first response arrived; the curve is a step function.",
        params=(*SCOPE, ORG_KIND, PERIOD),
        columns=(
            C("period", "calendar period of posting (2024, 2024-Q3, 2024-07), or 'all'"),
            C("subsystem", "MAINTAINERS section, or 'all'"),
            C("author_kind", "author's organisation kind at posting, or 'all'"),
            C("author_group", "newcomer | regular | all"),
            C("days", "days since posting"),
            C("share_unanswered", "Kaplan–Meier estimate of the share still unanswered "
              "from this time on"),
            C("at_risk", "series neither answered nor censored before this time"),
        ),
    ),
    Report(
        "newcomer_receptiveness",
        "Are newcomers heard? Newcomers against regulars, per subsystem and maintainer",
        "Series of newcomers (posted within 90 days of the author's first patch, that "
        "first patch after the archive's six-month warm-up) against those of regulars, "
        "per MAINTAINERS section (a series counts in each of its subsystems, and once in "
        "'all') and per maintainer (a person listed M: or R: in any of the series' "
        "subsystems; those rows have subsystem 'all'), split by the author's organisation "
        "kind, each dimension with its 'all' row: share answered, Kaplan–Meier median "
        "time to first response (unanswered series censored at observed_until; NULL when "
        "fewer than half are ever answered or n_series < min_n), ignored rate and "
        "applied rate. Stable backports are left out.",
        params=(*SCOPE, ORG_KIND, MIN_N),
        columns=(
            C("subsystem", "MAINTAINERS section of the series' patches, or 'all'"),
            C("maintainer", "person (id) listed M:/R: in one of the series' subsystems, "
              "or 'all' (the row is per subsystem)"),
            C("maintainer_name", "that person's name (empty for 'all')"),
            C("author_group", "newcomer | regular | all (docs/metrics.md, Newcomer)"),
            C("org_kind", "author's organisation kind at posting, or 'all'"),
            C("n_series", "postings of a series in the cell"),
            C("n_answered", "of those, with a first response"),
            C("share_answered", "n_answered / n_series (0-1)"),
            C("km_median_hours", "Kaplan–Meier median time to first response, hours"),
            C("ignored_rate", "share (0-1) ignored, of the series whose outcome can be told "
              "(outcome_detail not pending)"),
            C("applied_rate", "share (0-1) applied, of the series not superseded by a later "
              "version (the last posting of each patch set)"),
        ),
    ),
    Report(
        "maintainer_responsiveness",
        "Who answers: each maintainer's and reviewer's answers in their sections",
        "Per person listed M: or R: in a MAINTAINERS section (subsystem 'all': all their "
        "sections, each patch once): the patches of others in that section (posts with "
        "a diff attributed to it; their own left out), the share they answered "
        "themselves (a response by them below the patch or below its series' cover "
        "letter), the median hours to that answer (over the answered ones), the "
        "Reviewed-by/Acked-by they gave there in replies, patches per month over the "
        "scope, when they last wrote to any list, and the same shares for individuals' "
        "and newcomers' patches. Rows with at least min_n patches are ranked within "
        "their subsystem by share answered, then by median hours.",
        params=(*SCOPE, ORG_KIND, MIN_N),
        columns=(
            C("subsystem", "MAINTAINERS section, or 'all' (every section they are in)"),
            C("maintainer", "the person (id: most used address; the listed address when "
              "never seen on the lists)"),
            C("name", "their name"),
            C("role", "M, R or M+R in that section (for 'all': over all their sections)"),
            C("n_patches", "patches by others in the section, in the scope"),
            C("n_answered", "of those, answered by this person (below the patch or its "
              "cover letter)"),
            C("share_answered", "n_answered / n_patches (0-1)"),
            C("median_hours_to_answer", "median hours from the patch to their first answer, "
              "over the answered patches"),
            C("review_tags_given", "Reviewed-by / Acked-by they gave in replies on those "
              "patches or their cover letters"),
            C("patches_per_month", "n_patches per month of the scope (its patches' span, at "
              "least one month): the load"),
            C("last_seen", "date of their latest message on any archived list"),
            C("n_patches_individual", "of n_patches, by authors of kind individual"),
            C("share_answered_individual", "share of those they answered (0-1)"),
            C("n_patches_newcomer", "of n_patches, newcomers' (docs/metrics.md, Newcomer)"),
            C("share_answered_newcomer", "share of those they answered (0-1)"),
            C("rank", "rank within the subsystem by share answered (ties by median hours); "
              "NULL when n_patches < min_n"),
        ),
    ),
    Report(
        "where_to_contribute",
        "Where code waits for care: staleness next to who attends each section",
        "Per MAINTAINERS section and, within it, per directory and per file (level): "
        "the last change — the latest commit touching it in the kernel tree given to "
        "`lorelens enrich --kernel-git`, else the latest patch posted or applied "
        "touching it on the lists (staleness_source says which) — the section's status, "
        "when its M:/R: people last wrote to the lists, and its newcomers' share "
        "answered. Days are counted back from the archive's newest trusted message. "
        "Label: active (changed within 365 days), stale but attended (older, and a "
        "maintainer or reviewer wrote within 90 days, status not Orphan or Obsolete), "
        "stale and unattended (otherwise), no activity known.",
        params=(SUBSYSTEM, LEVEL, MIN_N),
        columns=(
            C("subsystem", "MAINTAINERS section"),
            C("status", "its S: line (Maintained, Supported, Odd Fixes, Orphan, ...)"),
            C("level", "section | directory | file"),
            C("path", "the directory (ending in /) or file; empty for the section row"),
            C("n_paths", "files counted in the row (tree history or posted patches)"),
            C("last_change_at", "latest change of any of those files"),
            C("days_since_change", "whole days from that change to the archive's end"),
            C("staleness_source", "git (kernel tree), lists (patches posted or applied), "
              "or git+lists when the row mixes files of both"),
            C("maintainers_last_seen", "latest message of any M:/R: person of the section "
              "on the archived lists"),
            C("days_since_maintainers_seen", "whole days from then to the archive's end"),
            C("newcomer_series", "series by newcomers in the section (docs/metrics.md, "
              "Newcomer)"),
            C("newcomer_share_answered", "share of those answered (0-1); NULL under min_n"),
            C("label", "active | stale but attended | stale and unattended | no activity "
              "known (docs/metrics.md, Staleness)"),
        ),
    ),
)
