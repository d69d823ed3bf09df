"""Named reports: one SQL file each, plus a registry entry (title, parameters, definition).

The CLI (`lorelens report NAME`) and the dashboard show the same rows from the same SQL,
so every number can be reproduced by running the file in the SQL console.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import duckdb

from analytics.db import QueryError, Result, run_query


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    definition: str  # what the numbers mean, in the words of docs/metrics.md
    params: dict[str, Any] = field(default_factory=dict)  # name → default

    @property
    def sql(self) -> str:
        return resources.files("analytics.reports").joinpath(f"{self.name}.sql").read_text()


REPORTS: dict[str, Report] = {
    r.name: r
    for r in (
        Report(
            "list_coverage",
            "Lists of the subsystems in play: archived here or not",
            "For every MAINTAINERS section that the archived patches touch, its L: lists "
            "and whether this database holds that list. A figure about a subsystem can "
            "only see what reached the lists that are archived here.",
        ),
        Report(
            "org_coverage",
            "How much of the archive has a known organisation kind",
            "Share of messages, of patch authors and of reviewers (people who gave a "
            "Reviewed-by or Acked-by in a reply) whose organisation kind is not unknown "
            "at the time; bots are left out.",
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
        ),
        Report(
            "series_outcomes",
            "Series by outcome",
            "Postings of a patch series (one version each) by outcome: applied, "
            "superseded by a later version, ignored (no response within 30 days and no "
            "later version) or pending; the detail splits pending into pending (no "
            "response yet, younger than 30 days) and discussed (answered, nothing "
            "decided), and marks stable backports (no outcome: not a request for review).",
        ),
    )
}


def run_report(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None,
    *, timeout: float | None = 60.0,
) -> Result:
    report = REPORTS.get(name)
    if report is None:
        raise QueryError(f"no report named {name!r} (try: {', '.join(sorted(REPORTS))})")
    values = {**report.params, **(params or {})}
    return run_query(con, report.sql, values or None, timeout=timeout)
