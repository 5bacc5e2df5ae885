"""viz.network and viz.network_parts: the Network page's four figures, their frames, sizes and
pictures."""

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
from viz.network_parts import (
    BOUNDARY_LINE,
    BOUNDARY_PIXELS,
    CLASS_COLORS,
    boundary_png,
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


def test_the_boundary_moves_with_the_frames_and_says_how_many_are_right(net, default):
    fig = default.panels.boundary.to_dict()
    frames = fig["frames"]
    first, last = (_png(f["layout"]["images[0].source"]) for f in (frames[0], frames[-1]))
    assert first.shape == (BOUNDARY_PIXELS, BOUNDARY_PIXELS, 3) and not np.array_equal(first, last)
    end = default.runs["sgd"].path[-1]
    right = float(net.accuracy(end)), float(net.accuracy(end, test=True))
    assert frames[-1]["data"][0]["text"] == [f"right: train {right[0]:.0%} · test {right[1]:.0%}"]
    # the trained network's picture is blue where class 1 lies: at the class-1 training points
    (x0, x1), (y0, y1) = net.view
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


def test_the_boundary_image_is_orange_below_half_blue_above_and_dark_between():
    prob = np.tile(np.linspace(0.0, 1.0, 50), (50, 1))  # P rises from left to right
    image = _png(boundary_png(prob))
    left, right = image[:, 2].astype(float), image[:, -3].astype(float)
    assert (left[:, 0] > left[:, 2]).all() and (right[:, 2] > right[:, 0]).all()
    dark = (image == np.array(BOUNDARY_LINE)).all(axis=-1)
    columns = np.flatnonzero(dark.any(axis=0))
    assert len(columns) == 1 and abs(columns[0] - BOUNDARY_PIXELS / 2) <= 1
    for color in CLASS_COLORS:  # the background is washed out: the points stand out on it
        assert not (image == _rgb(color)).all(axis=-1).any()


def test_the_slice_figure_marks_the_end_point_at_its_centre(net, default):
    found = random_slice(net, default.runs["adam"].path[-1], seed=0, n=11)
    fig = slice_figure(found.grid.a, found.grid.b, found.grid.loss, name="Adam")
    contour, star = fig.data
    assert contour.type == "contour" and (star.x, star.y) == ((0.0,), (0.0,))
    assert "Adam" in star.name
