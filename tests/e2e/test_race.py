"""The Race page in a real browser: it loads, Play moves the markers, a click moves the start,
a slider redraws the chart and lands in the URL, a URL restores the view, a bad formula is told."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlparse

import pytest

from surfaces import SurfaceError, parse_surface
from tests.e2e.conftest import TABLE, assert_no_exception, open_page, wait_idle

CHART = ".js-plotly-plot"

# Read the live figure from plotly's graph div: the moving dots, the start, the frames.
TRACE_XY = """([name]) => {
    const gd = document.querySelector('.js-plotly-plot');
    const trace = gd._fullData.find(t => t.name === name);
    return trace ? [Array.from(trace.x), Array.from(trace.y)] : null;
}"""
# The optimizers' dots (head first, then the trail): one trace per optimizer, meta "dot-<id>".
DOTS = """() => document.querySelector('.js-plotly-plot')._fullData
    .filter(t => String(t.meta || '').startsWith('dot-'))
    .map(t => [Array.from(t.x), Array.from(t.y)])"""
FRAME_NAMES = """() => {
    const gd = document.querySelector('.js-plotly-plot');
    return (gd._transitionData._frames || []).map(f => f.name);
}"""
TRACE_NAMES = """() => document.querySelector('.js-plotly-plot')._fullData.map(t => t.name)"""


def chart_ready(page) -> None:
    page.wait_for_selector(CHART, timeout=30_000)
    page.wait_for_function(
        "() => { const gd = document.querySelector('.js-plotly-plot');"
        " return gd && gd._fullData && gd._fullData.length > 0; }",
        timeout=30_000,
    )


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def trace_xy(page, name: str):
    return page.evaluate(TRACE_XY, [name])


def test_page_loads_and_play_moves_the_markers(page, app_url):
    open_page(page, f"{app_url}/?steps=300")
    chart_ready(page)
    assert_no_exception(page)
    assert "Race" in page.locator("h1").first.inner_text()
    frames = page.evaluate(FRAME_NAMES)
    assert 2 <= len(frames) <= 60 and frames[0] == "0" and frames[-1] == "300"
    before = page.evaluate(DOTS)
    assert before, "no optimizer dots on the chart"
    page.locator(f"{CHART} .updatemenu-button", has_text="Play").click()
    page.wait_for_timeout(1500)
    after = page.evaluate(DOTS)
    assert after != before, "markers did not move after Play"
    seen = len(page.js_errors)
    page.locator(f"{CHART} .updatemenu-button", has_text="Pause").click()
    paused = page.evaluate(DOTS)
    page.wait_for_timeout(600)
    assert page.evaluate(DOTS) == paused, "markers kept moving after Pause"
    # Pausing interrupts the running Plotly.animate(), whose promise plotly.js then rejects
    # with `undefined` and its own buttons leave uncaught: harmless, and nothing else may fail.
    assert set(page.js_errors[seen:]) <= {"undefined"}
    del page.js_errors[seen:]
    assert_no_exception(page)


def test_a_click_on_the_contour_moves_the_start_point(page, app_url):
    open_page(page, f"{app_url}/?race_opts=adam&steps=50")
    chart_ready(page)
    old = trace_xy(page, "start")
    box = page.locator(f"{CHART} .nsewdrag").first.bounding_box()
    page.mouse.move(box["x"] + 0.25 * box["width"], box["y"] + 0.3 * box["height"])
    page.wait_for_timeout(300)
    page.mouse.click(box["x"] + 0.25 * box["width"], box["y"] + 0.3 * box["height"])
    page.wait_for_function("() => location.search.includes('x0=')", timeout=15_000)
    wait_idle(page)
    chart_ready(page)
    params = query(page)
    x0, y0 = float(params["x0"][0]), float(params["y0"][0])
    assert x0 < 0 and y0 > 0  # upper left quarter of the view (bowl: centred on 0)
    new = trace_xy(page, "start")
    assert new != old
    assert new[0][0] == pytest.approx(x0, abs=1e-3) and new[1][0] == pytest.approx(y0, abs=1e-3)
    assert_no_exception(page)


def test_a_slider_change_redraws_the_chart_and_updates_the_url(page, app_url):
    open_page(page, f"{app_url}/?race_opts=sgd&race_opts=adam")
    chart_ready(page)
    assert page.evaluate(FRAME_NAMES)[-1] == "200"
    thumb = page.get_by_role("slider", name="Steps")
    thumb.focus()
    thumb.press("ArrowRight")
    page.wait_for_function("() => location.search.includes('steps=210')", timeout=15_000)
    wait_idle(page)
    page.wait_for_function(
        "() => { const f = document.querySelector('.js-plotly-plot')._transitionData._frames;"
        " return f.length && f[f.length - 1].name === '210'; }",
        timeout=15_000,
    )
    assert_no_exception(page)


def test_opening_a_url_restores_the_view(page, app_url):
    open_page(
        page,
        f"{app_url}/?race_opts=sgd&race_opts=adam&adam_lr=0.02&bowl_kappa=50&x0=1.5&y0=-1",
    )
    chart_ready(page)
    names = page.evaluate(TRACE_NAMES)
    # The legend names each optimizer with its α (a race of up to six): Adam's from the URL.
    assert "Adam · α 0.02" in names and any(n.startswith("Gradient descent") for n in names)
    assert not any(n.startswith("RMSProp") for n in names)
    start = trace_xy(page, "start")
    assert (start[0][0], start[1][0]) == pytest.approx((1.5, -1.0))
    kappa = page.locator(".st-key-bowl_kappa input[type=range]")
    assert kappa.get_attribute("aria-valuetext") == "50.00"  # the κ slider shows the URL's value
    page.locator(".st-key-race_tune").click()  # open Adam's settings
    page.get_by_role("option", name="Adam", exact=True).click()
    wait_idle(page)
    lr = page.locator(".st-key-adam_lr input[type=range]")
    assert lr.get_attribute("aria-valuetext") == "0.02"
    assert page.get_by_role("slider", name=re.compile("α")).first.get_attribute("aria-valuetext")
    assert page.locator(".st-key-x0 input").input_value() == "1.500"
    assert page.locator(".st-key-y0 input").input_value() == "-1.000"
    assert_no_exception(page)


TABLE_COLUMNS = ["optimizer", "learning rate", "final", "best", "stays within", "stopped"]


def test_the_results_table_has_a_row_per_optimizer_with_its_learning_rate(page, app_url):
    open_page(page, f"{app_url}/race?race_opts=sgd&race_opts=adam&adam_lr=0.02&sgd_lr=0.05")
    chart_ready(page)
    table = page.locator(TABLE).first
    header = [c.inner_text().strip() for c in table.locator("thead th").all()]
    header = [h for h in header if h]  # a blank index column, if any
    assert len(header) == len(TABLE_COLUMNS)
    for shown, expected in zip(header, TABLE_COLUMNS, strict=True):
        assert shown.startswith(expected), header
    rows = [
        [c.inner_text().strip() for c in r.locator("td, th").all()]
        for r in table.locator("tbody tr").all()
    ]
    by_name = {next(c for c in row if c): row for row in rows}
    assert len(rows) == 2
    sgd = next(row for name, row in by_name.items() if name.startswith("Gradient descent"))
    adam = by_name["Adam"]
    assert "0.05" in sgd and "0.02" in adam
    assert_no_exception(page)


def test_the_figure_choice_switches_the_figure_and_lands_in_the_url(page, app_url):
    open_page(page, f"{app_url}/race?race_opts=sgd&steps=50")
    chart_ready(page)
    choice = page.locator(".st-key-race_view")
    assert choice.get_by_role("radio", checked=True).inner_text().strip() == "Race"
    assert "race_view" not in query(page)  # the default is not written
    for label, key, is_3d in (("3D surface", "3d", True), ("Loss curves", "loss", False)):
        choice.get_by_role("radio", name=label).click()
        page.wait_for_function(f"() => location.search.includes('race_view={key}')", timeout=15_000)
        wait_idle(page)
        chart_ready(page)
        assert choice.get_by_role("radio", checked=True).inner_text().strip() == label
        scene = page.evaluate(
            "() => Boolean(document.querySelector('.js-plotly-plot')._fullLayout.scene)"
        )
        assert scene == is_3d
        assert page.locator(".st-key-race_board").count() == 0  # no clickable contour now
    choice.get_by_role("radio", name="Race").click()
    page.wait_for_function("() => !location.search.includes('race_view=')", timeout=15_000)
    wait_idle(page)
    chart_ready(page)
    assert page.locator(".st-key-race_board .dl-board .js-plotly-plot").count() == 1
    assert_no_exception(page)


def test_a_hostile_formula_shows_the_message_and_the_page_stays_up(page, app_url):
    hostile = "__import__('os').system('id')"
    with pytest.raises(SurfaceError) as refused:
        parse_surface(hostile)
    open_page(page, f"{app_url}/?surface={quote('Custom formula…')}&formula={quote(hostile)}")
    alert = page.locator('[data-testid="stAlert"]').first
    alert.wait_for(timeout=15_000)
    assert str(refused.value) in alert.inner_text()
    assert page.locator(CHART).count() == 0
    assert_no_exception(page)
    assert page.locator('[data-testid="stSidebar"]').is_visible()
