"""Benchmark of the Learning-rate lab at its largest setting, printed as a markdown table.

For a 64 × 64 learning-rate × momentum grid of 500 steps (heavy-ball momentum):

1. The page's own work with a cold cache (plotly's one-time set-up done before): the one
   batched run of 4096 members and its outcome arrays (``optim_core.grid.grid_sweep``), the
   outcome figure built and serialized as st.plotly_chart does, the picked cell's run with its
   two figures, and — on the bowl — the theory section (measured and predicted rates).  No page
   is imported: the work is rebuilt from ``optim_core.grid`` and ``viz.lr_lab``.  The rotation
   comparison is listed apart: it is cached by κ and tolerance, so a grid change never
   recomputes it.
2. A whole rerun through AppTest with warm caches (the "Colour by" radio flips between final
   loss and steps to tolerance: both come from the same cached grid), median of reruns.

Budget: a rerun ≤ 0.5 s of server time.

    python bench/bench_lr_lab.py
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

import plotly.graph_objects as go  # noqa: E402
import plotly.io as pio  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from optim_core import grid as core  # noqa: E402
from optim_core import run, suggest_lr  # noqa: E402
from surfaces import SURFACES, get_surface  # noqa: E402
from viz._base import style  # noqa: E402
from viz.lr_lab import (  # noqa: E402
    loss_curves_figure,
    outcome_figure,
    rotation_figure,
    trajectory_figure,
)

N, STEPS, OPTIMIZER, TOL = 64, 500, "momentum", 1e-6  # TOL: relative, as the page's
LR_SPAN = 30.0  # the page's default range: the suggested α ÷ 30 … × 30
REPEATS = 5
BUDGET_S = 0.5


def _serialize(fig) -> int:
    return len(pio.to_json(fig.to_dict(), validate=False))


def cold_page_work(surface_id: str) -> dict[str, float]:
    """Seconds of each piece of the page's work for a fresh grid, rebuilt from optim_core.grid
    and viz.lr_lab as the page composes them (no page is imported; nothing is cached here)."""
    surface = get_surface(surface_id)
    start = tuple(float(v) for v in surface.start)
    center = suggest_lr(OPTIMIZER, surface, start)
    times = {}
    begin = time.perf_counter()
    grid = core.grid_sweep(
        surface, OPTIMIZER, start, (center / LR_SPAN, center * LR_SPAN), N, STEPS, TOL
    )
    times["grid: run_batch of 4096 × 500 steps + outcomes"] = time.perf_counter() - begin
    begin = time.perf_counter()
    theory = core.surface_theory(surface)
    pick = core.best_cell(grid)
    overlay = core.theory_overlay(OPTIMIZER, theory, grid.seconds)
    figure = outcome_figure(grid, metric="loss", steps=STEPS, overlay=overlay, pick=pick)
    size = _serialize(figure)
    times[f"outcome figure: build + JSON ({size / 1e6:.2f} MB)"] = time.perf_counter() - begin
    begin = time.perf_counter()
    t = run(surface, OPTIMIZER, start=start, steps=STEPS, lr=pick.lr, momentum=pick.second)
    _serialize(trajectory_figure(surface, t.path, optimizer=OPTIMIZER, label="pick"))
    curve = core.measured_curve("pick", t, grid.f_ref, OPTIMIZER)
    _serialize(loss_curves_figure([curve], title="pick"))
    times["picked run + its two figures"] = time.perf_counter() - begin
    if theory is not None:
        begin = time.perf_counter()
        curves = core.predicted_curves(
            surface, start, theory, STEPS, grid.f_ref, ("sgd", "momentum")
        )
        _serialize(loss_curves_figure(curves, title="theory"))
        times["theory: measured runs + predicted rates + figure"] = time.perf_counter() - begin
    return times


def rotation_cold(kappa: float) -> float:
    """The rotation comparison and its figure (the page caches it by κ and tolerance)."""
    begin = time.perf_counter()
    comparison = core.rotation_comparison(kappa, TOL)
    _serialize(rotation_figure(comparison))
    return time.perf_counter() - begin


def warm_rerun(surface_id: str) -> tuple[float, float]:
    """(first run s, median warm rerun s) of the whole script through AppTest."""
    at = AppTest.from_file(str(ROOT / "router.py"), default_timeout=300)
    at.query_params["surface"] = SURFACES[surface_id].name
    at.run()  # through router.py first, so st.navigation has registered its pages
    at.switch_page("app_pages/lr_lab.py")
    at.run()
    at.slider(key="lab_n").set_value(N)
    at.slider(key="steps").set_value(STEPS)
    begin = time.perf_counter()
    at.run()
    first = time.perf_counter() - begin
    assert not at.exception, at.exception
    assert at.slider(key="steps").value == STEPS and at.slider(key="lab_n").value == N
    times = []
    for i in range(REPEATS + 2):  # the first two settle both metrics' figures
        at.radio(key="lab_metric").set_value("steps" if i % 2 == 0 else "loss")
        begin = time.perf_counter()
        at.run()
        if i >= 2:
            times.append(time.perf_counter() - begin)
        assert not at.exception, at.exception
    return first, statistics.median(times)


def main() -> None:
    _serialize(style(go.Figure()))  # plotly's one-time set-up, not the page's work
    print(
        f"Learning-rate lab: {N} × {N} grid × {STEPS} steps ({OPTIMIZER}), "
        f"budget ≤ {BUDGET_S} s server time per rerun\n"
    )
    print("| surface | measure | seconds | within budget |")
    print("|---|---|---:|---|")
    for surface_id in ("bowl", "rosenbrock"):
        pieces = cold_page_work(surface_id)
        for what, seconds in pieces.items():
            print(f"| {surface_id} | cold: {what} | {seconds:.3f} | |")
        total = sum(pieces.values())
        ok = "✅" if total <= BUDGET_S else "❌"
        print(f"| {surface_id} | **cold: the page's work, total** | **{total:.3f}** | {ok} |")
        first, warm = warm_rerun(surface_id)
        print(
            f"| {surface_id} | AppTest: first run at {N} × {N} × {STEPS} (grid not cached yet) "
            f"| {first:.3f} | |"
        )
        ok = "✅" if warm <= BUDGET_S else "❌"
        print(
            f"| {surface_id} | **AppTest: rerun after a widget change, warm cache "
            f"(median of {REPEATS})** | **{warm:.3f}** | {ok} |"
        )
    kappa = dict(get_surface("bowl").params)["kappa"]
    print(
        f"| bowl | rotation comparison, cold (7 angles × 3 optimizers × 16 rates; "
        f"cached by κ, not part of a grid rerun) | {rotation_cold(kappa):.3f} | |"
    )


if __name__ == "__main__":
    main()
