"""Maintainers: each maintainer's and reviewer's answers in their sections (sortable,
with n), a person's page (their sections, load, answers and recent series), and who
gives review tags, listed in MAINTAINERS or not."""

from __future__ import annotations

import streamlit as st

from analytics.db import Result
from pages import common


def page() -> None:
    c = common.ctx()
    st.title("Maintainers")
    if common.need_maintainers(c):
        return
    sub = c.filters.get("subsystem", "all")
    st.caption(f"Scope: {common.scope_text(c)}. People listed M: (maintainer) or R: "
               "(reviewer) in MAINTAINERS, and how they answer others' patches in "
               f"{'all their sections' if sub == 'all' else sub}. Click a column to sort.")
    min_n = st.number_input("Fewest patches to be ranked (min_n)", 1, 1000, 10,
                            key="maint_min_n")
    res = common.report(c, "maintainer_responsiveness", min_n=min_n)
    rows = [row for row in res.rows if row[0] == sub]
    mine = Result(res.columns, sorted(rows, key=lambda r: (r[-1] is None, r[-1] or 0)))
    st.write(f"**{len(mine.rows):,}** people; ranked: those with at least {min_n} patches.")
    common.table(mine, "maintainers", report_name="maintainer_responsiveness", height=360,
                 column_config={
                     "share_answered": st.column_config.ProgressColumn(
                         "share_answered", min_value=0.0, max_value=1.0, format="percent",
                         help="n_answered / n_patches")})
    common.definition("maintainer_responsiveness")
    people = {r["maintainer"]: r["name"] or r["maintainer"] for r in mine.records()}
    if people:
        _choose_person(c, people)
    _reviewers(c)


def _choose_person(c: common.Context, people: dict[str, str]) -> None:
    wanted = st.query_params.get("person")
    ids = list(people)
    if wanted and wanted not in people:
        ids.insert(0, wanted)
    if st.session_state.get("maint_person") not in ids:
        st.session_state["maint_person"] = wanted if wanted in ids else ids[0]
    person = st.selectbox("A person's page", ids, key="maint_person",
                          format_func=lambda p: f"{people.get(p, p)} <{p}>")
    if st.query_params.get("person") != person:
        st.query_params["person"] = person
    _person(c, person, people.get(person, person))


def _person(c: common.Context, person: str, name: str) -> None:
    st.subheader(name)
    act = common.report(c, "person_activity", person=person)
    recs = act.records()
    sections = [r for r in recs if r["what"] == "section"]
    st.markdown("**Sections:** " + (", ".join(f"{r['detail']} ({r['role']})"
                                              for r in sections) or "none listed"))
    counts = {w: sum(1 for r in recs if r["what"] == w)
              for w in ("authored", "first response", "first review tag")}
    cols = st.columns(3)
    cols[0].metric("Series posted", counts["authored"])
    cols[1].metric("Series answered first", counts["first response"])
    cols[2].metric("First review tags given", counts["first review tag"])
    recent = Result(act.columns, [row for row in act.rows if row[0] != "section"][:50])
    st.caption("Their most recent series and answers (newest first, at most 50 here; the "
               "downloads hold these rows).")
    common.table(recent, "person-activity", report_name="person_activity")


def _reviewers(c: common.Context) -> None:
    st.subheader("Who reviews")
    st.caption("Everyone who gave review tags in replies in this scope, listed in "
               "MAINTAINERS or not: Reviewed-by and Acked-by (Tested-by apart), by the "
               "reply's sender; tags carried in a patch and bots' replies are left out. "
               "The most tags first.")
    res = common.report(c, "top_reviewers")
    if not res.rows:
        st.info("No review tags were given in replies in this scope.")
        return
    st.write(f"**{len(res.rows):,}** people gave "
             f"**{sum(r['review_tags'] for r in res.records()):,}** review tags.")
    common.table(res, "top-reviewers", report_name="top_reviewers", height=360)
    common.definition("top_reviewers")


if __name__ == "__main__":  # run alone (see pages/__init__.py)
    common.standalone(page)
