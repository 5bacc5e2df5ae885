"""The Network page in a real browser (issue #22): its board (``webapp/netboard``) draws four
figures (boundary, plane, loss, sharpness) at the last step and plays them with one ▶ Play (from
step 0) and one step scrubber in the browser alone, each step drawn in place as plotly would; a
widget reruns, a link (an empty selection too) reopens the view; the random slice is drawn by the
same plotly.js; on a laptop the Play bar covers what scrolls under it; a projector's 1280×720
holds the figures; a phone shows one column, the open optimizer's α right under it; the edge of
stability link shows all four at 1440×900 and the sharpness at its edge; a bad link is told.

The figures are read from plotly's graph divs (``gd.data``, ``gd.layout``, the frames).
"""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlparse

import pytest
from PIL import Image

from lessons import LESSONS
from optim_core.sharpness import stability_edge
from tests.e2e.conftest import assert_no_exception, open_page, settle
from tests.e2e.test_scrub import COUNT_SENT

PANELS = ("boundary", "plane", "loss", "sharpness")
PLOT = ".dl-net-plot[data-panel={}]"
STEP = ".dl-net-step"
PLAY = ".dl-net-play"

# The four views drawn by plotly.js, each with its frames, and the scrubber set up for them.
BOARD_READY = """() => {
    const plots = [...document.querySelectorAll('.dl-net-plot')];
    const step = document.querySelector('.dl-net-step');
    return plots.length === 4 && plots.every(gd => gd._fullData && gd._fullData.length
        && gd.querySelector('.main-svg') && gd._transitionData
        && gd._transitionData._frames.length > 1)
        && step && Number(step.max) > 0;
}"""
# What each view shows now: its title, its traces' x and y (plotly's base64 arrays as given),
# the first layout image's source (the boundary's picture of P(class 1), the plane's loss).
VIEWS = """() => Object.fromEntries([...document.querySelectorAll('.dl-net-plot')].map(gd => [
    gd.dataset.panel, {
        title: gd.layout.title && gd.layout.title.text,
        traces: gd.data.map(t => JSON.stringify([t.name, t.x, t.y, t.visible])),
        image: ((gd.layout.images || [])[0] || {}).source || null,
        frames: gd._transitionData._frames.map(f => f.name),
    }]))"""
# Per view, whether what it shows is frame ``name``'s: every attribute the frame sets (a dot's x
# and y, a line of text, the boundary's image at ``images[0].source``) holds the frame's value
# (plotly's own keys aside: it keeps a base64 array's decoded copy in ``_inputArray``).
AT_FRAME = """(name) => [...document.querySelectorAll('.dl-net-plot')].map(gd => {
    const frame = gd._transitionData._frames.find(f => f.name === name);
    if (!frame) return [gd.dataset.panel, 'no frame ' + name];
    const json = (v) => JSON.stringify(v, (k, x) => (k.startsWith('_') ? undefined : x));
    const same = (a, b) => json(a) === json(b);
    const at = (obj, path) => path.split(/[.\\[\\]]+/).filter(Boolean)
        .reduce((o, k) => (o == null ? o : o[k]), obj);
    const traces = frame.traces.every((i, j) =>
        Object.entries(frame.data[j]).every(([k, v]) => same(at(gd.data[i], k), v)));
    const layout = Object.entries(frame.layout || {}).every(([k, v]) => same(at(gd.layout, k), v));
    return [gd.dataset.panel, traces && layout];
})"""
SHOWN = """() => { const r = document.querySelector('.dl-net-step'), t = '.dl-net-value';
    return {index: +r.value, max: +r.max, text: document.querySelector(t).textContent}; }"""
# Whether every trace of Adam's (its legend group) is ``visible``, in the three views that draw
# Adam (the boundary is one optimizer's network: the first's, here).
ADAM_SHOWN = """(visible) => {
    const plots = [...document.querySelectorAll('.dl-net-plot')];
    const adam = plots.map(gd => gd.data.filter(t => t.legendgroup === 'adam'));
    return adam.filter(traces => traces.length).length === 3
        && adam.every(traces => traces.every(t => (t.visible !== false) === visible))
        && plots.every(gd => gd._fullData.filter(t => t.name.startsWith('Adam'))
            .every(t => (t.visible === true) === visible));
}"""
FRAME_NAME = """(k) => document.querySelector('.dl-net-plot')._transitionData._frames[k].name"""
# ▶ Play started from step 0: the scrubber has come back from the end and moved on past ``n``.
PLAYED_FROM_START = """(n) => { const r = document.querySelector('.dl-net-step');
    return Number(r.value) >= n && Number(r.value) <= Number(r.max) - 5; }"""
# Per view, whether its drawing is its data: each moving dot where its x and y put it, the step
# line at its x, each line of text and the pictures as the data and layout say (the board draws
# a step in place, in the SVG; plotly's own redraw must agree with it).
DRAWN_AS_DATA = """() => [...document.querySelectorAll('.dl-net-plot')].map(gd => {
    const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, wrong = [];
    const near = (a, b) => Math.abs(a - b) < 1;
    gd._fullData.forEach((t, i) => {
        if (t.visible !== true) return;
        const group = gd.querySelector('.trace' + CSS.escape(t.uid));
        const data = gd.data[i];
        if (t.mode === 'markers' && !t.legendgroup.startsWith('data-') && data.x.length === 1) {
            const [px, py] = group.querySelector('path.point').getAttribute('transform')
                .match(/-?[0-9.]+/g).map(Number);
            if (!near(px, xa.c2p(data.x[0])) || !near(py, ya.c2p(data.y[0]))) wrong.push(t.name);
        }
        if (t.name === 'step') {
            const d = group.querySelector('path.js-line').getAttribute('d');
            if (!near(Number(d.match(/-?[0-9.]+/)[0]), xa.c2p(data.x[0]))) wrong.push('step line');
        }
        if (t.mode === 'text') {
            const text = [...group.querySelectorAll('text')].map(n => n.textContent);
            if (JSON.stringify(text) !== JSON.stringify(data.text)) wrong.push(t.name);
        }
    });
    const image = gd.querySelector('.imagelayer image');
    const source = ((gd.layout.images || [])[0] || {}).source;
    if (source && image.getAttribute('href') !== source
        && image.getAttributeNS('http://www.w3.org/1999/xlink', 'href') !== source)
        wrong.push('image');
    return [gd.dataset.panel, wrong];
})"""
# Plotly redraws every view from its own state (its calcdata, not a new calculation).
REPLOT = """() => Promise.all([...document.querySelectorAll('.dl-net-plot')].map(gd =>
    window.Plotly.relayout(gd, {width: gd._fullLayout.width - 2})))"""


def open_board(pg, url: str) -> None:
    open_page(pg, url)
    pg.wait_for_function(BOARD_READY, timeout=90_000)
    settle(pg, timeout=90_000)
    pg.wait_for_function(BOARD_READY, timeout=30_000)  # the settled run's board
    assert_no_exception(pg)


def views(pg) -> dict:
    return pg.evaluate(VIEWS)


def points(shown: dict) -> list[str]:
    """The data's traces (training and test points) in the boundary view ``shown``."""
    return [t for t in shown["boundary"]["traces"] if " data, class " in t]


def assert_every_view_at(pg, index: int) -> None:
    """Every view shows the frame of the scrubber's ``index``, and the scrubber says so."""
    name = pg.evaluate(FRAME_NAME, index)
    shown = pg.evaluate(SHOWN)
    assert shown["index"] == index and shown["text"] == f"step {name}", shown
    assert dict(pg.evaluate(AT_FRAME, name)) == dict.fromkeys(PANELS, True)


def query(pg) -> dict[str, list[str]]:
    return parse_qs(urlparse(pg.url).query)


@pytest.fixture
def laptop(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    pg = context.new_page()
    pg.js_errors = []
    pg.on("pageerror", lambda exc: pg.js_errors.append(str(exc)))
    yield pg
    context.close()


def test_the_four_views_are_drawn_and_play_and_the_scrubber_move_them_in_the_browser(
    laptop, app_url
):
    pg = laptop
    pg.add_init_script(COUNT_SENT)
    open_board(pg, f"{app_url}/network")
    assert pg.locator("h1").first.inner_text().strip() == "Network"
    before = views(pg)
    assert list(before) == list(PANELS)
    assert before["boundary"]["title"].startswith("Decision boundary")
    assert before["boundary"]["image"].startswith("data:image/png;base64,")
    assert before["plane"]["image"].startswith("data:image/png;base64,")  # the loss on it
    assert "PCA plane" in before["plane"]["title"]
    assert before["loss"]["title"].startswith("Loss")
    assert before["sharpness"]["title"].startswith("Sharpness")
    frames = before["boundary"]["frames"]
    assert 2 <= len(frames) <= 60 and frames[0] == "0" and frames[-1] == "500"
    assert all(v["frames"] == frames for v in before.values()), "frames of other names"
    legend = pg.locator(".dl-net-legend button").all_inner_texts()
    assert len(legend) == 3 and [t.split("·")[0].strip()[1:] for t in legend] == [
        "Gradient descent (SGD)",
        "Momentum (heavy ball)",
        "Adam",
    ]
    # The board opens at the last step (the trained network); ▶ Play replays from step 0.
    opened = pg.evaluate(SHOWN)
    assert opened["index"] == opened["max"] and opened["text"] == "step 500", opened
    assert_every_view_at(pg, opened["max"])
    assert "from step 0" in pg.locator(PLAY).get_attribute("aria-label")
    assert "replays from step 0" in pg.locator(PLAY).get_attribute("title")

    # One legend entry hides an optimizer in all four views, and shows it again.
    adam = pg.locator(".dl-net-legend button", has_text="Adam")
    for pressed, visible in (("false", False), ("true", True)):
        adam.click()
        assert adam.get_attribute("aria-pressed") == pressed
        pg.wait_for_function(ADAM_SHOWN, arg=visible, timeout=5_000)

    # ▶ Play: from step 0 the step advances, the boundary's picture and the dots move, then
    # Pause holds.
    pg.locator(PLAY).click()
    pg.wait_for_function(PLAYED_FROM_START, arg=5)
    pg.locator(PLAY).click()  # ❚❚ Pause
    held = pg.evaluate(SHOWN)
    assert pg.locator(PLAY).inner_text().strip() == "▶ Play"
    pg.wait_for_timeout(400)
    assert pg.evaluate(SHOWN) == held, "the step moved after Pause"
    assert_every_view_at(pg, held["index"])
    played = views(pg)
    assert played["boundary"]["image"] != before["boundary"]["image"], "the boundary stood still"
    for panel in ("plane", "loss", "sharpness"):  # their dots and step lines moved
        assert played[panel]["traces"] != before[panel]["traces"], panel

    # The scrubber, by keys and by a drag: every view follows, and nothing goes to the server.
    slider = pg.get_by_role("slider", name="Step shown in every view")
    slider.focus()
    sent = pg.evaluate("window.__dlSent")
    pg.keyboard.press("End")
    assert_every_view_at(pg, held["max"])
    assert pg.evaluate(SHOWN)["text"] == "step 500"
    assert slider.get_attribute("aria-valuetext") == "step 500 of 500"
    pg.keyboard.press("ArrowLeft")
    pg.keyboard.press("ArrowLeft")
    assert_every_view_at(pg, held["max"] - 2)
    box = pg.locator(STEP).bounding_box()
    y = box["y"] + box["height"] / 2
    pg.mouse.move(box["x"] + 0.9 * box["width"], y)
    pg.mouse.down()
    pg.mouse.move(box["x"] + 0.5 * box["width"], y, steps=8)
    pg.mouse.move(box["x"] + 0.25 * box["width"], y, steps=8)
    pg.mouse.up()
    dragged = pg.evaluate(SHOWN)["index"]
    assert 0 < dragged < held["max"] // 2, dragged
    assert_every_view_at(pg, dragged)
    pg.wait_for_timeout(600)  # a debounced message would have gone by now
    assert pg.evaluate("window.__dlSent") == sent, "the scrubber talked to the server"

    # Drawn in place, each view is what its data say, and stays so when plotly redraws it.
    assert dict(pg.evaluate(DRAWN_AS_DATA)) == {panel: [] for panel in PANELS}
    pg.evaluate(REPLOT)
    assert dict(pg.evaluate(DRAWN_AS_DATA)) == {panel: [] for panel in PANELS}
    assert_every_view_at(pg, dragged)
    assert_no_exception(pg)


def test_the_random_slice_is_drawn_by_the_boards_plotly_once_its_expander_opens(laptop, app_url):
    pg = laptop
    open_board(pg, f"{app_url}/network")
    slice_plot = ".dl-net-slice-plot"
    assert not pg.evaluate(f"() => Boolean(document.querySelector('{slice_plot}')._fullData)")
    expander = pg.locator('[data-testid="stExpander"]', has_text="A random slice around")
    expander.locator("summary").click()
    pg.wait_for_function(
        f"""() => {{ const gd = document.querySelector('{slice_plot}');
            return gd._fullData && gd._fullData.some(t => t.type === 'contour')
                && gd.querySelector('.main-svg'); }}""",
        timeout=30_000,
    )
    box = pg.locator(slice_plot).bounding_box()
    assert box["width"] > 300 and box["height"] > 300, box
    assert pg.locator(".stPlotlyChart").count() == 0
    loaded = pg.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    assert not [name for name in loaded if "PlotlyChart" in name], "Streamlit's plotly loaded"
    assert sum("plotly.min.js" in name for name in loaded) == 1
    assert_no_exception(pg)


def test_a_widget_change_reruns_and_redraws_and_its_link_reopens_the_same_view(
    laptop, fresh_page, app_url
):
    pg = laptop
    open_board(pg, f"{app_url}/network")
    before = views(pg)
    pg.locator(".st-key-net_data [role=combobox]").click()
    pg.get_by_role("option", name="Circles", exact=True).click()
    pg.wait_for_function("() => location.search.includes('net_data=circles')", timeout=30_000)
    settle(pg, timeout=60_000)
    pg.wait_for_function(BOARD_READY, timeout=30_000)
    circles = views(pg)
    assert circles["boundary"]["traces"] != before["boundary"]["traces"], "the same data drawn"
    assert circles["boundary"]["image"] != before["boundary"]["image"]

    width = pg.locator(".st-key-net_width input[type=range]")
    width.focus()
    width.press("ArrowRight")  # 8 → 16 units
    pg.wait_for_function("() => location.search.includes('net_width=16')", timeout=30_000)
    settle(pg, timeout=60_000)
    pg.wait_for_function(BOARD_READY, timeout=30_000)
    wider = views(pg)
    assert wider["plane"]["traces"] != circles["plane"]["traces"], "the runs were not redrawn"
    assert points(wider) == points(circles)  # the same data
    assert query(pg)["net_data"] == ["circles"] and query(pg)["net_width"] == ["16"]
    pg.locator(STEP).focus()
    pg.keyboard.press("End")
    shown = views(pg)
    table = pg.locator(".st-key-net_results table").inner_text()
    assert_no_exception(pg)

    # The link in a fresh browser: the same network, runs and figures, the same table.
    other = fresh_page()
    open_board(other, pg.url)
    assert query(other) == query(pg)
    assert other.locator(".st-key-net_data [role=combobox]").input_value() == "Circles"
    width = other.locator(".st-key-net_width input[type=range]")
    assert width.get_attribute("aria-valuetext") == "16"
    other.locator(STEP).focus()
    other.keyboard.press("End")
    reopened = views(other)
    for panel in PANELS:
        assert reopened[panel]["traces"] == shown[panel]["traces"], panel
        assert reopened[panel]["image"] == shown[panel]["image"], panel
    assert other.locator(".st-key-net_results table").inner_text() == table
    assert_no_exception(other)


def test_a_bad_link_gets_notices_and_the_defaults_not_a_traceback(laptop, app_url):
    pg = laptop
    open_board(pg, f"{app_url}/network?net_width=abc&net_opts=zzz&net_steps=-3")
    notices = " ".join(pg.locator('[data-testid="stAlert"]').all_inner_texts())
    for bad in ("net_width=abc", "net_opts=zzz", "net_steps=-3"):
        assert bad in notices, notices
    assert "Traceback" not in pg.locator("body").inner_text()
    assert len(pg.locator(".dl-net-legend button").all()) == 3  # the default optimizers
    written = query(pg)  # the link now says what is shown: no refused value stays in it
    assert "abc" not in written.get("net_width", []) and "zzz" not in written.get("net_opts", [])
    assert written.get("net_steps", ["500"]) == ["500"]
    assert_no_exception(pg)


def test_an_empty_selection_survives_its_link_and_a_reload(laptop, app_url):
    pg = laptop
    open_page(pg, f"{app_url}/network?net_opts=")
    for _ in range(2):  # as opened, then reloaded from the address bar it wrote
        settle(pg)
        assert query(pg).get("net_opts") == ["none"], pg.url
        info = " ".join(pg.locator('[data-testid="stAlert"]').all_inner_texts())
        assert "Pick one or more optimizers" in info, info
        assert pg.locator(".dl-net-plot").count() == 0
        assert_no_exception(pg)
        pg.reload(wait_until="domcontentloaded")


def test_on_a_laptop_the_views_scroll_out_of_sight_under_the_sticky_play_bar(laptop, app_url):
    pg = laptop
    open_board(pg, f"{app_url}/network")
    pg.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollBy(0, 450)")
    pg.wait_for_timeout(300)
    bar = pg.locator(".dl-net-controls").bounding_box()
    grid = pg.locator(".dl-net-grid").bounding_box()
    assert grid["y"] < bar["y"], "the views have not reached the bar"
    above = {"x": grid["x"], "y": 0, "width": grid["width"], "height": bar["y"]}
    shot = Image.open(io.BytesIO(pg.screenshot(clip=above))).convert("L")
    ink = sum(1 for value in shot.get_flattened_data() if value < 200)
    assert ink < 20, f"{ink} dark pixels of the figures show above the Play bar"


def boxes(pg, selector: str) -> list[dict]:
    return pg.evaluate(
        """(sel) => [...document.querySelectorAll(sel)].map(el => {
            const r = el.getBoundingClientRect();
            return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                    width: r.width, height: r.height};
        })""",
        selector,
    )


def overlap(a: dict, b: dict, slack: float = 1.0) -> bool:
    dx = min(a["right"], b["right"]) - max(a["left"], b["left"])
    dy = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return dx > slack and dy > slack


TICKS = """() => [...document.querySelectorAll(
        '.dl-net-plot .xtick text, .dl-net-plot .ytick text')]
    .filter(t => t.textContent.trim()).map(t => parseFloat(getComputedStyle(t).fontSize))"""


def test_presenting_at_1280x720_every_view_fits_the_screen_clear_of_the_controls(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = context.new_page()
    pg.js_errors = []
    pg.on("pageerror", lambda exc: pg.js_errors.append(str(exc)))
    try:
        open_board(pg, f"{app_url}/network?present=true")
        pg.wait_for_timeout(500)  # responsive plots take their boxes' sizes
        side = pg.locator('[data-testid="stSidebar"]').bounding_box()
        assert side is None or side["x"] + side["width"] <= 1, "the sidebar is open"
        plots = boxes(pg, ".dl-net-plot")
        assert len(plots) == 4
        for panel, box in zip(PANELS, plots, strict=True):
            assert box["height"] <= 720, f"{panel} is {box['height']:.0f} px high of 720"
            assert box["right"] <= 1280 + 1, panel
        header = boxes(pg, '[data-testid="stHeader"]')[0]
        for panel, box in zip(PANELS[:2], plots[:2], strict=True):  # the pictures, on screen
            assert box["top"] >= header["bottom"] - 1 and box["bottom"] <= 720 + 1, (panel, box)
        assert plots[0]["height"] >= 0.5 * 720, "the boundary is small on a projector"
        covering = boxes(pg, ".dl-net-controls") + boxes(pg, ".dl-net-legend") + [header]
        for panel, box in zip(PANELS, plots, strict=True):
            for bar in covering:
                assert not overlap(box, bar), f"a control bar covers {panel}: {bar} on {box}"
        for a, b in ((0, 1), (0, 2), (1, 3), (2, 3)):
            assert not overlap(plots[a], plots[b]), (PANELS[a], PANELS[b])
        small = [px for px in pg.evaluate(TICKS) if px < 16]
        assert not small, f"tick labels too small to present: {small}"
        assert_no_exception(pg)
    finally:
        context.close()


# Visible elements of the main area that reach past the screen's right edge (outside a box
# that scrolls sideways on its own, as a table does).
WIDER_THAN_SCREEN = """() => {
    const width = window.innerWidth, out = [];
    const scrolls = (el) => { for (let p = el.parentElement; p; p = p.parentElement) {
        const x = getComputedStyle(p).overflowX;
        if ((x === 'auto' || x === 'scroll' || x === 'hidden') && p.clientWidth < width)
            return true; } return false; };
    for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
        const r = el.getBoundingClientRect();
        if (r.width < 1 || r.height < 1 || r.right <= width + 1 || r.left >= width) continue;
        if (el.closest('details:not([open])') || scrolls(el)) continue;
        out.push(`${el.tagName}.${String(el.className.baseVal ?? el.className).slice(0, 40)}:`
            + ` ${Math.round(r.left)}–${Math.round(r.right)}`);
    }
    return out.slice(0, 10);
}"""


def test_on_a_phone_the_views_stand_in_one_column_and_nothing_runs_off_the_screen(browser, app_url):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    pg = context.new_page()
    pg.js_errors = []
    pg.on("pageerror", lambda exc: pg.js_errors.append(str(exc)))
    try:
        open_board(pg, f"{app_url}/network")
        pg.wait_for_timeout(500)
        side = pg.locator('[data-testid="stSidebar"]').bounding_box()
        assert side is None or side["x"] + side["width"] <= 1, "the sidebar is open"
        plots = boxes(pg, ".dl-net-plot")
        for panel, box in zip(PANELS, plots, strict=True):
            assert box["left"] >= 0 and box["right"] <= 390, (panel, box)
            assert box["width"] >= 0.8 * 390, f"{panel} is {box['width']:.0f} px wide"
        for (a, above), (b, below) in zip(
            zip(PANELS, plots, strict=True),
            list(zip(PANELS, plots, strict=True))[1:],
            strict=False,
        ):
            assert below["top"] >= above["bottom"] - 1, f"{b} is not under {a}"
        settings = boxes(pg, ".st-key-net_data")[0]
        assert plots[0]["top"] < settings["top"], "the settings come before the views"
        # The open optimizer's α right under the views (as the Race's next to its chart), before
        # the notes and the other settings.
        (alpha,) = boxes(pg, ".st-key-net_settings [data-testid=stSlider]")[:1]
        board = boxes(pg, ".dl-net")[0]
        assert 0 <= alpha["top"] - board["bottom"] <= 250, (alpha, board)
        assert alpha["bottom"] < settings["top"]
        notes = boxes(pg, ".st-key-net_figures [data-testid=stCaptionContainer]")
        assert notes and alpha["bottom"] < notes[0]["top"], "the notes come before α"
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
        assert pg.evaluate(WIDER_THAN_SCREEN) == []

        play = pg.locator(PLAY)
        play.scroll_into_view_if_needed()
        box = play.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 30
        play.tap()
        pg.wait_for_function(PLAYED_FROM_START, arg=3)
        play.tap()  # pause
        assert_every_view_at(pg, pg.evaluate(SHOWN)["index"])
        assert_no_exception(pg)
    finally:
        context.close()


def test_the_edge_of_stability_link_opens_the_sharpness_at_its_edge(laptop, app_url):
    lesson = next(lesson for lesson in LESSONS if lesson.id == "edge_of_stability")
    link = lesson.links[0]
    pg = laptop
    open_board(pg, f"{app_url}{link.url(False)}")
    assert urlparse(pg.url).path == "/network"
    alerts = pg.locator('[data-testid="stAlert"]').all_inner_texts()
    assert alerts == [], f"the lesson's link was refused or warned: {alerts}"
    assert "Page not found" not in pg.locator("body").inner_text()
    # The four views on the first screen, the lesson's sharpness among them.
    for panel, box in zip(PANELS, boxes(pg, ".dl-net-plot"), strict=True):
        assert box["top"] >= 0 and box["bottom"] <= 900 + 1, (panel, box)
    sharpness = pg.locator(PLOT.format("sharpness"))
    sharpness.scroll_into_view_if_needed()
    assert sharpness.is_visible()
    traces = pg.evaluate(
        """() => document.querySelector('.dl-net-plot[data-panel=sharpness]')._fullData
            .map(t => [t.name, Array.from(t.y || []).filter(Number.isFinite)])"""
    )
    by_name = {name: y for name, y in traces}
    lr = float(query(pg)["net_sgd_lr"][0])
    edge = stability_edge("sgd", {"lr": lr})  # 2/α for gradient descent
    sgd_edge = by_name["Gradient descent (SGD) edge"]
    assert sgd_edge and all(y == pytest.approx(edge) for y in sgd_edge)
    measured = by_name["Gradient descent (SGD) λ_max"]
    assert len(measured) > 10 and max(measured) >= edge, "GD's sharpness never met its edge"
    assert_no_exception(pg)
