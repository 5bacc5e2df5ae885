"""Browser tests: the app served on loopback, driven by Playwright in Debian's chromium.

Never downloads a browser: Playwright launches /usr/bin/chromium.  Outside CI, a machine without
chromium skips these tests with a message; in CI (CI=true) a missing chromium is an error.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

from tests._serve import free_port, stop, streamlit, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def app_url():
    """Serve app.py on a free loopback port for the whole test session."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip(
            f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )
    port = free_port()
    with tempfile.TemporaryFile() as log:
        proc = streamlit(port, log)
        try:
            yield wait_healthy(f"http://127.0.0.1:{port}", [proc], log)
        finally:
            stop([proc])


@pytest.fixture(scope="session")
def chromium_browser():
    """The one Playwright and chromium of the test session: Playwright's sync API cannot run a
    second instance beside it, so tests that serve their own app use this one too."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def browser(app_url, chromium_browser):
    """The browser, with the shared app served."""
    return chromium_browser


def _new_page(browser):
    """A page in a browser context of its own (no cookies, storage or history shared)."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.js_errors = errors
    return pg


@pytest.fixture
def page(browser):
    pg = _new_page(browser)
    yield pg
    pg.context.close()


@pytest.fixture
def fresh_page(browser):
    """``fresh_page()`` opens a page in a new browser context, as a fresh browser would (a
    shared link); every one is closed after the test."""
    opened = []

    def make():
        opened.append(_new_page(browser))
        return opened[-1]

    yield make
    for pg in opened:
        pg.context.close()


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until the app has rendered, no script run is in progress and no element is still
    a loading skeleton (Streamlit loads some widgets' code lazily)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const state = app && app.getAttribute('data-test-script-state');
            return state && state !== 'initial' && state !== 'running'
                && !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
                && !document.querySelector('[data-testid="stSkeleton"]');
        }""",
        timeout=timeout,
    )
    page.wait_for_timeout(300)


def assert_no_exception(page) -> None:
    """No Python exception box and no uncaught JavaScript error on the page."""
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.first.inner_text()
    assert not page.js_errors, page.js_errors


def open_page(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    wait_idle(page)


CHART = ".js-plotly-plot"


def chart_ready(page) -> None:
    """Wait until the first Plotly chart has drawn its traces."""
    page.wait_for_selector(CHART, timeout=30_000)
    page.wait_for_function(
        "() => { const gd = document.querySelector('.js-plotly-plot');"
        " return gd && gd._fullData && gd._fullData.length > 0; }",
        timeout=30_000,
    )


def click_in_chart(page, fx: float, fy: float, *, until_param: str | None = None) -> None:
    """Click the first chart's plot area at fractions (fx, fy) of its width and height (from the
    top left), then wait for the rerun that puts ``until_param`` in the URL (or, without it, for
    the URL to change)."""
    before = page.url
    box = page.locator(f"{CHART} .nsewdrag").first.bounding_box()
    x, y = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
    page.mouse.move(x, y)  # hover first: Plotly picks the point under the cursor on click
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
    if until_param is None:
        page.wait_for_function("(before) => location.href !== before", arg=before, timeout=15_000)
    else:
        page.wait_for_function(f"() => location.search.includes('{until_param}=')", timeout=15_000)
    wait_idle(page)
    chart_ready(page)


_IDLE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app && app.getAttribute('data-test-script-state');
    return Boolean(state && state !== 'initial' && state !== 'running'
        && !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
        && !document.querySelector('[data-testid="stSkeleton"]'));
}"""


def settle(page, timeout: float = 30_000) -> str:
    """Wait until the app is idle and its address has stopped changing; return the address.

    A page writes its settings to the URL at the end of its run, so a run that is still going
    (or one that the write starts) shows up as a URL that moves."""
    page.wait_for_function(_IDLE, timeout=timeout)
    deadline = time.monotonic() + timeout / 1000
    url, stable = None, 0
    while stable < 3:
        if time.monotonic() > deadline:
            raise AssertionError(f"the app did not settle: the URL kept changing ({page.url})")
        page.wait_for_timeout(150)
        idle = page.evaluate(_IDLE)
        stable = stable + 1 if idle and page.url == url else 0
        url = page.url
    return url


# Every keyed widget's value as the browser shows it: a slider's or select slider's text, a
# toggle's or checkbox's state, a text, number or select box's text, a multiselect's chips and
# a segmented control's chosen option. Keys are the widgets' keys (their URL keys).
_WIDGET_VALUES = """() => {
    const out = {};
    const leaves = document.querySelectorAll(
        '[data-testid="stElementContainer"][class*="st-key-"]');
    for (const el of leaves) {
        const key = [...el.classList].find(c => c.startsWith('st-key-')).slice(7);
        const value = [];
        for (const input of el.querySelectorAll('input, textarea')) {
            if (input.type === 'range') value.push(input.getAttribute('aria-valuetext'));
            else if (input.type === 'checkbox') value.push(input.checked);
            else if (!input.closest('[data-testid="stMultiSelect"]')) value.push(input.value);
        }
        for (const tag of el.querySelectorAll('[data-tag]'))
            value.push('chip:' + tag.getAttribute('aria-label'));
        for (const radio of el.querySelectorAll('[role=radio][aria-checked=true]'))
            value.push('chosen:' + radio.innerText.trim());
        if (value.length) out[key] = value.length === 1 ? value[0] : value;
    }
    return out;
}"""


def widget_values(page) -> dict:
    """{widget key: the value shown} for every keyed widget on the page."""
    return page.evaluate(_WIDGET_VALUES)


# A table: ``st.table``, or the pages' own HTML table (webapp/table.py, class dl-table).
TABLE = '[data-testid="stTable"] table, table.dl-table'


def tables(page) -> list[str]:
    """The text of every table on the page, in order."""
    return page.locator(TABLE).all_inner_texts()
