"""Open a page of the app in AppTest the way a browser gets it: through router.py's st.navigation,
sidebar included, with a URL query.
"""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "router.py"
DEFAULT_PAGE = "app_pages/race.py"  # router.py's default page


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


def click(at: AppTest, chart_key: str, x: float, y: float) -> AppTest:
    """What the browser sends when a point of the chart with ``chart_key`` is clicked.

    AppTest has no API for chart selections (a chart's state can't be set through session
    state), so this sends the selection event the frontend would send, then reruns.
    """
    (chart,) = [c for c in at.get("plotly_chart") if c.proto.id.endswith(chart_key)]
    states = at._tree.get_widget_states()
    event = {
        "selection": {"points": [{"x": x, "y": y}], "point_indices": [0], "box": [], "lasso": []}
    }
    states.widgets.append(WidgetState(id=chart.proto.id, string_value=json.dumps(event)))
    at._run(states)
    assert not at.exception, at.exception
    return at
