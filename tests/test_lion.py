"""Lion (Chen et al. 2023): first steps derived by hand, and trajectories of an independent
implementation (lion-pytorch, tests/data/lion_goldens.json made by make_lion_goldens.py)."""

import json
from pathlib import Path

import numpy as np
import pytest

from optim_core import OPTIMIZERS, run, suggest_lr
from tests._analytic import Quadratic, Rosenbrock

DIAG_1_6 = Quadratic(np.diag([1.0, 6.0]))  # f = ½(x² + 6y²), ∇f = (x, 6y)
GOLDENS = json.loads((Path(__file__).parent / "data" / "lion_goldens.json").read_text())


def test_first_three_steps_by_hand_where_momentum_overrules_the_gradient():
    # θ₀ = (2, 0.05); α = 0.1, β₁ = 0.9, β₂ = 0.5, λ = 0; m₀ = 0
    t = run(DIAG_1_6, "lion", (2.0, 0.05), 3, lr=0.1, beta1=0.9, beta2=0.5, record_state=True)
    # step 1: g = (2, 0.3); c = 0.1·g = (0.2, 0.03) → sign (1, 1); θ = (1.9, −0.05)
    #         m = 0.5·g = (1, 0.15)
    # step 2: g = (1.9, −0.3); c = 0.9·(1, 0.15) + 0.1·(1.9, −0.3) = (1.09, 0.105): the sign
    #         of c_y is +1 although g_y < 0; θ = (1.8, −0.15); m = (1.45, −0.075)
    # step 3: g = (1.8, −0.9); c = 0.9·(1.45, −0.075) + 0.1·(1.8, −0.9) = (1.485, −0.1575)
    #         → sign (1, −1); θ = (1.7, −0.05)
    np.testing.assert_allclose(
        t.path, [[2, 0.05], [1.9, -0.05], [1.8, -0.15], [1.7, -0.05]], rtol=1e-14, atol=1e-15
    )
    np.testing.assert_allclose(t.states["c"], [[0.2, 0.03], [1.09, 0.105], [1.485, -0.1575]])
    np.testing.assert_allclose(t.states["m"][:2], [[1, 0.15], [1.45, -0.075]], rtol=1e-14)


def test_decoupled_weight_decay_by_hand():
    # θ₀ = (2, −1), α = 0.1, λ = 0.5: g = (2, −6), sign(c) = (1, −1)
    # θ₁ = θ₀ − 0.1·((1, −1) + 0.5·(2, −1)) = (2 − 0.2, −1 + 0.15)
    t = run(DIAG_1_6, "lion", (2.0, -1.0), 1, lr=0.1, weight_decay=0.5)
    np.testing.assert_allclose(t.path[1], [1.8, -0.85], rtol=1e-15)


def test_every_step_moves_each_coordinate_by_exactly_lr():
    t = run(Rosenbrock(), "lion", (-1.2, 1.0), 60, lr=0.01)
    steps = np.abs(np.diff(t.path, axis=0))
    np.testing.assert_allclose(steps[steps > 0], 0.01, rtol=1e-9)


@pytest.mark.parametrize("case", GOLDENS["cases"], ids=lambda c: f"{c['surface']['kind']}")
def test_trajectory_equals_lion_pytorch(case):
    spec = case["surface"]
    surface = (
        Rosenbrock(spec["a"], spec["b"])
        if spec["kind"] == "rosenbrock"
        else Quadratic(np.array(spec["A"]))
    )
    t = run(surface, "lion", start=case["start"], steps=case["steps"], **case["hyper"])
    np.testing.assert_allclose(t.path, case["path"], rtol=1e-10, atol=1e-13)


def test_lion_is_one_entry_with_everything_the_app_needs():
    spec = OPTIMIZERS["lion"]
    assert [h.name for h in spec.hyper] == ["lr", "beta1", "beta2", "weight_decay"]
    assert [h.default for h in spec.hyper[1:]] == [0.9, 0.99, 0.0]
    assert 1e-3 <= spec.hyper[0].default <= 1e-2
    assert spec.stability is None and not spec.lookahead
    adam = OPTIMIZERS["adam"]
    for surface, start in ((Rosenbrock(), (-1.2, 1.0)), (DIAG_1_6, (2.0, 1.0))):
        assert suggest_lr("lion", surface, start) < suggest_lr("adam", surface, start) / 3
    assert spec.lr_rule.fraction < adam.lr_rule.fraction
