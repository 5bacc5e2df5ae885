"""The Curvature page in a real browser: a click on the contour inspects that point."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e.conftest import (
    assert_no_exception,
    chart_ready,
    click_in_chart,
    open_page,
)

POINT = """() => {
    const gd = document.querySelector('.js-plotly-plot');
    const trace = gd._fullData.find(t => t.name && t.name.startsWith('point'));
    return trace ? [trace.x[0], trace.y[0]] : null;
}"""


def verdict(page) -> str:
    return (
        page.locator("h3", has_text="Second-derivative test")
        .or_(page.locator("h3", has_text="Shape here"))
        .first.inner_text()
    )


def test_a_click_on_the_contour_inspects_that_point(page, app_url):
    open_page(page, f"{app_url}/curvature?surface=Saddle")
    chart_ready(page)
    assert_no_exception(page)
    assert "Curvature" in page.locator("h1").first.inner_text()
    before_point = page.evaluate(POINT)
    before = verdict(page)
    assert "Shape here" in before  # the saddle surface's start is not a critical point
    # The centre of the view is the saddle point (0, 0), marked ×: the click lands on it.
    history = page.evaluate("() => history.length")
    click_in_chart(page, 0.5, 0.5, until_param="curv_x")
    assert page.evaluate("() => history.length") == history + 1  # one click, one entry
    params = parse_qs(urlparse(page.url).query)
    clicked = (float(params["curv_x"][0]), float(params["curv_y"][0]))
    assert clicked == pytest.approx((0.0, 0.0), abs=0.2)
    assert page.evaluate(POINT) == pytest.approx(list(clicked), abs=1e-3)
    assert page.evaluate(POINT) != before_point
    after = verdict(page)
    assert after != before and "saddle" in after
    assert page.locator("h3", has_text="Critical points in the view").count() == 1
    assert_no_exception(page)
