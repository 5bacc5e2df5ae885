"""Browser benchmark: the project against a floor app, in Debian's chromium, as ratios.

The floor is the least a Streamlit page with a chart can cost on this machine: a bare app (one
small Plotly chart under one slider), written to a temporary directory at run time. Both apps
are served the same way (``streamlit run``, loopback only, no file watcher) and measured in
turns — floor, project, floor, project … — so a load spike on this shared machine hits both.
Every cold measurement gets a fresh server (nothing imported, nothing cached) and a fresh
browser context (no HTTP cache). Absolute times vary with the load; the ratios hold.

What is measured (median of the repetitions):

* first chart: navigation start → the Plotly chart's main SVG drawn, for the floor, the
  project's default view (``/``), all 14 optimizers × 500 steps on the Race, and the Step by
  step page opened directly (``/step``);
* slider: a slider focused, ArrowRight pressed → the chart redrawn (the floor's slider, and the
  first optimizer's learning rate on the 14 × 500 Race);
* contour click → the chart redrawn, on the Race and on Curvature;
* page switch: a click on a sidebar link → the new page's chart drawn (Race → Step by step, its
  first visit in the session, and Step by step → Curvature);
* Step by step: "Next ▶" clicked → the step chart redrawn;
* scrub α: on the 14 × 500 Race, the board's learning-rate scrubber (``webapp/board``) focused
  and ten arrow keys pressed ``SCRUB_EVERY_MS`` apart, six one way and four back; each key, from
  its ``keydown`` (a capture listener on the document) to the board's ``dl-drawn`` event after
  which the path holds that key's family member (the same x values) — in the browser, no round
  trip (the board redraws the traces' SVG in place, or with a zero-length animation frame; the
  event is dispatched once that is done, before the paint). Reported:
  p50 and p95 of every key of every repetition, p95 over the floor slider's median, and the
  websocket frames the page sent from just before the first key to 1 s after the last (the
  debounced release: one expected; more if a busy page let its 350 ms pass between two keys).
* Network: navigation start → the Network page's board (``webapp/netboard``) has drawn its four
  figures (``/network``, its default view, on a fresh server); then its step scrubber focused
  and ten arrow keys pressed as for the scrub α, each from its ``keydown`` to the
  ``plotly_animated`` event of all four figures (every view at that key's step), and the
  websocket frames sent meanwhile (none expected: the board never calls the server).

How "drawn" and "redrawn" are detected: in the page, before the action, the chart's graph div
(``.js-plotly-plot``) and its ``_fullData`` array are remembered with ``performance.now()``.
The action is done (a click from JavaScript, a key press from Playwright), then
``wait_for_function`` polls on every animation frame until the chart's graph div is another
element (Streamlit remounted it) or holds another ``_fullData`` (plotly.js re-plotted it), with
traces and its ``.main-svg`` in the DOM; the time is ``performance.now()`` at that frame. A
first chart is timed from navigation start (``performance.now()`` counts from it).

    python bench/bench_browser.py            # 5 repetitions
    python bench/bench_browser.py --quick    # 2 repetitions
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
sys.path.insert(0, str(ROOT))
from optim_core import OPTIMIZERS  # noqa: E402  (the ids only; no page is imported)
from tests._serve import free_port, stop, streamlit, wait_healthy  # noqa: E402

ALL = list(OPTIMIZERS)
RACE_ALL = "/race?" + "&".join(f"race_opts={o}" for o in ALL) + "&steps=500"
TIMEOUT_MS = 120_000  # a first chart took 30–40 s at a load of 20–30 on 2 cores
BOOT_TIMEOUT_S = 60

FLOOR_APP = """
import numpy as np
import plotly.graph_objects as go
import streamlit as st

n = st.slider("Points", 2, 60, 20)
x = np.linspace(0, 1, n)
st.plotly_chart(go.Figure(go.Scatter(x=x, y=x**2, mode="lines+markers")), key="floor")
"""

RACE_CHART = ".dl-board .js-plotly-plot"  # the Race's board (``webapp/board``)
STEP_CHART = ".st-key-step_chart .js-plotly-plot"
CURV_CHART = ".st-key-curv_chart .js-plotly-plot"
FLOOR_CHART = ".js-plotly-plot"

_MARK = """sel => {
  const gd = document.querySelector(sel);
  window.__bench = {t0: performance.now(), gd: gd, fd: gd && gd._fullData};
}"""
_CHANGED = """sel => {
  const s = window.__bench, gd = document.querySelector(sel);
  if (!gd || !gd._fullData || !gd._fullData.length || !gd.querySelector('.main-svg')) return 0;
  if (gd === s.gd && gd._fullData === s.fd) return 0;
  return performance.now() - s.t0;
}"""
_IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const state = app && app.getAttribute('data-test-script-state');
  return Boolean(state && state !== 'initial' && state !== 'running'
    && !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]'));
}"""
_SCRUB_WATCH = """range => {
  const root = range.closest('.dl-board'), gd = root.querySelector('.dl-plot');
  const rec = window.__scrub = {keys: [], restyles: []};
  document.addEventListener('keydown', e => {
    if (e.target === range) rec.keys.push({t: performance.now()});
  }, true);
  range.addEventListener('input', () => {  // the family member this key's value shows
    const message = window.__dlFamiliesLatest, key = rec.keys[rec.keys.length - 1];
    if (!key || key.member || !message) return;
    const rows = message.rows || [], name = range.getAttribute('aria-label');
    const row = rows.find(r => `${r.name} ${r.label}` === name) || rows[0];
    const family = row && message.families[row.family];
    key.member = family && family.members[Number(range.value)];
    rec.opt = row && row.opt;
  }, true);
  gd.addEventListener('dl-drawn', () => {  // the board has drawn a member: the path's x now
    const path = gd.data.find(t => t.meta === 'path-' + (rec.opt || 'sgd'));
    rec.restyles.push({t: performance.now(), x: path ? Array.from(path.x) : null});
  });
}"""
_SCRUB_DELAYS = """() => {  // each key: its member's path restyled, ms after the keydown (or null)
  const rec = window.__scrub;
  const same = (a, b) =>
    a && b && a.length === b.length && Array.from(a).every((v, i) => v === b[i]);
  return rec.keys.map(k => {
    const r = k.member && rec.restyles.find(r => r.t >= k.t && same(r.x, k.member.xs));
    return r ? [k.t, r.t - k.t] : [k.t, null];
  });
}"""
_DRAWN = """sel => {
  const gd = document.querySelector(sel);
  if (!gd || !gd._fullData || !gd._fullData.length || !gd.querySelector('.main-svg')) return 0;
  return performance.now();
}"""


@contextmanager
def server(app: Path, cwd: Path):
    """A fresh ``streamlit run`` of ``app`` on a free loopback port (``tests/_serve.py``, as the
    browser tests serve it); yields its URL; stopped at the end."""
    port = free_port()
    proc = streamlit(port, subprocess.DEVNULL, app=app, cwd=cwd)
    try:
        yield wait_healthy(f"http://127.0.0.1:{port}", [proc], seconds=BOOT_TIMEOUT_S)
    finally:
        stop([proc])


def first_chart(page, url: str, selector: str, drawn: str = _DRAWN) -> float:
    """Seconds from navigation start to the chart drawn (``drawn`` tells when)."""
    page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    handle = page.wait_for_function(drawn, arg=selector, polling="raf", timeout=TIMEOUT_MS)
    return handle.json_value() / 1000


def redrawn_after(page, selector: str, act) -> float:
    """Seconds from ``act()`` to the chart redrawn (see the module note)."""
    page.evaluate(_MARK, selector)
    act()
    handle = page.wait_for_function(_CHANGED, arg=selector, polling="raf", timeout=TIMEOUT_MS)
    seconds = handle.json_value() / 1000
    page.wait_for_timeout(300)  # let the rest of the rerun land before the next action
    return seconds


def _js_click(page, selector: str):
    """Wait for ``selector`` (outside the timed span), then return a click from JavaScript (no
    Playwright round trip inside the timed span)."""
    page.locator(selector).first.wait_for(timeout=TIMEOUT_MS)
    return lambda: page.evaluate("sel => document.querySelector(sel).click()", selector)


def _slider_press(page, container: str):
    thumb = page.locator(f"{container} [data-testid=stSlider] input[type=range]").first
    thumb.focus()
    return lambda: page.keyboard.press("ArrowRight")


def _contour_click(page, selector: str, fx: float, fy: float):
    box = page.locator(f"{selector} .nsewdrag").first.bounding_box()
    x, y = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
    return lambda: page.mouse.click(x, y)


CLICK_SPOTS = ((0.3, 0.35), (0.65, 0.6), (0.4, 0.7))
SCRUB = "scrub α, Race 14 × 500"
SCRUB_SENT = "scrub α websocket messages sent"
SCRUB_GAP = "scrub α longest gap between keys"
SCRUB_LABEL = f"{OPTIMIZERS[ALL[0]].name} learning rate α"  # the first optimizer's α
SCRUB_RANGE = f".dl-board .dl-scrub input[type=range][aria-label='{SCRUB_LABEL}']"
SCRUB_KEYS, SCRUB_EVERY_MS, SCRUB_AFTER_MS = 10, 200, 1000
NET_PLOTS = ".dl-net-plot"  # the Network board's four figures
NET_FIRST = "Network first chart"
NET_SCRUB = "scrub step, Network"
NET_SCRUB_SENT = "scrub step websocket messages sent"
_NET_DRAWN = """sel => {
  const plots = [...document.querySelectorAll(sel)];
  const drawn = gd => gd._fullData && gd._fullData.length && gd.querySelector('.main-svg');
  return plots.length === 4 && plots.every(drawn) ? performance.now() : 0;
}"""
_NET_SCRUB_WATCH = """range => {  // each key: ms from its keydown to all four figures animated
  const rec = window.__netScrub = {keys: []};
  const plots = [...range.closest('.dl-net').querySelectorAll('.dl-net-plot')];
  document.addEventListener('keydown', e => {
    if (e.target === range) rec.keys.push({t: performance.now(), seen: 0, ms: null});
  }, true);
  plots.forEach(gd => gd.on('plotly_animated', () => {
    const key = rec.keys[rec.keys.length - 1];
    if (key && key.ms === null && ++key.seen === plots.length) key.ms = performance.now() - key.t;
  }));
}"""


def scrub(page, frames: list) -> dict[str, list[float]]:
    """The scrub measure (see the module note) on a Race already drawn; ``frames``: one entry
    per websocket frame the page sent (filled by a ``framesent`` handler)."""
    page.locator(".dl-plot .main-svg").first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function(_IDLE, timeout=TIMEOUT_MS)  # the first run over, nothing pending
    range_ = page.locator(SCRUB_RANGE).first
    range_.wait_for(timeout=TIMEOUT_MS)
    value, top = int(range_.input_value()), int(range_.get_attribute("max"))
    there, back = ("ArrowRight", "ArrowLeft") if value + 6 <= top else ("ArrowLeft", "ArrowRight")
    range_.evaluate(_SCRUB_WATCH)
    range_.focus()
    page.wait_for_timeout(300)  # any frame already on its way is dispatched before the count
    sent_before = len(frames)
    start = time.monotonic()
    for i, key in enumerate([there] * 6 + [back] * (SCRUB_KEYS - 6)):
        time.sleep(max(0.0, start + i * SCRUB_EVERY_MS / 1000 - time.monotonic()))
        page.keyboard.press(key)
    page.wait_for_timeout(SCRUB_AFTER_MS)
    sent = len(frames) - sent_before
    keys = page.evaluate(_SCRUB_DELAYS)
    if len(keys) != SCRUB_KEYS or any(ms is None for _, ms in keys):
        raise RuntimeError(f"keys seen and redrawn (ms): {keys}")
    delays = [ms / 1000 for _, ms in keys]
    gap = max(b - a for (a, _), (b, _) in pairwise(keys)) / 1000
    page.wait_for_function(_IDLE, timeout=TIMEOUT_MS)  # the release's rerun, before the rest
    page.wait_for_timeout(500)
    return {SCRUB: delays, SCRUB_SENT: [sent], SCRUB_GAP: [gap]}


def net_scrub(page, frames: list) -> dict[str, list[float]]:
    """The Network board's step scrubber (see the module note), on a board already drawn (it
    opens at the last step: the keys go back first, then forward); ``frames`` as for
    ``scrub``."""
    page.wait_for_function(_IDLE, timeout=TIMEOUT_MS)
    range_ = page.locator(".dl-net-step").first
    page.wait_for_function("() => Number(document.querySelector('.dl-net-step').max) > 6")
    range_.evaluate(_NET_SCRUB_WATCH)
    range_.focus()
    page.wait_for_timeout(300)
    sent_before = len(frames)
    start = time.monotonic()
    value, top = int(range_.input_value()), int(range_.get_attribute("max"))
    there, back = ("ArrowRight", "ArrowLeft") if value + 6 <= top else ("ArrowLeft", "ArrowRight")
    for i, key in enumerate([there] * 6 + [back] * (SCRUB_KEYS - 6)):
        time.sleep(max(0.0, start + i * SCRUB_EVERY_MS / 1000 - time.monotonic()))
        page.keyboard.press(key)
    page.wait_for_timeout(SCRUB_AFTER_MS)
    keys = page.evaluate("() => window.__netScrub.keys.map(k => k.ms)")
    if len(keys) != SCRUB_KEYS or None in keys:
        raise RuntimeError(f"keys seen and redrawn (ms): {keys}")
    return {NET_SCRUB: [ms / 1000 for ms in keys], NET_SCRUB_SENT: [len(frames) - sent_before]}


def measure(reps: int, project: Path = ROOT) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {}
    failures: list[str] = []

    def add(name: str, seconds: float) -> None:
        times.setdefault(name, []).append(seconds)
        shown = f"{seconds:.0f}" if name in (SCRUB_SENT, NET_SCRUB_SENT) else f"{seconds:.3f} s"
        print(f"  {name}: {shown}", file=sys.stderr)

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        floor = Path(tmp) / "floor.py"
        floor.write_text(FLOOR_APP)
        app = project / "app.py"
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )

        def fresh_page():
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            return context, context.new_page()

        def attempt(name: str, measure_it) -> None:
            """One measurement (seconds, or lists of values by name); a failure is reported
            and the run goes on."""
            try:
                result = measure_it()
            except Exception as err:  # a Playwright timeout or a missing element
                failures.append(f"{name}: {type(err).__name__}: {str(err).splitlines()[0]}")
                print(f"  {name}: FAILED {failures[-1]}", file=sys.stderr)
                return
            for key, values in (result if isinstance(result, dict) else {name: [result]}).items():
                for value in values:
                    add(key, value)

        nav = "[data-testid=stSidebarNav] a"

        def contour_clicks(name: str, page, selector: str) -> None:
            for fx, fy in CLICK_SPOTS[:2]:
                attempt(
                    name,
                    lambda fx=fx, fy=fy: redrawn_after(
                        page, selector, _contour_click(page, selector, fx, fy)
                    ),
                )

        def repetition() -> None:
            # The floor: first chart, then its slider.
            with server(floor, Path(tmp)) as url:
                context, page = fresh_page()
                attempt("floor first chart", lambda: first_chart(page, url, FLOOR_CHART))
                for _ in range(3):
                    attempt(
                        "floor slider",
                        lambda: redrawn_after(page, FLOOR_CHART, _slider_press(page, "")),
                    )
                context.close()
            # The project's default view, then Step by step (first visit) and Curvature.
            with server(app, project) as url:
                context, page = fresh_page()
                attempt(
                    "default view first chart", lambda: first_chart(page, url + "/", RACE_CHART)
                )
                page.wait_for_timeout(500)
                attempt(
                    "page switch Race → Step by step (first visit)",
                    lambda: redrawn_after(
                        page, STEP_CHART, _js_click(page, f"{nav}[href$='/step']")
                    ),
                )
                page.wait_for_timeout(500)
                for _ in range(3):
                    attempt(
                        "Step by step Next ▶",
                        lambda: redrawn_after(
                            page, STEP_CHART, _js_click(page, ".st-key-step_next button")
                        ),
                    )
                attempt(
                    "page switch Step by step → Curvature",
                    lambda: redrawn_after(
                        page, CURV_CHART, _js_click(page, f"{nav}[href$='/curvature']")
                    ),
                )
                page.wait_for_timeout(500)
                contour_clicks("contour click, Curvature", page, CURV_CHART)
                context.close()
            # All 14 optimizers × 500 steps: first chart, scrub α, slider, contour click.
            with server(app, project) as url:
                context, page = fresh_page()
                frames: list = []  # websocket frames sent by the page
                page.on(
                    "websocket",
                    lambda ws: ws.on("framesent", lambda frame: frames.append(len(frame))),
                )
                attempt(
                    "Race 14 × 500 first chart",
                    lambda: first_chart(page, url + RACE_ALL, RACE_CHART),
                )
                page.wait_for_timeout(500)
                attempt(SCRUB, lambda: scrub(page, frames))
                for _ in range(3):
                    attempt(
                        "Race 14 × 500 slider",
                        lambda: redrawn_after(
                            page, RACE_CHART, _slider_press(page, ".st-key-race_settings")
                        ),
                    )
                contour_clicks("contour click, Race 14 × 500", page, RACE_CHART)
                context.close()
            # The Network page's default view: its board's four figures, then its step scrubber.
            with server(app, project) as url:
                context, page = fresh_page()
                frames = []
                page.on(
                    "websocket",
                    lambda ws: ws.on("framesent", lambda frame: frames.append(len(frame))),
                )
                attempt(
                    NET_FIRST, lambda: first_chart(page, url + "/network", NET_PLOTS, _NET_DRAWN)
                )
                attempt(NET_SCRUB, lambda: net_scrub(page, frames))
                context.close()
            # Step by step opened directly on a fresh server.
            with server(app, project) as url:
                context, page = fresh_page()
                attempt(
                    "Step by step first chart (direct)",
                    lambda: first_chart(page, url + "/step", STEP_CHART),
                )
                context.close()

        for rep in range(reps):
            print(f"repetition {rep + 1}/{reps}", file=sys.stderr)
            repetition()
        browser.close()
    for failure in failures:
        print(f"failed: {failure}")
    return times


# (measure, floor it is divided by or None, target, target is a ratio)
REPORT = (
    ("floor first chart", None, None, False),
    ("floor slider", None, None, False),
    ("default view first chart", "floor first chart", 1.3, True),
    ("Race 14 × 500 first chart", "floor first chart", 1.3, True),
    (NET_FIRST, "floor first chart", 1.3, True),
    ("Race 14 × 500 slider", "floor slider", 3.0, True),
    ("contour click, Race 14 × 500", None, 1.0, False),
    ("contour click, Curvature", None, 1.0, False),
    ("page switch Step by step → Curvature", "floor first chart", 1.5, True),
    ("page switch Race → Step by step (first visit)", None, 3.0, False),
    ("Step by step first chart (direct)", "floor first chart", None, True),
    ("Step by step Next ▶", None, 0.5, False),
)


def _scrub_summary(times: dict[str, list[float]], name: str, sent_key: str) -> str:
    """A scrub measure's keys, p50 and p95 (against the floor's slider → redraw median, whose
    0.25× is the budget) and the websocket messages sent per repetition."""
    delays = sorted(times[name])
    p50 = statistics.median(delays)
    p95 = statistics.quantiles(delays, n=20, method="inclusive")[18]
    floor = statistics.median(times["floor slider"]) if "floor slider" in times else None
    ratio = f" = {p95 / floor:.2f} × the floor's slider→redraw median (≤ 0.25×)" if floor else ""
    sent = ", ".join(f"{n:.0f}" for n in times.get(sent_key, []))
    return (
        f"{SCRUB_KEYS} keys × {len(delays) // SCRUB_KEYS} repetitions, {SCRUB_EVERY_MS} ms "
        f"apart): p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms{ratio}; {sent} websocket "
        "messages sent"
    )


def report(times: dict[str, list[float]], load_before, load_after, reps: int) -> None:
    print(f"Browser benchmark, median of {reps} repetitions (chromium, 1280 × 900)\n")
    print("| measure | median | × floor | target | |")
    print("|---|---:|---:|---:|---|")
    for name, floor, target, is_ratio in REPORT:
        if name not in times:
            continue
        median = statistics.median(times[name])
        ratio = median / statistics.median(times[floor]) if floor else None
        shown_ratio = f"{ratio:.2f}×" if ratio is not None else ""
        if target is None:
            verdict, shown_target = "", ""
        elif is_ratio:
            verdict, shown_target = ("✅" if ratio <= target else "❌"), f"≤ {target}×"
        else:
            verdict, shown_target = ("✅" if median <= target else "❌"), f"≤ {target} s"
        print(f"| {name} | {median:.2f} s | {shown_ratio} | {shown_target} | {verdict} |")
    if SCRUB in times:
        gap = max(times.get(SCRUB_GAP, [0])) * 1000
        print(
            f"\nscrub α (14 × 500, {_scrub_summary(times, SCRUB, SCRUB_SENT)} (per repetition; "
            f"longest gap between key downs {gap:.0f} ms)"
        )
    if NET_SCRUB in times:
        print(f"\nscrub step, Network (4 views, {_scrub_summary(times, NET_SCRUB, NET_SCRUB_SENT)}")
    loads = ", ".join(f"{v:.1f}" for v in load_before)
    after = ", ".join(f"{v:.1f}" for v in load_after)
    print(f"\nLoad average (1, 5, 15 min): {loads} before, {after} after; {os.cpu_count()} cores.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 repetitions instead of 5")
    parser.add_argument("--reps", type=int, default=None, help="repetitions")
    parser.add_argument(
        "--project", type=Path, default=ROOT, help="the tree to serve (e.g. an older checkout)"
    )
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"no {CHROMIUM}: nothing to measure")
    reps = args.reps or (2 if args.quick else 5)
    load_before = os.getloadavg()
    times = measure(reps, args.project.resolve())
    report(times, load_before, os.getloadavg(), reps)


if __name__ == "__main__":
    main()
