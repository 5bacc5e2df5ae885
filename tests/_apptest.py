"""Open a page of the app in AppTest the way a browser gets it: through router.py's st.navigation,
sidebar included, with a URL query.

AppTest's internals that the tests use live here and nowhere else: ``AppTest._tree`` (the last
run's element tree) with its ``get_widget_states()``, and ``AppTest._run(widget_state)`` (a run
with widget states as given), through ``widget_states`` and ``run_with``. ``tests/test_compat.py``
checks both on the pinned streamlit and names the one that moved. A v2 component's events
(``board_event``) are sent as its frontend sends them: a JSON list of ``{"event", "value"}``
under the trigger widget ``_make_trigger_id(id, "events")``, Streamlit's private naming.
"""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
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


def widget_states(at: AppTest) -> WidgetStates:
    """The widget states the next run of ``at`` would send (AppTest's private ``_tree``)."""
    return at._tree.get_widget_states()


def run_with(at: AppTest, states: WidgetStates) -> AppTest:
    """Run ``at`` with ``states`` as the browser's widget states (AppTest's private ``_run``)."""
    return at._run(states)


def click(at: AppTest, chart_key: str, x: float, y: float) -> AppTest:
    """What the browser sends when a point of the chart with ``chart_key`` is clicked.

    AppTest has no API for chart selections (a chart's state can't be set through session
    state), so this sends the selection event the frontend would send, then reruns.
    """
    (chart,) = [c for c in at.get("plotly_chart") if c.proto.id.endswith(chart_key)]
    states = widget_states(at)
    event = {
        "selection": {"points": [{"x": x, "y": y}], "point_indices": [0], "box": [], "lasso": []}
    }
    states.widgets.append(WidgetState(id=chart.proto.id, string_value=json.dumps(event)))
    run_with(at, states)
    assert not at.exception, at.exception
    return at


def figures(at: AppTest) -> list[dict]:
    """The figures on the page: the Race's (drawn by its board) and every Plotly chart."""
    drawn = any(e.proto.id.endswith("race_board") for e in at.get("bidi_component"))
    boards = [board(at)["figure"]] if drawn else []
    return boards + [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def board(at: AppTest, key: str = "race_board") -> dict:
    """What the v2 component with ``key`` was given to draw (its JSON bytes), parsed."""
    (element,) = [e for e in at.get("bidi_component") if e.proto.id.endswith(key)]
    return json.loads(element.proto.bytes)


_KEPT: dict[int, dict] = {}  # per AppTest: the family payloads its "browser" has kept


def race_families(at: AppTest) -> dict:
    """The families message the Race sent its board, each family's payload filled in from the
    payloads sent in this run or an earlier one of the session (as the browser keeps them)."""
    message = board(at, "race_families")
    kept = _KEPT.setdefault(id(at), {})
    kept.update(message["payloads"])
    message["families"] = {name: kept.get(key) for name, key in message["keys"].items()}
    return message


def board_event(at: AppTest, event: str, value, key: str = "race_board") -> AppTest:
    """What the browser sends when the v2 component with ``key`` fires ``event`` with
    ``value`` (``setTriggerValue``), then the rerun."""
    (element,) = [e for e in at.get("bidi_component") if e.proto.id.endswith(key)]
    states = widget_states(at)
    payload = json.dumps([{"event": event, "value": value}])
    trigger = _make_trigger_id(element.proto.id, "events")
    states.widgets.append(WidgetState(id=trigger, json_trigger_value=payload))
    run_with(at, states)
    assert not at.exception, at.exception
    return at
