"""Each page's main chart is drawn once (issue #9: speed).

plotly.js makes room for what stands around the plot — tick labels, axis titles, a colour bar,
a legend, the Race's play buttons and step scrubber — by growing the figure's margins
(``margin.autoexpand``) and then drawing the whole figure a second time. The Race, Step by step,
Curvature and Learning-rate lab figures ask for that room up front, so the first draw is the
last: plotly.js's laid-out margins (``_fullLayout._size``) are the figure's own.

Measured on these charts: the Race's 14 optimizers drew in about 200 ms instead of about 100 ms,
and "Next ▶" on Step by step redrew in about 0.3 s instead of about 0.45 s. The click grid of
the contours draws one invisible marker (``marker.maxdisplayed``) instead of 625, and still
takes every click (the click tests in ``test_race.py`` and ``test_curvature.py``).
"""

from __future__ import annotations

import pytest

from optim_core import OPTIMIZERS
from tests.e2e.conftest import assert_no_exception, wait_idle

HERO = ".st-key-hero .js-plotly-plot"
RACE_HERO = ".st-key-race_hero .dl-board .js-plotly-plot"  # the Race's board (webapp/board)
ALL = "race?" + "&".join(f"race_opts={o}" for o in OPTIMIZERS)
NORMAL = (
    "race",
    ALL,
    "step",
    "step?step_opt=nesterov&step_t=3",
    "step?surface=rosenbrock&step_opt=newton",
    "curvature",
    "curvature?surface=rosenbrock",
    "lr-lab",
)
PRESENTED = ("race", ALL, "step", "curvature", "lr-lab")
CASES = [(1280, 900, url) for url in NORMAL] + [(1280, 720, url) for url in PRESENTED]
CASES += [(1920, 1080, url) for url in ("race", ALL, "step", "curvature", "lr-lab")]

# The sides on which plotly.js grew the margins of the main chart, with both numbers.
_GROWN = """sel => {
    const gd = document.querySelector(sel);
    const asked = gd._fullLayout.margin, laid = gd._fullLayout._size;
    return ['l', 'r', 't', 'b'].filter(k => Math.round(laid[k]) > asked[k])
        .map(k => `${k}: ${asked[k]} → ${Math.round(laid[k])}`);
}"""


@pytest.mark.parametrize(("width", "height", "url"), CASES)
def test_the_main_chart_has_its_room_before_it_is_drawn(app_url, browser, width, height, url):
    present = height in (720, 1080)
    hero = RACE_HERO if url.startswith("race") else HERO
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    try:
        joiner = "&" if "?" in url else "?"
        page.goto(f"{app_url}/{url}{joiner + 'present=true' if present else ''}")
        wait_idle(page, timeout=90_000)
        page.wait_for_function(
            "sel => { const gd = document.querySelector(sel);"
            " return gd && gd._fullLayout && gd.querySelector('.main-svg'); }",
            arg=hero,
            timeout=60_000,
        )
        page.wait_for_timeout(500)  # a responsive chart takes its container's size
        assert_no_exception(page)
        grown = page.evaluate(_GROWN, hero)
        assert not grown, f"plotly.js grew the margins and drew again: {grown}"
    finally:
        context.close()
