"""The Lessons page in a real browser: every lesson link opens its page — no "Page not found"
dialog, no exception — and a link clicked on the Lessons page opens the Race set up.

The links are opened in a few tests (one per target page, not one per link), in a few browser
tabs reused from link to link: a load reuses the browser's cache of Streamlit's frontend, and
while the server runs one link's page the browser draws another's.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from lessons import LESSONS, PAGE_TITLES, answer_text
from tests.e2e.conftest import assert_no_exception, open_page, wait_idle

LINKS = [(lesson, link) for lesson in LESSONS for link in lesson.links]
NOT_FOUND = "Page not found"


def assert_found(page) -> None:
    """No "Page not found" dialog (Streamlit's answer to an unknown page) and no exception."""
    assert NOT_FOUND not in page.locator("body").inner_text(), page.url
    assert page.get_by_role("dialog").count() == 0, page.get_by_role("dialog").first.inner_text()
    assert_no_exception(page)


TABS = 3  # links loading at once: the server runs one while the browser draws another


@pytest.fixture(scope="module")
def tabs(browser):
    """A few browser tabs, reused for every link of this module (JavaScript errors collected
    per tab)."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    pages = []
    for _ in range(TABS):
        pg = context.new_page()
        pg.js_errors = []
        pg.on("pageerror", lambda exc, pg=pg: pg.js_errors.append(str(exc)))
        pages.append(pg)
    yield pages
    context.close()


def test_the_links_cover_every_page():
    assert {link.page for _, link in LINKS} == set(PAGE_TITLES)


@pytest.mark.parametrize("target", sorted(PAGE_TITLES))
def test_every_lesson_link_opens_its_page(tabs, app_url, target):
    """Every link to ``target``, opened in turn in the same few tabs (a round loads one link per
    tab, then waits for each): the run finishes on the right page, with no "Page not found"
    dialog, no exception and no JavaScript error."""
    links = [(lesson, link) for lesson, link in LINKS if link.page == target]
    assert links
    for first in range(0, len(links), len(tabs)):
        round_ = list(zip(tabs, links[first : first + len(tabs)], strict=False))
        for tab, (_, link) in round_:
            tab.js_errors.clear()
            tab.goto(f"{app_url}{link.url()}", wait_until="domcontentloaded")
        for tab, (lesson, link) in round_:
            where = f"{lesson.id}: {lesson.label(link)} ({link.url()})"
            wait_idle(tab, timeout=90_000)  # the page's run has finished
            assert urlparse(tab.url).path == f"/{link.page}", where
            assert_found(tab)
            assert tab.locator('[data-testid="stMain"]').inner_text().strip(), where


def test_a_link_clicked_on_the_lessons_page_opens_the_race_set_up(page, app_url):
    lesson = next(lesson for lesson in LESSONS if lesson.id == "momentum")
    (link,) = lesson.links
    open_page(page, f"{app_url}/lessons")
    assert_found(page)
    with page.context.expect_page() as opened:
        page.get_by_role("link", name=f"Open in Race: {lesson.label(link)}").click()
    race = opened.value
    race.js_errors = []
    race.on("pageerror", lambda exc: race.js_errors.append(str(exc)))
    race.wait_for_load_state("domcontentloaded")
    wait_idle(race)
    race.wait_for_selector(".js-plotly-plot", timeout=30_000)
    assert urlparse(race.url).path == "/race"
    assert parse_qs(urlparse(race.url).query)["race_opts"] == list(link.settings.optimizers)
    assert_found(race)
    race.close()


def test_the_computed_answer_is_revealed_in_the_browser(page, app_url):
    open_page(page, f"{app_url}/lessons")
    card = page.locator(".st-key-lesson_adam_bias")
    first_sentence = answer_text("adam_bias").split(".")[0]
    assert first_sentence not in card.inner_text()
    card.get_by_text("Show the answer").click()
    wait_idle(page)
    page.wait_for_selector(".st-key-lesson_adam_bias [data-testid='stAlert']", timeout=30_000)
    assert first_sentence in card.inner_text()
    assert_found(page)
