"""The dashboard's pages (app.py lists them with st.navigation), one module each.

Each module is also a script: run alone (``streamlit run pages/series.py``, AppTest, or
Streamlit's older multipage mode, which a ``pages/`` folder beside the entry script
turns on for a server's first session when its address names a page), it draws the
filters and its page. That older mode lasts until the entry script calls
st.navigation; it is switched off here as soon as any page is imported.
"""

try:
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
except (ImportError, AttributeError):  # another Streamlit: its own default applies
    pass
