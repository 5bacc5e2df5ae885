"""Layout on real screens (issue #9): every page presented at 1280×720 and 1920×1080, and in
normal mode at 1024×768 with the sidebar open.

Presenting, the page's main chart (``.st-key-hero``; on the Race, its board in
``.st-key-race_hero``) starts inside the screen and takes at least 60 % of its height, and its
tick labels are large. At every size no control (button, input,
select, slider, a Plotly animation button) is cut off on the right or overlaps another, nothing
scrolls sideways, no formula or table is cut off, and no exception is shown. One
page load per (page, size).
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_no_exception, wait_idle

PAGES = ("race", "curvature", "lr-lab", "step", "lessons")
WITH_HERO = {"race", "curvature", "lr-lab", "step"}
SIZES = {
    "1280x720": (1280, 720, True),
    "1920x1080": (1920, 1080, True),
    "1024x768": (1024, 768, False),
}
HERO = ".st-key-hero .js-plotly-plot"
RACE_HERO = ".st-key-race_hero .dl-board .js-plotly-plot"  # the Race's board (webapp/board)
MIN_HERO_SHARE = 0.6
MIN_TICK_PX = 16  # presenting: every tick label of every chart at least this large


def hero(name: str) -> str:
    """The selector of the page's main chart."""
    return RACE_HERO if name == "race" else HERO


# Every chart has drawn (plotly.js has laid it out) and the hero, if any, has its final size.
_CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')]
    .every(gd => gd._fullLayout && gd.querySelector('.main-svg'))"""

# Boxes of the controls a user clicks or types in, in the main area and in Plotly's menus.
_CONTROLS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const picked = main.querySelectorAll(
        'button, input, textarea, [data-baseweb="select"], [role="slider"], .updatemenu-button');
    const out = [];
    for (const el of picked) {
        if (el.closest('[data-testid="stElementToolbar"]')) continue;  // shown on hover only
        const select = el.parentElement && el.parentElement.closest('[data-baseweb="select"]');
        if (select) continue;  // a select's own parts (chips, clear, open): one control
        const multi = el.closest('[data-testid="stMultiSelect"]');
        if (multi && !el.matches('[data-baseweb="select"]')) continue;  // its clear-all too
        if (el.tagName === 'INPUT' && ['checkbox', 'radio', 'hidden'].includes(el.type)) continue;
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || style.display === 'none') continue;
        if (el.closest('details:not([open])')) continue;
        const r = el.getBoundingClientRect();
        if (r.width < 1 || r.height < 1) continue;
        const label = (el.getAttribute('aria-label') || el.innerText || el.textContent
            || el.getAttribute('placeholder') || el.tagName).trim().slice(0, 40);
        out.push({label, menu: el.classList.contains('updatemenu-button'),
                  left: r.left, right: r.right, top: r.top, bottom: r.bottom});
    }
    return out;
}"""

# Content wider than the box that shows it: a formula, a table or a data frame cut off (their
# boxes scroll sideways instead of showing everything).
_CUT_OFF = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const out = [];
    const boxes = main.querySelectorAll(
        '.katex-display, [data-testid="stTable"], [data-testid="stTable"] *');
    for (const el of boxes) {
        if (el.closest('details:not([open])')) continue;
        if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 2)
            out.push(`${el.className || el.dataset.testid}: ${el.scrollWidth} > ${el.clientWidth}`
                + ` (${(el.innerText || '').trim().slice(0, 40)})`);
    }
    if (main.scrollWidth > main.clientWidth + 1)
        out.push(`main area: ${main.scrollWidth} > ${main.clientWidth}`);
    return out;
}"""

_TICK_SIZES = """() => [...document.querySelectorAll(
        '[data-testid="stMain"] .js-plotly-plot .xtick text, '
        + '[data-testid="stMain"] .js-plotly-plot .ytick text')]
    .filter(t => t.textContent.trim())
    .map(t => [t.textContent, parseFloat(getComputedStyle(t).fontSize)])"""


def _overlap(a: dict, b: dict, slack: float = 2.0) -> bool:
    """Whether two boxes overlap by more than ``slack`` px both ways (touching borders don't)."""
    dx = min(a["right"], b["right"]) - max(a["left"], b["left"])
    dy = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return dx > slack and dy > slack


@pytest.fixture(scope="module", params=list(SIZES))
def screen(request, browser):
    """A browser context with the screen's size, one per size for the module."""
    width, height, present = SIZES[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    yield width, height, present, context
    context.close()


@pytest.mark.e2e
@pytest.mark.parametrize("name", PAGES)
def test_layout(app_url, screen, name):
    width, height, present = screen[:3]
    page = screen[3].new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    try:
        page.goto(f"{app_url}/{name}{'?present=true' if present else ''}", wait_until="commit")
        wait_idle(page, timeout=90_000)
        if name in WITH_HERO:
            page.wait_for_selector(hero(name), timeout=60_000)
        page.wait_for_function(_CHARTS_DRAWN, timeout=60_000)
        page.wait_for_timeout(500)  # a responsive chart takes its container's size
        assert_no_exception(page)
        if present:  # the sidebar starts collapsed, out of the screen
            side = page.locator('[data-testid="stSidebar"]').bounding_box()
            assert side is None or side["x"] + side["width"] <= 1, side
        if name in WITH_HERO:
            box = page.locator(hero(name)).bounding_box()
            assert box is not None
            if present:
                assert 0 <= box["y"] < height, f"the main chart starts at y = {box['y']}"
                assert box["height"] >= MIN_HERO_SHARE * height, (
                    f"the main chart is {box['height']:.0f} px high of {height}"
                )
                assert box["y"] + box["height"] <= height + 1, "the chart runs below the fold"
        if present:
            small = [(t, px) for t, px in page.evaluate(_TICK_SIZES) if px < MIN_TICK_PX]
            assert not small, f"tick labels too small to present: {small[:8]}"

        controls = page.evaluate(_CONTROLS)
        assert controls, "no control found: the page did not draw"
        cut = [c for c in controls if c["left"] < -1 or c["right"] > width + 1]
        assert not cut, f"controls cut off at {width} px: {cut}"
        clashes = [
            (a["label"], b["label"])
            for i, a in enumerate(controls)
            for b in controls[i + 1 :]
            if _overlap(a, b)
        ]
        assert not clashes, f"overlapping controls: {clashes}"

        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"the page scrolls sideways: {scroll} > {width}"
        cut_off = page.evaluate(_CUT_OFF)
        assert cut_off == []
    finally:
        page.close()


# Per legend entry of the hero chart: whether it lies inside the legend's visible box (a
# legend taller than its room scrolls, and its last entries are then hidden below).
_LEGEND_ENTRIES = """() => {
    const legend = document.querySelector('.st-key-race_hero .dl-board .js-plotly-plot .legend');
    const room = legend.querySelector('.bg').getBoundingClientRect();
    return [...legend.querySelectorAll('.traces')].map(entry => {
        const r = entry.getBoundingClientRect();
        return {text: entry.textContent.trim(), inside: r.top >= room.top - 1
                && r.bottom <= room.bottom + 1};
    });
}"""


@pytest.mark.e2e
@pytest.mark.parametrize("size", ["1280x720", "1920x1080"])
def test_every_optimizer_of_a_presented_race_is_in_its_legend_without_scrolling(
    app_url, browser, size
):
    from optim_core import OPTIMIZERS

    width, height, _ = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    try:
        every = "&".join(f"race_opts={opt}" for opt in OPTIMIZERS)
        page.goto(f"{app_url}/race?present=true&{every}", wait_until="commit")
        wait_idle(page, timeout=90_000)
        page.wait_for_selector(RACE_HERO, timeout=60_000)
        page.wait_for_function(_CHARTS_DRAWN, timeout=60_000)
        assert_no_exception(page)
        entries = page.evaluate(_LEGEND_ENTRIES)
        assert len(entries) == len(OPTIMIZERS)
        hidden = [e["text"] for e in entries if not e["inside"]]
        assert not hidden, f"legend entries scrolled out of sight at {size}: {hidden}"
    finally:
        context.close()
