"""Export: any named report for the current filters, as CSV, Parquet, JSON or Markdown."""

from __future__ import annotations

import streamlit as st

from analytics.reports import REPORTS, get_report
from pages import common

FORMATS = {"csv": ("text/csv", "csv"), "parquet": ("application/vnd.apache.parquet",
                                                  "parquet"),
           "json": ("application/json", "json"), "md": ("text/markdown", "md")}


def page() -> None:
    c = common.ctx()
    st.title("Export")
    st.caption(f"Scope: {common.scope_text(c)}. Every table on every page also has its "
               "own CSV and Parquet downloads.")
    name = st.selectbox("Report", list(REPORTS), key="export_report",
                        format_func=lambda n: f"{n}: {REPORTS[n].title}")
    rep = get_report(name)
    needs = [p for p in rep.params if p.name not in common.FILTERS and p.default is None
             and p.name in ("series_id", "person")]
    extra: dict[str, str] = {}
    for p in needs:
        extra[p.name] = st.text_input(f"{p.name}: {p.help}", key=f"export_{p.name}")
    result = common.report(c, name, **extra)
    st.write(f"{len(result.rows):,} rows, {len(result.columns)} columns.")
    common.definition(name)
    from analytics.render import render

    cols = st.columns(len(FORMATS) + 2)
    for col, (fmt, (mime, ext)) in zip(cols, FORMATS.items(), strict=False):
        col.download_button(fmt.upper() if fmt != "md" else "Markdown",
                            render(result, fmt), f"{name}.{ext}", mime,
                            key=f"export-{fmt}", icon=":material/download:")
    st.dataframe(common.arrow(result), hide_index=True, key="export-preview", height=300)


if __name__ == "__main__":  # run alone (see pages/__init__.py)
    common.standalone(page)
