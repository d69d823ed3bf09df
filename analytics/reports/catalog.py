"""The registry of named reports: one entry per SQL file in this folder.

Each entry carries the definition (in the words of docs/metrics.md), the typed
parameters its SQL takes (``$name`` in the file) and a description of every output
column. Adding a report is an SQL file plus an entry here.
"""

from __future__ import annotations

from analytics.reports import Column, Report
from analytics.reports.params import LIST, ORG_KIND, SCOPE, SINCE, SUBSYSTEM, UNTIL

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
)
