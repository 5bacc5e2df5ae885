"""Descent Lab: watch gradient-descent optimizers race across 2D loss surfaces, and see why.

The app's entry script is a router: page config, the URL read into the session, the shared
sidebar, then the chosen page with the view the sidebar returned. ``streamlit run app.py``
serves it (``app.py`` warms the server first); tests open it with AppTest.
"""

import streamlit as st

from webapp.pages import HOME, PAGES, RACE

NAVIGATION = [
    # The Race answers at / and at /race (Streamlit serves the default page at / only).
    st.Page(
        RACE.script,
        title=RACE.title,
        icon=RACE.icon,
        url_path=HOME,
        default=True,
        visibility="hidden",
    ),
    *(st.Page(p.script, title=p.title, icon=p.icon, url_path=p.url_path) for p in PAGES),
]

# Title and icon before st.navigation: the browser then never takes the page's Material icon as
# the favicon, which it would fetch from Google's font server (an emoji is drawn in the browser).
st.set_page_config(page_title="Descent Lab", page_icon="📉", layout="wide")
page = st.navigation(NAVIGATION)
# The rest is imported once the page is chosen. A cold server's first run spends seconds
# importing SymPy and NumPy (app.py's warm-up does it before any visitor), and the browser
# learns which page it shows only from st.navigation: a server stopped before that leaves the
# browser asking the next server for the entry script itself, which Streamlit answers with the
# default page (the Race instead of the page in the address bar).
from webapp.reconnect import rerun_on_reconnect  # noqa: E402
from webapp.state import store, sync_from_url  # noqa: E402
from webapp.ui import sidebar  # noqa: E402

sync_from_url(page.url_path)
# To present, the chart gets the whole width: the sidebar starts collapsed.
# "auto": open beside the page on a wide screen, folded away on a phone (where it would cover it).
st.set_page_config(initial_sidebar_state="collapsed" if store().get("present") else "auto")
sidebar()
with st.sidebar:
    rerun_on_reconnect()  # after a reconnect, the page runs again: its chart is sent anew
page.run()
