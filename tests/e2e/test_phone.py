"""The Race in the hand: a 390 × 844 phone and an 820 × 1180 tablet, touch screens (Playwright's
mobile emulation), as a student opens a shared lesson link.

The sidebar starts folded; the chart comes before the settings, with the α scrubber under it; a
vertical swipe over the chart scrolls the page and leaves the axes where they were; a tap on the
contour sets the start; no two buttons overlap and there is no mode bar over the legend; a
table's numbers never break over two lines.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_no_exception, chart_ready, open_page, settle

DEVICES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2},
    "tablet": {"viewport": {"width": 820, "height": 1180}, "device_scale_factor": 1},
}
RANGES = """() => { const gd = document.querySelector('.dl-plot');
    return [gd._fullLayout.xaxis.range.slice(), gd._fullLayout.yaxis.range.slice()]; }"""


@pytest.fixture(params=list(DEVICES))
def hand(request, browser):
    context = browser.new_context(is_mobile=True, has_touch=True, **DEVICES[request.param])
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.js_errors = errors
    yield pg
    context.close()


def _open(pg, app_url: str, query: str = "steps=100") -> None:
    open_page(pg, f"{app_url}/race?{query}")
    chart_ready(pg)
    settle(pg)


SIDEBAR_FOLDED = """() => { const s = document.querySelector('[data-testid="stSidebar"]');
    return !s || s.getBoundingClientRect().right <= 1; }"""
SCROLLED = "() => document.querySelector('[data-testid=\"stMain\"]').scrollTop"


def _swipe_up(pg, x: float, y: float, distance: float = 300) -> None:
    """A finger drawn up the screen from (x, y): touch events as a touch screen sends them."""
    cdp = pg.context.new_cdp_session(pg)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for k in range(1, 16):
        point = {"x": x, "y": y - distance * k / 15}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        pg.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def _box(pg, selector: str) -> dict:
    return pg.locator(selector).first.bounding_box()


def test_the_sidebar_is_folded_and_the_chart_and_its_alpha_come_first(hand, app_url):
    _open(hand, app_url)
    width = hand.viewport_size["width"]
    hand.wait_for_function(SIDEBAR_FOLDED, timeout=10_000)  # nothing covers the page
    board = _box(hand, ".dl-plot")
    assert board["x"] >= -1 and board["x"] + board["width"] <= width + 1  # the chart fits
    settings = _box(hand, ".st-key-race_opts")
    assert board["y"] < settings["y"], "the chart comes before the settings"
    scrub = _box(hand, ".dl-scrub input[type=range]")
    assert board["y"] + board["height"] <= scrub["y"] < settings["y"]  # α right under the chart
    assert scrub["height"] >= 30, "a slider a finger can hold"
    assert_no_exception(hand)


def test_touch_never_pans_or_zooms_and_there_is_no_mode_bar(hand, app_url):
    _open(hand, app_url)
    before = hand.evaluate(RANGES)
    layout = hand.evaluate(
        "() => { const l = document.querySelector('.dl-plot')._fullLayout;"
        " return [l.dragmode, l.xaxis.fixedrange, l.yaxis.fixedrange]; }"
    )
    assert layout == [False, True, True]
    assert hand.locator(".dl-plot .modebar").count() == 0
    box = _box(hand, ".dl-plot .nsewdrag")
    scrolled = hand.evaluate(SCROLLED)
    _swipe_up(hand, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    hand.wait_for_timeout(600)
    assert hand.evaluate(RANGES) == before, "a swipe over the chart moved its axes"
    after = hand.evaluate(SCROLLED)
    assert after > scrolled, "a swipe over the chart scrolls the page"


def test_a_tap_on_the_contour_sets_the_start(hand, app_url):
    _open(hand, app_url)
    hand.locator(".dl-plot").scroll_into_view_if_needed()
    box = _box(hand, ".dl-plot .nsewdrag")
    hand.touchscreen.tap(box["x"] + 0.75 * box["width"], box["y"] + 0.25 * box["height"])
    hand.wait_for_function("() => location.search.includes('x0=')", timeout=15_000)
    settle(hand)
    query = hand.evaluate("() => Object.fromEntries(new URLSearchParams(location.search))")
    assert float(query["x0"]) > 0 and float(query["y0"]) > 0  # the upper right quarter
    assert_no_exception(hand)


def test_no_two_buttons_overlap_under_the_chart(hand, app_url):
    _open(hand, app_url)
    boxes = hand.evaluate(
        """() => [...document.querySelectorAll('.dl-plot .updatemenu-button')].map(b => {
            const r = b.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""
    )
    assert len(boxes) == 7  # ▶ Play, Pause, Restart and four speeds
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a[2] <= b[0] + 0.5 or b[2] <= a[0] + 0.5 or a[3] <= b[1] + 0.5 or b[3] <= a[1] + 0.5
            )
            assert apart, f"buttons overlap: {a} and {b}"
    width = hand.viewport_size["width"]
    assert all(box[0] >= 0 and box[2] <= width for box in boxes)


def test_a_tables_numbers_never_break_over_two_lines(hand, app_url):
    _open(hand, app_url, "steps=100&race_opts=sgd&race_opts=adam")
    cells = hand.evaluate(
        """() => [...document.querySelectorAll('.dl-table td.dl-table-word')].map(td => {
            const range = document.createRange(); range.selectNodeContents(td);
            return [td.textContent, range.getClientRects().length]; })"""
    )
    assert cells, "the results table has single-word cells"
    for text, lines in cells:
        assert lines == 1, f"{text!r} breaks over {lines} lines"
