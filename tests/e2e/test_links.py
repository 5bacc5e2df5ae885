"""Links in a real browser (issue #8): the address bar is the view.

A link copied after clicks, drags and typing reopens the identical view in a fresh browser
(every keyed widget's value, the results table, the query); Back after a contour click restores
the previous start; a refused URL value is named in a notice. (Every lesson link opening its
page is tests/e2e/test_lessons.py's.)
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e.conftest import (
    assert_no_exception,
    chart_ready,
    click_in_chart,
    open_page,
    settle,
    tables,
    widget_values,
)

pytestmark = pytest.mark.e2e

# Widgets every Race view has: the sidebar's surface and start, the optimizers, the figure.
RACE_WIDGETS = ("surface", "x0", "y0", "race_opts", "race_view", "steps", "race_tol")
PAGE_WIDGETS = {
    "/": RACE_WIDGETS,
    "/race": RACE_WIDGETS,
    "/step": ("surface", "x0", "y0", "step_opt", "step_t", "step_compare", "steps"),
}
APP_PAGES = ("/", "/race", "/step", "/curvature", "/lr-lab", "/lessons")

# Lesson links: anchors in the main area whose address opens a page of the app with a query.
LESSON_LINKS = """(pages) => [...document.querySelectorAll('[data-testid="stMain"] a[href]')]
    .map(a => a.href)
    .filter(href => {
        const u = new URL(href);
        return u.origin === location.origin && u.search && pages.includes(u.pathname);
    })"""


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def view(page) -> dict:
    """What a link must reproduce: the page, its query, every keyed widget and every table."""
    settle(page)
    return {
        "path": urlparse(page.url).path,
        "query": query(page),
        "widgets": widget_values(page),
        "tables": tables(page),
    }


def assert_same(here: dict, there: dict) -> None:
    assert there["path"] == here["path"]
    differ = {
        k: (here["widgets"].get(k), there["widgets"].get(k))
        for k in here["widgets"].keys() | there["widgets"].keys()
        if here["widgets"].get(k) != there["widgets"].get(k)
    }
    assert not differ, f"widgets differ (this browser, the fresh one): {differ}"
    assert there["tables"] == here["tables"]
    assert there["query"] == here["query"], "the fresh browser rewrote the link"


def reopens_identically(page, fresh_page, expect=RACE_WIDGETS) -> dict:
    """Copy the address of ``page``, open it in a fresh browser context and compare the views;
    return the view."""
    url = settle(page)
    here = view(page)
    assert_no_exception(page)
    missing = [k for k in expect if k not in here["widgets"]]
    assert not missing, f"widgets not found on the page: {missing}"
    if urlparse(url).path in ("/", "/race"):
        assert here["tables"] and here["tables"][0].startswith("optimizer")
        assert any(k.endswith("_lr") for k in here["widgets"]), "no learning-rate slider"
    other = fresh_page()
    open_page(other, url)
    there = view(other)
    assert_no_exception(other)
    assert_same(here, there)
    return here


def open_race(page, app_url: str, query_string: str = "") -> None:
    open_page(page, f"{app_url}/race{query_string}")
    chart_ready(page)
    settle(page)
    assert_no_exception(page)


def shown_start(page) -> tuple[str, str]:
    return (
        page.locator(".st-key-x0 input").input_value(),
        page.locator(".st-key-y0 input").input_value(),
    )


def url_start(page) -> tuple[float, float]:
    q = query(page)
    return float(q["x0"][0]), float(q["y0"][0])


# ---------------------------------------------------------------------------- 1. copy a link


def test_a_link_after_picking_another_surface_reopens_the_view(page, fresh_page, app_url):
    open_race(page, app_url)
    lr_before = {k: v for k, v in query(page).items() if k.endswith("_lr")}
    page.locator(".st-key-surface input").click()
    page.get_by_role("option", name="Rosenbrock", exact=True).click()
    settle(page)
    assert page.locator(".st-key-surface input").input_value() == "Rosenbrock"
    assert query(page)["surface"] == ["rosenbrock"]
    lr_after = {k: v for k, v in query(page).items() if k.endswith("_lr")}
    assert lr_after.keys() == lr_before.keys()  # written for every optimizer on show
    assert lr_after != lr_before  # and suggested anew for Rosenbrock
    shown = reopens_identically(page, fresh_page, (*RACE_WIDGETS, "rosenbrock_a", "rosenbrock_b"))
    assert "bowl_kappa" not in shown["widgets"]


def test_a_link_after_moving_kappa_with_the_keyboard_reopens_the_view(page, fresh_page, app_url):
    open_race(page, app_url)
    kappa = page.locator(".st-key-bowl_kappa input[type=range]")
    assert kappa.get_attribute("aria-valuetext") == "20.00"
    kappa.focus()
    for _ in range(3):  # as a user presses them: the next before the last one's run is over
        kappa.press("ArrowRight")
    settle(page)
    shown = kappa.get_attribute("aria-valuetext")
    assert query(page).get("bowl_kappa") == [f"{float(shown):g}"], "the slider and URL disagree"
    assert shown == "23.00", "a key press was lost"
    reopens_identically(page, fresh_page, (*RACE_WIDGETS, "bowl_kappa", "bowl_angle"))


def test_a_link_after_typing_a_start_point_reopens_the_view(page, fresh_page, app_url):
    open_race(page, app_url)
    table_before = tables(page)
    x0 = page.locator(".st-key-x0 input")
    x0.fill("1.25")
    x0.press("Enter")
    settle(page)
    y0 = page.locator(".st-key-y0 input")
    y0.fill("-0.75")
    y0.press("Enter")
    settle(page)
    assert shown_start(page) == ("1.250", "-0.750")
    assert url_start(page) == (1.25, -0.75)
    assert tables(page) != table_before  # the race ran again from the typed start
    reopens_identically(page, fresh_page)


def test_a_link_after_typing_half_a_start_point_reopens_the_view(page, fresh_page, app_url):
    """x₀ typed, y₀ still empty: a start is a pair, so y₀ takes the surface's own coordinate
    and the link carries both."""
    open_race(page, app_url)
    x0 = page.locator(".st-key-x0 input")
    x0.fill("1.25")
    x0.press("Enter")
    settle(page)
    x, y = shown_start(page)
    assert x == "1.250" and y != ""
    assert "x0=1.25" in page.url and "y0=" in page.url
    reopens_identically(page, fresh_page)


def test_a_link_after_a_contour_click_reopens_the_view(page, fresh_page, app_url):
    open_race(page, app_url)
    click_in_chart(page, 0.3, 0.7, until_param="x0")
    settle(page)
    x, y = url_start(page)
    assert x < 0 and y < 0  # lower left quarter of the bowl's view (centred on 0)
    assert shown_start(page) == (f"{x:.3f}", f"{y:.3f}")
    reopens_identically(page, fresh_page)


def lesson_links(page, app_url: str) -> list[str]:
    open_page(page, f"{app_url}/lessons")
    settle(page)
    assert_no_exception(page)
    links = list(dict.fromkeys(page.evaluate(LESSON_LINKS, list(APP_PAGES))))
    assert links, "the Lessons page shows no link to a page of the app"
    return links


def test_a_link_after_opening_a_lesson_reopens_the_view(page, fresh_page, app_url):
    links = lesson_links(page, app_url)
    first_per_page = {}
    for href in links:
        first_per_page.setdefault(urlparse(href).path, href)
    assert first_per_page.keys() & {"/", "/race", "/step"}, first_per_page
    for path in ("/race", "/step"):
        href = first_per_page.get(path)
        if href is None:  # the lessons of the moment open no such page
            continue
        anchor = page.locator(f'[data-testid="stMain"] a[href="{written_href(page, href)}"]')
        with page.context.expect_page() as opened:
            anchor.first.click()
        lesson = opened.value
        lesson.js_errors = []
        lesson.on("pageerror", lambda exc, errors=lesson.js_errors: errors.append(str(exc)))
        lesson.wait_for_load_state("domcontentloaded")
        settle(lesson)
        assert urlparse(lesson.url).path == path
        reopens_identically(lesson, fresh_page, PAGE_WIDGETS.get(path, ("surface", "x0", "y0")))
        lesson.close()


def written_href(page, href: str) -> str:
    """The anchor's href attribute as written, found from the address it resolves to."""
    return page.evaluate(
        """(href) => [...document.querySelectorAll('a[href]')]
            .find(a => a.href === href).getAttribute('href')""",
        href,
    )


# ---------------------------------------------------------------------------- 2. Back


def test_back_after_a_contour_click_restores_the_previous_start(page, app_url):
    open_race(page, app_url, "?race_opts=adam&steps=50")
    entries = page.evaluate("history.length")
    click_in_chart(page, 0.25, 0.3, until_param="x0")
    settle(page)
    assert page.evaluate("history.length") == entries + 1, "one click, one history entry"
    first = url_start(page)
    assert first[0] < 0 < first[1]
    assert shown_start(page) == tuple(f"{v:.3f}" for v in first)

    click_in_chart(page, 0.75, 0.7)
    settle(page)
    assert page.evaluate("history.length") == entries + 2, "one click, one history entry"
    second = url_start(page)
    assert second[1] < 0 < second[0]

    page.go_back()
    settle(page)
    assert url_start(page) == first
    assert shown_start(page) == tuple(f"{v:.3f}" for v in first)
    assert_no_exception(page)

    # Back wrote nothing of its own: Forward still leads to the second click.
    page.go_forward()
    settle(page)
    assert url_start(page) == second
    assert shown_start(page) == tuple(f"{v:.3f}" for v in second)
    assert_no_exception(page)


# ---------------------------------------------------------------------------- 3. notices


def test_a_refused_url_value_is_named_in_a_notice(page, app_url):
    open_race(page, app_url, "?sgd_lr=abc&steps=-5")
    notice = page.locator('[data-testid="stAlert"]', has_text="could not be used")
    assert notice.count() == 1
    text = notice.inner_text()
    assert "sgd_lr=abc" in text and "steps=-5" in text
    assert page.locator(".st-key-steps input[type=range]").get_attribute("aria-valuetext") == "200"
    assert "sgd_lr" in query(page) and query(page)["sgd_lr"] != ["abc"]
    assert "steps" not in query(page)  # the default is used, and not written
    assert_no_exception(page)
