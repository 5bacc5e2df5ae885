"""Open a page of the app in AppTest the way a browser gets it: through app.py's st.navigation,
sidebar included, with a URL query.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "app.py"
DEFAULT_PAGE = "app_pages/race.py"  # app.py's default page


def navigation_app(page_file: str, query: dict, *, timeout: float = 60) -> AppTest:
    """``page_file`` (e.g. "app_pages/step.py") opened with the URL ``query``.

    The first run lands on the default page with the same
    query, as a fresh browser session would seed every widget from the URL.
    """
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.query_params.update(query)
    at.run()
    if page_file != DEFAULT_PAGE:
        at.switch_page(page_file).run()
    return at
