"""The dashboard's pages (app.py lists them with st.navigation), one module each."""
