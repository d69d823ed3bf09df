"""Chart specifications for the named reports: one function per chart, each taking a
report's :class:`~analytics.db.Result` and returning an ``alt.Chart``.

``lorelens export-report`` renders them to PNG and SVG with vl-convert (no browser);
the dashboard shows the same specs. Every chart says in its title and axis labels what
it shows and how many cases (n) stand behind each bar (definitions: docs/metrics.md).
"""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import altair as alt

if TYPE_CHECKING:
    from analytics.db import Result

KINDS = ("corporate", "individual", "academic", "unknown")
# unknown in grey: it is no side (docs/metrics.md, "Organisation kind")
KIND_COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#b0b0b0")
WIDTH = 520
TOP_ORGS = 30  # bars in the organisations chart
TOP_SUBSYSTEMS = 25  # bars in a per-subsystem chart (besides 'all'); the table lists all
LABEL_LIMIT = 420  # pixels of an axis label before it is cut: room for a section title


# the y title above the labels, right-aligned to the axis: long section titles as labels
# would otherwise run under a rotated title
_Y_AXIS = alt.Axis(labelLimit=LABEL_LIMIT, titleAngle=0, titleAlign="right",
                   titleBaseline="bottom", titleX=-5, titleY=-6)


def records(result: Result) -> list[dict[str, Any]]:
    """The rows as JSON-ready dicts (dates as ISO text, decimals as floats)."""
    def plain(v: Any) -> Any:
        if isinstance(v, dt.datetime | dt.date):
            return v.isoformat()
        if isinstance(v, decimal.Decimal):
            return float(v)
        return v

    return [{k: plain(v) for k, v in r.items()} for r in result.records()]


def _label(subsystem: str, n: int, unit: str) -> str:
    name = "all subsystems" if subsystem == "all" else subsystem
    return f"{name} (n={n:,} {unit})"


def _lines(*lines: str) -> list[str]:
    """A subtitle of the non-empty lines."""
    return [line for line in lines if line]


def _largest(rows: list[dict[str, Any]], n_col: str) -> tuple[list[dict[str, Any]], str]:
    """The rows of the :data:`TOP_SUBSYSTEMS` subsystems with the largest ``n_col`` (and
    the 'all' rows), and a note saying so when some were left out of the chart."""
    sizes = {r["subsystem"]: r[n_col] for r in rows if r["subsystem"] != "all"}
    if len(sizes) <= TOP_SUBSYSTEMS:
        return rows, ""
    kept = set(sorted(sizes, key=lambda s: (-sizes[s], s))[:TOP_SUBSYSTEMS]) | {"all"}
    return ([r for r in rows if r["subsystem"] in kept],
            f"the {TOP_SUBSYSTEMS} largest of {len(sizes)} subsystems shown "
            "(the table lists all)")


def contribution_shares_chart(result: Result, *, counted: str = "patches") -> alt.Chart:
    """Stacked bars: the share of each organisation kind per subsystem (``period`` 'all'
    rows of ``contribution_shares``), the whole scope first."""
    rows = [r for r in records(result) if r["period"] == "all" and r["total"]]
    rows, more = _largest(rows, "total")
    for r in rows:
        r["label"] = _label(r["subsystem"], r["total"], counted)
        r["kind_order"] = KINDS.index(r["org_kind"]) if r["org_kind"] in KINDS else len(KINDS)
    order = sorted({(r["subsystem"] != "all", -r["total"], r["label"]) for r in rows})
    total = next((r["total"] for r in rows if r["subsystem"] == "all"), 0)
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("share:Q", stack="zero", title=f"share of {counted} (bots left out)",
                axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("label:N", title=f"subsystem (n = {counted})", sort=[o[2] for o in order],
                axis=_Y_AXIS),
        color=alt.Color("org_kind:N", title="organisation kind",
                        scale=alt.Scale(domain=list(KINDS), range=list(KIND_COLOURS))),
        order=alt.Order("kind_order:Q"),
        tooltip=["subsystem:N", "org_kind:N", "n:Q", "total:Q",
                 alt.Tooltip("share:Q", format=".1%")],
    ).properties(
        width=WIDTH,
        title=alt.TitleParams(
            f"Who sends the {counted}: share by organisation kind, per subsystem",
            subtitle=_lines(f"n = {total:,} {counted} in the scope; an item counts in each "
                            "of its subsystems", more)),
    )


def organisations_chart(result: Result, *, counted: str = "patches") -> alt.Chart:
    """Horizontal bars: each organisation's n over the whole scope (``contribution_by_org``
    rows of period and subsystem 'all'), individuals and unknown senders as groups."""
    rows = [r for r in records(result) if r["period"] == "all" and r["subsystem"] == "all"
            and r["org"] != "all" and r["n"]]
    total = sum(r["n"] for r in rows)
    elephant = next((r["elephant_factor"] for r in rows), None)
    shown = sorted(rows, key=lambda r: (-r["n"], r["org"]))[:TOP_ORGS]
    more = (f"the {TOP_ORGS} largest of {len(rows)} shown (the table lists all)"
            if len(rows) > TOP_ORGS else "")
    rows = shown
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("n:Q", title=f"{counted} (n = {total:,} in all)"),
        y=alt.Y("org:N", title="organisation", sort="-x",
                axis=_Y_AXIS),
        color=alt.Color("org_kind:N", title="organisation kind",
                        scale=alt.Scale(domain=list(KINDS), range=list(KIND_COLOURS))),
        tooltip=["org:N", "org_kind:N", "n:Q", alt.Tooltip("share:Q", format=".1%")],
    ).properties(
        width=WIDTH,
        title=alt.TitleParams(
            f"{counted.capitalize()} per organisation",
            subtitle=_lines(f"elephant factor {elephant if elephant is not None else 'n/a'}: "
                            "the fewest organisations making up half of organisations' work",
                            more)),
    )


def latency_chart(result: Result) -> alt.Chart:
    """Bars: the Kaplan–Meier median time to first response per subsystem, from
    ``review_latency`` (its author_kind and author_group 'all' rows) or
    ``ttfr_by_subsystem``; a subsystem without a median is listed with no bar."""
    rows = records(result)
    for split in ("author_kind", "author_group", "period"):  # review_latency's splits
        if split in result.columns:
            rows = [r for r in rows if r[split] == "all"]
    n_col = "n_series" if "n_series" in result.columns else "series"
    rows, more = _largest(rows, n_col)
    for r in rows:
        r["label"] = _label(r["subsystem"], r[n_col], "series") + (
            "" if r["km_median_hours"] is not None else ", no median")
    order = [r["label"] for r in sorted(rows, key=lambda r: (r["subsystem"] != "all",
                                                             -r[n_col], r["label"]))]
    return alt.Chart(alt.Data(values=rows)).mark_bar(color=KIND_COLOURS[0]).encode(
        x=alt.X("km_median_hours:Q", title="median hours to first response (Kaplan–Meier)"),
        y=alt.Y("label:N", title="subsystem (n = series posted)", sort=order,
                axis=_Y_AXIS),
        tooltip=["subsystem:N", f"{n_col}:Q", "km_median_hours:Q"],
    ).properties(
        width=WIDTH,
        title=alt.TitleParams(
            "Median time to first response per subsystem",
            subtitle=_lines("unanswered series censored at the end of the archive; no median: "
                            "fewer than half were ever answered (or fewer than min_n series)",
                            more)),
    )


def is_empty(chart: alt.Chart) -> bool:
    """Whether the chart has no data to draw (an empty scope)."""
    return not getattr(chart.data, "values", None)


def save(chart: alt.Chart, stem: Path) -> tuple[Path, Path]:
    """Write ``stem``.png and ``stem``.svg, rendered by vl-convert (no browser)."""
    import vl_convert as vlc

    spec = chart.to_dict()
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    png.write_bytes(vlc.vegalite_to_png(spec, scale=2))
    svg.write_text(vlc.vegalite_to_svg(spec), encoding="utf-8")
    return png, svg
