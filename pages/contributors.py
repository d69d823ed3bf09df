"""Contributors: corporate / individual / academic / unknown over time and per subsystem,
the top organisations and the elephant factor (docs/metrics.md, contribution shares),
and how each kind's series fare."""

from __future__ import annotations

import altair as alt
import streamlit as st

from analytics.db import Result
from analytics.reports.params import BY
from pages import common

KINDS = list(common.ORG_KINDS)
COLORS = alt.Scale(domain=KINDS, range=["#4c78a8", "#f58518", "#54a24b", "#bab0ac"])


def _only(result: Result, **where: str) -> Result:
    rows = [r for r in result.rows
            if all(r[result.columns.index(k)] == v for k, v in where.items())]
    return Result(result.columns, rows)


def page() -> None:
    c = common.ctx()
    st.title("Contributors")
    st.caption(f"Scope: {common.scope_text(c)}. Organisation kind of the sender at the "
               "time; unknown is shown as unknown, never folded into a side. Bots are "
               "left out.")
    left, right = st.columns(2)
    by = left.selectbox("Count", list(BY.choices), key="contrib_by", help=BY.help)
    period = right.selectbox("Per", ["year", "quarter", "month"], index=1,
                             key="contrib_period")
    shares = common.report(c, "contribution_shares", by=by, period=period)
    total = next((r["total"] for r in shares.records()
                  if r["period"] == "all" and r["subsystem"] == "all"), 0)
    if not total:
        st.info(f"No {by} in this scope.")
        return
    over_time = _only(shares, subsystem="all")
    rows = [r for r in over_time.records() if r["period"] != "all"]
    spec = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("period:N", title=period, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("n:Q", stack="normalize", title=f"share of {by}", axis=alt.Axis(format="%")),
        color=alt.Color("org_kind:N", scale=COLORS, sort=KINDS, title="organisation kind"),
        order=alt.Order("org_kind_order:Q"),
        tooltip=["period:N", "org_kind:N", "n:Q", "total:Q", "pct:Q"],
    ).transform_calculate(org_kind_order=f"indexof({KINDS!r}, datum.org_kind)")
    common.chart(spec, over_time, "contrib-time", counts=f"Share of {by} by organisation "
                 f"kind, per {period}", n=total)
    per_sub = [r for r in shares.records() if r["period"] == "all" and r["subsystem"] != "all"]
    if per_sub:
        n_sub = sum(r["n"] for r in per_sub)
        spec = alt.Chart(alt.Data(values=per_sub)).mark_bar().encode(
            y=alt.Y("subsystem:N", title=None, axis=alt.Axis(labelLimit=300)),
            x=alt.X("n:Q", stack="normalize", title=f"share of {by}",
                    axis=alt.Axis(format="%")),
            color=alt.Color("org_kind:N", scale=COLORS, sort=KINDS,
                            title="organisation kind"),
            tooltip=["subsystem:N", "org_kind:N", "n:Q", "total:Q", "pct:Q"],
        )
        common.chart(spec, Result(shares.columns, [tuple(r.values()) for r in per_sub]),
                     "contrib-subsystems", counts=f"Share of {by} by organisation kind, per "
                     "subsystem (an item counts in each of its subsystems)", n=n_sub)
    else:
        common.need_maintainers(c)
    common.definition("contribution_shares")
    _organisations(c, by)
    _outcomes(c)


def _organisations(c: common.Context, by: str) -> None:
    st.subheader("Organisations")
    orgs = common.report(c, "contribution_by_org", by=by, period="all")
    sub = c.filters.get("subsystem", "all")
    mine = [r for r in orgs.records() if r["period"] == "all" and r["subsystem"] == sub]
    ranked = sorted((r for r in mine if r["org_rank"] is not None),
                    key=lambda r: r["org_rank"])
    factor = next((r["elephant_factor"] for r in mine if r["org"] == "all"), None)
    total = next((r["n"] for r in mine if r["org"] == "all"), 0)
    st.metric("Elephant factor", "n/a" if factor is None else f"{factor}",
              help="the fewest organisations whose work makes up half of the work of all "
                   "organisations (individuals and unknown senders left out)")
    top = ranked[:15]
    if top:
        spec = alt.Chart(alt.Data(values=top)).mark_bar().encode(
            y=alt.Y("org:N", sort="-x", title=None, axis=alt.Axis(labelLimit=300)),
            x=alt.X("n:Q", title=by),
            color=alt.Color("org_kind:N", scale=COLORS, sort=KINDS, title="kind"),
            tooltip=["org:N", "org_kind:N", "n:Q", "pct:Q", "org_rank:Q"],
        )
        common.chart(spec, Result(orgs.columns, [tuple(r.values()) for r in top]),
                     "contrib-orgs", counts=f"Top organisations by {by}", n=total)
    common.table(Result(orgs.columns, [tuple(r.values()) for r in mine]), "contrib-org-table",
                 report_name="contribution_by_org", height=300)
    common.definition("contribution_by_org")


def _outcomes(c: common.Context) -> None:
    st.subheader("How their series fare")
    res = common.report(c, "outcomes_by_org_kind")
    kinds = [r for r in res.records() if r["org_kind"] != "all" and r["series"]]
    total = next((r["series"] for r in res.records() if r["org_kind"] == "all"), 0)
    if not total:
        st.info("No series in this scope (RFCs and stable backports are left out).")
        return
    outcomes = ["applied", "superseded", "discussed", "pending", "ignored"]
    labels = {r["org_kind"]: f"{r['org_kind']} (n = {r['series']:,})" for r in kinds}
    long = [{"org_kind": labels[r["org_kind"]], "outcome": o, "series": r[o],
             "of": r["series"]} for r in kinds for o in outcomes]
    spec = alt.Chart(alt.Data(values=long)).mark_bar().encode(
        y=alt.Y("org_kind:N", sort=[labels[k] for k in KINDS if k in labels], title=None,
                axis=alt.Axis(labelLimit=300)),  # "corporate (n = 1,970)" whole
        x=alt.X("series:Q", stack="normalize", title="share of the kind's series",
                axis=alt.Axis(format="%")),
        color=alt.Color("outcome:N", sort=outcomes, title="outcome",
                        scale=alt.Scale(domain=outcomes, range=[
                            "#54a24b", "#4c78a8", "#9ecae9", "#bab0ac", "#e45756"])),
        order=alt.Order("outcome_order:Q"),
        tooltip=["org_kind:N", "outcome:N", "series:Q", "of:Q"],
    ).transform_calculate(outcome_order=f"indexof({outcomes!r}, datum.outcome)")
    common.chart(spec, res, "contrib-outcomes", counts="Outcome of each kind's series "
                 "(RFCs and stable backports left out)", n=total)
    common.table(res, "contrib-outcomes-table", report_name="outcomes_by_org_kind",
                 column_config={
                     rate: st.column_config.NumberColumn(rate, format="percent")
                     for rate in ("ignored_rate", "applied_rate")})
    common.definition("outcomes_by_org_kind")


if __name__ == "__main__":  # run alone (see pages/__init__.py)
    common.standalone(page)
