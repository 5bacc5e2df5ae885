"""A link's values render as text in a real browser (issue #20): every page opened with Markdown
and HTML payloads (an image, a ``javascript:`` link, backticks that try to close the code,
``<img>``, bare URLs, values cut with "…") in every URL key, and a typed formula likewise.

The notice is the same on every page, so each payload goes into every key once (on the Race),
and each page is opened once with the payloads dealt out over its keys. Nothing on the page
points off the host (no ``src``, ``href`` or ``srcset`` but the app's own,
``data:`` and ``blob:``), no request leaves 127.0.0.1, and the notice still names each key and
shows its value as text.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest

from tests.e2e.conftest import assert_no_exception, open_page
from tests.test_escape import PAYLOADS, shown_cut
from webapp.settings import SCHEMA

pytestmark = pytest.mark.e2e

PAGES = ["/", "/race", "/curvature", "/lr-lab", "/step", "/lessons"]
LOCAL = {"data", "blob"}  # not requests off the host
# Every URL an element points to (src, href, srcset, poster, data, xlink:href) that is not on
# this page's host, with the element's tag.
OFF_HOST = """() => {
    const out = [];
    const attrs = ['src', 'href', 'srcset', 'poster', 'data', 'xlink:href', 'action'];
    for (const el of document.querySelectorAll('*')) {
        for (const attr of attrs) {
            const value = el.getAttribute(attr);
            if (!value) continue;
            for (const part of attr === 'srcset' ? value.split(',') : [value]) {
                const where = part.trim().split(/\\s+/)[0];
                let url;
                try { url = new URL(where, location.href); } catch (e) { url = null; }
                if (url && (url.protocol === 'data:' || url.protocol === 'blob:')) continue;
                if (!url || url.host !== location.host)
                    out.push(`<${el.tagName.toLowerCase()} ${attr}="${where}">`);
            }
        }
    }
    return out;
}"""
NOTICE = '[data-testid="stAlert"]'


def open_watched(page, app_url: str, path: str, query: dict) -> list[str]:
    """Open ``path?query``; return every URL the page asked for off 127.0.0.1."""
    foreign: list[str] = []

    def asked(request):
        parts = urlsplit(request.url)
        if parts.scheme not in LOCAL and parts.hostname != "127.0.0.1":
            foreign.append(request.url)

    page.on("request", asked)
    open_page(page, f"{app_url}{path}?{urlencode(query)}")
    page.wait_for_timeout(800)  # an image or a font is asked for after the render
    return foreign


def assert_inert(page, foreign: list[str]) -> None:
    assert not foreign, foreign
    off_host = page.evaluate(OFF_HOST)
    assert not off_host, off_host
    assert page.locator(f"{NOTICE} img, {NOTICE} a").count() == 0
    assert_no_exception(page)


def assert_named(page, query: dict) -> None:
    """The notice names each key with its value, as text."""
    notice = page.locator(NOTICE, has_text="could not be used")
    assert notice.count() == 1
    text = notice.inner_text().replace("\u2060", "")
    for key, value in query.items():
        if key != "formula":  # text: kept, and shown only by the parser
            assert f"{key}={shown_cut(value)}" in text, (key, text)


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_a_payload_in_every_key_renders_as_text_and_fetches_nothing(payload, app_url, page):
    query = dict.fromkeys(SCHEMA, payload)
    foreign = open_watched(page, app_url, "/race", query)
    assert_inert(page, foreign)
    assert_named(page, query)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_with_the_payloads_in_its_keys_fetches_nothing(path, app_url, page):
    """Each page once (a page draws the notice and its own text): the payloads dealt out over
    the keys, so each one is in several keys of every kind."""
    query = {key: PAYLOADS[i % len(PAYLOADS)] for i, key in enumerate(sorted(SCHEMA))}
    foreign = open_watched(page, app_url, path, query)
    assert_inert(page, foreign)
    assert_named(page, query)


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_a_formula_s_error_renders_it_as_text_and_fetches_nothing(payload, app_url, page):
    foreign = open_watched(page, app_url, "/", {"surface": "custom", "formula": payload})
    assert_inert(page, foreign)
    error = page.locator(NOTICE, has_text="can't be used")
    assert error.count() == 1
    assert error.locator("img, a").count() == 0
