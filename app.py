"""Descent Lab: watch gradient-descent optimizers race across 2D loss surfaces, and see why.

The entry file is a router: page config, the shared sidebar, then the chosen page.
Run it with ``streamlit run app.py``.
"""

import streamlit as st

from app_pages._ui import sidebar

st.set_page_config(
    page_title="Descent Lab",
    page_icon=":material/trending_down:",
    layout="wide",
    initial_sidebar_state="expanded",
)

PAGES = [
    st.Page(
        "app_pages/race.py",
        title="Race",
        icon=":material/sports_score:",
        url_path="race",
        default=True,
    ),
    st.Page(
        "app_pages/curvature.py",
        title="Curvature",
        icon=":material/landscape:",
        url_path="curvature",
    ),
    st.Page(
        "app_pages/lr_lab.py",
        title="Learning-rate lab",
        icon=":material/science:",
        url_path="lr-lab",
    ),
    st.Page(
        "app_pages/step.py", title="Step by step", icon=":material/footprint:", url_path="step"
    ),
    st.Page("app_pages/lessons.py", title="Lessons", icon=":material/school:", url_path="lessons"),
]

page = st.navigation(PAGES)
sidebar()
page.run()
