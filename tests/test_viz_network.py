"""viz.network, viz.network_curves and viz.network_parts: the Network page's four figures, their
frames, sizes, axes and pictures, and the level lines drawn over the pictures."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from optim_core import OPTIMIZERS, Trajectory, run
from optim_core.landscape import loss_over_plane, pca_plane, random_slice
from optim_core.sharpness import sharpness_along, stability_edge
from surfaces.network import get_network
from viz.network import network_panels
from viz.network_curves import step_ticks
from viz.network_parts import (
    BOUNDARY_PIXELS,
    CLASS_COLORS,
    boundary_png,
    level_lines,
    level_segments,
    loss_share,
    plane_levels,
    slice_figure,
    upsample,
)
from viz.race_frames import MAX_FRAMES

DEFAULT_LR = {"sgd": 1.0, "momentum": 0.3, "adam": 0.05}


@dataclass(frozen=True)
class Run:
    """What the figures read of a run (``webapp.network_runs.NetRun``)."""

    trajectory: Trajectory
    last: int
    test_steps: np.ndarray
    test_loss: np.ndarray

    @property
    def path(self):
        return self.trajectory.path[: self.last + 1]

    @property
    def loss(self):
        return self.trajectory.loss[: self.last + 1]


def _runs(net, lrs: dict, steps: int = 500) -> dict:
    theta0 = net.init(0)
    out = {}
    for opt, lr in lrs.items():
        t = run(net, opt, start=theta0, steps=steps, lr=lr)
        last = len(t.path) - 1 if t.diverged_at is None else t.diverged_at - 1
        tested = np.arange(0, last + 1, 3)  # the test loss at some iterates only
        out[opt] = Run(t, last, tested, np.asarray(net.test_loss(t.path[tested])))
    return out


def _panels(net, runs, boundary_of="sgd", **kw):
    names = list(runs)
    fit = [i for i, o in enumerate(names) if runs[o].trajectory.diverged_at is None]
    plane = pca_plane([runs[o].path for o in names], runs[boundary_of].path[-1], fit=fit)
    view = SimpleNamespace(plane=plane, grid=loss_over_plane(net, plane, 21))
    return network_panels(net, runs, view, boundary_of=boundary_of, **kw), plane


@pytest.fixture(scope="module")
def net():
    return get_network("moons", hidden=(8,))


@pytest.fixture(scope="module")
def default(net):
    runs = _runs(net, DEFAULT_LR)
    sharp = {o: sharpness_along(net, r.path, every=25) for o, r in runs.items()}
    edges = {o: stability_edge(o, {"lr": lr}) for o, lr in DEFAULT_LR.items()}
    panels, plane = _panels(net, runs, sharpness=sharp, edges=edges)
    return SimpleNamespace(runs=runs, panels=panels, plane=plane, edges=edges)


def _png(source: str) -> np.ndarray:
    head = "data:image/png;base64,"
    assert source.startswith(head)
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(source[len(head) :]))).convert("RGB"))


def _decode(spec) -> np.ndarray:
    if isinstance(spec, dict):
        return np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.float32)
    return np.asarray(spec, dtype=float)


def _rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)])


def test_the_default_figures_fit_the_size_budget(default):
    size = sum(len(f.to_json()) for f in default.panels.figures)
    assert size <= 0.5e6, size


def test_four_figures_share_frames_of_the_same_steps(default):
    steps = default.panels.steps
    assert steps[0] == 0 and steps[-1] == 500 and len(steps) <= MAX_FRAMES
    for fig in default.panels.figures:
        frames = fig.to_dict()["frames"]
        assert [f["name"] for f in frames] == [str(s) for s in steps]
        n = len(fig.to_dict()["data"])
        for frame in frames:  # each frame names existing traces, one datum each
            assert len(frame["traces"]) == len(frame["data"]) and max(frame["traces"]) < n


def _trace(fig: dict, name: str) -> tuple[int, dict]:
    (found,) = [(i, t) for i, t in enumerate(fig["data"]) if t.get("name") == name]
    return found


def _at_frame(fig: dict, frame: dict, index: int) -> dict:
    """Trace ``index`` of ``fig`` as ``frame`` shows it."""
    moved = dict(zip(frame["traces"], frame["data"], strict=True))
    return {**fig["data"][index], **moved.get(index, {})}


def _chains(x, y) -> list[np.ndarray]:
    """A polyline trace's lines (its points split at the NaN gaps)."""
    points = np.stack([_decode(x), _decode(y)], axis=-1)
    pieces = np.split(points, np.flatnonzero(np.isnan(points[:, 0])))
    return [c[~np.isnan(c[:, 0])] for c in pieces if (~np.isnan(c[:, 0])).any()]


def test_the_boundary_moves_with_the_frames_and_says_how_many_are_right(net, default):
    fig = default.panels.boundary.to_dict()
    frames = fig["frames"]
    first, last = (_png(f["layout"]["images[0].source"]) for f in (frames[0], frames[-1]))
    assert first.shape == (BOUNDARY_PIXELS, BOUNDARY_PIXELS, 3) and not np.array_equal(first, last)
    end = default.runs["sgd"].path[-1]
    right = float(net.accuracy(end)), float(net.accuracy(end, test=True))
    k, label = _trace(fig, "accuracy")
    said = _at_frame(fig, frames[-1], k)["text"]
    assert said == [f"right: ● train {right[0]:.0%} · ◇ test {right[1]:.0%}"]
    # above the plot, out of the data: at its top edge, drawn upward, not clipped by the axes
    (x0, x1), (y0, y1) = net.view
    assert (label["x"], label["y"]) == ([x0], [y1]) and label["textposition"] == "top right"
    assert label["cliponaxis"] is False and fig["layout"]["yaxis"]["range"][1] == y1
    # the trained network's picture is blue where class 1 lies: at the class-1 training points
    x, y = net.data
    ones = x[y == 1]
    cols = np.clip(
        ((ones[:, 0] - x0) / (x1 - x0) * (BOUNDARY_PIXELS - 1)).round().astype(int),
        0,
        BOUNDARY_PIXELS - 1,
    )
    rows = np.clip(
        ((y1 - ones[:, 1]) / (y1 - y0) * (BOUNDARY_PIXELS - 1)).round().astype(int),
        0,
        BOUNDARY_PIXELS - 1,
    )
    colour = last[rows, cols].astype(float)
    bluish = colour[:, 2] > colour[:, 0]
    assert bluish.mean() >= right[0] - 0.05
    points = [t for t in fig["data"] if t["name"].startswith("train data")]
    assert {t["marker"]["color"] for t in points} == set(CLASS_COLORS)


def test_the_boundary_line_is_where_the_network_is_undecided_at_every_frame(net, default):
    fig = default.panels.boundary.to_dict()
    k, line = _trace(fig, "P = 0.5")
    assert line["mode"] == "lines"
    thetas = default.runs["sgd"].path
    drawn = []
    for frame in (fig["frames"][0], fig["frames"][len(fig["frames"]) // 2], fig["frames"][-1]):
        at = _at_frame(fig, frame, k)
        points = np.concatenate(_chains(at["x"], at["y"]))
        p = net.predict(thetas[int(frame["name"])], points)
        assert np.abs(p - 0.5).max() < 0.05, (frame["name"], np.abs(p - 0.5).max())
        drawn.append(points)
    assert not np.array_equal(drawn[0], drawn[-1])  # it moves with the frames
    # the trained network's boundary crosses the whole view (the moons are split)
    (x0, x1), _ = net.view
    assert drawn[-1][:, 0].min() < x0 + 0.1 * (x1 - x0) and drawn[-1][:, 0].max() > x1 - 0.1 * (
        x1 - x0
    )


def test_test_points_are_smaller_and_open_so_the_training_set_reads_first(default):
    fig = default.panels.boundary.to_dict()
    train = [t["marker"] for t in fig["data"] if t["name"].startswith("train data")]
    test = [t["marker"] for t in fig["data"] if t["name"].startswith("test data")]
    assert len(train) == len(test) == 2
    for a, b in zip(train, test, strict=True):
        assert b["symbol"].endswith("-open") and not a["symbol"].endswith("-open")
        assert b["size"] < a["size"] and a["color"] == b["color"]
    k, _ = _trace(fig, "accuracy")
    said = _at_frame(fig, fig["frames"][0], k)["text"][0]
    assert "● train" in said and "◇ test" in said  # which is which
    assert train[0]["symbol"] == "circle" and test[0]["symbol"] == "diamond-open"


def test_the_plane_figure_draws_each_run_and_its_dot_reaches_the_end(default):
    fig = default.panels.plane.to_dict()
    shares = default.plane.explained
    assert f"{100 * shares[0]:.0f} %" in fig["layout"]["xaxis"]["title"]["text"]
    assert f"{100 * shares[1]:.0f} %" in fig["layout"]["yaxis"]["title"]["text"]
    last = fig["frames"][-1]
    moved = dict(zip(last["traces"], last["data"], strict=True))
    for i, opt in enumerate(default.runs):
        (dot,) = [
            k
            for k, t in enumerate(fig["data"])
            if t.get("legendgroup") == opt and t["mode"] == "markers"
        ]
        end = default.plane.coords[i][-1]
        assert moved[dot]["x"][0] == pytest.approx(end[0]) and moved[dot]["y"][0] == pytest.approx(
            end[1]
        )
        assert fig["data"][dot]["marker"]["symbol"] == OPTIMIZERS[opt].marker
        assert fig["data"][dot]["marker"]["color"] == OPTIMIZERS[opt].color
    assert fig["layout"]["images"][0]["source"].startswith("data:image/png")


def test_the_plane_has_level_lines_where_the_runs_end(default):
    # Levels at the loss's quantiles over the plane: the valley the runs descend into has its
    # lines too (levels evenly spaced in the loss left it one flat grey: none near two of the
    # three end points of the default runs).
    fig = default.panels.plane.to_dict()
    _, levels = _trace(fig, "loss levels")
    lines = _chains(levels["x"], levels["y"])
    (a0, a1), (b0, b1) = fig["layout"]["xaxis"]["range"], fig["layout"]["yaxis"]["range"]
    reach = 0.05 * max(a1 - a0, b1 - b0)
    for i, opt in enumerate(default.runs):
        end = default.plane.coords[i][-1]
        near = [c for c in lines if (np.abs(c - end).max(axis=1) < reach).any()]
        assert len(near) >= 2, (opt, end, len(near))


def test_the_loss_figure_holds_train_and_test_loss_on_a_log_axis(default):
    fig = default.panels.loss.to_dict()
    assert fig["layout"]["yaxis"]["type"] == "log"
    for opt, r in default.runs.items():
        train, test = [t for t in fig["data"] if t.get("legendgroup") == opt][:2]
        np.testing.assert_allclose(_decode(train["y"]), r.loss, rtol=1e-6)
        np.testing.assert_allclose(_decode(test["y"]), r.test_loss, rtol=1e-6)
        np.testing.assert_array_equal(_decode(test["x"]), r.test_steps)
        assert test["line"]["dash"] == "dash" and train["line"]["color"] == OPTIMIZERS[opt].color
    steps = default.panels.steps
    line = [f["data"][-1]["x"] for f in fig["frames"]]
    assert line == [[int(s), int(s)] for s in steps]


def test_the_sharpness_figure_draws_an_edge_only_where_the_optimizer_has_one(default):
    fig = default.panels.sharpness.to_dict()
    edges = {t["legendgroup"]: t["y"][0] for t in fig["data"] if t["name"].endswith("edge")}
    assert edges == pytest.approx({"sgd": 2.0, "momentum": (2 + 2 * 0.9) / 0.3})
    assert "adam" not in edges  # adaptive: no edge of λ_max(H)
    assert fig["layout"]["yaxis"]["type"] == "log"


def _log_top(fig: dict) -> float:
    """How far above the highest value drawn the log axis reaches (decades)."""
    values = [
        _decode(t["y"])
        for t in fig["data"]
        if t.get("legendgroup") and t["mode"] != "markers" and t["name"] != "step"
    ]
    return fig["layout"]["yaxis"]["range"][1] - np.log10(np.nanmax(np.concatenate(values)))


@pytest.mark.parametrize("panel", ["loss", "sharpness"])
def test_the_step_panels_leave_room_past_the_last_step_and_above_the_highest_value(default, panel):
    fig = getattr(default.panels, panel).to_dict()
    lo, hi = fig["layout"]["xaxis"]["range"]
    assert lo <= -0.02 * 500 and hi >= 500 * 1.02  # the last step's dots whole, its line inside
    assert _log_top(fig) >= 0.1  # the highest point under the top, with room (log axis)
    ticks = np.arange(0, 500 + 1, fig["layout"]["xaxis"]["dtick"])
    assert fig["layout"]["xaxis"]["tick0"] == 0 and list(ticks) == [0, 100, 200, 300, 400, 500]


def test_a_step_axis_has_four_to_six_round_ticks_for_any_run_length():
    for last in range(3, 1001):
        every = step_ticks(last)
        assert every.is_integer() and 4 <= last // every + 1 <= 6, (last, every)
    round_ = {m * 10**k for m in (1, 2, 2.5, 5) for k in range(4)}
    assert {step_ticks(n) for n in range(10, 1001, 10)} <= round_  # the page's step counts
    assert [step_ticks(n) for n in (1000, 500, 60, 130)] == [200, 100, 20, 25]


def test_the_legend_has_one_entry_per_optimizer_in_its_colour_and_symbol(default):
    assert [e["group"] for e in default.panels.legend] == list(DEFAULT_LR)
    for entry in default.panels.legend:
        spec = OPTIMIZERS[entry["group"]]
        assert (entry["color"], entry["symbol"], entry["name"]) == (
            spec.color,
            spec.marker,
            spec.name,
        )


def test_a_run_that_diverged_is_drawn_up_to_the_step_before(net):
    mse = get_network("moons", hidden=(8,), loss="mse")
    runs = _runs(mse, {"sgd": 3.0, "adam": 0.05}, steps=60)
    k = runs["sgd"].trajectory.diverged_at
    assert k is not None
    panels, _ = _panels(mse, runs, boundary_of="adam")
    loss = panels.loss.to_dict()
    train = next(t for t in loss["data"] if t.get("legendgroup") == "sgd")
    assert len(_decode(train["y"])) == k
    dots = loss["frames"][-1]["data"]
    assert dots[0]["x"] == [k - 1]  # the dot waits at the last iterate that counts


def test_fourteen_optimizers_stay_near_the_budget(net):
    lrs = {o: 0.01 for o in OPTIMIZERS if o != "newton"}
    runs = _runs(net, lrs)
    panels, _ = _panels(net, runs)
    size = sum(len(f.to_json()) for f in panels.figures)
    assert size <= 1.0e6, size


def test_upsampling_keeps_the_grid_values_at_its_corners_and_is_linear_between():
    values = np.array([[0.0, 1.0], [2.0, 3.0]])
    up = upsample(values, 5)
    assert up[0, 0] == 0.0 and up[0, -1] == 1.0 and up[-1, 0] == 2.0 and up[-1, -1] == 3.0
    np.testing.assert_allclose(up[2, 2], 1.5)
    np.testing.assert_allclose(up[0], np.linspace(0, 1, 5))


def test_the_boundary_image_is_orange_below_half_and_blue_above_with_no_line_drawn_in_it():
    prob = np.tile(np.linspace(0.0, 1.0, 50), (50, 1))  # P rises from left to right
    image = _png(boundary_png(prob))
    left, right = image[:, 2].astype(float), image[:, -3].astype(float)
    assert (left[:, 0] > left[:, 2]).all() and (right[:, 2] > right[:, 0]).all()
    assert image.shape == (BOUNDARY_PIXELS, BOUNDARY_PIXELS, 3)
    assert image.max(axis=-1).min() > 120  # light bands only: the line is a trace of its own
    for color in CLASS_COLORS:  # the background is washed out: the points stand out on it
        assert not (image == _rgb(color)).all(axis=-1).any()


def _grid(f, nx=37, ny=29, span=((-1.0, 1.0), (-2.0, 2.0))):
    xs, ys = np.linspace(*span[0], nx), np.linspace(*span[1], ny)
    xx, yy = np.meshgrid(xs, ys)
    return f(xx, yy), xs, ys


def test_a_level_line_of_a_plane_is_that_straight_line_exactly():
    # p = 0.5 + 0.1·(x − 0.3): the level 0.5 is the line x = 0.3, between grid columns; linear
    # interpolation along the cells' edges finds it exactly, from the bottom of the grid to the
    # top, as one line (every segment joined to the next).
    z, xs, ys = _grid(lambda x, y: 0.5 + 0.1 * (x - 0.3))
    assert not np.isclose(xs, 0.3).any()
    line = level_lines(z, xs, ys, 0.5)
    assert not np.isnan(line).any() and len(line) == len(ys)
    np.testing.assert_allclose(line[:, 0], 0.3, atol=1e-12)
    np.testing.assert_allclose(np.sort(line[:, 1]), ys)
    tilted, xs, ys = _grid(lambda x, y: 2.0 * x - y)  # the line y = 2x, slanted across cells
    line = level_lines(tilted, xs, ys, 0.0)
    np.testing.assert_allclose(line[:, 1], 2.0 * line[:, 0], atol=1e-12)


def test_a_circle_s_level_line_is_one_closed_loop_near_the_circle():
    z, xs, ys = _grid(lambda x, y: x**2 + y**2, nx=41, ny=81)
    line = level_lines(z, xs, ys, 0.5)
    assert not np.isnan(line).any()  # one line …
    np.testing.assert_array_equal(line[0], line[-1])  # … closed
    r = np.hypot(line[:, 0], line[:, 1])
    np.testing.assert_allclose(r, np.sqrt(0.5), rtol=5e-3)
    # it goes round: every direction from the centre is met
    angles = np.sort(np.arctan2(line[:, 1], line[:, 0]))
    assert np.diff(angles).max() < 0.2


def test_a_saddle_cell_joins_the_corners_on_the_side_of_its_mean():
    # Corners (bottom-left, bottom-right, top-right, top-left) = (1, 0, 1, 0) about 0.5: a
    # saddle. A mean above 0.5 joins the two high corners (the lines cut off the low ones),
    # below it joins the two low ones.
    xs, ys = np.array([0.0, 1.0]), np.array([0.0, 1.0])
    for bump, cut_off in ((0.1, {(1.0, 0.0), (0.0, 1.0)}), (-0.1, {(0.0, 0.0), (1.0, 1.0)})):
        z = np.array([[1.0, 0.0], [0.0, 1.0]]) + bump
        points, segments = level_segments(z, xs, ys, 0.5)
        assert len(segments) == 2
        corners = set()
        for a, b in segments:  # each segment cuts the corner nearest its midpoint
            mid = (points[a] + points[b]) / 2
            corners.add((float(np.round(mid[0])), float(np.round(mid[1]))))
        assert corners == cut_off
        ends = points[segments.ravel()]
        assert not np.isnan(ends).any()


def test_values_that_are_not_finite_count_as_above_every_level():
    z, xs, ys = _grid(lambda x, y: x + 0 * y)
    z[:, -5:] = np.inf  # a loss too large to compute, at the right
    line = level_lines(z, xs, ys, 0.0)
    np.testing.assert_allclose(line[:, 0], 0.0, atol=1e-12)  # the one line is where it was
    assert level_lines(np.full((3, 3), 0.2), np.arange(3.0), np.arange(3.0), 0.5).shape == (0, 2)


def test_the_plane_s_levels_split_its_values_into_equal_shares():
    rng = np.random.default_rng(0)
    loss = np.exp(rng.normal(size=(41, 41)) * 3)  # spanning decades, most of it low
    levels = plane_levels(loss, 20)
    assert len(levels) == 19 and (np.diff(levels) > 0).all()
    counts = np.histogram(loss, bins=[-np.inf, *levels, np.inf])[0]
    assert counts.min() >= 0.9 * loss.size / 20 and counts.max() <= 1.1 * loss.size / 20
    share = loss_share(loss)
    assert share.min() == 0.0 and share.max() == 1.0
    assert (
        np.argsort(share.ravel(), kind="stable") == np.argsort(loss.ravel(), kind="stable")
    ).all()
    assert plane_levels(np.ones((5, 5))).size == 0  # a flat plane has no level lines


def test_the_slice_figure_marks_the_end_point_at_its_centre(net, default):
    found = random_slice(net, default.runs["adam"].path[-1], seed=0, n=11)
    fig = slice_figure(found.grid.a, found.grid.b, found.grid.loss, name="Adam")
    contour, star = fig.data
    assert contour.type == "contour" and (star.x, star.y) == ((0.0,), (0.0,))
    assert "Adam" in star.name
