"""Two replicas behind nginx (deploy/nginx/descent-lab.conf.template), one session through it.

Starts two `streamlit run app.py` replicas and Debian's nginx on free loopback ports, nginx with
the deploy template's own proxy settings (only the listen address and the upstream servers
filled in), then drives chromium through the proxy: the Race page loads, a slider reruns the
script over the websocket and lands in the URL, ▶ Play animates the chart. nginx's access log
then shows every request of the session went to one replica (the routing cookie) and the
websocket was upgraded. Outside CI a machine without nginx or chromium skips with a message.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests._serve import NGINX, free_port, start_nginx, stop, streamlit, wait_healthy
from tests.e2e.conftest import (
    CHROMIUM,
    assert_no_exception,
    chart_ready,
    wait_idle,
)

CHART = ".js-plotly-plot"

FRAME_NAMES = """() => (document.querySelector('.js-plotly-plot')._transitionData._frames || [])
    .map(f => f.name)"""
# What the traces draw (the dots and paths move when frames play): their x and y, as lists.
DRAWN = """() => document.querySelector('.js-plotly-plot')._fullData
    .map(t => [Array.from(t.x || []), Array.from(t.y || [])])"""
SCRUBBER = """() => document.querySelector('.js-plotly-plot')._fullLayout.sliders[0].active"""


@pytest.fixture(scope="module")
def proxy(tmp_path_factory, request):
    """Two replicas and nginx in front of them: (the proxy's URL, the replicas' addresses,
    nginx's directory)."""
    for path, package in ((NGINX, "nginx-light"), (CHROMIUM, "chromium")):
        if not Path(path).exists():
            message = f"the proxy test needs {path} (apt-get install {package})"
            if os.environ.get("CI"):
                pytest.fail(f"{message}: .ci/run installs it")
            pytest.skip(message)
    tmp = tmp_path_factory.mktemp("nginx")
    procs: list[subprocess.Popen] = []
    request.addfinalizer(lambda: stop(procs))

    ports = [free_port() for _ in range(2)]
    replicas = [f"127.0.0.1:{port}" for port in ports]
    for port in ports:
        procs.append(streamlit(port, (tmp / f"replica-{port}.log").open("wb+")))

    listen = f"127.0.0.1:{free_port()}"
    nginx = start_nginx(tmp, listen, replicas, route_log=True)
    procs.insert(0, nginx)  # stopped first: no request reaches a replica that is going away

    for address in replicas:
        wait_healthy(f"http://{address}", procs)
    url = f"http://{listen}"
    wait_healthy(url, procs)
    return url, replicas, tmp


def _access_log(tmp: Path) -> list[tuple[str, str, str, str]]:
    """(status, upstream, routing key, request) per line of nginx's access log (the key is the
    request's cookie, or on a first visit the id that the response sets as the cookie)."""
    pattern = re.compile(r'^(\d+) (\S+) "([^"]*)" "([^"]*)"$')
    lines = (tmp / "access.log").read_text().splitlines()
    return [m.groups() for m in map(pattern.match, lines) if m]


def test_health_passes_through_to_both_replicas(proxy):
    url, replicas, tmp = proxy
    for _ in range(24):  # no cookie: each request is routed by its own random id
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as r:
            assert r.status == 200 and r.read().strip() == b"ok"
    # Health requests are not logged (access_log off): ask the upstream of the page shell.
    for _ in range(24):
        with urllib.request.urlopen(f"{url}/", timeout=10) as r:
            assert r.status == 200
            assert "descent_lab_route=" in r.headers.get("Set-Cookie", "")
    served = {up for status, up, _, req in _access_log(tmp) if req.startswith("GET / ")}
    assert served == set(replicas), f"without a cookie, requests should reach both: {served}"


def test_an_over_long_link_gets_the_templates_own_page(proxy):
    """A link longer than any the app makes (140 KB) gets the template's page, not nginx's or a
    replica's bare error; one far longer than the app's (20 KB) still reaches a replica."""
    url, _, _ = proxy
    with urllib.request.urlopen(f"{url}/race?formula={'x' * 20_000}", timeout=10) as r:
        assert r.status == 200
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{url}/race?formula={'x' * 140_000}", timeout=10)
    assert refused.value.code == 414
    page = refused.value.read().decode()
    assert "This link is too long to open" in page and '<a href="/">' in page


def test_a_session_through_the_proxy(proxy, chromium_browser):
    url, replicas, tmp = proxy
    context = chromium_browser.new_context(  # the session's one chromium (conftest)
        viewport={"width": 1500, "height": 1000}
    )
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))

    # The Race page loads through nginx (its websocket too: the script's output shows).
    page.goto(f"{url}/race?race_opts=sgd&race_opts=adam", wait_until="domcontentloaded")
    wait_idle(page, timeout=60_000)  # a cold replica's first run, on a busy machine
    page.wait_for_selector(CHART, timeout=60_000)
    chart_ready(page)
    assert_no_exception(page)
    assert "Race" in page.locator("h1").first.inner_text()
    assert page.evaluate(FRAME_NAMES)[-1] == "200"
    cookie = {c["name"]: c["value"] for c in context.cookies()}.get("descent_lab_route")
    assert cookie, "nginx did not set its routing cookie"

    # A slider: a rerun over the proxied websocket, and the URL follows.
    # (the thumb is an <input type=range>: role slider by default, no role attribute)
    thumb = page.locator(".st-key-steps").get_by_role("slider")
    thumb.focus()
    thumb.press("ArrowRight")
    page.wait_for_function("() => location.search.includes('steps=210')", timeout=20_000)
    wait_idle(page)
    page.wait_for_function(
        f"() => {{ const f = ({FRAME_NAMES})(); return f[f.length - 1] === '210'; }}",
        timeout=20_000,
    )
    assert parse_qs(urlparse(page.url).query)["steps"] == ["210"]
    assert_no_exception(page)

    # ▶ Play: the markers move and the chart's step scrubber advances.
    chart_ready(page)
    assert page.evaluate(SCRUBBER) == 0
    page.evaluate(f"() => {{ window.drawnBeforePlay = JSON.stringify(({DRAWN})()); }}")
    page.locator(f"{CHART} .updatemenu-button", has_text="Play").click()
    page.wait_for_function(
        f"() => ({SCRUBBER})() > 0 && JSON.stringify(({DRAWN})()) !== window.drawnBeforePlay",
        timeout=15_000,
    )
    assert_no_exception(page)
    page.locator(f"{CHART} .updatemenu-button", has_text="Pause").click()
    page.wait_for_timeout(600)  # the rejection below arrives after the click returns
    # Pause rejects the running Plotly.animate() promise with `undefined` (plotly.js's
    # own buttons leave it uncaught): harmless; nothing else may fail.
    assert set(page.js_errors) <= {"undefined"}, page.js_errors
    assert page.locator('[data-testid="stException"]').count() == 0
    context.close()  # closes the websocket: nginx logs it now

    # The whole session (page shell, scripts, the websocket) went to one replica.
    deadline = time.monotonic() + 10
    while True:
        mine = [row for row in _access_log(tmp) if row[2] == cookie]
        socket_rows = [row for row in mine if row[3].startswith("GET /_stcore/stream")]
        if socket_rows or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert socket_rows, "nginx logged no websocket for the session"
    assert {row[0] for row in socket_rows} == {"101"}, socket_rows
    upstreams = {row[1] for row in mine}
    assert len(upstreams) == 1 and upstreams <= set(replicas), upstreams


def test_plotly_js_comes_through_with_a_days_cache(proxy):
    """The Race's plotly.js (served by a replica for the board) is kept by a browser for a day
    behind nginx: the replica sends it with no validator, so it would be fetched on every load."""
    url, _, _ = proxy
    path = "/_stcore/bidi-components/descent_lab.plotlyjs/plotly.min.js"
    with urllib.request.urlopen(f"{url}{path}", timeout=30) as r:
        assert r.status == 200 and r.read(200).lstrip().startswith(b"/**")
        assert r.headers.get_all("Cache-Control") == ["public, max-age=86400"]
