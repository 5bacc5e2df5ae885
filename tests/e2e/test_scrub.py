"""The Race's learning-rate scrubber in a real browser: arrow keys redraw the path before the
server hears of it, the released α reaches the URL and a fresh browser reopens it, κ keeps α
and "Use suggested α" sets the suggestion, and the control is an accessible slider."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from tests.e2e.conftest import TABLE, assert_no_exception, open_page, settle
from webapp.settings import lr_options

BOARD = ".dl-board"
SUGGEST = ".dl-suggest"
SGD = "Gradient descent (SGD)"

# Counts the messages the page sends the server over its websocket (reruns, widget values):
# none sent means no server answer can have come.
COUNT_SENT = """(() => {
    window.__dlSent = 0;
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (...args) {
        window.__dlSent += 1;
        return send.apply(this, args);
    };
})();"""

# A trace of the board's graph div, by its meta ("path-sgd", "dot-sgd"): [x, y, name]; with
# `last`, the trace as the figure's last frame draws it (every path whole). Arrays may be
# plain, typed, or plotly's base64 specs ({dtype, bdata}).
TRACE = """([meta, last]) => {
    const floats = (v) => {
        if (v && v.bdata !== undefined) {
            const raw = atob(v.bdata);
            const bytes = new Uint8Array(raw.length);
            for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
            const Typed = {f4: Float32Array, f8: Float64Array}[v.dtype];
            return Array.from(new Typed(bytes.buffer));
        }
        return Array.from(v);
    };
    const gd = document.querySelector('.dl-plot');
    const i = gd.data.findIndex(t => t.meta === meta);
    if (i < 0) return null;
    let trace = gd.data[i];
    if (last) {
        const frames = gd._transitionData._frames;
        const frame = frames[frames.length - 1];
        const j = frame.traces.indexOf(i);
        if (j < 0) return null;
        trace = {...trace, ...frame.data[j]};
    }
    return [floats(trace.x), floats(trace.y), trace.name];
}"""
# The same, with the number of messages sent so far, read in one go.
TRACE_AND_SENT = f"""(args) => ({{trace: ({TRACE})(args), sent: window.__dlSent}})"""
BOARD_READY = """() => {
    const gd = document.querySelector('.dl-plot');
    const bar = document.querySelector('.dl-scrub');
    return Boolean(gd && gd.data && gd.data.some(t => t.meta === 'path-sgd')
        && gd._transitionData && gd._transitionData._frames.length && bar && !bar.hidden);
}"""
# SGD's legend entry names α ``value`` (its path and dot are redrawn in the same restyle).
NAMES_ALPHA = f"""(alpha) => ({TRACE})(['dot-sgd', false])[2].includes(alpha)"""
# The path on show is the one the server's figure draws whole (its last frame).
SHOWS_SERVER_PATH = f"""() => {{
    const shown = ({TRACE})(['path-sgd', false]), whole = ({TRACE})(['path-sgd', true]);
    return JSON.stringify(shown.slice(0, 2)) === JSON.stringify(whole.slice(0, 2));
}}"""


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def url_lr(page, opt: str = "sgd") -> float:
    return float(query(page)[f"{opt}_lr"][0])


def open_board(page, url: str) -> None:
    open_page(page, url)
    page.wait_for_function(BOARD_READY, timeout=30_000)
    settle(page)
    assert_no_exception(page)


def trace(page, meta: str, *, last: bool = False):
    return page.evaluate(TRACE, [meta, last])


def scrub_slider(page):
    return page.get_by_role("slider", name="learning rate α")


def shown_lr(page) -> str:
    """The α the scrubber's output shows (the output that follows the α slider)."""
    output = scrub_slider(page).locator("xpath=following-sibling::output[1]")
    return output.inner_text().strip()


def table_row(page, prefix: str) -> list[str]:
    """The results table's row whose optimizer name starts with ``prefix``."""
    table = page.locator(TABLE).first
    rows = [
        [c.inner_text().strip() for c in r.locator("td, th").all()]
        for r in table.locator("tbody tr").all()
    ]
    return next(row for row in rows if next(c for c in row if c).startswith(prefix))


def test_arrow_keys_redraw_at_once_then_the_url_and_a_fresh_browser_follow(
    page, fresh_page, app_url
):
    stops = lr_options("sgd")
    page.add_init_script(COUNT_SENT)
    open_board(page, f"{app_url}/race?steps=100")
    initial = url_lr(page)
    k = stops.index(initial)
    new = stops[k + 2]  # two stops of SGD's learning-rate slider above
    slider = scrub_slider(page)
    assert slider.input_value() == str(k)
    assert slider.get_attribute("aria-valuetext") == f"α {initial:g}"
    assert shown_lr(page) == f"{initial:g}"
    before = trace(page, "path-sgd")
    old_whole = trace(page, "path-sgd", last=True)  # the path at the initial α, drawn whole
    assert before[2].startswith(SGD) and f"α {initial:g}" in before[2]

    slider.focus()
    sent = page.evaluate("window.__dlSent")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(NAMES_ALPHA, arg=f"α {new:g}", timeout=5_000)
    local = page.evaluate(TRACE_AND_SENT, ["path-sgd", False])
    # Redrawn in the browser alone: the page has not said a word to the server yet.
    assert local["sent"] == sent, "the path waited for the server"
    assert url_lr(page) == initial
    local_x, local_y, _ = local["trace"]
    assert (local_x, local_y) != (before[0], before[1])
    assert (local_x, local_y) != (old_whole[0], old_whole[1]), "still the initial α's path"
    assert (local_x[0], local_y[0]) == (before[0][0], before[1][0])  # from the same start
    assert slider.input_value() == str(k + 2)
    assert shown_lr(page) == f"{new:g}"
    assert slider.get_attribute("aria-valuetext") == f"α {new:g}"

    # 350 ms after the last key the value goes to the server: it reruns, the URL follows.
    page.wait_for_function(
        "(v) => new URLSearchParams(location.search).get('sgd_lr') === v",
        arg=f"{new:g}",
        timeout=15_000,
    )
    settle(page)
    page.wait_for_function(SHOWS_SERVER_PATH, timeout=15_000)
    assert url_lr(page) == new
    assert shown_lr(page) == f"{new:g}"
    answered = trace(page, "path-sgd")
    assert answered[0] != old_whole[0]
    # The server's run at the new α ends where the browser's path did.
    assert (answered[0][-1], answered[1][-1]) == (local_x[-1], local_y[-1])
    assert f"α {new:g}" in trace(page, "dot-sgd")[2]
    assert f"{new:g}" in table_row(page, SGD)
    assert_no_exception(page)

    # The link, opened in a fresh browser: the same α, the same path, the same table.
    other = fresh_page()
    open_board(other, page.url)
    assert url_lr(other) == new
    dot = trace(other, "dot-sgd")
    assert dot[2].startswith(SGD) and f"α {new:g}" in dot[2]
    assert shown_lr(other) == f"{new:g}"
    assert trace(other, "path-sgd", last=True)[:2] == answered[:2]
    assert f"{new:g}" in table_row(other, SGD)
    assert table_row(other, SGD) == table_row(page, SGD)
    assert_no_exception(other)


def test_kappa_keeps_alpha_and_use_suggested_sets_the_new_suggestion(page, app_url):
    open_board(page, f"{app_url}/race?steps=100")
    kappa = page.locator(".st-key-bowl_kappa input[type=range]")
    assert kappa.get_attribute("aria-valuetext") == "20.00"
    alpha = url_lr(page)
    shown = shown_lr(page)
    assert shown == f"{alpha:g}"
    suggest = page.locator(SUGGEST)
    assert suggest.is_hidden()  # at κ 20 SGD's α is the suggested one

    kappa.focus()
    kappa.press("End")  # κ to its largest, 200, as a keyboard user would
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('bowl_kappa') === '200'",
        timeout=15_000,
    )
    settle(page)
    page.wait_for_function(BOARD_READY, timeout=30_000)
    assert kappa.get_attribute("aria-valuetext") == "200.00"
    assert url_lr(page) == alpha, "κ changed SGD's learning rate"
    assert shown_lr(page) == shown
    assert scrub_slider(page).get_attribute("aria-valuetext") == f"α {shown}"
    suggest.wait_for(state="visible", timeout=15_000)
    named = re.fullmatch(r"Use suggested α (\S+)", suggest.inner_text().strip())
    assert named, suggest.inner_text()
    suggested = named.group(1)
    assert float(suggested) != alpha and float(suggested) in lr_options("sgd")

    suggest.click()
    page.wait_for_function(
        "(v) => new URLSearchParams(location.search).get('sgd_lr') === v",
        arg=suggested,
        timeout=15_000,
    )
    settle(page)
    assert url_lr(page) == float(suggested)
    assert query(page)["bowl_kappa"] == ["200"]
    page.wait_for_function(
        "(v) => [...document.querySelectorAll('.dl-scrub input[type=range]')].some(r =>"
        " r.getAttribute('aria-label').endsWith('learning rate α')"
        " && r.getAttribute('aria-valuetext') === 'α ' + v)",
        arg=suggested,
        timeout=15_000,
    )
    assert shown_lr(page) == suggested
    assert suggest.is_hidden()  # α is the suggested one again
    assert f"α {suggested}" in trace(page, "dot-sgd")[2]
    assert_no_exception(page)


def test_the_scrubber_is_an_accessible_slider_named_for_its_optimizer(page, app_url):
    open_board(page, f"{app_url}/race?steps=100")
    alpha = f"{url_lr(page):g}"
    slider = page.get_by_role("slider", name=f"{SGD} learning rate α", exact=True)
    assert slider.count() == 1
    assert slider.get_attribute("aria-valuetext") == f"α {alpha}"
    label = page.locator(f"{BOARD} label", has_text="learning rate α")
    assert f"{SGD}: learning rate α" in label.inner_text()  # and a visible label says so
    slider.focus()  # reachable by the keyboard
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
        f"{SGD} learning rate α"
    )

    # The open optimizer's settings choose whose α it scrubs: its name follows.
    open_board(page, f"{app_url}/race?steps=100&race_tune=adam")
    adam = page.get_by_role("slider", name="Adam learning rate α", exact=True)
    assert adam.count() == 1
    assert page.get_by_role("slider", name=f"{SGD} learning rate α").count() == 0
    assert adam.get_attribute("aria-valuetext") == f"α {url_lr(page, 'adam'):g}"
    assert_no_exception(page)


IMAGE = "() => document.querySelector('.dl-plot').layout.images[0].source"


def test_kappa_scrubs_the_contour_and_every_path_at_once_and_keeps_alpha(page, app_url):
    page.add_init_script(COUNT_SENT)
    open_board(page, f"{app_url}/race?steps=100")
    kappa = page.get_by_role("slider", name="Ill-conditioned bowl condition number κ")
    assert kappa.get_attribute("aria-valuetext") == "κ 20"
    before = {"image": page.evaluate(IMAGE), "sgd": trace(page, "path-sgd", last=True)}
    alpha = url_lr(page)
    kappa.focus()  # the hand reaches for it: κ's family (fifteen bowls' runs) is asked for once
    page.wait_for_function(
        "() => (window.__dlFamiliesLatest || {families: {}}).families['surface:kappa']",
        timeout=30_000,
    )
    settle(page)
    sent = page.evaluate("() => window.__dlSent")
    for _ in range(4):  # 20 → 30 → 50 → 70 → 100: a valley five times narrower
        page.keyboard.press("ArrowRight")
    page.wait_for_function(f"(before) => ({IMAGE})() !== before", arg=before["image"])
    assert page.evaluate("() => window.__dlSent") == sent, "the contour waited for the server"
    assert kappa.get_attribute("aria-valuetext") == "κ 100"
    assert trace(page, "path-sgd")[:2] != before["sgd"][:2]  # SGD's path is the new bowl's
    page.wait_for_function("() => location.search.includes('bowl_kappa=100')", timeout=15_000)
    settle(page)
    assert url_lr(page) == alpha, "κ changed SGD's learning rate"
    assert_no_exception(page)
