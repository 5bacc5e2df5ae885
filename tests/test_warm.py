"""The server warms up before it takes a request: every page has run once, in its default view,
and a first visitor's run finishes like any other (app.py, webapp/warm.py)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect  # no event loop: Playwright's may be running

from tests._serve import ROOT, free_port, stop, streamlit, wait_healthy
from webapp.pages import PAGES


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
            assert list(warmed) == [p.url_path for p in PAGES]
            elements = _first_run(url.replace("http", "ws"), "race")
            assert "bidi_component" in elements and "exception" not in elements  # the board
        finally:
            stop([proc])


def test_the_readme_command_asks_nothing_of_the_internet_and_says_where_the_app_is():
    """``streamlit run app.py`` as the README runs it (every interface, headless): Streamlit's
    welcome message would ask checkip.amazonaws.com for the external address. Every HTTP
    request the server makes goes to a stand-in proxy here, which must see none; the log says
    where the app is served."""
    proxy = socket.create_server(("127.0.0.1", 0))
    proxy.settimeout(0.2)
    requests: list[str] = []
    done = threading.Event()

    def listen() -> None:
        while not done.is_set():
            try:
                conn, _ = proxy.accept()
            except TimeoutError:
                continue
            with conn:
                requests.append(conn.recv(200).decode(errors="replace"))

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    via = f"http://127.0.0.1:{proxy.getsockname()[1]}"
    env = {"HTTP_PROXY": via, "HTTPS_PROXY": via, "http_proxy": via, "https_proxy": via}
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    with tempfile.TemporaryFile() as log:
        env = os.environ | env
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            wait_healthy(f"http://127.0.0.1:{port}", [proc], log, seconds=120)
            log.seek(0)
            text = log.read().decode(errors="replace")
            ready = f"Descent Lab is ready: http://localhost:{port}/"
            assert ready in text, text
            # a newcomer hears at once that it is warming up, not 20 s of silence
            assert -1 < text.find("Descent Lab is warming up") < text.find(ready), text
            assert "External URL" not in text
        finally:
            stop([proc])
            done.set()
            listener.join(timeout=5)
            proxy.close()
    assert not requests, requests
