"""Benchmark of the Race page (budgets from DESIGN.md), printed as a markdown table.

For 14 optimizers × 500 steps on the default surface:

1. Server time of a rerun after one slider change (Adam's learning rate), median of several
   reruns, measured two ways: a whole script run through AppTest (every widget, the run
   lookups, the figure, its serialization and AppTest's own bookkeeping) — once for new values
   (Adam's 500 steps are computed, the other 13 runs come from the cache) and once for values
   seen before (all cached) — and the page's own work alone (the 14 cached runs looked up, the
   race figure built and serialized as st.plotly_chart does, the table).
2. The race figure's JSON size (what its board sends the browser).
3. The default view's rerun after a new start point: every run computed (issue #11: ≤ 80 ms).

The browser side (first chart, slider, clicks, page switches against a floor app) is
``bench/bench_browser.py``. No page is imported here: the app runs through AppTest, the page's
work is rebuilt from optim_core and viz.

    python bench/bench_app.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

import plotly.io as pio  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from optim_core import OPTIMIZERS, run, suggest_lr  # noqa: E402
from surfaces import get_surface  # noqa: E402
from teach.results import race_results  # noqa: E402
from viz.race import race_figure  # noqa: E402

APP = ROOT / "router.py"  # the entry script (app.py is its server)
STEPS = 500
REPEATS = 9
BUDGET_RERUN_MS = 100
BUDGET_JSON_MB = 0.5
BUDGET_DEFAULT_MS = 80  # issue #11: an uncached default Race rerun
ALL = list(OPTIMIZERS)


def _median_ms(times: list[float]) -> float:
    return 1000 * statistics.median(times)


def rerun_through_apptest() -> tuple[float, float, int]:
    """Median AppTest reruns after changing Adam's learning rate: to a value seen before (all
    14 runs cached) and to a new one (Adam's run computed, 13 cached); the chart's JSON size."""
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params.update({"race_opts": ALL, "steps": str(STEPS)})
    at.run()
    at.selectbox(key="race_tune").set_value("adam").run()  # Adam's settings open
    assert not at.exception, at.exception
    options = [float(v) for v in at.select_slider(key="adam_lr").options]  # shown as "0.05"…
    first = options.index(at.select_slider(key="adam_lr").value)
    fresh = iter(options[first - 1 :: -1] + options[first + 1 :])  # never run yet

    def rerun_after(value: float) -> float:
        at.select_slider(key="adam_lr").set_value(value)
        begin = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - begin
        assert not at.exception, at.exception
        return elapsed

    new = [rerun_after(next(fresh)) for _ in range(REPEATS)]
    seen = [rerun_after(options[first + (i % 2)]) for i in range(REPEATS + 2)][2:]
    # the Race's figure goes to the browser in its board (a v2 component's bytes)
    (board,) = [e for e in at.get("bidi_component") if e.proto.id.endswith("race_board")]
    return _median_ms(seen), _median_ms(new), len(board.proto.bytes)


def page_work() -> tuple[float, float]:
    """The page's own work, warm, without the page (benches never import a page): the 14 runs
    looked up in a dict (as the cache does), the race figure built and serialized as
    st.plotly_chart does (``to_dict``, then JSON), the results table."""
    surface = get_surface("bowl")
    start = tuple(float(v) for v in surface.start)
    cache = {
        opt: run(surface, opt, start=start, steps=STEPS, lr=suggest_lr(opt, surface, start))
        for opt in ALL
    }
    look, build = [], []
    for _ in range(REPEATS):
        begin = time.perf_counter()
        runs = {opt: cache[opt] for opt in ALL}
        middle = time.perf_counter()
        fig = race_figure(surface, runs, start=start)
        pio.to_json(fig.to_dict(), validate=False)
        race_results(surface, runs, 1e-4).table()
        build.append(time.perf_counter() - middle)
        look.append(middle - begin)
    return _median_ms(look), _median_ms(build)


def default_rerun_uncached() -> float:
    """Median AppTest rerun of the default view after typing a new start point x₀: every run
    of the view is computed (nothing cached), the figure and table are new (issue #11)."""
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    times = []
    for i in range(REPEATS + 1):
        at.number_input(key="x0").set_value(round(-1.0 + 0.0137 * (i + 1), 4))
        begin = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - begin)
        assert not at.exception, at.exception
    return _median_ms(times[1:])


def main() -> None:
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    default_ms = default_rerun_uncached()
    rerun_ms, new_ms, spec_bytes = rerun_through_apptest()
    lookup_ms, build_ms = page_work()

    def verdict(ok: bool) -> str:
        return "✅" if ok else "❌"

    print(f"Race page, {len(ALL)} optimizers × {STEPS} steps; reruns: median of {REPEATS}\n")
    print("| measure | value | budget | |")
    print("|---|---:|---:|---|")
    print(
        f"| default view, rerun after a new start point (every run computed), whole script "
        f"via AppTest | {default_ms:.0f} ms | ≤ {BUDGET_DEFAULT_MS} ms "
        f"| {verdict(default_ms <= BUDGET_DEFAULT_MS)} |"
    )
    print(
        f"| rerun after a slider change (Adam's α to a new value: its run is computed, the "
        f"13 others come from the cache), whole script via AppTest | {new_ms:.0f} ms "
        f"| ≤ {BUDGET_RERUN_MS} ms | {verdict(new_ms <= BUDGET_RERUN_MS)} |"
    )
    print(
        f"| rerun after a slider change back to a value seen before (all 14 runs cached), "
        f"whole script via AppTest | {rerun_ms:.0f} ms "
        f"| ≤ {BUDGET_RERUN_MS} ms | {verdict(rerun_ms <= BUDGET_RERUN_MS)} |"
    )
    page_ms = lookup_ms + build_ms
    print(
        f"| … the page's own work: {len(ALL)} cached-run lookups {lookup_ms:.0f} ms + figure "
        f"build, serialization and table {build_ms:.0f} ms | {page_ms:.0f} ms "
        f"| ≤ {BUDGET_RERUN_MS} ms | {verdict(page_ms <= BUDGET_RERUN_MS)} |"
    )
    mb = spec_bytes / 1e6
    print(
        f"| race figure JSON | {mb:.3f} MB | ≤ {BUDGET_JSON_MB} MB "
        f"| {verdict(mb <= BUDGET_JSON_MB)} |"
    )
    print(f"\nLoad average while measuring (1, 5, 15 min): {load}; {os.cpu_count()} cores.")


if __name__ == "__main__":
    main()
