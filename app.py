"""The lorelens dashboard: `lorelens app [--db PATH]` serves it (docs/guide.md).

Streamlit entry: the global filters and the page list; each page is a module of pages/.
"""

import streamlit as st

from pages import (
    common,
    contributors,
    export,
    latency,
    maintainers,
    overview,
    series,
    sql_console,
    where,
)

st.set_page_config(page_title="lorelens", page_icon=":material/mail:", layout="wide")
common.start()
st.navigation([
    st.Page(overview.page, title="Overview", url_path="overview", default=True,
            icon=":material/dashboard:"),
    st.Page(where.page, title="Where to contribute", url_path="where",
            icon=":material/explore:"),
    st.Page(contributors.page, title="Contributors", url_path="contributors",
            icon=":material/groups:"),
    st.Page(latency.page, title="Review latency", url_path="latency",
            icon=":material/schedule:"),
    st.Page(maintainers.page, title="Maintainers", url_path="maintainers",
            icon=":material/person:"),
    st.Page(series.page, title="Series explorer", url_path="series",
            icon=":material/search:"),
    st.Page(sql_console.page, title="SQL console", url_path="sql",
            icon=":material/terminal:"),
    st.Page(export.page, title="Export", url_path="export", icon=":material/download:"),
]).run()
