"""Deadlines: a run that passes its deadline stops, keeps what it computed and says so; a
deadline that does not pass changes nothing, bit for bit; the pages show what was computed with
a message. The slow surfaces sleep in their gradient (or are a slow formula with a deadline of
0 s), so the deadline fires whatever the machine; no test asserts a time."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pytest

from optim_core import OptimizerError, run, run_batch, run_many, sweep
from optim_core.grid import batch_sweep, grid_sweep
from surfaces import get_surface
from tests._analytic import bowl
from tests._apptest import board, navigation_app
from webapp.budget import SLOW_SURFACE, first_deadline, stopped_message

STEPS = 400  # × SLEEP: far beyond every deadline below
SLEEP = 0.005
DEADLINE = 0.05


@dataclass(frozen=True)
class SlowBowl:
    """f = ½(x² + 10y²), whose gradient takes ``sleep`` seconds a call."""

    sleep: float = SLEEP
    bounds: tuple = ((-2.0, 2.0), (-2.0, 2.0))
    minima: tuple = ((0.0, 0.0),)

    def f(self, xy):
        return 0.5 * (xy[..., 0] ** 2 + 10.0 * xy[..., 1] ** 2)

    def grad(self, xy):
        if self.sleep:
            time.sleep(self.sleep)
        return np.stack([xy[..., 0], 10.0 * xy[..., 1]], -1)

    def hessian(self, xy):
        return np.broadcast_to(np.diag([1.0, 10.0]), (*xy.shape[:-1], 2, 2)).copy()


SLOW, FAST = SlowBowl(), SlowBowl(sleep=0.0)  # the same numbers, one slow


def _assert_cut_short(t, k: int) -> None:
    """A Trajectory stopped by its deadline after k steps: the rest repeats its last iterate."""
    assert t.stopped == "deadline" and t.deadline_at == k and t.diverged_at is None
    assert 1 <= k < len(t.lr)
    np.testing.assert_array_equal(
        t.path[k + 1 :], np.broadcast_to(t.path[k], t.path[k + 1 :].shape)
    )
    np.testing.assert_array_equal(t.loss[k + 1 :], t.loss[k])
    assert np.isfinite(t.grads[:k]).all() and np.isnan(t.grads[k:]).all()
    assert np.isnan(t.eval_points[k:]).all()


# ---------------------------------------------------------------------------- run


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "nesterov", "newton"])
def test_run_stops_at_its_deadline_and_keeps_what_it_computed(optimizer):
    t = run(SLOW, optimizer, (1.0, 1.0), STEPS, lr=0.01, deadline=DEADLINE)
    k = t.deadline_at
    _assert_cut_short(t, k)
    whole = run(FAST, optimizer, (1.0, 1.0), STEPS, lr=0.01)  # the same run, fast and whole
    np.testing.assert_array_equal(t.path[: k + 1], whole.path[: k + 1])
    np.testing.assert_array_equal(t.loss[: k + 1], whole.loss[: k + 1])
    np.testing.assert_array_equal(t.grads[:k], whole.grads[:k])


def test_recorded_state_ends_where_the_run_stopped():
    t = run(SLOW, "adam", (1.0, 1.0), STEPS, record_state=True, deadline=DEADLINE)
    k = t.deadline_at
    _assert_cut_short(t, k)
    for values in t.states.values():
        assert len(values) == STEPS
        assert np.isfinite(values[:k]).all() and np.isnan(values[k:]).all()


def test_a_deadline_already_past_still_takes_the_first_step():
    t = run(SLOW, "sgd", (1.0, 1.0), 50, deadline=0.0)
    _assert_cut_short(t, 1)


def test_a_run_that_diverges_before_its_deadline_says_it_diverged():
    t = run(SlowBowl(sleep=0.002), "sgd", (1.0, 1.0), STEPS, lr=1.0, deadline=10 * DEADLINE)
    assert t.stopped == "diverged" and t.deadline_at is None and t.diverged_at < STEPS


def test_a_deadline_that_does_not_pass_changes_nothing():
    surface = get_surface("rosenbrock")
    for optimizer in ("momentum", "adam", "newton"):
        free = run(surface, optimizer, (-1.2, 1.0), 300, record_state=True)
        timed = run(surface, optimizer, (-1.2, 1.0), 300, record_state=True, deadline=1e6)
        assert timed.deadline_at is None and timed.stopped == free.stopped
        for name in ("path", "loss", "lr", "grads", "eval_points"):
            np.testing.assert_array_equal(getattr(timed, name), getattr(free, name))
        for name, values in free.states.items():
            np.testing.assert_array_equal(timed.states[name], values)
    lrs = np.geomspace(1e-5, 3e-3, 8)
    free = run_batch(surface, "momentum", (-1.2, 1.0), 300, lr=lrs)
    timed = run_batch(surface, "momentum", (-1.2, 1.0), 300, lr=lrs, deadline=1e6)
    np.testing.assert_array_equal(timed.path, free.path)
    np.testing.assert_array_equal(timed.loss, free.loss)
    np.testing.assert_array_equal(timed.diverged_at, free.diverged_at)
    assert timed.deadline_at is None


@pytest.mark.parametrize("bad", [-1.0, float("nan"), "5", True, [1.0]])
def test_an_invalid_deadline_is_refused_with_a_plain_message(bad):
    with pytest.raises(OptimizerError, match="Invalid deadline"):
        run(bowl(), "sgd", (1.0, 1.0), 10, deadline=bad)
    with pytest.raises(OptimizerError, match="Invalid deadline"):
        run_batch(bowl(), "sgd", (1.0, 1.0), 10, deadline=bad)
    (error,) = run_many(bowl(), [{"optimizer": "sgd", "steps": 10, "deadline": bad}])
    assert isinstance(error, OptimizerError) and "Invalid deadline" in str(error)


# ---------------------------------------------------------------------------- batches


def test_run_batch_stops_every_member_still_running_at_one_step():
    lrs = np.array([0.01, 0.1, 0.25])  # the last diverges (α λ_max = 2.5) before the deadline
    b = run_batch(SLOW, "sgd", (1.0, 1.0), STEPS, lr=lrs, deadline=10 * DEADLINE)
    k = b.deadline_at
    assert k is not None and 1 <= k < STEPS
    assert list(b.stopped) == ["deadline", "deadline", "diverged"]
    assert list(b.diverged_at[:2]) == [-1, -1] and 0 < b.diverged_at[2] < k
    whole = run_batch(FAST, "sgd", (1.0, 1.0), STEPS, lr=lrs)
    np.testing.assert_array_equal(b.path[: k + 1], whole.path[: k + 1])
    np.testing.assert_array_equal(
        b.path[k + 1 :, :2], np.broadcast_to(b.path[k, :2], (STEPS - k, 2, 2))
    )


def test_run_many_stops_the_runs_past_their_deadline_only():
    runs = [
        {"optimizer": "sgd", "start": (1.0, 1.0), "steps": STEPS, "deadline": DEADLINE},
        {"optimizer": "adam", "start": (1.0, 0.5), "steps": 3, "deadline": DEADLINE},
        {"optimizer": "sgd", "start": (0.5, 1.0), "steps": 20},  # no deadline: to its end
    ]
    shared, short, free = run_many(SLOW, runs)
    _assert_cut_short(shared, shared.deadline_at)
    assert short.stopped is None and short.deadline_at is None  # done before the deadline
    assert free.stopped is None and free.deadline_at is None and len(free.lr) == 20
    np.testing.assert_array_equal(short.path, run(FAST, "adam", (1.0, 0.5), 3).path)
    assert first_deadline([short, shared, free]) == shared.deadline_at


def test_run_many_counts_a_deadline_from_its_start():
    runs = [
        {"optimizer": "newton", "start": (1.0, 1.0), "steps": STEPS, "deadline": DEADLINE},
        {"optimizer": "sgd", "start": (1.0, 1.0), "steps": STEPS, "deadline": DEADLINE},
    ]
    solo, shared = run_many(SLOW, runs)  # Newton runs alone, first, and uses up the time
    _assert_cut_short(solo, solo.deadline_at)
    _assert_cut_short(shared, 1)


# ---------------------------------------------------------------------------- sweeps


def test_sweeps_stop_at_their_deadline_and_say_where():
    lrs = np.geomspace(1e-3, 0.1, 5)
    result = sweep(SLOW, "momentum", (1.0, 1.0), lrs, seconds=[0.0, 0.9], steps=STEPS,
                   deadline=DEADLINE)  # fmt: skip
    assert result.deadline_at is not None and result.deadline_at < STEPS
    assert result.final_gap.shape == (2, 5) and np.isfinite(result.final_gap).all()
    grid = grid_sweep(SLOW, "adam", (1.0, 1.0), (1e-3, 0.1), 4, STEPS, 1e-6, deadline=DEADLINE)
    assert grid.deadline_at is not None and grid.deadline_at < STEPS
    free = grid_sweep(
        get_surface("bowl"), "adam", (1.0, 1.0), (1e-3, 0.1), 4, 50, 1e-6, deadline=60.0
    )
    assert free.deadline_at is None


def test_a_batch_size_sweep_shares_one_deadline():
    surface = get_surface("regression")
    sizes = (1, 4, surface.n_examples)
    result = batch_sweep(surface, "sgd", surface.start, (1e-3, 0.1), 3, 50, 1e-6, sizes=sizes,
                         deadline=0.0)  # fmt: skip
    assert result.deadline_at == 1 and result.final_gap.shape == (3, 3)


def test_the_message_says_when_where_and_why():
    text = stopped_message("The grid", 6.0, 41, 500)
    assert text == f"The grid stopped after 6 s at step 41 of 500 — {SLOW_SURFACE}"


# ---------------------------------------------------------------------------- pages

# Slow to evaluate (twelve sines and cosines) and new to every cache of the test process.
SLOW_FORMULA = "x^2+y^2+" + "+".join(f"sin({i}x+y)cos(x-{i}y)/{i * i + 3}" for i in range(1, 7))


def _warnings(at) -> list[str]:
    return [w.value for w in at.warning]


def test_the_lab_shows_the_grid_its_deadline_stopped(monkeypatch):
    monkeypatch.setattr("webapp.budget.LAB_DEADLINE", 0.0)
    query = {"surface": "custom", "formula": SLOW_FORMULA, "lab_opt": "adam", "lab_n": "8",
             "steps": "60", "lab_lr_min": "0.001", "lab_lr_max": "0.1"}  # fmt: skip
    at = navigation_app("app_pages/lr_lab.py", query)
    assert not at.exception
    assert any(w.startswith("The grid stopped after 0 s at step 1 of 60") for w in _warnings(at))
    assert any(SLOW_SURFACE in w and "each cell shows" in w for w in _warnings(at))
    assert at.get("plotly_chart"), "what was computed is still shown"


def test_the_race_shows_the_paths_its_deadline_stopped(monkeypatch):
    monkeypatch.setattr("webapp.budget.RACE_DEADLINE", 0.0)
    query = {"surface": "custom", "formula": SLOW_FORMULA, "race_opts": "sgd,adam",
             "steps": "70"}  # fmt: skip
    at = navigation_app("app_pages/race.py", query)
    assert not at.exception
    assert any(w.startswith("The race stopped after 0 s at step 1 of 70") for w in _warnings(at))
    assert board(at)["figure"]["data"], "what was computed is still shown"


def test_step_by_step_says_which_steps_its_deadline_left_out(monkeypatch):
    monkeypatch.setattr("webapp.budget.STEP_DEADLINE", 0.0)
    query = {"surface": "custom", "formula": SLOW_FORMULA, "step_opt": "momentum",
             "steps": "80"}  # fmt: skip
    at = navigation_app("app_pages/step.py", query)
    assert not at.exception
    messages = [w.value for w in (*at.warning, *at.error)]
    assert any("This run stopped after 0 s at step 1 of 80" in m for m in messages)


def test_a_run_its_deadline_cut_short_says_so_in_the_table_and_is_not_kept():
    from optim_core.analysis import stop_reason
    from teach.results import race_results
    from webapp import runs

    t = run(SLOW, "sgd", start=(1.0, 1.0), steps=STEPS, lr=0.05, deadline=DEADLINE)
    k = t.deadline_at
    assert stop_reason(SLOW, t) == f"stopped at step {k}: its time ran out"
    (row,) = race_results(SLOW, {"sgd": t}, 1e-4).rows
    assert row.stopped_at == k and row.status == stop_reason(SLOW, t)
    before = len(runs._runs)
    assert runs._keep("a deadline key", t) is t and len(runs._runs) == before
    finished = run(FAST, "sgd", start=(1.0, 1.0), steps=5, lr=0.05)
    runs._keep("a finished key", finished)
    assert len(runs._runs) == before + 1
