"""Benchmark of the Learning-rate lab at its largest setting, printed as a markdown table.

For a 64 × 64 learning-rate × momentum grid of 500 steps (heavy-ball momentum):

1. The page's own work with a cold cache (plotly's one-time set-up done before): the one
   batched run of 4096 members and its outcome arrays (``outcome_grid``), the outcome figure
   built and serialized as st.plotly_chart does, the picked cell's run with its two figures,
   and — on the bowl — the theory section (two runs and a figure).  The rotation comparison
   is listed apart: it is cached by κ and tolerance, so a grid change never recomputes it.
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

import plotly.io as pio  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from app_pages.lr_lab import (  # noqa: E402  (the page's own functions; bare mode: memory cache)
    LR_SPAN,
    ROTATION_ANGLES,
    best_cell,
    outcome_chart,
    outcome_grid,
    rotation_steps,
    theory_of,
)
from optim_core import run, suggest_lr  # noqa: E402
from surfaces import SURFACES, get_surface  # noqa: E402
from viz.lr_lab import loss_curves_figure, trajectory_figure  # noqa: E402

N, STEPS, OPTIMIZER, TOL = 64, 500, "momentum", 1e-6
REPEATS = 5
BUDGET_S = 0.5


def _serialize(fig) -> int:
    return len(pio.to_json(fig.to_dict(), validate=False))


def cold_page_work(surface_id: str) -> dict[str, float]:
    """Seconds of each piece of the page's work for a fresh grid (cache cleared first)."""
    surface = get_surface(surface_id)
    params = tuple((p.name, float(p.default)) for p in SURFACES[surface_id].params)
    start = tuple(surface.start)
    center = suggest_lr(OPTIMIZER, surface, start)
    config = {
        "optimizer": OPTIMIZER,
        "metric": "loss",
        "n": N,
        "steps": STEPS,
        "lr_lo": center / LR_SPAN,
        "lr_hi": center * LR_SPAN,
        "tol": TOL,
        "fixed": (),
    }
    outcome_grid.clear()
    times = {}
    begin = time.perf_counter()
    grid = outcome_grid(
        surface_id,
        params,
        "",
        OPTIMIZER,
        start,
        config["lr_lo"],
        config["lr_hi"],
        N,
        STEPS,
        (),
        TOL,
    )
    times["grid: run_batch of 4096 × 500 steps + outcomes"] = time.perf_counter() - begin
    begin = time.perf_counter()
    theory = theory_of(surface)
    pick = best_cell(grid)
    size = _serialize(outcome_chart(grid, config, theory, pick, present=False))
    times[f"outcome figure: build + JSON ({size / 1e6:.2f} MB)"] = time.perf_counter() - begin
    begin = time.perf_counter()
    t = run(surface, OPTIMIZER, start=start, steps=STEPS, lr=pick[0], momentum=pick[1])
    _serialize(trajectory_figure(surface, t.path, optimizer=OPTIMIZER, label="pick"))
    _serialize(loss_curves_figure([{"name": "pick", "loss": t.loss, "color": "#000"}]))
    times["picked run + its two figures"] = time.perf_counter() - begin
    if theory is not None:
        begin = time.perf_counter()
        for opt, hyper in (
            ("sgd", {"lr": theory.gd_lr_opt}),
            ("momentum", {"lr": theory.momentum_lr_opt, "momentum": theory.momentum_opt}),
        ):
            measured = run(surface, opt, start=start, steps=STEPS, **hyper)
        _serialize(loss_curves_figure([{"name": "x", "loss": measured.loss, "color": "#000"}] * 4))
        times["theory: two runs + rate figure"] = time.perf_counter() - begin
    return times


def rotation_cold(kappa: float) -> float:
    rotation_steps.clear()
    begin = time.perf_counter()
    rotation_steps(kappa, TOL)
    return time.perf_counter() - begin


def warm_rerun(surface_id: str) -> tuple[float, float]:
    """(first run s, median warm rerun s) of the whole script through AppTest."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["surface"] = SURFACES[surface_id].name
    at.run()  # through app.py first, so st.navigation has registered its pages
    at.switch_page("app_pages/lr_lab.py")
    at.run()
    at.slider(key="lab_n").set_value(N)
    at.slider(key="steps").set_value(STEPS)
    outcome_grid.clear()  # in case the script run shares this module's caches
    begin = time.perf_counter()
    at.run()
    first = time.perf_counter() - begin
    assert not at.exception, at.exception
    assert at.slider(key="steps").value == STEPS and at.slider(key="lab_n").value == N
    assert f"{N * N} runs of {STEPS} steps" in at.caption[0].value
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
    _serialize(loss_curves_figure([{"name": "warm-up", "loss": [1.0, 0.5], "color": "#000"}]))
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
        f"| bowl | rotation comparison, cold ({len(ROTATION_ANGLES)} angles × 3 optimizers; "
        f"cached by κ, not part of a grid rerun) | {rotation_cold(kappa):.3f} | |"
    )


if __name__ == "__main__":
    main()
