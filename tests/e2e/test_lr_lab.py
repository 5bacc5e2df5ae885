"""The Learning-rate lab in a real browser: a click on a heat-map cell shows that run."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e.conftest import (
    assert_no_exception,
    chart_ready,
    click_in_chart,
    open_page,
)

PICKED = """() => {
    const gd = document.querySelector('.js-plotly-plot');
    const trace = gd._fullData.find(t => t.name === 'picked run');
    return trace ? [trace.x[0], trace.y[0]] : null;
}"""
TRACE_NAMES = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .map(gd => (gd._fullData || []).map(t => t.name))"""


def test_a_click_on_a_cell_shows_that_run(page, app_url):
    open_page(page, f"{app_url}/lr-lab?lab_n=8&steps=60")
    chart_ready(page)
    assert_no_exception(page)
    assert "Learning-rate lab" in page.locator("h1").first.inner_text()
    assert page.evaluate("() => document.querySelector('.js-plotly-plot')._fullData[0].type") == (
        "heatmap"
    )
    assert page.get_by_text("Best cell:").count() == 1
    best = page.evaluate(PICKED)
    # A cell in the lower left quarter: small learning rate, little momentum.
    history = page.evaluate("() => history.length")
    click_in_chart(page, 0.2, 0.8, until_param="lab_pick_lr")
    assert page.evaluate("() => history.length") == history + 1  # one click, one entry
    params = parse_qs(urlparse(page.url).query)
    lr, mu = float(params["lab_pick_lr"][0]), float(params["lab_pick_second"][0])
    picked = page.evaluate(PICKED)
    assert picked == pytest.approx([lr, mu], rel=1e-4) and picked != best
    assert mu < 0.5
    page.get_by_text("Picked run:").wait_for(timeout=15_000)
    label = f"α = {lr:.3g}, μ = {mu:.3g}"
    assert any(label in names for names in page.evaluate(TRACE_NAMES)[1])  # its path drawn
    assert_no_exception(page)
    shared = page.context.new_page()  # the link, opened afresh, shows the same pick
    open_page(shared, page.url)
    chart_ready(shared)
    assert shared.evaluate(PICKED) == pytest.approx(picked, rel=1e-9)
    shared.get_by_text("Picked run:").wait_for(timeout=15_000)
