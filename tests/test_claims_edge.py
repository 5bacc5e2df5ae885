"""The edge-of-stability lesson's claims, checked on its own setup (``teach.edge.SETUP``): the
sharpness rises from below 2/α to it, then stays within the stated band around 2/α to the end
for at least two α; the loss falls overall but not monotonically; at the small α the sharpness
never reaches its edge and the loss falls at every step; under cross-entropy the sharpness falls
away from the edge as the loss nears zero; and the answer states the measured numbers.

The runs are shared by the whole module (``teach.edge`` caches them on its frozen setup)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from lessons import LESSONS_BY_ID, answer_text
from lessons.edge_of_stability import setup_of
from optim_core.sharpness import (
    preconditioned_edge,
    preconditioned_sharpness,
    stability_edge,
    top_eigenvalue,
)
from teach import edge
from teach.text import shown
from tests.test_lessons import typed_numbers

LESSON = LESSONS_BY_ID["edge_of_stability"]
SETUP = setup_of(LESSON.links)  # what the lesson's links open on the Network page


def test_the_links_open_the_setup_teach_edge_names():
    assert replace(SETUP, adam_hyper=()) == edge.SETUP
    assert dict(SETUP.adam_hyper)["beta1"] == 0.9  # Adam's defaults: its edge is 38/α


@pytest.fixture(scope="module")
def measured():
    return edge.measure_edge(SETUP)


@pytest.fixture(scope="module")
def runs():
    """{α: (Trajectory, Sharpness)} of the squared-error runs, the small α's included."""
    return {lr: (t, s) for lr, t, s in edge.edge_runs(SETUP)}


@pytest.fixture(scope="module")
def ce_run():
    ((_, t, s),) = edge.edge_runs(SETUP, "bce", (SETUP.ce_lr,))
    return t, s


def _ratio(sharp, lr):
    return sharp.values * lr / 2.0


def test_the_setup_is_a_network_small_enough_and_the_sharpness_every_odd_step():
    net = SETUP.network()
    assert net.dim <= 400 and SETUP.every % 2 == 1 and len(SETUP.lrs) >= 2
    assert SETUP.small_lr < min(SETUP.lrs)


def test_the_sharpness_is_the_top_eigenvalue_at_the_measured_steps(runs):
    """The warm-started Lanczos along the run equals a cold one of many more products."""
    net = SETUP.network()
    trajectory, sharp = runs[SETUP.lrs[0]]
    for k in np.linspace(0, len(sharp.steps) - 1, 5).astype(int):
        theta = trajectory.path[sharp.steps[k]]
        cold, _ = top_eigenvalue(lambda v, t=theta: net.hvp(t, v), net.dim, iters=120, seed=7)
        assert sharp.values[k] == pytest.approx(cold, rel=1e-6)


def test_the_sharpness_rises_from_below_its_edge_to_it(measured, runs):
    for run in measured.runs:
        _, sharp = runs[run.lr]
        ratio = _ratio(sharp, run.lr)
        assert ratio[0] < 0.5 and run.start_ratio == pytest.approx(ratio[0])
        k = int(np.argmax(ratio >= 1.0))
        assert ratio[k] >= 1.0 and np.all(ratio[:k] < 1.0) and sharp.steps[k] == run.first
        assert np.all(np.diff(sharp.values[: k + 1]) > 0)  # it rises at every measurement
        assert run.rises_to_first


def test_then_it_stays_within_the_band_to_the_end_for_at_least_two_rates(measured, runs):
    band = SETUP.band
    assert band <= 0.15
    held = edge.hovering(measured)
    assert len(held) >= 2
    for run in held:
        _, sharp = runs[run.lr]
        ratio, steps = _ratio(sharp, run.lr), sharp.steps
        k = int(np.searchsorted(steps, run.settled))
        assert steps[k] == run.settled and run.first <= run.settled
        assert np.all(np.abs(ratio[k:] - 1.0) <= band)  # within ±band from `settled` to the end
        assert abs(ratio[k - 1] - 1.0) > band  # … and not from one measurement earlier
        assert run.cross.band == pytest.approx((ratio[k:].min(), ratio[k:].max()))
        assert steps[-1] - run.settled >= SETUP.steps // 3  # a long stretch, not a last glimpse


def test_the_loss_falls_overall_but_not_monotonically(measured, runs):
    for run in measured.runs:
        loss = runs[run.lr][0].loss
        ups = np.diff(loss) > 0
        assert loss[-1] < loss[0] and ups.sum() == run.loss_ups > 0
        assert not ups[: run.first].any()  # not once before the sharpness reached 2/α
        assert run.loss_spike == loss[run.first :].max() > loss[run.first]


def test_at_the_small_rate_the_sharpness_never_reaches_its_edge_and_the_loss_only_falls(
    measured, runs
):
    small = measured.small
    trajectory, sharp = runs[SETUP.small_lr]
    ratio = _ratio(sharp, SETUP.small_lr)
    assert small.first is None and ratio.max() < 1.0 and ratio[-1] > ratio[0]
    assert np.all(np.diff(trajectory.loss) <= 0) and small.loss_ups == 0


def test_squared_error_is_still_at_its_edge_at_the_end_and_cross_entropy_falls_away(
    measured, ce_run
):
    for run in measured.runs:
        assert abs(run.end_ratio - 1.0) <= SETUP.band
    trajectory, sharp = ce_run
    ce, ratio = measured.ce, _ratio(sharp, SETUP.ce_lr)
    assert ce.first is not None and ratio.max() >= 1.0
    k = int(np.searchsorted(sharp.steps, ce.cross.below_from))
    assert np.all(ratio[k:] < 1.0 - SETUP.band) and ratio[k - 1] >= 1.0 - SETUP.band
    assert ratio[-1] < 0.5 and trajectory.loss[-1] < edge.NEAR_ZERO * trajectory.loss[0]


def test_the_answer_states_the_measured_numbers(measured):
    text = answer_text("edge_of_stability")
    for run in measured.runs:
        assert f"At α = {shown(run.lr)} ($2/\\alpha$ = {shown(run.edge)})" in text
        assert f"starts at {shown(run.start_ratio)} ×" in text
        assert f"rises to it at step {run.first}" in text
        cross = run.cross
        assert f"overshoots to {shown(cross.peak_ratio)} × at step {cross.peak}" in text
        band = f"from step {run.settled} to the end stays within ±{shown(100 * SETUP.band)} %"
        assert band in text
        assert f"(between {shown(cross.band[0])} × and {shown(cross.band[1])} ×)" in text
    ends = ", ".join(shown(r.loss_end) for r in measured.runs[:-1])
    assert f"to {ends} and {shown(measured.runs[-1].loss_end)}, but not monotonically" in text
    ups = ", ".join(str(r.loss_ups) for r in measured.runs[:-1])
    assert f"it went up at {ups} and {measured.runs[-1].loss_ups} of the {SETUP.steps}" in text
    assert "not once before the sharpness reached" in text
    assert f"This is the edge of stability ({edge.CITATION})." in text
    small = measured.small
    assert f"rose from {shown(small.start_ratio)} × to {shown(small.end_ratio)} ×" in text
    assert "never reached it; the loss fell at every step from" in text
    assert f"to {shown(small.loss_end)}, as on a bowl below its edge" in text
    assert "only the run's length ends the hovering" in text
    ce = measured.ce
    assert f"from step {ce.cross.below_from} on its sharpness stays below" in text
    assert f"{shown(100 * ce.accuracy_end)} % of the training examples" in text
    assert edge.CITATION in text


def test_the_words_follow_the_measurement():
    """A run that never settles, a small α that reached its edge, a loss that went up before
    the edge, an end off the edge: each changes the words."""
    m = edge.measure_edge(SETUP)
    first = m.runs[0]  # the runs are the lesson's (its answer is checked above)
    loose = replace(first, cross=replace(first.cross, settled=None, band=None))
    reached = replace(m.small, cross=first.cross)
    early = replace(first, loss_ups_before=3, rises_to_first=False)
    off = replace(first, end_ratio=0.5)
    ce = replace(m.ce, loss_end=m.ce.loss_start)
    adam = replace(m.adam, plain_max_ratio=1.2)
    text = edge.edge_answer(replace(m, runs=(loose, early, off), small=reached, ce=ce, adam=adam))
    assert "but at the end it is outside" in text
    assert f"reached $2/\\alpha$ as well, at step {first.first}" in text
    assert "not rising at every measurement" in text
    assert "falls away from the edge" not in text and "ends at" in text
    assert "is not held at" not in text and "preconditioned sharpness at most" in text
    assert "of them before the sharpness reached" in text and "not once" not in text
    assert "not every run is still at its edge" in text
    assert "only the run's length" not in text
    bumpy = replace(m.small, loss_ups=3)
    text = edge.edge_answer(replace(m, runs=(loose, loose), small=bumpy))
    assert "This is the edge of stability" not in text  # no run hovers
    assert "the loss went up at 3 steps on its way" in text and "as on a bowl" not in text


@pytest.fixture(scope="module")
def adam_run():
    return edge.adam_run(SETUP)


def test_adams_preconditioned_sharpness_pairs_each_iterate_with_its_steps_v_hat(adam_run):
    trajectory, pre, _ = adam_run
    net, eps = SETUP.network(), trajectory.hyper["eps"]
    for k in (1, len(pre.steps) // 2, -1):
        t = pre.steps[k]
        v_hat = trajectory.states["v_hat"][t]  # the v̂ of step t + 1, the step from θ_t
        lam, _ = preconditioned_sharpness(net, trajectory.path[t], v_hat, eps, iters=120)
        assert pre.values[k] == pytest.approx(lam, rel=1e-6)
    assert pre.steps[-1] == SETUP.steps - 1


def test_adam_is_not_held_at_two_over_alpha_but_at_its_own_edge(measured, adam_run):
    trajectory, pre, plain = adam_run
    a, band = measured.adam, SETUP.band
    assert a.edge == pytest.approx(38 / SETUP.adam_lr)  # β₁ = 0.9
    assert a.edge == preconditioned_edge("adam", trajectory.hyper)
    assert plain.values.max() < (1 - band) * stability_edge("sgd", {"lr": SETUP.adam_lr})
    ratio = pre.values / a.edge
    k = int(np.searchsorted(pre.steps, a.cross.settled))
    assert ratio.max() >= 1.0 and np.all(np.abs(ratio[k:] - 1.0) <= band)
    assert abs(ratio[k - 1] - 1.0) > band and pre.steps[-1] - a.cross.settled >= SETUP.steps // 3
    assert trajectory.loss[-1] < trajectory.loss[0] and np.any(np.diff(trajectory.loss) > 0)
    text = answer_text("edge_of_stability")
    assert f"its sharpness is at most {shown(a.plain_max_ratio)} ×" in text
    assert f"= {round(a.edge)} at step {a.cross.first}, and from step {a.cross.settled}" in text
    assert f"(between {shown(a.cross.band[0])} × and {shown(a.cross.band[1])} ×)" in text
    assert edge.ADAM_CITATION in text


def test_the_lessons_texts_type_no_number():
    for name, template in edge.PHRASES.items():
        assert typed_numbers(template) == [], (name, typed_numbers(template))
    assert LESSON.topic == "learning rate"
