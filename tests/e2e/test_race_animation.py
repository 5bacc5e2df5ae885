"""The race in a real browser: no path before Play, paths whole and every dot in view after it,
and a legend click hides an optimizer's dot with its path."""

from __future__ import annotations

import pytest

from optim_core import OPTIMIZERS
from tests.e2e.conftest import CHART, assert_no_exception, chart_ready, open_page

pytestmark = pytest.mark.e2e

URL = "/?race_opts=sgd&race_opts=momentum&race_opts=rmsprop&race_opts=adam&steps=60"
CHOSEN = ("sgd", "momentum", "rmsprop", "adam")

# Per race trace (its meta names it: path-<id>, dot-<id>): points as plotly holds them, its
# visibility, and how many of its markers the SVG draws with a size, inside the plot area.
TRACES = """() => {
    const gd = document.querySelector('.js-plotly-plot');
    const area = gd.querySelector('.nsewdrag').getBoundingClientRect();
    const out = {};
    gd._fullData.forEach((t) => {
        if (!t.meta) return;
        const group = Array.from(gd.querySelectorAll('g.trace.scatter'))
            .find(g => g.__data__ && g.__data__[0] && g.__data__[0].trace.meta === t.meta);
        const drawn = group ? Array.from(group.querySelectorAll('path.point')).filter(p => {
            const r = p.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            return r.width > 0 && x >= area.left - 1 && x <= area.right + 1
                && y >= area.top - 1 && y <= area.bottom + 1;
        }).length : 0;
        out[t.meta] = {
            x: Array.from(t.x || []), y: Array.from(t.y || []),
            visible: gd.data[t.index].visible === undefined ? true : gd.data[t.index].visible,
            drawn: drawn,
        };
    });
    const layout = gd._fullLayout;
    out.range = [layout.xaxis.range, layout.yaxis.range];
    return out;
}"""
AT_LAST_STEP = """() => {
    const gd = document.querySelector('.js-plotly-plot');
    const slider = gd._fullLayout.sliders[0];
    return slider.active === slider.steps.length - 1 && !gd._transitionData._animationRaf
        && gd._transitionData._frameQueue.length === 0;
}"""
START = """() => {
    const t = document.querySelector('.js-plotly-plot')._fullData.find(t => t.name === 'start');
    return [t.x[0], t.y[0]];
}"""


def traces(page) -> dict:
    return page.evaluate(TRACES)


def play_to_the_end(page) -> None:
    page.locator(f"{CHART} .updatemenu-button", has_text="Play").click()
    page.wait_for_function(AT_LAST_STEP, timeout=30_000)
    page.wait_for_timeout(300)


def test_no_path_before_play_then_whole_paths_and_every_dot_in_view(page, app_url):
    open_page(page, app_url + URL)
    chart_ready(page)
    start = page.evaluate(START)
    before = traces(page)
    for key in CHOSEN:
        path, dot = before[f"path-{key}"], before[f"dot-{key}"]
        assert len(path["x"]) == 1, f"{key}: a path is showing before Play"
        assert (path["x"][0], path["y"][0]) == pytest.approx(start, abs=1e-5)
        for point in zip(dot["x"], dot["y"], strict=True):  # the head and its trail
            assert point == pytest.approx(tuple(start), abs=1e-5)
        assert dot["drawn"] >= 1  # waiting at the start

    play_to_the_end(page)
    after = traces(page)
    (x0, x1), (y0, y1) = after["range"]
    for key in CHOSEN:
        path, dot = after[f"path-{key}"], after[f"dot-{key}"]
        assert len(path["x"]) == 61, f"{key}: the path is not whole at the end"
        head = dot["x"][0], dot["y"][0]
        assert x0 <= head[0] <= x1 and y0 <= head[1] <= y1, f"{key}'s dot left the view"
        assert head == pytest.approx((path["x"][-1], path["y"][-1]), abs=1e-5)
        assert dot["visible"] is True and dot["drawn"] >= 1, f"{key}'s dot is not drawn"
    assert_no_exception(page)


def test_a_legend_click_hides_the_optimizers_dot_and_path_also_while_playing(page, app_url):
    open_page(page, app_url + URL)
    chart_ready(page)
    page.locator(f"{CHART} .legend .traces", has_text="Adam").click()
    page.wait_for_function(
        "() => document.querySelector('.js-plotly-plot').data"
        ".filter(t => t.legendgroup === 'adam').every(t => t.visible === 'legendonly')",
        timeout=10_000,
    )
    hidden = traces(page)
    assert hidden["path-adam"]["visible"] == hidden["dot-adam"]["visible"] == "legendonly"
    assert hidden["dot-adam"]["drawn"] == 0
    assert hidden["dot-sgd"]["visible"] is True and hidden["dot-sgd"]["drawn"] >= 1

    play_to_the_end(page)
    after = traces(page)
    assert after["path-adam"]["visible"] == after["dot-adam"]["visible"] == "legendonly"
    assert after["dot-adam"]["drawn"] == 0, "Adam's dot came back while the race played"
    assert after["dot-rmsprop"]["drawn"] >= 1

    page.locator(f"{CHART} .legend .traces", has_text="Adam").click()  # and back
    page.wait_for_function(
        "() => document.querySelector('.js-plotly-plot').data"
        ".filter(t => t.legendgroup === 'adam').every(t => t.visible === true)",
        timeout=10_000,
    )
    assert traces(page)["dot-adam"]["drawn"] >= 1
    assert_no_exception(page)


def test_the_legend_sits_clear_of_the_plot_with_every_optimizer(page, app_url):
    every = "&".join(f"race_opts={key}" for key in OPTIMIZERS)
    open_page(page, f"{app_url}/?{every}&steps=30")
    chart_ready(page)
    boxes = page.evaluate(
        """() => {
            const gd = document.querySelector('.js-plotly-plot');
            const box = (el) => { const r = el.getBoundingClientRect();
                return [r.left, r.top, r.right, r.bottom]; };
            return [box(gd.querySelector('.legend')), box(gd.querySelector('.nsewdrag')),
                    gd.querySelectorAll('.legend .traces').length];
        }"""
    )
    legend, plot, entries = boxes
    assert entries == len(OPTIMIZERS)
    assert legend[3] <= plot[1] + 1, f"legend {legend} overlaps the plot {plot}"
    assert_no_exception(page)
