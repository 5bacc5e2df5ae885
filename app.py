"""Descent Lab: watch gradient-descent optimizers race across 2D loss surfaces, and see why.

The entry file is a router: page config, the shared sidebar, then the chosen page.
Run it with ``streamlit run app.py``.
"""

import streamlit as st

from pages._ui import sidebar

st.set_page_config(
    page_title="Descent Lab",
    page_icon="⛰️",
    layout="wide",
    initial_sidebar_state="expanded",
)

PAGES = [
    st.Page("pages/race.py", title="Race", icon="🏁", url_path="race", default=True),
    st.Page("pages/curvature.py", title="Curvature", icon="🔍", url_path="curvature"),
    st.Page("pages/lr_lab.py", title="Learning-rate lab", icon="🧪", url_path="lr-lab"),
    st.Page("pages/step_by_step.py", title="Step by step", icon="👣", url_path="step"),
    st.Page("pages/lessons.py", title="Lessons", icon="🎓", url_path="lessons"),
]

page = st.navigation(PAGES)
sidebar()
page.run()
