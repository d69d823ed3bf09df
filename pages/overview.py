"""Overview: the scope's headline figures (the `overview` report), its series by outcome,
and the caveats about what the archive covers, in plain words."""

from __future__ import annotations

import altair as alt
import streamlit as st

from pages import common


def page() -> None:
    c = common.ctx()
    st.title("Overview")
    st.caption(f"Scope: {common.scope_text(c)}. The organisation kind filter applies to "
               "the outcomes below, not to these headline figures.")
    rows = common.report_rows(c, "overview")
    o = rows[0] if rows else {}
    if not o.get("messages"):
        st.info("No messages in this scope. Widen the filters in the sidebar.")
        return
    cols = st.columns(4)
    cols[0].metric("Messages", f"{o['messages']:,}", help=f"{o['patches']:,} patches, "
                   f"{o['cover_letters']:,} cover letters, {o['threads']:,} threads")
    cols[1].metric("Series posted", f"{o['series']:,}", help="postings of a patch series, "
                   "one version each")
    cols[2].metric("Series answered", _pct(o["answered_pct"]),
                   help="share of series that received a first response")
    cols[3].metric("Median time to first response", _hours(o["km_median_hours"]),
                   help="Kaplan–Meier median; unanswered series are censored, not dropped")
    cols = st.columns(4)
    cols[0].metric("People", f"{o['people']:,}", help=f"{o['authors']:,} of them sent a "
                   "patch (bots left out)")
    for col, kind in zip(cols[1:], ("corporate", "individual", "unknown"), strict=True):
        col.metric(f"Patches: {kind}", _pct(o[f"{kind}_pct"]),
                   help=f"share of patches (bots left out) from {kind} senders at the time"
                        + ("; academic: " + _pct(o["academic_pct"]) if kind == "unknown"
                           else ""))
    st.caption(f"From {o['first_message']:%Y-%m-%d} to {o['last_message']:%Y-%m-%d} (UTC) on "
               + ", ".join(f"{p['list']} ({p['messages']:,} messages)"
                           for p in o["per_list"] or []) + ".")
    _outcomes(c)
    common.definition("overview")
    st.subheader("Before you cite these figures")
    caveats = [*(o.get("caveats") or []), *filter(None, [common.stale_enrichment(c)])]
    st.markdown("\n".join(f"- {line}" for line in caveats) if caveats else
                "- Nothing to add: every list of the subsystems in play is archived, every "
                "message's organisation kind is known and the enrichment is up to date.")
    with st.expander("Lists of the subsystems in play"):
        common.table(common.report(c, "list_coverage"), "list-coverage",
                     report_name="list_coverage")
    with st.expander("How much of the archive has a known organisation kind"):
        common.table(common.report(c, "org_coverage"), "org-coverage",
                     report_name="org_coverage")
    common.need_maintainers(c)


def _outcomes(c: common.Context) -> None:
    outcomes = common.report(c, "series_outcomes")
    total = sum(r["series"] for r in outcomes.records())
    if not total:
        return
    spec = alt.Chart(alt.Data(values=outcomes.records())).mark_bar().encode(
        x=alt.X("series:Q", title="series"),
        y=alt.Y("outcome_detail:N", sort="-x", title="outcome"),
        color=alt.Color("outcome:N", legend=None),
        tooltip=["outcome:N", "outcome_detail:N", "series:Q", "pct:Q"],
    )
    common.chart(spec, outcomes, "overview-outcomes", counts="Series by outcome", n=total)
    common.definition("series_outcomes")


def _pct(p: float | None) -> str:
    return "n/a" if p is None else f"{p:.0f}%"


def _hours(h: float | None) -> str:
    if h is None:
        return "n/a"
    return f"{h:.1f} h" if h < 48 else f"{h / 24:.1f} days"


if __name__ == "__main__":  # run alone (see pages/__init__.py)
    common.standalone(page)
