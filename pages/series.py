"""Series explorer: search series; a series' versions, replies and review tags on a
timeline; every message with its lore permalink and its raw mail from the archive."""

from __future__ import annotations

import altair as alt
import streamlit as st

from analytics.db import Result
from analytics.reports.explore import OUTCOMES
from analytics.status import stored_copies
from core.errors import LorelensError
from ingest.sources.raw import read_raw
from pages import common

RAW_SHOWN = 200_000  # characters of a raw mail drawn on the page (the download has all)


def _param(name: str, key: str, default: str = "") -> None:
    """Start a widget from the URL's query parameter ``name`` (shared views)."""
    if key not in st.session_state:
        st.session_state[key] = st.query_params.get(name, default)


def _to_url(name: str, value: str | None) -> None:
    if value:
        if st.query_params.get(name) != value:
            st.query_params[name] = value
    elif name in st.query_params:
        del st.query_params[name]


def page() -> None:
    c = common.ctx()
    st.title("Series explorer")
    st.caption(f"Scope: {common.scope_text(c)}. A series is one posting of one version "
               "(cover letter and patches); its versions are linked.")
    _param("q", "series_q")
    _param("outcome", "series_outcome", common.ALL)
    left, right = st.columns([3, 1])
    q = left.text_input("Search subject, author (address or name) or series id",
                        key="series_q", placeholder="e.g. queue handling")
    picked = right.selectbox("Outcome", [common.ALL, *OUTCOMES], key="series_outcome")
    outcome = None if picked == common.ALL else picked
    _to_url("q", q.strip())
    _to_url("outcome", outcome)
    found = common.report(c, "series_search", q=q.strip(), outcome=outcome)
    rows = found.records()
    matches = rows[0]["matches"] if rows else 0
    if not rows:
        st.info("No series match. Widen the search or the filters in the sidebar.")
        return
    st.write(f"**{matches:,}** series match" + (f"; the newest {len(rows):,} are listed."
                                                if matches > len(rows) else "."))
    common.table(found, "series-search", report_name="series_search",
                 height=280 if len(rows) > 6 else "auto",
                 column_order=("posted_at", "subject", "author", "outcome", "version",
                               "n_patches", "n_responses", "hours_to_first_response",
                               "author_org_kind", "subsystems", "lists", "series_id"))
    ids = [r["series_id"] for r in rows]
    label = {r["series_id"]: f"{r['posted_at']:%Y-%m-%d} · v{r['version']} · "
             f"{r['subject']} · {r['author']}" for r in rows}
    first_run = "series_pick" not in st.session_state
    pick = st.query_params.get("series") if first_run else st.session_state["series_pick"]
    if first_run and pick and pick not in label:
        ids.insert(0, pick)  # a shared link to a series outside the current search
        label[pick] = pick
    st.session_state["series_pick"] = pick if pick in ids else ids[0]
    sid = st.selectbox("Open a series", ids, format_func=lambda s: label.get(s, s),
                       key="series_pick")
    _to_url("series", sid)
    _series(c, sid)


def _series(c: common.Context, sid: str) -> None:
    versions = common.report(c, "series_versions", series_id=sid)
    if not versions.rows:
        st.warning(f"No series {sid} in this database.")
        return
    this = next(v for v in versions.records() if v["is_this"])
    st.subheader(this["subject"])
    st.caption(f"{len(versions.rows)} posting(s) linked by version key; this one: "
               f"v{this['version']}, {this['outcome']}.")
    common.table(versions, "series-versions", report_name="series_versions")
    msgs = common.report(c, "series_messages", series_id=sid)
    records = msgs.records()
    if records:
        spec = alt.Chart(alt.Data(values=[_plain(r) for r in records])).mark_point(
            filled=True, size=90).encode(
            x=alt.X("date:T", title="date (UTC)"),
            y=alt.Y("version:O", title="version"),
            color=alt.Color("kind:N", title="message"),
            shape=alt.Shape("tagged:N", title="review tag"),
            tooltip=["date:T", "kind:N", "sender:N", "subject:N", "review_tags:N"],
        ).properties(height=120 + 50 * len(versions.rows))
        common.chart(spec, msgs, "series-timeline", counts="Messages of every version, by "
                     "date", n=len(records))
    _messages(c, msgs)


def _plain(r: dict) -> dict:
    out = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
    out["tagged"] = "with review tag" if r.get("review_tags") else "none"
    return out


def _messages(c: common.Context, msgs: Result) -> None:
    st.subheader("Messages")
    records = msgs.records()
    links = [common.lore_url(r["list"], r["message_id"]) for r in records]
    shown = Result([*msgs.columns, "lore"], [(*row, link) for row, link in
                                             zip(msgs.rows, links, strict=True)])
    common.table(shown, "series-messages", report_name="series_messages",
                 column_order=("date", "version", "kind", "sender", "subject", "review_tags",
                               "lore", "applied_notice", "from_email", "list", "message_id",
                               "series_id"), column_config={
        "lore": st.column_config.LinkColumn("lore", display_text="lore ↗",
                                            help="the message on lore.kernel.org")})
    ids = [r["message_id"] for r in records]
    label = {r["message_id"]: f"{r['date']:%Y-%m-%d %H:%M} · {r['kind']} · {r['sender']}"
             if r["date"] else f"{r['kind']} · {r['sender']}" for r in records}
    first_run = "raw_pick" not in st.session_state
    pick = st.query_params.get("msg") if first_run else st.session_state["raw_pick"]
    st.session_state["raw_pick"] = pick if pick in ids else ids[0]
    mid = st.selectbox("Raw mail of", ids, format_func=lambda m: label.get(m, m),
                       key="raw_pick")
    _to_url("msg", mid)
    link = links[ids.index(mid)]
    if link:
        st.markdown(f"[This message on lore.kernel.org]({link}) · Message-ID `{mid}`")
    try:
        copies = stored_copies(c.con, mid)
        if not copies:
            st.warning("No stored copy of this message.")
            return
        raw = read_raw(*copies[0])
    except LorelensError as exc:
        st.error(f"The raw mail cannot be read: {exc}")
        return
    text = raw.decode("utf-8", "replace")
    if len(text) > RAW_SHOWN:
        st.caption(f"The first {RAW_SHOWN:,} of {len(text):,} characters; the download "
                   "has it all.")
    st.code(text[:RAW_SHOWN], language=None, wrap_lines=True)
    st.download_button("Raw mail (.eml)", raw, "message.eml", "message/rfc822",
                       on_click="ignore", key="raw-download", icon=":material/download:")


if __name__ == "__main__":  # run alone (see pages/__init__.py)
    common.standalone(page)
