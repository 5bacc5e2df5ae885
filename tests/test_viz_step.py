"""The Step-by-step figures and the numbers shown beside them, from real runs."""

from __future__ import annotations

import numpy as np
import pytest

from optim_core import OPTIMIZERS, run
from surfaces import get_surface
from teach.compare import COMPARISONS, step_sizes
from viz import (
    LOOKAHEAD_COLOR,
    comparison_figure,
    state_table,
    step_figure,
    step_latex,
    tex_value,
    zoom_bounds,
)
from viz.step import Series, looks_ahead, paths_figure, series_figure, step_points, tex_number

BOWL = get_surface("bowl", kappa=10.0, angle=30.0)


def recorded(optimizer: str, steps: int = 12, **hyper):
    return run(BOWL, optimizer, start=BOWL.start, steps=steps, record_state=True, **hyper)


def arrows(fig) -> list[tuple[np.ndarray, np.ndarray, str]]:
    return [
        (np.array([a.ax, a.ay]), np.array([a.x, a.y]), a.arrowcolor)
        for a in fig.layout.annotations
        if a.showarrow
    ]


def test_tex_numbers_are_short_and_write_out_powers_of_ten():
    assert tex_number(0.123456) == "0.1235"
    assert tex_number(-2.5e-7) == r"-2.5 \times 10^{-7}"
    assert tex_number(0.0) == "0"
    assert tex_number(np.nan) == r"\text{n/a}"
    assert tex_value([1.0, -2.0]) == r"\big(1,\; -2\big)"
    assert tex_value([[1.0, 0.0], [0.0, 3.0]]) == r"\begin{pmatrix}1 & 0 \\ 0 & 3\end{pmatrix}"


def test_step_points_are_theta_before_after_and_where_the_gradient_was_taken():
    t = recorded("momentum")
    before, after, evaluated = step_points(t, 3)
    assert np.array_equal(before, t.path[2]) and np.array_equal(after, t.path[3])
    assert np.array_equal(evaluated, t.eval_points[2])
    for bad in (0, 13):
        with pytest.raises(ValueError, match="outside 1"):
            step_points(t, bad)


def test_the_step_arrow_runs_from_theta_t_minus_one_to_theta_t():
    t = recorded("sgd", lr=0.05)
    fig = step_figure(BOWL, t, 5)
    (arrow,) = arrows(fig)
    assert np.allclose(arrow[0], t.path[4]) and np.allclose(arrow[1], t.path[5])
    (faint,) = [tr for tr in fig.data if tr.name == "path so far"]
    assert len(faint.x) == 5 and faint.opacity < 0.5  # θ₀ … θ₄
    assert fig.data[0].type == "contour"
    assert "Step 5 of 12" in fig.layout.title.text
    assert not looks_ahead(t, 5)
    assert not [tr for tr in fig.data if "look-ahead" in (tr.name or "")]


def test_nesterov_marks_the_look_ahead_point_with_arrows_through_it():
    t = recorded("nesterov", lr=0.05, momentum=0.9)
    assert not looks_ahead(t, 1)  # v = 0 at the first step: no look-ahead yet
    assert looks_ahead(t, 4)
    fig = step_figure(BOWL, t, 4)
    (ahead,) = [tr for tr in fig.data if "look-ahead" in tr.name]
    assert np.allclose([ahead.x[0], ahead.y[0]], t.eval_points[3])
    drawn = arrows(fig)
    assert len(drawn) == 3
    jumps = [a for a in drawn if a[2] == LOOKAHEAD_COLOR]
    assert np.allclose(jumps[0][0], t.path[3]) and np.allclose(jumps[0][1], t.eval_points[3])
    assert np.allclose(jumps[1][0], t.eval_points[3]) and np.allclose(jumps[1][1], t.path[4])


def test_zoom_frames_the_step_and_the_view_follows_it():
    t = recorded("sgd", steps=60, lr=0.05)
    (x0, x1), (y0, y1) = zoom_bounds(t, 50, BOWL.bounds)
    pts = np.array(step_points(t, 50))
    assert x0 < pts[:, 0].min() and pts[:, 0].max() < x1
    assert y0 < pts[:, 1].min() and pts[:, 1].max() < y1
    assert x1 - x0 < 1.0  # far smaller than the 6-wide default view
    fig = step_figure(BOWL, t, 50, bounds=((x0, x1), (y0, y1)))
    assert tuple(fig.layout.xaxis.range) == (x0, x1)


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_every_optimizer_shows_each_state_field_under_its_own_symbol(optimizer):
    t = recorded(optimizer)
    latex = step_latex(t, 3)
    assert latex.startswith(r"\begin{aligned}") and latex.endswith(r"\end{aligned}")
    assert r"\alpha_{3} &= " + tex_number(t.lr[2]) in latex
    assert r"g &= \nabla f(" in latex and tex_value(t.grads[2]) in latex
    for name, symbol, _ in OPTIMIZERS[optimizer].state_fields_for(t.hyper):
        if name != "step":
            assert f"{symbol} &= {tex_value(t.states[name][2])}" in latex, name
    assert rf"\Delta\theta &= {tex_value(t.path[3] - t.path[2])}" in latex
    assert rf"\theta_{{2}} &= {tex_value(t.path[2])}" in latex
    end = rf"\theta_{{3}} &= \theta_{{2}} + \Delta\theta = {tex_value(t.path[3])}\end{{aligned}}"
    assert latex.endswith(end)
    rows = state_table(t, 3)
    assert rows[0]["quantity"] == "g" and rows[0]["x"] == f"{t.grads[2][0]:.5g}"
    names = [row["quantity"] for row in rows]
    for name, _, meaning in OPTIMIZERS[optimizer].state_fields_for(t.hyper):
        value = np.asarray(t.states[name][2])
        if value.ndim == 2:
            assert f"{name} (row x)" in names and f"{name} (row y)" in names
        else:
            (row,) = [r for r in rows if r["quantity"] == name]
            assert row["meaning"] == meaning
            assert row["x"] == f"{np.atleast_1d(value)[0]:.5g}"
            assert row["y"] == (f"{value[1]:.5g}" if value.ndim == 1 else "")


def test_the_look_ahead_step_names_the_point_where_the_gradient_was_taken():
    t = recorded("rmsprop_nesterov", lr=0.01)
    latex = step_latex(t, 5)
    assert r"\tilde\theta &= " + tex_value(t.eval_points[4]) in latex
    assert r"g &= \nabla f(\tilde\theta)" in latex


def test_a_diverged_step_shows_no_numbers_it_does_not_have():
    s = get_surface("bowl", kappa=15.0, angle=30.0)
    t = run(s, "sgd", start=s.start, steps=80, lr=0.15, record_state=True)
    assert t.diverged_at is not None
    k = t.diverged_at
    assert r"\text{n/a}" in step_latex(t, k)
    assert state_table(t, k)[0]["x"] == "n/a"
    fig = step_figure(s, t, k)  # builds, with no arrow from a frozen point
    assert len(arrows(fig)) <= 1


def test_paths_figure_draws_both_nesterov_forms_and_the_look_ahead_points():
    look_ahead = recorded("nesterov", steps=30, lr=0.05)
    reparam = recorded("nesterov_reparam", steps=30, lr=0.05)
    fig = paths_figure(BOWL, [look_ahead, reparam], ["look-ahead", "re-parametrized"])
    names = [tr.name for tr in fig.data]
    assert names[-3:] == ["look-ahead", "look-ahead: look-ahead points θ̃", "re-parametrized"]
    points = fig.data[names.index("look-ahead: look-ahead points θ̃")]
    path = fig.data[names.index("re-parametrized")]
    assert np.allclose(points.x, path.x[:-1]) and np.allclose(points.y, path.y[:-1])


def test_series_figure_numbers_steps_from_one_and_can_be_logarithmic():
    t = recorded("adagrad", steps=20, lr=0.5)
    fig = series_figure(
        [Series("x", t.states["effective_lr"][:, 0], "#000")],
        title="rate",
        y_title="α / (√r + ε)",
        log_y=True,
    )
    assert fig.layout.yaxis.type == "log"
    assert list(fig.data[0].x) == list(range(1, 21))
    assert np.allclose(fig.data[0].y, t.states["effective_lr"][:, 0])
    assert np.allclose(step_sizes(t), np.linalg.norm(np.diff(t.path, axis=0), axis=1))


def test_presentation_mode_draws_thicker_and_larger():
    t = recorded("sgd", lr=0.05)
    normal, big = step_figure(BOWL, t, 2), step_figure(BOWL, t, 2, present=True)
    assert big.layout.font.size > normal.layout.font.size
    assert big.layout.height > normal.layout.height
    assert max(a.arrowwidth for a in big.layout.annotations) > max(
        a.arrowwidth for a in normal.layout.annotations
    )


def test_the_step_figure_holds_its_legend_below_with_two_rows_room_for_a_look_ahead():
    """The margins are the room plotly.js would otherwise grow them to, drawing twice (the
    browser test ``test_drawn_once`` checks it in chromium): a second legend row's worth more
    when the look-ahead point's long entry joins the legend under the plot."""
    t = recorded("nesterov", lr=0.05, momentum=0.9)
    plain, ahead = step_figure(BOWL, t, 1).layout.margin, step_figure(BOWL, t, 4).layout.margin
    assert ahead.b >= plain.b + 30 and ahead.l == plain.l >= 60
    presented = step_figure(BOWL, t, 4, present=True).layout.margin
    assert presented.b < ahead.b  # presenting, the legend stands beside the plot


@pytest.mark.parametrize("which", list(COMPARISONS))
def test_every_comparison_is_drawn_from_its_entry_alone(which):
    """A comparison is one entry: its result's chart is drawn by the one comparison_figure."""
    entry = COMPARISONS[which]
    hypers = [{"lr": 0.05} for _ in entry.optimizers]
    chart = entry.compute(BOWL, *hypers, (1.0, 1.0), 30).chart()
    fig = comparison_figure(BOWL, chart, present=False)
    names = [trace.name for trace in fig.data]
    expected = [label for label, _ in chart.paths] or [line.label for line in chart.lines]
    assert all(label in names for label in expected) and expected
    assert all(line.optimizer in OPTIMIZERS for line in chart.lines)


def test_each_optimizer_opens_on_at_most_one_comparison_that_uses_it_or_its_family():
    from teach.compare import first_comparison

    owners = [c.id for c in COMPARISONS.values() for o in c.first_for]
    firsts = [o for c in COMPARISONS.values() for o in c.first_for]
    assert len(firsts) == len(set(firsts)) and set(firsts) <= set(OPTIMIZERS)
    assert first_comparison("adam") == "bias_correction" and len(owners) == len(firsts)
    assert first_comparison("sgd") == next(iter(COMPARISONS))  # none of its own: the first
