"""Where to contribute: MAINTAINERS sections (and their directories and files) ranked for
a newcomer: code that has gone quiet while its maintainers still read the list ("stale
but attended") first, then by how often newcomers there were answered; each row says
why it ranks there, whom to write to and which list to send to (docs/metrics.md)."""

from __future__ import annotations

import streamlit as st

from analytics.db import Result
from pages import common

ORDER = {"stale but attended": 0, "active": 1, "stale and unattended": 2,
         "no activity known": 3}
LEVELS = ("section", "directory", "file")


def why(r: dict) -> str:
    """The row's ranking in words, with its n."""
    parts = []
    if r["days_since_change"] is not None:
        src = {"git": "in the kernel tree", "lists": "by patches on the lists"}.get(
            r["staleness_source"], f"({r['staleness_source']})")
        parts.append(f"last changed {r['days_since_change']} days before the newest mail {src}")
    else:
        parts.append("no change known")
    if r["days_since_maintainers_seen"] is not None:
        parts.append(f"its maintainers last wrote {r['days_since_maintainers_seen']} days "
                     "before it")
    else:
        parts.append("its maintainers were not seen on these lists")
    n = r["newcomer_series"] or 0
    if r["newcomer_share_answered"] is not None:
        parts.append(f"{round(100 * r['newcomer_share_answered'])}% of {n} newcomers' series "
                     "were answered")
    else:
        parts.append(f"{n} newcomers' series (too few to rate)" if n else
                     "0 newcomers' series so far")
    return "; ".join(parts) + "."


def rank_key(r: dict) -> tuple:
    share = r["newcomer_share_answered"]
    return (ORDER.get(r["label"], 9), share is None, -(share or 0),
            -(r["newcomer_series"] or 0), r["subsystem"], r["path"] or "")


def page() -> None:
    c = common.ctx()
    st.title("Where to contribute")
    if common.need_maintainers(c):
        return
    st.markdown(
        "Looking for a place for a first patch? Good candidates are parts of the kernel "
        "whose code has not changed for a while **but whose maintainers still answer** "
        "(*stale but attended*), and where **newcomers' patches get answers**. Sections "
        "are ranked that way: the label first (stale but attended, then active, then "
        "stale and unattended), then the share of newcomers' series answered. Each row "
        "says why, and whom to write to.")
    left, right = st.columns(2)
    level = left.selectbox("Rank", LEVELS, key="where_level",
                           format_func=lambda v: {"section": "MAINTAINERS sections",
                                                  "directory": "directories",
                                                  "file": "files"}[v])
    min_n = right.number_input("Fewest newcomers' series to rate a section (min_n)", 1,
                               100, 3, key="where_min_n")
    res = common.report(c, "where_to_contribute", level=level, min_n=min_n)
    rows = sorted((r for r in res.records() if r["level"] == level), key=rank_key)
    if not rows:
        st.info("Nothing to rank in this scope.")
        return
    contacts = {r["subsystem"]: r for r in common.report_rows(c, "section_contacts")}
    out = []
    for i, r in enumerate(rows, 1):
        who = contacts.get(r["subsystem"], {})
        out.append((i, r["subsystem"], r["path"] or "", r["label"], why(r),
                    ", ".join(who.get("lists") or []) or "(no list: LKML)",
                    ", ".join([*(who.get("maintainers") or []), *(who.get("reviewers") or [])]),
                    r["status"], r["newcomer_series"], r["newcomer_share_answered"]))
    table = Result(["rank", "subsystem", "path", "label", "why", "send to", "write to",
                    "status", "newcomer_series", "newcomer_share_answered"], out)
    st.subheader("The first five, explained")
    for (i, sub, path, label, reason, lists, people, status, _n, _s) in out[:5]:
        st.markdown(f"**{i}. {sub}{' · `' + path + '`' if path else ''}** · *{label}* "
                    f"(status: {status or 'none'})  \n{reason[0].upper()}{reason[1:]}  \n"
                    f"Send patches to **{lists}**; write to {people or 'nobody listed'}.")
    st.subheader(f"All {len(rows)} {level}s")
    common.table(table, "where", height=420 if len(out) > 10 else "auto", column_config={
        "why": st.column_config.TextColumn("why", width="large",
                                           help="why the row ranks where it does"),
        "send to": st.column_config.TextColumn(help="the section's L: lists"),
        "write to": st.column_config.TextColumn(help="its M: maintainers and R: reviewers "
                                                "(put them in To/Cc)"),
        "newcomer_share_answered": st.column_config.ProgressColumn(
            "newcomers answered", min_value=0.0, max_value=1.0, format="percent")})
    st.caption(f"{len(rows)} {level}s. Staleness is counted back from the archive's newest "
               "message; without a kernel tree (`lorelens enrich --kernel-git`) it comes "
               "from patches on the lists.")
    common.definition("where_to_contribute")


if __name__ == "__main__":  # run alone (see pages/__init__.py)
    common.standalone(page)
