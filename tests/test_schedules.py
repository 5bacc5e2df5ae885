"""Learning-rate schedules: α_t for t = 1 … steps with α₁ = α₀, warm-up, batches, bad input,
the entries and their Robbins–Monro facts.

(torch's schedulers give the same numbers: test_torch_golden.py.)
"""

import math

import numpy as np
import pytest

from optim_core import SCHEDULES, OptimizerError, run, run_batch, schedule_values
from optim_core.schedules import WARMUP, parse_schedule
from tests._analytic import bowl


def test_constant_is_the_default():
    for schedule in (None, "constant", {"name": "constant"}):
        np.testing.assert_array_equal(schedule_values(schedule, 0.3, 4), [0.3] * 4)


def test_step_decay_by_hand():
    values = schedule_values({"name": "step", "gamma": 0.5, "every": 3}, 0.8, 8)
    np.testing.assert_allclose(values, [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2])


def test_exponential_and_inverse_time_by_hand():
    values = schedule_values({"name": "exponential", "k": 0.1}, 2.0, 3)
    np.testing.assert_allclose(values, [2.0, 2.0 * math.exp(-0.1), 2.0 * math.exp(-0.2)])
    values = schedule_values({"name": "inverse_time", "k": 0.5}, 3.0, 4)
    np.testing.assert_allclose(values, [3.0, 3.0 / 1.5, 3.0 / 2.0, 3.0 / 2.5])


def test_cosine_glides_from_lr_to_min_lr_over_the_run():
    values = schedule_values({"name": "cosine", "min_lr": 0.1}, 1.1, 4)
    # α_t = 0.1 + 0.5·(1.1 − 0.1)·(1 + cos(π (t−1)/4)), t = 1 … 4
    np.testing.assert_allclose(
        values, [1.1, 0.1 + 0.5 * (1 + math.sqrt(0.5)), 0.6, 0.1 + 0.5 * (1 - math.sqrt(0.5))]
    )
    assert (np.diff(schedule_values({"name": "cosine"}, 1.0, 100)) < 0).all()


def test_triangular_cycles_between_lr_and_its_peak_by_hand():
    values = schedule_values({"name": "cyclic", "peak": 3.0, "half_cycle": 4}, 0.1, 17)
    # up by (3 − 1)·0.1/4 = 0.05 a step for 4 steps, down for 4, and again
    up = [0.1, 0.15, 0.2, 0.25, 0.3, 0.25, 0.2, 0.15]
    np.testing.assert_allclose(values, up * 2 + [0.1], rtol=1e-15)
    long = schedule_values({"name": "cyclic", "peak": 7.0, "half_cycle": 25}, 0.01, 500)
    assert long.min() == pytest.approx(0.01) and long.max() == pytest.approx(0.07)
    np.testing.assert_allclose(long[50:], long[:-50], rtol=1e-12)  # the period is 2s
    np.testing.assert_array_equal(schedule_values({"name": "cyclic", "peak": 1.0}, 0.2, 9), 0.2)


def test_every_schedule_starts_at_lr():
    for name in SCHEDULES:
        assert schedule_values(name, 0.7, 10)[0] == 0.7


def test_linear_warmup_then_the_schedule_on_its_own_clock():
    values = schedule_values({"name": "step", "gamma": 0.5, "every": 2, "warmup": 4}, 1.0, 9)
    np.testing.assert_allclose(values, [0.25, 0.5, 0.75, 1.0, 1.0, 1.0, 0.5, 0.5, 0.25])
    cosine = schedule_values({"name": "cosine", "min_lr": 0.0, "warmup": 5}, 1.0, 25)
    np.testing.assert_allclose(cosine[:6], [0.2, 0.4, 0.6, 0.8, 1.0, 1.0])
    np.testing.assert_allclose(cosine[5:], schedule_values("cosine", 1.0, 20))


def test_batched_learning_rates():
    values = schedule_values({"name": "exponential", "k": 0.2}, np.array([0.1, 1.0, 3.0]), 5)
    assert values.shape == (5, 3)
    np.testing.assert_allclose(
        values[:, 1], schedule_values({"name": "exponential", "k": 0.2}, 1.0, 5)
    )
    np.testing.assert_allclose(values, values[:, [1]] * [0.1, 1.0, 3.0])


def test_runs_use_the_schedule():
    schedule = {"name": "step", "gamma": 0.1, "every": 5}
    t = run(bowl(), "sgd", (1.0, 1.0), 12, lr=0.05, schedule=schedule)
    np.testing.assert_allclose(t.lr, schedule_values(schedule, 0.05, 12))
    # sgd on f = ½(x² + 10y²): x shrinks by (1 − α_t) at step t
    np.testing.assert_allclose(t.path[-1, 0], np.prod(1 - t.lr), rtol=1e-13)
    tb = run_batch(bowl(), "sgd", (1.0, 1.0), 12, lr=np.array([0.05, 0.01]), schedule=schedule)
    np.testing.assert_allclose(tb.lr[:, 0], t.lr)
    np.testing.assert_allclose(tb.lr[:, 1], t.lr / 5)


def test_parse_schedule_fills_defaults():
    assert parse_schedule("step") == ("step", {"gamma": 0.5, "every": 25, "warmup": 0})
    assert parse_schedule({"name": "cosine", "warmup": 3}) == (
        "cosine",
        {"min_lr": 0.0, "warmup": 3},
    )


BAD = [
    ("linear", "Unknown schedule 'linear'; choose one of constant, step, exponential"),
    ({"gamma": 0.5}, "Invalid schedule: {'gamma': 0.5}"),
    (3, "Invalid schedule: 3"),
    ({"name": "step", "factor": 2}, "Unknown parameter 'factor' for schedule step; it takes gamma"),
    ({"name": "step", "gamma": 0.0}, "Invalid gamma for schedule step: 0.0"),
    ({"name": "step", "gamma": 1.5}, "Invalid gamma for schedule step: 1.5"),
    ({"name": "step", "every": 0}, "Invalid every for schedule step: 0"),
    ({"name": "step", "every": 2.5}, "Invalid every for schedule step: 2.5"),
    ({"name": "exponential", "k": -0.1}, "Invalid k for schedule exponential: -0.1"),
    ({"name": "inverse_time", "k": float("nan")}, "Invalid k for schedule inverse_time: nan"),
    ({"name": "cosine", "min_lr": -1}, "Invalid min_lr for schedule cosine: -1"),
    ({"name": "cosine", "warmup": -2}, "Invalid warmup for schedule cosine: -2"),
    ({"name": "constant", "warmup": True}, "Invalid warmup for schedule constant: True"),
    ({"name": "exponential", "k": "0.1"}, "Invalid k for schedule exponential: '0.1'"),
    ({"name": "cyclic", "peak": 0.5}, "Invalid peak for schedule cyclic: 0.5"),
    ({"name": "cyclic", "half_cycle": 0}, "Invalid half_cycle for schedule cyclic: 0"),
    ({"name": "cyclic", "half_cycle": 2.0}, "Invalid half_cycle for schedule cyclic: 2.0"),
]


@pytest.mark.parametrize(("schedule", "message"), BAD)
def test_bad_schedules_are_rejected_with_a_plain_message(schedule, message):
    with pytest.raises(OptimizerError) as caught:
        schedule_values(schedule, 0.1, 10)
    assert str(caught.value).startswith(message)
    with pytest.raises(OptimizerError):
        run(bowl(), "sgd", (1.0, 1.0), 10, schedule=schedule)


@pytest.mark.parametrize(("lr", "steps"), [(-0.1, 10), (0.1, 0), (0.1, 2.5), (0.1, True)])
def test_bad_learning_rate_or_steps(lr, steps):
    with pytest.raises(OptimizerError, match="Invalid"):
        schedule_values(None, lr, steps)


# ---------------------------------------------------------------------------- the entries


def _balanced(latex):
    depth = 0
    for ch in latex.replace(r"\{", "").replace(r"\}", ""):
        depth += (ch == "{") - (ch == "}")
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("schedule", list(SCHEDULES))
def test_every_entry_is_complete_and_its_parameters_check_themselves(schedule):
    spec = SCHEDULES[schedule]
    assert spec.id == schedule and spec.name and spec.description.endswith(".")
    assert spec.latex.startswith(r"\alpha_t =") and _balanced(spec.latex)
    assert spec.params[-1] is WARMUP and len({h.name for h in spec.params}) == len(spec.params)
    for h in spec.params:
        assert h.kind in ("float", "int") and h.label and h.help
        assert h.min <= h.default <= h.max and h.check(h.default) == h.default
        assert h.check(h.min) == h.min and h.check(h.max) == h.max  # the slider's ends are valid
    defaults = {h.name: h.default for h in spec.params}
    assert parse_schedule(schedule) == (schedule, defaults)
    values = schedule_values({"name": schedule, **defaults}, 0.3, 50)
    assert values[0] == pytest.approx(0.3) and np.isfinite(values).all() and (values > 0).all()
    # the facts and the sentence agree: Robbins–Monro holds iff Σα_t = ∞ and Σα_t² < ∞
    assert (spec.total_infinite is None) == (spec.squares_finite is None)
    if spec.total_infinite is not None:
        holds = spec.total_infinite and spec.squares_finite
        assert ("not Robbins–Monro" in spec.robbins_monro) is (not holds)


def test_a_parameter_is_one_value():
    with pytest.raises(OptimizerError, match="give one value"):
        schedule_values({"name": "exponential", "k": [0.1, 0.2]}, 0.1, 10)


# ---------------------------------------------------------------------------- what the help says


def test_warmup_starts_at_lr_over_n_as_its_help_says():
    help_text = SCHEDULES["constant"].params[-1].help
    assert "α₀/n at step 1" in help_text and "α₀ at step n" in help_text
    for n in (1, 4, 10):
        values = schedule_values({"name": "constant", "warmup": n}, 0.6, 12)
        assert values[0] == pytest.approx(0.6 / n) and values[n - 1] == pytest.approx(0.6)
        np.testing.assert_allclose(values[:n], 0.6 * np.arange(1, n + 1) / n)


def _partial_sums(schedule, steps):
    alpha = schedule_values(schedule, 1.0, steps)
    return np.cumsum(alpha), np.cumsum(alpha**2)


ROBBINS_MONRO = [  # (schedule with its own parameters, Σα finite?, Σα² finite?, closed-form Σα)
    ({"name": "constant"}, False, False, None),
    ({"name": "step", "gamma": 0.5, "every": 25}, True, True, 25 / (1 - 0.5)),
    ({"name": "exponential", "k": 0.01}, True, True, 1 / (1 - math.exp(-0.01))),
    ({"name": "inverse_time", "k": 0.05}, False, True, None),
    ({"name": "cyclic", "peak": 3.0, "half_cycle": 10}, False, False, None),
]


@pytest.mark.parametrize(("schedule", "total_finite", "squares_finite", "total"), ROBBINS_MONRO)
def test_robbins_monro_claims_hold_on_partial_sums(schedule, total_finite, squares_finite, total):
    spec = SCHEDULES[schedule["name"]]
    assert spec.total_infinite is (not total_finite)
    assert spec.squares_finite is squares_finite
    assert ("not Robbins–Monro" in spec.robbins_monro) is (total_finite or not squares_finite)
    n = 200_000
    sums, squares = _partial_sums(schedule, n)
    # a finite series has (nearly) stopped growing over the last 90 % of the terms; a divergent
    # one has not: inverse time still gains (α₀/k)·ln 10 ≈ 46 from n/10 to n
    growth, square_growth = sums[-1] - sums[n // 10 - 1], squares[-1] - squares[n // 10 - 1]
    assert bool(growth < 1e-6 * sums[-1]) is total_finite
    assert bool(square_growth < 1e-2 * squares[-1]) is squares_finite
    if total is not None:
        assert sums[-1] == pytest.approx(total, rel=1e-9)
    if schedule["name"] == "inverse_time":
        assert growth == pytest.approx(math.log(10) / 0.05, rel=1e-3)


def test_cosine_is_a_finite_run_whose_total_grows_with_its_length():
    spec = SCHEDULES["cosine"]
    assert spec.total_infinite is None and spec.squares_finite is None
    assert "do not apply" in spec.robbins_monro and "T(α₀ + α_min)/2" in spec.robbins_monro
    for steps in (100, 1000):
        total = schedule_values({"name": "cosine", "min_lr": 0.2}, 1.0, steps).sum()
        assert total == pytest.approx(steps * (1.0 + 0.2) / 2, rel=2 / steps)
