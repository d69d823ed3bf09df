"""The dashboard's pages (app.py lists them with st.navigation), one module each.

Each module is also a script: run alone (``streamlit run pages/series.py``, AppTest, or
Streamlit's older multipage mode, which a ``pages/`` folder beside the entry script
turns on for a server's first session), it draws the filters and its page. That older
mode lasts until the entry script calls st.navigation; it is switched off here as soon
as this package is imported, which `lorelens app` does before the server starts
(analytics/serve.py), so even a first visit by a page's address gets the app's own
navigation.
"""

try:
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
except (ImportError, AttributeError):  # another Streamlit: its own default applies
    pass
