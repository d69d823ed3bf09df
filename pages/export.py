"""Export: the write-up of `lorelens export-report` for the current filters (a zip of
report.md and report.html with their charts), and any named report for the current
filters as CSV, Parquet, JSON or Markdown."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import streamlit as st

from analytics.reports import REPORTS, get_report
from analytics.writeup import SCOPE_KEYS, export_report
from pages import common

FORMATS = {"csv": ("text/csv", "csv"), "parquet": ("application/vnd.apache.parquet",
                                                  "parquet"),
           "json": ("application/json", "json"), "md": ("text/markdown", "md")}


def page() -> None:
    c = common.ctx()
    st.title("Export")
    st.caption(f"Scope: {common.scope_text(c)}. Every table on every page also has its "
               "own CSV and Parquet downloads, every chart its PNG and SVG.")
    _writeup(c)
    st.subheader("One report's rows")
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
                            on_click="ignore", key=f"export-{fmt}", icon=":material/download:")
    st.dataframe(common.arrow(result), hide_index=True, key="export-preview", height=300)


def _writeup(c: common.Context) -> None:
    st.subheader("A write-up to cite")
    scope = {k: v for k, v in c.filters.items() if k in SCOPE_KEYS}
    st.markdown("The report of `lorelens export-report` for the filters "
                f"({common.scope_text(c)}; the organisation kind filter does not apply): "
                "headline figures, contributors, review latency and where to contribute, "
                "each table with the SQL and parameters behind it, the charts as PNG and "
                "SVG, and where the numbers come from. Markdown and HTML, in one zip.")

    def build() -> bytes:
        with tempfile.TemporaryDirectory(prefix="lorelens-export-") as tmp:
            out = Path(tmp) / "report"
            for fmt in ("md", "html"):
                export_report(c.con, out, scope, fmt=fmt)
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for f in sorted(out.iterdir()):
                    z.write(f, f"lorelens-report/{f.name}")
            return buf.getvalue()

    st.download_button("Report (zip: Markdown, HTML, charts)", build, "lorelens-report.zip",
                       "application/zip", on_click="ignore", key="export-writeup", type="primary",
                       icon=":material/download:")


if __name__ == "__main__":  # run alone (see pages/__init__.py)
    common.standalone(page)
