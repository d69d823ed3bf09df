"""Overview: the scope's headline figures, and the caveats about what the archive covers."""

from __future__ import annotations

import altair as alt
import streamlit as st

from pages import common


def page() -> None:
    c = common.ctx()
    st.title("Overview")
    st.caption(f"Scope: {common.scope_text(c)}.")
    outcomes = common.report(c, "series_outcomes")
    rows = outcomes.records()
    total = sum(r["series"] for r in rows)
    by: dict[str | None, int] = {}
    for r in rows:
        by[r["outcome"]] = by.get(r["outcome"], 0) + r["series"]
    decided = total - by.get(None, 0)
    cols = st.columns(4)
    cols[0].metric("Series posted", f"{total:,}", help="postings of a patch series, one "
                   "version each (series_outcomes)")
    for col, name, what in ((cols[1], "applied", "taken by a maintainer"),
                            (cols[2], "ignored", "no response within 30 days, no later "
                                                  "version"),
                            (cols[3], "pending", "not decided yet (answered or not)")):
        n = by.get(name, 0)
        pct = f"{100 * n / decided:.0f}%" if decided else "n/a"
        col.metric(name.capitalize(), pct, help=f"{n:,} of {decided:,} series with an "
                   f"outcome: {what}")
    if total:
        spec = alt.Chart(alt.Data(values=outcomes.records())).mark_bar().encode(
            x=alt.X("series:Q", title="series"),
            y=alt.Y("outcome_detail:N", sort="-x", title="outcome"),
            color=alt.Color("outcome:N", legend=None),
            tooltip=["outcome:N", "outcome_detail:N", "series:Q", "pct:Q"],
        )
        common.chart(spec, outcomes, "overview-outcomes", counts="Series by outcome", n=total)
    common.definition("series_outcomes")
    _caveats(c)


def _caveats(c: common.Context) -> None:
    st.subheader("What these figures can see")
    cov = common.report(c, "org_coverage")
    lines = []
    known = [f"**{r['known_pct']}%** of {r['total']:,} {r['population']}"
             for r in cov.records() if r["total"]]
    if known:
        lines.append("- The organisation kind (corporate, individual, academic) is known for "
                     + ", ".join(known[:-1]) + (" and " if len(known) > 1 else "") + known[-1]
                     + "; the rest count as unknown, never as either side.")
    lists = common.report(c, "list_coverage").records()
    missing = sorted({r["subsystem"] for r in lists if r["list"] and not r["archived"]})
    sections = sorted({r["subsystem"] for r in lists})
    if sections:
        if missing:
            lines.append(f"- **{len(missing)} of {len(sections)}** subsystems that these "
                         "patches touch also use a list that is not archived here "
                         f"({', '.join(missing[:5])}{'…' if len(missing) > 5 else ''}): "
                         "figures about them see only what reached the archived lists.")
        else:
            lines.append(f"- Every list of the {len(sections)} subsystems these patches "
                         "touch is archived here.")
    st.markdown("\n".join(lines) or "No caveats: the scope is empty.")
    with st.expander("Lists of the subsystems in play"):
        common.table(common.report(c, "list_coverage"), "list-coverage",
                     report_name="list_coverage")
    with st.expander("How much of the archive has a known organisation kind"):
        common.table(cov, "org-coverage", report_name="org_coverage")
    common.need_maintainers(c)


if __name__ == "__main__":  # run alone (see pages/__init__.py)
    common.standalone(page)
