"""The update rules: hand-derived first steps for the forms torch lacks, equivalences between
rules, the two hooks (look-ahead, Hessian), recorded state, metadata, and bad hyperparameters.

(Rules torch has are compared with torch.optim in test_torch_golden.py.)
"""

import ast
import dataclasses
import re

import numpy as np
import pytest

from optim_core import (
    OPTIMIZERS,
    CurvatureScaled,
    FixedLR,
    OptimizerError,
    ViewScaled,
    make_optimizer,
    run,
    run_batch,
)
from optim_core.optimizers import build
from optim_core.spec import at_params, check_hyper
from tests._analytic import Plane, Quadratic, Rosenbrock, Saddle, bowl, rotated_quadratic
from viz._base import OPTIMIZER_COLORS, color_for, marker_for

IDS = list(OPTIMIZERS)
DIAG_1_6 = Quadratic(np.diag([1.0, 6.0]))  # f = ½(x² + 6y²), ∇f = (x, 6y)


# ---------------------------------------------------------------------------- hand-derived


def test_nesterov_lookahead_first_three_steps_by_hand():
    # f = ½(x² + 10y²), ∇f = (x, 10y); θ₀ = (1, 1), v₀ = 0, α = 0.1, μ = 0.5
    t = run(bowl(10), "nesterov", start=(1, 1), steps=3, lr=0.1, momentum=0.5)
    # step 1: look-ahead θ + μv = (1, 1); g = (1, 10); v = −0.1·(1, 10) = (−0.1, −1); θ = (0.9, 0)
    # step 2: look-ahead (0.9 − 0.05, 0 − 0.5) = (0.85, −0.5); g = (0.85, −5)
    #         v = 0.5·(−0.1, −1) − 0.1·(0.85, −5) = (−0.135, 0); θ = (0.765, 0)
    # step 3: look-ahead (0.765 − 0.0675, 0) = (0.6975, 0); g = (0.6975, 0)
    #         v = 0.5·(−0.135, 0) − 0.1·(0.6975, 0) = (−0.13725, 0); θ = (0.62775, 0)
    np.testing.assert_allclose(t.path, [[1, 1], [0.9, 0], [0.765, 0], [0.62775, 0]], atol=1e-15)
    np.testing.assert_allclose(t.eval_points, [[1, 1], [0.85, -0.5], [0.6975, 0]], atol=1e-15)
    np.testing.assert_allclose(t.grads, [[1, 10], [0.85, -5], [0.6975, 0]], atol=1e-14)


def test_rmsprop_nesterov_first_two_steps_by_hand_with_eps_inside_the_root():
    # f = ½(x² + 6y²); θ₀ = (2, 1); α = 0.3, ρ = 0.5, ε = 7, μ = 0.5
    t = run(
        DIAG_1_6, "rmsprop_nesterov", start=(2, 1), steps=2, lr=0.3, decay=0.5, eps=7, momentum=0.5
    )
    # step 1: look-ahead (2, 1); g = (2, 6); r = 0.5·(4, 36) = (2, 18); √(ε + r) = (3, 5)
    #         v = −0.3·(2/3, 6/5) = (−0.2, −0.36); θ = (1.8, 0.64)
    # step 2: look-ahead (1.8 − 0.1, 0.64 − 0.18) = (1.7, 0.46); g = (1.7, 2.76)
    #         r = 0.5·(2, 18) + 0.5·(2.89, 7.6176) = (2.445, 12.8088)
    #         v = 0.5·(−0.2, −0.36) − 0.3·(1.7/√9.445, 2.76/√19.8088)
    v2 = np.array([-0.1 - 0.3 * 1.7 / np.sqrt(9.445), -0.18 - 0.3 * 2.76 / np.sqrt(19.8088)])
    np.testing.assert_allclose(t.path[1], [1.8, 0.64], rtol=1e-15)
    np.testing.assert_allclose(t.eval_points[1], [1.7, 0.46], rtol=1e-15)
    np.testing.assert_allclose(t.path[2], np.array([1.8, 0.64]) + v2, rtol=1e-14)


def test_adam_without_bias_correction_by_hand():
    # f = ½(x² + 6y²); θ₀ = (2, 1); α = 0.1, β₁ = 0.5, β₂ = 0.75, ε = 1e-8
    eps = 1e-8
    hyper = {"lr": 0.1, "beta1": 0.5, "beta2": 0.75, "eps": eps}
    plain = run(DIAG_1_6, "adam", (2, 1), 2, bias_correction=False, record_state=True, **hyper)
    # step 1: g = (2, 6); m = 0.5·g = (1, 3); v = 0.25·g² = (1, 9)
    #         θ = (2 − 0.1·1/(1 + ε), 1 − 0.1·3/(3 + ε))
    theta1 = np.array([2 - 0.1 / (1 + eps), 1 - 0.3 / (3 + eps)])
    # step 2: g ≈ (1.9, 5.4); m = 0.5·(1, 3) + 0.5·g; v = 0.75·(1, 9) + 0.25·g²
    g = np.array([theta1[0], 6 * theta1[1]])
    m, v = 0.5 * np.array([1, 3]) + 0.5 * g, 0.75 * np.array([1, 9]) + 0.25 * g**2
    theta2 = theta1 - 0.1 * m / (np.sqrt(v) + eps)
    np.testing.assert_allclose(plain.path[1:], [theta1, theta2], rtol=1e-14)
    np.testing.assert_allclose(plain.states["m_hat"][1], m, rtol=1e-14)  # no hats: m̂ = m
    # with the hats: step 1 uses m̂ = g, v̂ = g²: θ = (2 − 0.1·2/(2 + ε), 1 − 0.1·6/(6 + ε));
    # step 2 divides m by 1 − 0.5² and v by 1 − 0.75²: a different point
    hats = run(DIAG_1_6, "adam", (2, 1), 2, **hyper)
    theta1 = np.array([2 - 0.2 / (2 + eps), 1 - 0.6 / (6 + eps)])
    g = np.array([theta1[0], 6 * theta1[1]])
    m, v = 0.5 * np.array([1, 3]) + 0.5 * g, 0.75 * np.array([1, 9]) + 0.25 * g**2
    m_hat, v_hat = m / 0.75, v / 0.4375
    np.testing.assert_allclose(hats.path[1], theta1, rtol=1e-15)
    np.testing.assert_allclose(hats.path[2], theta1 - 0.1 * m_hat / (np.sqrt(v_hat) + eps), 1e-14)
    assert not np.allclose(hats.path[2], plain.path[2])


def test_adam_without_bias_correction_overshoots_at_first():
    # m = 0.1 g, v = 0.001 g²: the first step is α · 0.1/√0.001 ≈ 3.16 α per coordinate
    t = run(bowl(10), "adam", (1.0, 1.0), 1, lr=0.01, bias_correction=False, eps=1e-12)
    np.testing.assert_allclose(t.path[1], [1 - 0.01 * 0.1 / np.sqrt(0.001)] * 2, rtol=1e-10)


def test_newton_by_hand_undamped_and_damped():
    # A = [[3, 1], [1, 3]] (eigenvalues 2, 4), minimum at (1, −1); θ₀ = (2, 0): g = A(1, 1) = (4, 4)
    surface = Quadratic(np.array([[3.0, 1.0], [1.0, 3.0]]), centre=(1.0, -1.0))
    # undamped: H⁻¹g = (1, 1) → θ = (1, −1), the minimum, in one step
    np.testing.assert_allclose(run(surface, "newton", (2, 0), 1, lr=1.0).path[1], [1, -1])
    # damping 2: (H + 2I)⁻¹g; g lies on the eigenvector (1, 1) of eigenvalue 4 + 2 = 6
    #            → (4/6, 4/6); θ = (2 − 2/3, 0 − 2/3)
    damped = run(surface, "newton", (2, 0), 1, lr=1.0, damping=2.0)
    np.testing.assert_allclose(damped.path[1], [4 / 3, -2 / 3], rtol=1e-14)


def test_newton_at_a_saddle_by_hand():
    # f = ½(x² − y²), H = diag(1, −1); θ₀ = (1, 0.5): g = (1, −0.5)
    # plain Newton: H⁻¹g = (1, 0.5) → θ = (0, 0): it jumps onto the saddle
    plain = run(Saddle(), "newton", (1, 0.5), 1, lr=1.0)
    np.testing.assert_allclose(plain.path[1], [0, 0], atol=1e-15)
    # saddle-free: |H| = I → θ = (1, 0.5) − (1, −0.5) = (0, 1): away from the saddle along y
    free = run(Saddle(), "newton", (1, 0.5), 1, lr=1.0, saddle_free=True)
    np.testing.assert_allclose(free.path[1], [0, 1], atol=1e-15)


def test_saddle_free_newton_escapes_a_saddle_that_plain_newton_converges_to():
    plain = run(Saddle(), "newton", (0.3, 0.01), 10, lr=0.5)
    free = run(Saddle(), "newton", (0.3, 0.01), 10, lr=0.5, saddle_free=True)
    assert np.linalg.norm(plain.path[-1]) < 1e-3  # attracted to the saddle
    assert abs(free.path[-1, 1]) > 10 * abs(free.path[0, 1])  # moves away along y
    assert free.loss[-1] < free.loss[0]


def test_newton_solves_any_convex_quadratic_in_one_step():
    for angle in (0.0, 17.0, 60.0):
        surface = rotated_quadratic(0.5, 40.0, angle)
        t = run(surface, "newton", (2.0, -1.3), 1, lr=1.0)
        np.testing.assert_allclose(t.path[1], [0, 0], atol=1e-12)


def test_newton_with_a_singular_hessian_is_regularized_without_warnings():
    # f = ½x²: H = diag(1, 0) is singular; g = (x, 0), so y must stay put and x jump to 0
    t = run(Quadratic(np.diag([1.0, 0.0])), "newton", (1.0, 1.0), 2, lr=1.0)
    np.testing.assert_allclose(t.path, [[1, 1], [0, 1], [0, 1]], atol=1e-15)
    # f = x + 2y: H = 0 everywhere and g ≠ 0: a huge step, caught as divergence
    t = run(Plane(), "newton", (0.0, 0.0), 5)
    assert t.diverged_at == 1
    assert np.isfinite(t.path).all() and np.isfinite(t.loss).all()


def test_adagrad_first_step_moves_every_coordinate_by_about_lr():
    # r = g², so the first step is α·g/(|g| + ε) ≈ α·sign(g), whatever the curvature
    t = run(bowl(100), "adagrad", (1.0, -1.0), 1, lr=0.2, eps=1e-7)
    np.testing.assert_allclose(t.path[1], [1 - 0.2 / (1 + 1e-7), -1 + 0.2 * 100 / (100 + 1e-7)])


# ---------------------------------------------------------------------------- equivalences


def test_nesterov_and_momentum_with_mu_zero_equal_sgd():
    sgd = run(rotated_quadratic(1, 20), "sgd", (2, 1), 30, lr=0.05)
    for optimizer in ("momentum", "nesterov", "nesterov_reparam"):
        t = run(rotated_quadratic(1, 20), optimizer, (2, 1), 30, lr=0.05, momentum=0.0)
        np.testing.assert_array_equal(t.path, sgd.path)


@pytest.mark.parametrize("surface", [rotated_quadratic(1, 20), Rosenbrock()], ids=["bowl", "rosen"])
def test_lookahead_and_reparametrized_nesterov_are_the_same_method(surface):
    hyper = {"lr": 2e-4 if isinstance(surface, Rosenbrock) else 0.03, "momentum": 0.8}
    look = run(surface, "nesterov", (-1.0, 1.5), 40, record_state=True, **hyper)
    reparam = run(surface, "nesterov_reparam", (-1.0, 1.5), 40, **hyper)
    # the reparametrized iterate is the look-ahead point: θ_reparam = θ + μv
    shifted = look.path[1:] + 0.8 * look.states["v"]
    np.testing.assert_allclose(reparam.path[1:], shifted, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(reparam.path[:-1], look.eval_points, rtol=1e-12, atol=1e-14)


def test_rmsprop_equals_adam_with_beta1_zero_and_no_bias_correction():
    kw = {"steps": 40, "start": (2.0, -1.0)}
    rms = run(Rosenbrock(), "rmsprop", lr=0.01, decay=0.95, eps=1e-8, **kw)
    adam = run(
        Rosenbrock(), "adam", lr=0.01, beta1=0.0, beta2=0.95, eps=1e-8, bias_correction=False, **kw
    )
    np.testing.assert_allclose(rms.path, adam.path, rtol=1e-13)


def test_adamw_without_decay_equals_adam_and_saddle_free_newton_on_a_bowl_equals_newton():
    kw = {"steps": 30, "start": (2.0, -1.0), "lr": 0.05}
    np.testing.assert_array_equal(
        run(Rosenbrock(), "adamw", weight_decay=0.0, **kw).path,
        run(Rosenbrock(), "adam", **kw).path,
    )
    bowl20 = rotated_quadratic(1, 20)
    np.testing.assert_allclose(
        run(bowl20, "newton", saddle_free=True, **kw).path, run(bowl20, "newton", **kw).path
    )


def test_amsgrad_divides_by_the_largest_v_so_far():
    t = run(Rosenbrock(), "amsgrad", (-1.5, 2.0), 60, lr=0.05, beta2=0.9, record_state=True)
    s = t.states
    assert (np.diff(s["v_max"], axis=0) >= 0).all()
    np.testing.assert_array_equal(s["v_max"], np.maximum.accumulate(s["v"], axis=0))
    assert (s["v_max"] > s["v"]).any()  # v fell at some point, so it differs from Adam
    adam = run(Rosenbrock(), "adam", (-1.5, 2.0), 60, lr=0.05, beta2=0.9)
    assert not np.allclose(adam.path, t.path)


# ---------------------------------------------------------------------------- hooks and state


@pytest.mark.parametrize("optimizer", IDS)
def test_hooks_match_the_metadata(optimizer):
    spec, opt = OPTIMIZERS[optimizer], make_optimizer(optimizer)
    assert (opt.eval_point is not at_params) == spec.lookahead
    assert opt.uses_hessian == spec.uses_hessian


@pytest.mark.parametrize("optimizer", IDS)
def test_recorded_state_has_the_documented_fields_and_shapes(optimizer):
    t = run(rotated_quadratic(1, 10), optimizer, (1.0, 2.0), 7, record_state=True)
    names = [name for name, _, _ in OPTIMIZERS[optimizer].state_fields]
    assert list(t.states) == names
    for name, value in t.states.items():
        assert value.shape[0] == 7 and value.shape[1:] in ((), (2,), (2, 2)), name
        assert np.isfinite(value).all(), name
    np.testing.assert_allclose(t.states["step"], np.diff(t.path, axis=0), rtol=1e-12, atol=1e-15)
    assert run(rotated_quadratic(1, 10), optimizer, (1.0, 2.0), 7).states is None


def test_adam_diagnostics_are_the_numbers_of_the_equation():
    t = run(Rosenbrock(), "adam", (-1.0, 1.5), 5, lr=0.05, beta1=0.8, record_state=True)
    s, steps = t.states, np.arange(1, 6)[:, None]
    np.testing.assert_allclose(s["m_hat"], s["m"] / (1 - 0.8**steps), rtol=1e-14)
    np.testing.assert_allclose(s["v_hat"], s["v"] / (1 - 0.999**steps), rtol=1e-14)
    np.testing.assert_allclose(s["effective_lr"], 0.05 / (np.sqrt(s["v_hat"]) + 1e-8), rtol=1e-14)
    np.testing.assert_allclose(s["step"], -s["effective_lr"] * s["m_hat"], rtol=1e-13)


def test_newton_diagnostics():
    surface = Quadratic(np.array([[3.0, 1.0], [1.0, 3.0]]), centre=(1.0, -1.0))
    t = run(surface, "newton", (2.0, 0.0), 2, lr=0.5, record_state=True)
    np.testing.assert_allclose(t.states["hessian_eigenvalues"], [[2, 4], [2, 4]], rtol=1e-14)
    np.testing.assert_allclose(t.states["newton_direction"][0], [-1, -1], rtol=1e-14)
    np.testing.assert_allclose(t.states["hessian"][1], surface.A)


def test_update_is_pure_and_batched():
    opt = make_optimizer("adam", beta1=np.array([0.5, 0.9]))
    params = np.array([[1.0, 2.0], [1.0, 2.0]])
    state = opt.init(params)
    grads = np.array([[0.5, -1.0], [0.5, -1.0]])
    new_params, new_state = opt.update(grads, state, params, 1, 0.1)
    assert new_params.shape == (2, 2) and new_state.m.shape == (2, 2)
    np.testing.assert_array_equal(state.m, 0.0)  # the old state is untouched
    np.testing.assert_array_equal(params, [[1.0, 2.0], [1.0, 2.0]])
    np.testing.assert_allclose(new_state.m, [[0.25, -0.5], [0.05, -0.1]])


# ---------------------------------------------------------------------------- metadata


def test_the_fourteen_optimizers_in_display_order():
    assert IDS == [
        "sgd", "momentum", "nesterov", "nesterov_reparam", "adagrad", "rmsprop",
        "rmsprop_nesterov", "adam", "adamw", "amsgrad", "nadam", "adadelta", "newton", "lion",
    ]  # fmt: skip


def _balanced(latex):
    depth = 0
    for ch in latex.replace(r"\{", "").replace(r"\}", ""):
        depth += (ch == "{") - (ch == "}")
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("optimizer", IDS)
def test_metadata_is_complete_and_consistent(optimizer):
    spec = OPTIMIZERS[optimizer]
    assert spec.id == optimizer and spec.name and spec.description.endswith(".")
    assert spec.hyper[0].name == "lr" and spec.hyper[0].log
    assert 1e-4 <= spec.hyper[0].min < spec.hyper[0].default < spec.hyper[0].max <= 10
    for h in spec.hyper:
        assert h.kind in ("float", "bool", "int") and h.label and h.help
        assert h.min <= h.default <= h.max, h.name
        check_hyper(h.name, h.default)  # the default is valid
    names = [h.name for h in spec.hyper]
    assert spec.second is None or spec.second in names
    assert spec.latex.startswith(r"\begin{aligned}") and spec.latex.endswith(r"\end{aligned}")
    assert r"\leftarrow" in spec.latex and _balanced(spec.latex)
    assert 2 <= len(spec.code.splitlines()) <= 6
    ast.parse(spec.code)  # valid Python syntax
    assert spec.equals and spec.convention
    for name, symbol, description in spec.state_fields:
        assert name.isidentifier() and symbol and description and _balanced(symbol)


# ---------------------------------------------------------------------------- bad inputs

BAD = [
    ("sgd", {"lr": -1.0}, "Invalid learning rate: -1.0"),
    ("sgd", {"lr": 0}, "Invalid learning rate: 0.0"),
    ("sgd", {"lr": float("nan")}, "Invalid learning rate: nan"),
    ("sgd", {"lr": "fast"}, "Invalid learning rate: 'fast'"),
    ("sgd", {"momentum": 0.9}, "Unknown hyperparameter 'momentum' for sgd; it takes lr"),
    (
        "adam",
        {"beta3": 0.5},
        "Unknown hyperparameter 'beta3' for adam; it takes lr, beta1, beta2, eps, bias_correction",
    ),
    ("momentum", {"momentum": 1.0}, "Invalid momentum value: 1.0"),
    ("momentum", {"momentum": -0.1}, "Invalid momentum value: -0.1"),
    ("adam", {"beta1": 1.0}, "Invalid beta1 value: 1.0"),
    ("adam", {"beta2": -0.5}, "Invalid beta2 value: -0.5"),
    ("adam", {"eps": 0.0}, "Invalid epsilon value: 0.0"),
    ("adam", {"bias_correction": "yes"}, "Invalid bias_correction value: 'yes'"),
    ("rmsprop", {"decay": 1.0}, "Invalid decay value: 1.0"),
    ("rmsprop", {"decay": 0.0}, "Invalid decay value: 0.0"),
    ("rmsprop", {"centered": 2}, "Invalid centered value: 2"),
    ("adadelta", {"decay": 1.5}, "Invalid decay value: 1.5"),
    ("adamw", {"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
    ("newton", {"damping": -1.0}, "Invalid damping value: -1.0"),
    ("newton", {"damping": float("inf")}, "Invalid damping value: inf"),
    ("momentum", {"lr": np.array([0.1, -0.2])}, "Invalid learning rate: -0.2"),
    ("lbfgs", {}, "Unknown optimizer 'lbfgs'; choose one of sgd, momentum"),
]


@pytest.mark.parametrize(("optimizer", "hyper", "message"), BAD)
def test_bad_hyperparameters_are_rejected_with_a_plain_message(optimizer, hyper, message):
    with pytest.raises(OptimizerError) as caught:
        make_optimizer(optimizer, **hyper)
    assert str(caught.value).startswith(message)
    assert isinstance(caught.value, ValueError)


# ---------------------------------------------------------------------------- the entry


@pytest.mark.parametrize("optimizer", IDS)
def test_every_entry_owns_its_rule_heuristic_colour_marker_and_comparison(optimizer):
    spec = OPTIMIZERS[optimizer]
    opt, full = build(optimizer, {})  # the entry builds the rule, with its defaults
    assert full == {h.name: h.default for h in spec.hyper}
    assert opt.uses_hessian == spec.build().uses_hessian
    assert isinstance(spec.lr_rule, CurvatureScaled | ViewScaled | FixedLR)
    assert re.fullmatch(r"#[0-9A-F]{6}", spec.color) and spec.marker
    assert OPTIMIZER_COLORS[optimizer] == color_for(optimizer) == spec.color
    assert marker_for(optimizer) == spec.marker
    for h in spec.hyper:
        assert h.check(h.default) == h.default


def test_loops_over_the_optimizers_cope_with_a_new_entry(monkeypatch):
    # an entry with only the required fields: nothing keyed by id elsewhere may be missing
    from optim_core import theory

    sgd = OPTIMIZERS["sgd"]
    new = dataclasses.replace(sgd, id="sign_sgd", name="New", stability=None)
    monkeypatch.setitem(OPTIMIZERS, "sign_sgd", new)
    surface = rotated_quadratic(1, 10)
    t = run(surface, "sign_sgd", (1.0, 2.0), 5, lr=0.05)
    assert theory.stable_lr("sign_sgd", 10.0) is None
    assert theory.suggest_lr("sign_sgd", surface, (1.0, 2.0)) > 0
    assert theory.divergence_reason(surface, "sign_sgd", t.hyper, 3).endswith("learning rate.")
    assert color_for("sign_sgd", 2) and marker_for("sign_sgd", 2)


# ---------------------------------------------------------------------------- ε inside the root


def test_eps_in_root_for_adagrad_and_adam_by_hand():
    # f = ½(x² + 6y²); θ₀ = (2, 1); g = (2, 6); ε = 0.25 so that it matters
    # adagrad: r = g² = (4, 36); θ = θ₀ − α g/√(r + ε)
    t = run(DIAG_1_6, "adagrad", (2, 1), 1, lr=0.1, eps=0.25, eps_in_root=True)
    np.testing.assert_allclose(t.path[1], [2 - 0.2 / np.sqrt(4.25), 1 - 0.6 / np.sqrt(36.25)])
    t = run(DIAG_1_6, "adagrad", (2, 1), 1, lr=0.1, eps=0.25)
    np.testing.assert_allclose(t.path[1], [2 - 0.2 / 2.25, 1 - 0.6 / 6.25])
    # adam, step 1: m̂ = g, v̂ = g²: θ = θ₀ − α g/√(g² + ε)
    t = run(DIAG_1_6, "adam", (2, 1), 1, lr=0.1, eps=0.25, eps_in_root=True, record_state=True)
    np.testing.assert_allclose(t.path[1], [2 - 0.2 / np.sqrt(4.25), 1 - 0.6 / np.sqrt(36.25)])
    np.testing.assert_allclose(t.states["effective_lr"][0], 0.1 / np.sqrt([4.25, 36.25]))


def test_eps_in_root_is_batched_per_member():
    kw = {"steps": 30, "lr": 0.05, "eps": 0.01}
    both = run_batch(Rosenbrock(), "adam", (-1.0, 1.5), eps_in_root=np.array([False, True]), **kw)
    for i, flag in enumerate((False, True)):
        single = run(Rosenbrock(), "adam", (-1.0, 1.5), eps_in_root=flag, **kw)
        np.testing.assert_allclose(both.path[:, i], single.path, rtol=1e-14)
    assert not np.allclose(both.path[:, 0], both.path[:, 1])
