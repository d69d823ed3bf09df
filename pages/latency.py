"""Review latency: per subsystem, survival curves (share still unanswered over days) for
individuals against corporate authors and newcomers against regulars; medians with n;
the share answered within 1 / 7 / 30 days with intervals (docs/metrics.md)."""

from __future__ import annotations

import altair as alt
import streamlit as st

from analytics.db import Result
from pages import common


def page() -> None:
    c = common.ctx()
    st.title("Review latency")
    st.caption(f"Scope: {common.scope_text(c)}. Time from posting a series to its first "
               "response (a reply from someone other than its author, not a bot); series "
               "never answered are censored at the end of their observation, not dropped.")
    min_n = st.number_input("Fewest series for an estimate (min_n)", 1, 1000, 10,
                            key="latency_min_n")
    lat = common.report(c, "review_latency", min_n=min_n)
    sub = c.filters.get("subsystem", "all")
    cells = {(r["author_kind"], r["author_group"]): r for r in lat.records()
             if r["subsystem"] == sub}
    everyone = cells.get(("all", "all"))
    if not everyone or not everyone["n_series"]:
        st.info("No series in this scope.")
        return
    cols = st.columns(4)
    cols[0].metric("Series", f"{everyone['n_series']:,}")
    cols[1].metric("Median to first response", _hours(everyone["km_median_hours"]),
                   help="Kaplan–Meier median, unanswered series censored")
    cols[2].metric("Answered within 7 days", _pct(everyone["pct_answered_7d"]),
                   help=_interval(everyone, "7d"))
    cols[3].metric("Ignored", _pct(None if everyone["ignored_rate"] is None
                                   else 100 * everyone["ignored_rate"]))
    curve = common.report(c, "review_latency_curve")
    points = [r for r in curve.records() if r["subsystem"] == sub]
    left, right = st.columns(2)
    with left:
        _curve(points, cells, "author_kind", ("individual", "corporate"), "author_group",
               "Individuals against corporate authors", "latency-kind")
    with right:
        _curve(points, cells, "author_group", ("newcomer", "regular"), "author_kind",
               "Newcomers against regulars", "latency-group")
    _within(lat, sub)
    st.subheader(f"Per subsystem (all authors){'' if sub == 'all' else ': ' + sub}")
    per = Result(lat.columns, [row for row in lat.rows
                               if row[1] == "all" and row[2] == "all"])
    common.table(per, "latency-table", report_name="review_latency", height=320)
    common.definition("review_latency")
    common.need_maintainers(c)


def _curve(points: list[dict], cells: dict, dim: str, groups: tuple[str, str], other: str,
           title: str, key: str) -> None:
    rows = [r for r in points if r[dim] in groups and r[other] == "all"]
    ns = {g: (cells.get((g, "all")) if dim == "author_kind" else cells.get(("all", g)))
          for g in groups}
    n = sum((ns[g] or {}).get("n_series", 0) for g in groups)
    if not rows:
        st.info(f"{title}: no series.")
        return
    for r in rows:
        r["group"] = f"{r[dim]} (n = {(ns[r[dim]] or {}).get('n_series', 0):,})"
    spec = alt.Chart(alt.Data(values=rows)).mark_line(interpolate="step-after").encode(
        x=alt.X("days:Q", title="days since posting", scale=alt.Scale(domain=[0, 60],
                                                                        clamp=True)),
        y=alt.Y("share_unanswered:Q", title="share still unanswered",
                axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("group:N", title=None, legend=alt.Legend(orient="top")),
        tooltip=["group:N", "days:Q", "share_unanswered:Q", "at_risk:Q"],
    ).properties(height=280)
    data = Result(list(rows[0].keys()), [tuple(r.values()) for r in rows])
    common.chart(spec, data, key, counts=f"Share of series still unanswered: {title.lower()}",
                 n=n)


def _within(lat: Result, sub: str) -> None:
    rows = []
    for r in lat.records():
        if r["subsystem"] != sub or r["author_group"] != "all":
            continue
        for days in ("1d", "7d", "30d"):
            if r[f"pct_answered_{days}"] is not None:
                rows.append({"author_kind": r["author_kind"], "within": days,
                             "pct": r[f"pct_answered_{days}"],
                             "lo": r[f"pct_answered_{days}_lo"],
                             "hi": r[f"pct_answered_{days}_hi"], "n_series": r["n_series"]})
    if not rows:
        return
    n = next((r["n_series"] for r in rows if r["author_kind"] == "all"), 0)
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("author_kind:N", title=None),
        xOffset=alt.XOffset("within:N", sort=["1d", "7d", "30d"]),
        color=alt.Color("within:N", sort=["1d", "7d", "30d"], title="answered within"))
    spec = alt.LayerChart(layer=[
        base.mark_bar().encode(y=alt.Y("pct:Q", title="% answered",
                                       scale=alt.Scale(domain=[0, 100])),
                               tooltip=["author_kind:N", "within:N", "pct:Q", "lo:Q", "hi:Q",
                                        "n_series:Q"]),
        base.mark_rule(color="black").encode(y="lo:Q", y2="hi:Q"),
    ]).properties(height=260)
    data = Result(list(rows[0].keys()), [tuple(r.values()) for r in rows])
    common.chart(spec, data, "latency-within", counts="Share answered within 1 / 7 / 30 "
                 "days by author's organisation kind, with Wilson 95% intervals", n=n)


def _hours(h: float | None) -> str:
    if h is None:
        return "n/a"
    return f"{h:.1f} h" if h < 48 else f"{h / 24:.1f} days"


def _pct(p: float | None) -> str:
    return "n/a" if p is None else f"{p:.0f}%"


def _interval(r: dict, days: str) -> str:
    lo, hi = r[f"pct_answered_{days}_lo"], r[f"pct_answered_{days}_hi"]
    return "" if lo is None else f"Wilson 95% interval {lo:.0f}–{hi:.0f}%"


if __name__ == "__main__":  # run alone (see pages/__init__.py)
    common.standalone(page)
