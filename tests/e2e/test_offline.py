"""Offline for real: no page asks for anything the server does not serve. Every page, opened
in a fresh browser and in presentation mode, makes no request off the app's own host, no
request fails, and the console logs no error (a favicon fetched from a font server would).

One kind of 404 is Streamlit's, not the app's: opened at ``/curvature``, its frontend first
looks for the server under that path (``/curvature/_stcore/health`` and ``…/host-config``)
in case the app is served below a prefix, and on 404 uses ``/``. Chromium logs each such
answer as "Failed to load resource"; those probes, and only those, are let through."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import assert_no_exception, open_page

PAGES = ["/", "/race", "/curvature", "/lr-lab", "/step", "/lessons"]
PROBE = re.compile(r"^/[\w-]+/_stcore/(health|host-config)$")  # Streamlit's base-path probe
NOT_FOUND = "Failed to load resource: the server responded with a status of 404"


def host_of(url: str) -> str:
    """The host a request goes to; a blob: URL's is its creator's (Streamlit's v2 components,
    the Race's board among them, load their code from blobs the page made)."""
    return urlsplit(url.removeprefix("blob:")).netloc


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("query", ["", "?present=true"])
def test_a_page_fetches_nothing_from_elsewhere_and_logs_no_error(path, query, app_url, fresh_page):
    page = fresh_page()
    host = urlsplit(app_url).netloc
    foreign, failed, refused, probes, console = [], [], [], [], []

    def answered(response):
        if response.status >= 400:
            where = urlsplit(response.url).path
            (probes if response.status == 404 and PROBE.match(where) else refused).append(where)

    page.on("request", lambda r: host_of(r.url) != host and foreign.append(r.url))
    page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
    page.on("response", answered)
    page.on("console", lambda m: m.type == "error" and console.append(m.text))
    open_page(page, app_url + path + query)
    page.wait_for_timeout(500)  # late requests (fonts, icons) have been made
    assert not foreign, foreign
    assert not failed, failed
    assert not refused, refused
    errors = [m for m in console if not m.startswith(NOT_FOUND)]
    assert not errors, errors
    assert len(console) - len(errors) <= len(probes), console
    assert_no_exception(page)
