"""The Lessons page in a real browser: a lesson's link opens its page with the lesson's setup."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from tests.e2e.conftest import assert_no_exception, open_page, wait_idle


def open_lesson(page, app_url: str, button: str):
    """Click a lesson's link on the Lessons page; return the tab it opens, loaded."""
    open_page(page, app_url)  # the entry page first: it sets up st.navigation for the server
    open_page(page, f"{app_url}/lessons")
    assert_no_exception(page)
    with page.context.expect_page() as opened:
        page.get_by_role("link", name=button).click()
    lesson = opened.value
    errors: list[str] = []
    lesson.on("pageerror", lambda exc: errors.append(str(exc)))
    lesson.js_errors = errors
    lesson.wait_for_load_state("domcontentloaded")
    wait_idle(lesson)
    return lesson


def test_a_race_lesson_opens_the_race_set_up_as_the_lesson_says(page, app_url):
    race = open_lesson(page, app_url, "Open in Race: GD vs momentum")
    assert urlparse(race.url).path in ("/", "/race")  # the Race is the default page
    assert parse_qs(urlparse(race.url).query)["race_opts"] == ["sgd", "momentum"]
    race.wait_for_selector(".js-plotly-plot", timeout=30_000)
    assert_no_exception(race)
    sidebar = race.locator('[data-testid="stSidebar"]')
    kappa = sidebar.locator('[data-testid="stSliderThumbValue"]').first  # the bowl's κ
    assert kappa.inner_text() == "50.00"
    names = race.evaluate(
        "() => document.querySelector('.js-plotly-plot')._fullData.map(t => t.name)"
    )
    assert any("Momentum" in (n or "") for n in names)
    assert any("Gradient descent" in (n or "") for n in names)
    race.close()


def test_a_step_lesson_opens_the_inspector_on_its_optimizer_and_step(page, app_url):
    step = open_lesson(page, app_url, "Open in Step by step: the look-ahead, step by step")
    assert urlparse(step.url).path == "/step"
    step.wait_for_selector(".st-key-step_chart .js-plotly-plot", timeout=30_000)
    assert_no_exception(step)
    assert "Step 4 of 100" in step.locator(".st-key-step_chart").inner_text()
    names = step.evaluate(
        "() => document.querySelector('.st-key-step_chart .js-plotly-plot')"
        "._fullData.map(t => t.name)"
    )
    assert any("look-ahead" in (n or "") for n in names)
    step.close()


def test_the_answer_is_revealed_in_the_browser(page, app_url):
    open_page(page, app_url)
    open_page(page, f"{app_url}/lessons")
    card = page.locator(".st-key-lesson_adam_bias")
    assert "Larger" not in card.inner_text()
    card.get_by_text("Show the answer").click()
    wait_idle(page)
    assert "Larger" in card.inner_text()
    assert_no_exception(page)
