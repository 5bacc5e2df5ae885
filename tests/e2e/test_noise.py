"""The Race's Gradient-noise view in a real browser: the batch-size slider, driven from the
keyboard, redraws the cloud of mini-batch gradients, whose spread shrinks as m grows."""

from __future__ import annotations

import math

import pytest

from tests.e2e.conftest import assert_no_exception, chart_ready, open_page, settle

pytestmark = pytest.mark.e2e

# The cloud's trace in the noise chart (the page's first Plotly chart): its name and its spread,
# the RMS distance of the dots from their mean.
CLOUD = """() => {
    const gd = document.querySelector('.js-plotly-plot');
    const t = gd && gd._fullData.find(d => (d.name || '').startsWith('mini-batch gradients'));
    if (!t) return null;
    const x = Array.from(t.x), y = Array.from(t.y), n = x.length;
    const mx = x.reduce((a, b) => a + b, 0) / n, my = y.reduce((a, b) => a + b, 0) / n;
    let s = 0;
    for (let i = 0; i < n; i++) s += (x[i] - mx) ** 2 + (y[i] - my) ** 2;
    return {name: t.name, n: n, spread: Math.sqrt(s / n)};
}"""


def _cloud(page) -> dict:
    chart_ready(page)
    return page.evaluate(CLOUD)


def _next_batch(page, m: int, key: str = "ArrowRight") -> dict:
    """``key`` on the batch slider's thumb, then the redrawn cloud of batch size m."""
    before = page.url
    thumb = page.locator(".st-key-batch").get_by_role("slider")
    thumb.focus()
    thumb.press(key)
    page.wait_for_function("(b) => location.href !== b", arg=before, timeout=15_000)
    settle(page)
    page.wait_for_function(
        f"() => {{ const c = ({CLOUD})(); return c && c.name.includes('(m = {m})'); }}",
        timeout=15_000,
    )
    return _cloud(page)


def test_batch_slider_shrinks_the_cloud_of_mini_batch_gradients(page, app_url):
    open_page(page, f"{app_url}/race?surface=regression&race_view=noise")
    full = _cloud(page)
    assert full["name"].endswith("(m = 40)") and full["spread"] < 1e-9  # the exact gradient
    # The sizes run 1, 2, 4, … 32, full batch: Home goes to m = 1, then one stop right each.
    spreads = [_next_batch(page, 1, "Home")["spread"]]
    spreads += [_next_batch(page, m)["spread"] for m in (2, 4)]
    assert "batch=4" in page.url and "race_view=noise" in page.url
    assert all(math.isfinite(s) and s > 0 for s in spreads)
    assert spreads[0] > spreads[1] > spreads[2]
    assert spreads[0] / spreads[2] == pytest.approx(2.0, rel=0.35)  # 1/√m: √4 = 2, less fpc
    assert_no_exception(page)
