"""The Lessons page in a real browser: every lesson link opens its page — no "Page not found"
dialog, no exception — and a link clicked on the Lessons page opens the Race set up."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from app_pages._lesson_data import LESSONS, answer_text
from tests.e2e.conftest import assert_no_exception, open_page, wait_idle

LINKS = [(lesson, link) for lesson in LESSONS for link in lesson.links]
NOT_FOUND = "Page not found"


def assert_found(page) -> None:
    """No "Page not found" dialog (Streamlit's answer to an unknown page) and no exception."""
    assert NOT_FOUND not in page.locator("body").inner_text(), page.url
    assert page.get_by_role("dialog").count() == 0, page.get_by_role("dialog").first.inner_text()
    assert_no_exception(page)


@pytest.mark.parametrize(
    "lesson, link", LINKS, ids=[f"{lesson.id}: {link.label}" for lesson, link in LINKS]
)
def test_every_lesson_link_opens_its_page(page, app_url, lesson, link):
    open_page(page, f"{app_url}{link.url()}")
    page.wait_for_timeout(500)  # the dialog opens after the first render
    wait_idle(page)
    assert urlparse(page.url).path == f"/{link.page}"
    assert_found(page)


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
