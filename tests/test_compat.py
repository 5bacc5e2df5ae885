"""The private internals the app and its tests lean on still work on the pinned releases.

Each is used in one module: Plotly's in ``viz/_compat.py``, Streamlit's runtime in
``webapp/compat.py``, AppTest's in ``tests/_apptest.py``. When an upgrade moves one, the test
here fails first and its message names the private API that moved and the module to fix.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import plotly
import plotly.graph_objects as go
import pytest
import streamlit
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime import Runtime
from streamlit.runtime.session_manager import SessionClient
from streamlit.testing.v1 import AppTest

from tests._apptest import board_event, run_with, widget_states
from viz._compat import parts, set_parts, unvalidated
from webapp.compat import HeadlessClient


def _moved(package, api: str, module: str) -> str:
    return (
        f"{package.__name__} {package.__version__}: its private {api} moved or changed; "
        f"{module} uses it (requirements.txt pins the release it was written for)"
    )


# Plotly (viz/_compat.py) ----------------------------------------------------------------------


def _plotly(api: str) -> str:
    return _moved(plotly, api, "viz/_compat.py")


def test_plotly_figures_skip_validation_when_asked():
    trace = {"type": "scatter", "opacity": 7}  # out of range: validation would refuse it
    try:
        fig = unvalidated(go.Figure, data=[trace])
    except (TypeError, ValueError) as err:
        pytest.fail(f"{_plotly('Figure(_validate=False)')}: {str(err).splitlines()[0]}")
    assert parts(fig)[0] == [trace], _plotly("Figure(_validate=False)")


def test_plotly_keeps_a_figures_parts_in_data_layout_and_frame_objs():
    fig = go.Figure(
        data=[go.Scatter(x=[1, 2], name="path")],
        layout={"height": 321},
        frames=[go.Frame(name="10")],
    )
    try:
        data, layout, frames = parts(fig)
    except AttributeError as err:
        pytest.fail(f"{_plotly('BaseFigure._data/_layout/_frame_objs')}: {err!r}")
    assert isinstance(data, list) and data[0]["name"] == "path", _plotly("BaseFigure._data")
    assert isinstance(layout, dict) and layout["height"] == 321, _plotly("BaseFigure._layout")
    assert [f.name for f in frames] == ["10"], _plotly("BaseFigure._frame_objs")


def test_plotly_reads_and_writes_the_parts_set_in_place():
    data, layout, frames = [{"type": "scatter", "x": [0]}], {"height": 300}, [{"name": "1"}] * 2
    fig = unvalidated(go.Figure, layout={"template": {}})
    set_parts(fig, data, layout, frames)
    assert fig.layout.height == 300, _plotly("BaseFigure._layout (read by fig.layout)")
    fig.update_layout(width=400)  # the app's pages do this to the Race figure
    assert layout.get("width") == 400, _plotly("BaseFigure._layout (written by update_layout)")
    assert len(fig.frames) == 2, _plotly("BaseFigure._frame_objs (read by fig.frames)")
    assert parts(fig)[0] is data, _plotly("BaseFigure._data")


# Streamlit's runtime (webapp/compat.py) -------------------------------------------------------


def _runtime(api: str) -> str:
    return _moved(streamlit, api, "webapp/compat.py")


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("connect_session", ("client", "user_info")),
        ("handle_backmsg", ("session_id", "msg")),
        ("close_session", ("session_id",)),
    ],
)
def test_the_runtime_opens_runs_and_closes_a_session(method, params):
    api = f"Runtime.{method}({', '.join(params)})"
    assert callable(getattr(Runtime, "instance", None)), _runtime("Runtime.instance()")
    assert callable(getattr(Runtime, method, None)), _runtime(api)
    taken = list(inspect.signature(getattr(Runtime, method)).parameters)[1 : 1 + len(params)]
    assert tuple(taken) == params, f"{_runtime(api)}: it takes {taken}"


def test_a_session_client_needs_only_what_the_headless_client_has():
    wanted = {name for name in vars(SessionClient) if not name.startswith("_")}
    api = f"SessionClient protocol ({', '.join(sorted(wanted))})"
    assert {"write_forward_msg", "client_context"} <= wanted, _runtime(api)
    assert all(hasattr(HeadlessClient, name) for name in wanted), _runtime(api)


def test_a_backmsg_asks_for_a_page_with_a_query():
    msg = BackMsg()
    try:
        msg.rerun_script.page_name = "race"
        msg.rerun_script.query_string = "steps=10"
    except AttributeError as err:
        pytest.fail(f"{_runtime('BackMsg.rerun_script.page_name/query_string')}: {err!r}")


def test_the_headless_client_reads_how_a_run_ends():
    """Run in a thread of its own: its event loop must not meet one an earlier test left
    running in the main thread (the warm-up's loop, in the server, is its own thread's too)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    def read_a_run() -> tuple[str | None, bool]:
        loop = asyncio.new_event_loop()
        try:
            client = HeadlessClient(loop)
            failed = ForwardMsg()
            failed.delta.new_element.exception.message = "boom"
            client.write_forward_msg(failed)
            done = ForwardMsg()
            done.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
            client.write_forward_msg(done)
            loop.run_until_complete(asyncio.sleep(0))  # the event is set on the loop's thread
            return client.exception, client.finished.is_set()
        finally:
            loop.close()

    with ThreadPoolExecutor(1) as pool:
        exception, finished = pool.submit(read_a_run).result()
    assert exception == "boom", _runtime("ForwardMsg.delta.new_element.exception")
    assert finished, _runtime("ForwardMsg.script_finished")


def test_a_directory_is_served_as_a_v2_components_assets(tmp_path, monkeypatch):
    """``serve_directory``: the manager serves a manifest component's ``asset_dir`` (the Race
    loads plotly.js from plotly's ``package_data`` this way)."""
    from streamlit.components.v2.get_bidi_component_manager import get_bidi_component_manager

    from webapp import compat
    from webapp.compat import asset_path, serve_directory

    manager = get_bidi_component_manager()  # with no runtime, a new one each call: keep one
    monkeypatch.setattr(compat, "get_bidi_component_manager", lambda: manager)

    api = "the v2 components' manager (register_from_manifest, get, get_component_path)"
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "a.js").write_text("x")
    try:
        name = serve_directory("compat_probe", "assets", assets)
    except (AttributeError, TypeError, ImportError) as err:
        pytest.fail(f"{_runtime(api)}: {err!r}")
    assert manager.get(name) is not None, _runtime(api)
    assert Path(manager.get_component_path(name)).resolve() == assets.resolve(), _runtime(api)
    assert (
        asset_path(name, "a.js", "/base/")
        == "/base/_stcore/bidi-components/compat_probe.assets/a.js"
    )


# AppTest (tests/_apptest.py) ------------------------------------------------------------------


def test_a_v2_components_events_go_to_its_trigger_widget():
    """``board_event`` sends an event as the frontend does, under Streamlit's trigger id."""
    from streamlit.components.v2.bidi_component.main import _make_trigger_id

    api = "components.v2 bidi_component.main._make_trigger_id(base, event)"
    moved = _moved(streamlit, api, "tests/_apptest.py")
    assert list(inspect.signature(_make_trigger_id).parameters) == ["base", "event"], moved
    script = (
        "import streamlit as st\n"
        "c = st.components.v2.component('probe', js='export default function(){}')\n"
        "r = c(key='probe', on_ping_change=lambda: None)\n"
        "st.write(repr(r.ping))\n"
    )
    at = AppTest.from_string(script).run()
    board_event(at, "ping", 7, key="probe")
    assert at.markdown[-1].value == "7", moved


def test_apptest_runs_with_widget_states_as_given():
    def moved(api: str) -> str:
        return _moved(streamlit, api, "tests/_apptest.py")

    run = getattr(AppTest, "_run", None)
    assert callable(run), moved("AppTest._run(widget_state)")
    taken = list(inspect.signature(run).parameters)[1:2]
    assert taken == ["widget_state"], f"{moved('AppTest._run(widget_state)')}: it takes {taken}"
    at = AppTest.from_string("import streamlit as st\nst.checkbox('on', key='on')").run()
    try:
        states = widget_states(at)
    except AttributeError as err:
        pytest.fail(f"{moved('AppTest._tree.get_widget_states()')}: {err!r}")
    (state,) = states.widgets
    state.bool_value = True
    run_with(at, states)
    assert at.checkbox[0].value is True, moved("AppTest._run(widget_state)")
