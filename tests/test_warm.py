"""The server warms up before it takes a request: every page has run once, in its default view,
and a first visitor's run finishes like any other (app.py, app_pages/_warm.py)."""

from __future__ import annotations

import re
import tempfile

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect  # no event loop: Playwright's may be running

from app_pages._warm import PAGES
from tests._serve import free_port, stop, streamlit, wait_healthy


def _first_run(url: str, page: str) -> list[str]:
    """A visitor's first run of ``page`` over Streamlit's websocket; the elements it sent."""
    with connect(f"{url}/_stcore/stream", subprotocols=["streamlit"], max_size=None) as ws:
        msg = BackMsg()
        msg.rerun_script.page_name = page
        ws.send(msg.SerializeToString())
        elements = []
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(ws.recv(timeout=60))
            if fwd.WhichOneof("type") == "delta":
                elements.append(fwd.delta.new_element.WhichOneof("type"))
            if fwd.WhichOneof("type") == "script_finished":
                assert fwd.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
                return elements


def test_every_page_runs_at_start_up_and_the_first_visit_is_served():
    port = free_port()
    with tempfile.TemporaryFile() as log:
        proc = streamlit(port, log)
        try:
            url = wait_healthy(f"http://127.0.0.1:{port}", [proc], log)
            log.seek(0)
            text = log.read().decode(errors="replace")
            assert "warm-up of" not in text, text  # no page failed
            line = re.search(r"warm-up: (.*)", text)
            assert line, text  # healthy only once warmed: the line is already written
            warmed = dict(re.findall(r"([\w-]+) ([\d.]+) s", line.group(1)))
            assert list(warmed) == list(PAGES)
            elements = _first_run(url.replace("http", "ws"), "race")
            assert "plotly_chart" in elements and "exception" not in elements
        finally:
            stop([proc])
