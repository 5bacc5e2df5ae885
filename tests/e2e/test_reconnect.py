"""The server restarted under an open page: the page comes back as itself, and the Race's
animation plays again (issue #11, "Reconnect").

These tests start and kill their own server (not the shared one of ``conftest.py``), on a free
loopback port, restarted on the same port as a supervisor would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests._serve import free_port, streamlit, wait_healthy
from tests.e2e.conftest import (
    CHART,
    CHROMIUM,
    ROOT,
    assert_no_exception,
    chart_ready,
)

pytestmark = pytest.mark.e2e

APP = ROOT / "app.py"

# The chart as the page holds it: its frames, the slider's step, and the run's state.
CHART_STATE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const gd = document.querySelector('.js-plotly-plot');
    const slider = gd && gd._fullLayout && gd._fullLayout.sliders && gd._fullLayout.sliders[0];
    return {
        state: app && app.getAttribute('data-test-script-state'),
        frames: gd && gd._transitionData ? gd._transitionData._frames.length : 0,
        step: slider ? slider.active : null,
    };
}"""
IDLE_WITH_FRAMES = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const gd = document.querySelector('.js-plotly-plot');
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && gd && gd._transitionData && gd._transitionData._frames.length > 0;
}"""
# A first run is killed this long after it started: past st.navigation, which router.py calls
# first (its message reaches the browser ~15 ms into the run), and long before the imports that
# follow end. Killed sooner than st.navigation's message, a page still comes back as the default
# one: the browser asks the new server for the entry script's hash (see router.py).
KILL_AFTER_MS = 250
TITLE = "() => { const h = document.querySelector('h1'); return h && h.innerText.trim(); }"
# Every script state the page goes through from now on (the Race's board keeps its graph div,
# frames and all, while the server is away: only a new run tells that the page came back).
WATCH_RUNS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    window.__runStates = [];
    new MutationObserver(() => window.__runStates.push(app.getAttribute('data-test-script-state')))
        .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
RAN_AGAIN = "() => (window.__runStates || []).includes('running')"


class Server:
    """``streamlit run app.py`` on one loopback port, killed and started again at will; not
    warmed at start, so a first run is slow enough to be killed in the middle."""

    def __init__(self, port: int, log):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None
        self.log = log  # the server's output: a pipe nobody reads would stall it once full
        self.visited = False  # a page has run on this process: its modules are imported

    def start(self) -> None:
        self.proc = streamlit(self.port, self.log, warm=False)  # a slow first run, to kill
        self.visited = False
        wait_healthy(self.url, [self.proc], self.log)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Stop the server by its PID and wait until it is gone."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


@pytest.fixture(scope="module")
def server():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip(
            f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )
    with tempfile.TemporaryFile() as log:
        srv = Server(free_port(), log)
        try:
            srv.start()
            yield srv
        finally:
            srv.kill(signal.SIGTERM)


@pytest.fixture(scope="module")
def chromium(server, chromium_browser):
    return chromium_browser


@pytest.fixture
def tab(chromium):
    context = chromium.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    context.close()


def test_a_page_killed_during_its_first_run_comes_back_as_itself(server, tab):
    if server.visited:  # a fresh process: the first run imports the app's modules (seconds)
        server.kill()
        server.start()
    server.visited = True
    tab.goto(server.url + "/curvature", wait_until="commit")
    tab.wait_for_function(
        "() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
        " return app && app.getAttribute('data-test-script-state') === 'running'; }",
        timeout=30_000,
        polling=20,
    )
    tab.wait_for_timeout(KILL_AFTER_MS)
    server.kill(signal.SIGKILL)
    assert tab.evaluate(TITLE) is None, "the first run had finished before the server was killed"
    server.start()
    tab.wait_for_function(
        "() => { const h = document.querySelector('h1'); const app ="
        " document.querySelector('[data-testid=\"stApp\"]'); return h && app"
        " && app.getAttribute('data-test-script-state') === 'notRunning'; }",
        timeout=60_000,
    )
    tab.wait_for_timeout(500)  # a page switch would show as a second run
    assert tab.evaluate(TITLE) == "Curvature"
    assert tab.evaluate("location.pathname") == "/curvature"
    assert_no_exception(tab)


def test_the_race_plays_after_the_server_restarts(server, tab):
    server.visited = True
    tab.goto(server.url + "/race?steps=60", wait_until="domcontentloaded")
    chart_ready(tab)
    tab.wait_for_function(IDLE_WITH_FRAMES, timeout=30_000)
    before = tab.evaluate(CHART_STATE)
    assert before["frames"] > 0 and before["step"] == 0, before

    tab.evaluate(WATCH_RUNS)
    server.kill(signal.SIGTERM)
    tab.wait_for_timeout(500)
    server.start()
    # The browser reconnects by itself (its retries back off to a few seconds), the page runs
    # again on the new server and the chart (the Race's board, webapp/board) has its frames.
    try:
        tab.wait_for_function(RAN_AGAIN, timeout=45_000)
        tab.wait_for_function(IDLE_WITH_FRAMES, timeout=45_000)
    except Exception as err:  # Playwright's TimeoutError: say what the chart holds
        state, runs = tab.evaluate(CHART_STATE), tab.evaluate("window.__runStates")
        raise AssertionError(f"no run with frames after the restart ({state}, {runs})") from err
    tab.wait_for_timeout(300)
    assert tab.evaluate("location.pathname") == "/race"

    # The board talks to the new server: a click on the contour is a new start (a run there).
    box = tab.locator(f"{CHART} .nsewdrag").first.bounding_box()
    x, y = box["x"] + 0.3 * box["width"], box["y"] + 0.3 * box["height"]
    tab.mouse.move(x, y)  # hover first: plotly picks the point under the cursor on click
    tab.wait_for_timeout(300)
    tab.mouse.click(x, y)
    tab.wait_for_function("() => location.search.includes('x0=')", timeout=15_000)
    tab.wait_for_function(IDLE_WITH_FRAMES, timeout=30_000)
    tab.wait_for_timeout(300)

    tab.locator(f"{CHART} .updatemenu-button", has_text="Play").click()
    tab.wait_for_function(
        "() => document.querySelector('.js-plotly-plot')._fullLayout.sliders[0].active > 0",
        timeout=10_000,
    )
    assert tab.evaluate(CHART_STATE)["frames"] == before["frames"]
    assert_no_exception(tab)
