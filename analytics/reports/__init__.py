"""Named reports: one SQL file each, plus a registry entry (title, definition, typed
parameters, and a description of every output column) in ``catalog.py``.

The CLI (``lorelens report NAME``), ``lorelens export-report`` and the dashboard show the
same rows from the same SQL through :func:`run_report`, so every number can be reproduced
by running the file, with the parameters shown, in the SQL console (docs/metrics.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import duckdb

from analytics.db import QueryError, Result, run_query
from analytics.reports.params import Param, ParamError, bind


@dataclass(frozen=True)
class Column:
    name: str
    description: str


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    definition: str  # what the numbers mean, in the words of docs/metrics.md
    params: tuple[Param, ...] = ()
    columns: tuple[Column, ...] = ()
    file: str = ""  # the SQL file's stem when it is not the report's name (an alias)

    @property
    def sql(self) -> str:
        """The report's SQL, with its shared parts (``-- @include NAME``) written out."""
        return _expand(_read(self.file or self.name))

    def bind(self, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The typed values of all its parameters (defaults filled in); one clear
        :class:`ParamError` for a wrong name or value."""
        return bind(self.params, given, self.name)


_INCLUDE = re.compile(r"^-- @include ([a-z_]+)\n", re.MULTILINE)


def _read(stem: str) -> str:
    return resources.files("analytics.reports").joinpath(f"{stem}.sql").read_text()


def _expand(sql: str) -> str:
    """Replace each ``-- @include NAME`` line by the file ``_NAME.sql``: definitions
    several reports share (the newcomer rule, the Kaplan–Meier estimator) are written
    once, and the SQL a report prints (``lorelens report NAME --sql``) runs as it is."""
    return _INCLUDE.sub(lambda m: _read(f"_{m.group(1)}"), sql)


def _registry() -> dict[str, Report]:
    from analytics.reports.catalog import CATALOG
    from analytics.reports.explore import EXPLORE
    from analytics.reports.provenance import PROVENANCE
    from analytics.reports.review import REVIEW

    return {r.name: r for r in (*CATALOG, *REVIEW, *PROVENANCE, *EXPLORE)}


REPORTS: dict[str, Report] = _registry()


def get_report(name: str) -> Report:
    report = REPORTS.get(name)
    if report is None:
        raise QueryError(f"no report named {name!r} (try: {', '.join(sorted(REPORTS))})")
    return report


def run_report(
    con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None,
    *, timeout: float | None = 60.0,
) -> Result:
    """The rows of report ``name`` for ``params`` (text or typed values, checked)."""
    report = get_report(name)
    values = report.bind(params)
    return run_query(con, report.sql, values or None, timeout=timeout)


__all__ = ["REPORTS", "Column", "Param", "ParamError", "Report", "get_report", "run_report"]
