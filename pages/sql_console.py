"""SQL console: the read-only, locked-down connection of `lorelens sql`, a row limit on
display with a "truncated" notice, the full result as CSV/Parquet, a time limit, the
schema from docs/schema.md, and the named reports' SQL as starting points."""

from __future__ import annotations

import io
import re

import streamlit as st

from analytics.db import QueryError, run_query, stream_query
from analytics.reports import REPORTS, get_report
from analytics.schema_docs import read_tables
from analytics.stream import write_stream
from pages import common

SHOWN = 1_000  # rows drawn on the page; the downloads hold every row
EXAMPLE = "SELECT outcome, count(*) AS series\nFROM series\nGROUP BY ALL\nORDER BY series DESC"


def _start_from_report() -> None:
    name = st.session_state.get("sql_start")
    if name and name in REPORTS:
        st.session_state["sql_text"] = get_report(name).sql


def page() -> None:
    c = common.ctx()
    st.title("SQL console")
    st.caption("Read-only: the query cannot write, cannot read any other file, runs one "
               "statement at a time and is stopped after the time limit. Tables and "
               "columns are described below (docs/schema.md).")
    st.session_state.setdefault("sql_text", EXAMPLE)
    st.selectbox("Start from a named report's SQL", ["", *REPORTS], key="sql_start",
                 on_change=_start_from_report,
                 format_func=lambda n: "(write your own)" if not n else
                 f"{n}: {REPORTS[n].title}")
    sql = st.text_area("SQL", key="sql_text", height=220)
    left, right, _ = st.columns([1, 1, 3])
    timeout = left.number_input("Time limit (seconds)", min_value=0.5, max_value=600.0,
                                value=30.0, step=5.0, key="sql_timeout")
    run = right.button("Run", type="primary", key="sql_run", icon=":material/play_arrow:")
    if run:
        st.session_state["sql_ran"] = sql
    ran = st.session_state.get("sql_ran")
    if ran:
        _result(c, ran, float(timeout))
    _schema(c)


def _params(c: common.Context, sql: str) -> dict[str, object] | None:
    """A report's ``$name`` parameters, bound from the sidebar's filters (the others
    NULL: no filter), so a report's SQL runs here as it is."""
    names = set(re.findall(r"\$([a-z_]+)", sql))
    if not names:
        return None
    candidates = [r for r in REPORTS.values() if {p.name for p in r.params} >= names]
    if not candidates:
        raise QueryError(f"no values for ${', $'.join(sorted(names))}: the console binds "
                         "only the named reports' parameters")
    bound = candidates[0].bind({k: v for k, v in c.filters.items()
                                if k in {p.name for p in candidates[0].params}})
    return {k: v for k, v in bound.items() if k in names}


def _result(c: common.Context, sql: str, timeout: float) -> None:
    try:
        params = _params(c, sql)
        result = run_query(c.con, sql, params, timeout=timeout, max_rows=SHOWN + 1)
    except QueryError as exc:
        st.error(str(exc))
        return
    if params:
        st.caption("Parameters from the sidebar's filters: " + ", ".join(
            f"${k} = {v}" for k, v in params.items()))
    truncated = len(result.rows) > SHOWN
    if truncated:
        st.warning(f"Truncated: only the first {SHOWN:,} rows are shown. The downloads "
                   "below hold every row.")
        result = type(result)(result.columns, result.rows[:SHOWN])
    else:
        st.caption(f"{len(result.rows):,} rows.")
    st.dataframe(common.arrow(result), hide_index=True, key="sql-result")

    def full(fmt: str) -> bytes:
        buf = io.BytesIO()
        with stream_query(c.con, sql, params, timeout=timeout) as stream:
            write_stream(stream, fmt, buf)
        return buf.getvalue()

    left, right, _ = st.columns([1, 1, 4])
    left.download_button("All rows (CSV)", lambda: full("csv"), "query.csv", "text/csv",
                         on_click="ignore", key="sql-csv", icon=":material/download:")
    right.download_button("All rows (Parquet)", lambda: full("parquet"), "query.parquet",
                          "application/vnd.apache.parquet", on_click="ignore", key="sql-parquet",
                          icon=":material/download:")


def _schema(c: common.Context) -> None:
    st.subheader("Tables and columns")
    docs = read_tables()
    columns = common.report_rows(c, "schema_columns")
    tables: dict[str, list[dict]] = {}
    for r in columns:
        tables.setdefault(r["table_name"], []).append(r)
    for name, cols in tables.items():
        doc = docs.get(name)
        with st.expander(f"{name} ({len(cols)} columns)"):
            if doc and doc.summary:
                st.markdown(doc.summary)
            lines = ["| column | type | meaning |", "|---|---|---|"]
            for col in cols:
                d = doc.describe(col["column_name"]) if doc else None
                meaning = d.meaning if d else "(not described in docs/schema.md)"
                lines.append(f"| `{col['column_name']}` | {col['data_type']} | "
                             f"{meaning.replace('|', '&#124;')} |")
            st.markdown("\n".join(lines))


if __name__ == "__main__":  # run alone (see pages/__init__.py)
    common.standalone(page)
