"""The Race page's figures: structure, animation frames, divergence marks, size."""

from __future__ import annotations

import base64
import json
import struct
import zlib

import numpy as np
import pytest

from optim_core import OPTIMIZERS, run
from surfaces import get_surface
from viz._base import color_for
from viz.race import (
    MAX_FRAMES,
    TRAIL,
    contour_image,
    frame_steps,
    known_min_value,
    loss_figure,
    race_figure,
    race_results,
    surface_3d_figure,
    view_bounds,
    visible_path,
)

DTYPES = {"f4": np.float32, "f8": np.float64, "i4": np.int32, "i1": np.int8, "u1": np.uint8}


def values(spec) -> np.ndarray:
    """A figure array as plotly serializes it: a list, or a base64 typed array."""
    if isinstance(spec, dict) and "bdata" in spec:
        return np.frombuffer(base64.b64decode(spec["bdata"]), dtype=DTYPES[spec["dtype"]])
    return np.asarray(spec, dtype=float)


def as_json(fig) -> dict:
    return json.loads(fig.to_json())


def by_name(spec: dict, name: str) -> list[dict]:
    return [t for t in spec["data"] if t.get("name") == name]


def path_trace(spec: dict, optimizer: str) -> dict:
    """An optimizer's path (its legend entry: the name, with a note if it diverged)."""
    (found,) = [
        t
        for t in spec["data"]
        if t.get("name", "").startswith(OPTIMIZERS[optimizer].name) and "halo" not in t["name"]
    ]
    return found


@pytest.fixture(scope="module")
def bowl():
    return get_surface("bowl")


@pytest.fixture(scope="module")
def race(bowl):
    """Four optimizers, 120 steps, one of them diverging (SGD with a far too large step)."""
    start = (-2.0, 1.5)
    runs = {
        "sgd": run(bowl, "sgd", start=start, steps=120, lr=1.0),
        "momentum": run(bowl, "momentum", start=start, steps=120, lr=0.01, momentum=0.9),
        "rmsprop": run(bowl, "rmsprop", start=start, steps=120, lr=0.05),
        "adam": run(bowl, "adam", start=start, steps=120, lr=0.1),
    }
    assert runs["sgd"].diverged_at is not None
    assert all(runs[k].diverged_at is None for k in ("momentum", "rmsprop", "adam"))
    return start, runs


def test_frame_steps_are_subsampled_evenly_and_keep_both_ends():
    steps = frame_steps(500, 60)
    assert len(steps) == 60 and steps[0] == 0 and steps[-1] == 500
    assert np.all(np.diff(steps) > 0)
    assert list(frame_steps(10, 60)) == list(range(11))
    assert list(frame_steps(1, 60)) == [0, 1]


def test_figure_has_contour_click_grid_paths_moving_dots_start_and_minima(bowl, race):
    start, runs = race
    spec = as_json(race_figure(bowl, runs, start=start))
    (image,) = spec["layout"]["images"]
    assert image["source"].startswith("data:image/png;base64,") and image["layer"] == "below"
    assert (image["x"], image["y"], image["sizex"], image["sizey"]) == (-3, 3, 6, 6)
    assert not [t for t in spec["data"] if t["type"] in ("contour", "heatmap")]
    pick = spec["data"][0]
    assert pick["name"] == "pick" and pick["marker"]["opacity"] == 0
    xy = np.stack([values(pick["x"]), values(pick["y"])], axis=1)
    np.testing.assert_allclose(values(pick["customdata"]), bowl.f(xy), rtol=1e-5)
    names = [t.get("name") for t in spec["data"]]
    for key in runs:
        assert path_trace(spec, key)["line"]["color"] == color_for(key)
    assert path_trace(spec, "sgd")["name"].endswith(f"diverged at {runs['sgd'].diverged_at}")
    assert names.count("position") == 1 and names.count("diverged") == 1
    (start_trace,) = by_name(spec, "start")
    assert values(start_trace["x"])[0] == pytest.approx(start[0])
    assert values(start_trace["y"])[0] == pytest.approx(start[1])
    (minimum,) = by_name(spec, "minimum")
    np.testing.assert_allclose(values(minimum["x"]), [m[0] for m in bowl.minima])
    np.testing.assert_allclose(values(minimum["y"]), [m[1] for m in bowl.minima])


def test_full_paths_are_drawn_and_the_view_is_the_surface_bounds(bowl, race):
    start, runs = race
    spec = as_json(race_figure(bowl, runs, start=start))
    (x0, x1), (y0, y1) = bowl.bounds
    assert spec["layout"]["xaxis"]["range"] == [x0, x1]
    assert spec["layout"]["yaxis"]["range"] == [y0, y1]
    assert spec["layout"]["xaxis"]["autorange"] is False
    assert spec["layout"]["xaxis"]["showgrid"] is False  # no grid lines over the contour
    adam = path_trace(spec, "adam")
    np.testing.assert_allclose(values(adam["x"]), runs["adam"].path[:, 0], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(values(adam["y"]), runs["adam"].path[:, 1], rtol=1e-6, atol=1e-6)


def test_frames_update_only_the_moving_dots_and_follow_the_paths(bowl, race):
    start, runs = race
    spec = as_json(race_figure(bowl, runs, start=start, max_frames=30, trail=4))
    moving = [t.get("name") for t in spec["data"]].index("position")
    frames = spec["frames"]
    assert 2 <= len(frames) <= 30
    steps = [int(f["name"]) for f in frames]
    assert steps == list(frame_steps(120, 30))
    per = 4 + 1
    for k, frame in enumerate(frames):
        assert frame["traces"] == [moving]
        assert len(frame["data"]) == 1
        x, y = values(frame["data"][0]["x"]), values(frame["data"][0]["y"])
        assert len(x) == len(y) == len(runs) * per
        adam = list(runs).index("adam")
        path = runs["adam"].path
        trail_steps = [steps[max(k - j, 0)] for j in range(4, -1, -1)]  # oldest first, head last
        np.testing.assert_allclose(
            x[adam * per : (adam + 1) * per], path[trail_steps, 0], atol=1e-5
        )
        np.testing.assert_allclose(
            y[adam * per : (adam + 1) * per], path[trail_steps, 1], atol=1e-5
        )
    # Frames carry only positions: the colours, sizes and names stay in the base trace.
    assert set(frames[0]["data"][0]) == {"type", "x", "y"}
    base = spec["data"][moving]
    assert len(base["marker"]["color"]) == len(runs) * per


def test_play_pause_speeds_and_scrubber_drive_the_frames(bowl, race):
    start, runs = race
    spec = as_json(race_figure(bowl, runs, start=start))
    names = [f["name"] for f in spec["frames"]]
    labels = [b["label"] for menu in spec["layout"]["updatemenus"] for b in menu["buttons"]]
    assert any("Play" in label for label in labels) and any("Pause" in label for label in labels)
    assert {"½×", "1×", "2×", "4×"} <= set(labels)
    for menu in spec["layout"]["updatemenus"]:
        for button in menu["buttons"]:
            assert button["method"] == "animate"
            if "Play" in button["label"] or "×" in button["label"]:
                options = button["args"][1]
                assert options["frame"]["redraw"] is False and options["fromcurrent"] is True
    (slider,) = spec["layout"]["sliders"]
    assert [s["args"][0] for s in slider["steps"]] == [[n] for n in names]
    assert len(names) == MAX_FRAMES


def test_a_diverged_run_stops_at_an_x_on_the_views_edge(bowl, race):
    start, runs = race
    spec = as_json(race_figure(bowl, runs, start=start))
    (x0, x1), (y0, y1) = bowl.bounds
    sgd = path_trace(spec, "sgd")
    x, y = values(sgd["x"]), values(sgd["y"])
    assert len(x) <= runs["sgd"].diverged_at + 1
    assert np.all((x >= x0 - 1e-5) & (x <= x1 + 1e-5) & (y >= y0 - 1e-5) & (y <= y1 + 1e-5))
    (mark,) = by_name(spec, "diverged")
    mx, my = values(mark["x"])[0], values(mark["y"])[0]
    on_edge = min(abs(mx - x0), abs(mx - x1), abs(my - y0), abs(my - y1))
    assert on_edge == pytest.approx(0.0, abs=1e-4)
    assert (mx, my) == pytest.approx((x[-1], y[-1]))
    assert f"diverged at step {runs['sgd'].diverged_at}" in mark["text"][0]
    # The marker waits at the × after leaving the view.
    moving = [t.get("name") for t in spec["data"]].index("position")
    last = spec["frames"][-1]["data"][0]
    head = (TRAIL + 1) * list(runs).index("sgd") + TRAIL
    assert values(last["x"])[head] == pytest.approx(mx) and moving > 0


def test_visible_path_exit_point_lies_on_the_segment_and_the_edge():
    bounds = ((-1.0, 1.0), (-1.0, 1.0))
    path = np.array([[0.0, 0.0], [0.5, 0.0], [3.0, 0.5], [1e9, 1e9], [1e9, 1e9]])
    drawn, last, mark = visible_path(path, 3, bounds)
    assert last == 2
    t = (1.0 - 0.5) / (3.0 - 0.5)
    assert mark == pytest.approx([1.0, 0.0 + t * 0.5])
    np.testing.assert_allclose(drawn[2:], np.repeat(mark[None], 3, axis=0))
    same, end, none = visible_path(path[:3], None, bounds)
    assert none is None and end == 2
    np.testing.assert_array_equal(same, path[:3])
    nan_path = np.array([[0.2, 0.1], [0.4, 0.2], [np.nan, np.nan]])
    _, _, stop = visible_path(nan_path, 2, bounds)
    assert stop == pytest.approx([0.4, 0.2])


def test_contour_image_is_a_png_of_the_view_coloured_by_f():
    surface = get_surface("bowl")
    image = contour_image(surface, surface.bounds, pixels=64)
    png = base64.b64decode(image["source"].split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (64, 64)
    body = zlib.decompress(png[png.index(b"IDAT") + 4 : png.index(b"IEND") - 8])
    rows = np.frombuffer(body, np.uint8).reshape(64, 1 + 64 * 3)
    assert set(rows[:, 0]) == {2}  # every row "up"-filtered
    pixels = np.cumsum(rows[:, 1:].astype(np.int64), axis=0) % 256  # undo the filter
    rgb = pixels.reshape(64, 64, 3)
    centre, corner = rgb[32, 32], rgb[0, 0]  # the minimum (dark) and a corner (bright)
    assert centre.sum() < corner.sum()
    assert contour_image(surface, surface.bounds, pixels=64) is image  # cached


def test_a_start_outside_the_bounds_widens_the_view_to_show_it():
    bounds = ((-3.0, 3.0), (-2.0, 2.0))
    (x0, x1), (y0, y1) = view_bounds(bounds, (5.0, 0.0))
    assert x0 == -3.0 and x1 > 5.0 and (y0, y1) == (-2.0, 2.0)
    assert view_bounds(bounds, (0.0, 0.0)) == bounds


def test_no_optimizers_gives_a_still_contour_with_start_and_click_grid(bowl):
    spec = as_json(race_figure(bowl, {}, start=bowl.start))
    assert not spec.get("frames")
    assert not spec["layout"].get("updatemenus")
    names = [t.get("name") for t in spec["data"]]
    assert names[0] == "pick" and "start" in names and spec["layout"]["images"]


def test_presentation_mode_draws_thicker_lines_and_larger_type(bowl, race):
    start, runs = race
    normal = as_json(race_figure(bowl, runs, start=start))
    present = as_json(race_figure(bowl, runs, start=start, present=True))
    wide, thin = path_trace(present, "adam"), path_trace(normal, "adam")
    assert wide["line"]["width"] > thin["line"]["width"]
    assert present["layout"]["font"]["size"] > normal["layout"]["font"]["size"]


@pytest.mark.parametrize("present", [False, True])
def test_thirteen_optimizers_times_500_steps_stay_under_half_a_megabyte(present):
    surface = get_surface("rosenbrock")
    runs = {opt: run(surface, opt, start=surface.start, steps=500, lr=1e-3) for opt in OPTIMIZERS}
    fig = race_figure(surface, runs, start=surface.start, present=present)
    assert len(fig.frames) == MAX_FRAMES
    size = len(fig.to_json())
    assert size <= 500_000, f"{size / 1e6:.3f} MB"


def test_loss_figure_plots_f_minus_f_min_on_a_log_axis(bowl, race):
    _, runs = race
    f_min = known_min_value(bowl)
    assert f_min == pytest.approx(float(bowl.f(np.asarray(bowl.minima[0]))))
    spec = as_json(loss_figure(runs, f_min=f_min))
    assert spec["layout"]["yaxis"]["type"] == "log"
    assert "f − f_min" in spec["layout"]["yaxis"]["title"]["text"]
    assert len(spec["data"]) == len(runs)
    adam = next(t for t in spec["data"] if t["name"] == OPTIMIZERS["adam"].name)
    np.testing.assert_allclose(
        values(adam["y"]), np.maximum(runs["adam"].loss - f_min, 1e-16), rtol=1e-12
    )
    sgd = next(t for t in spec["data"] if t["name"].startswith(OPTIMIZERS["sgd"].name))
    assert sgd["name"].endswith(f"diverged at {runs['sgd'].diverged_at}")
    assert np.isnan(values(sgd["y"])[runs["sgd"].diverged_at :]).all()


def test_loss_figure_without_a_known_minimum_goes_linear_when_f_is_negative():
    saddle = get_surface("saddle")
    runs = {"sgd": run(saddle, "sgd", start=(1.0, 0.5), steps=20, lr=0.1)}
    assert runs["sgd"].loss.min() < 0
    spec = as_json(loss_figure(runs, f_min=None))
    assert spec["layout"]["yaxis"]["type"] == "linear"
    assert "linear" in spec["layout"]["yaxis"]["title"]["text"]


def test_surface_3d_figure_lifts_every_path_onto_the_surface(bowl, race):
    start, runs = race
    spec = as_json(surface_3d_figure(bowl, runs, start=start))
    assert spec["data"][0]["type"] == "surface"
    lines = [t for t in spec["data"] if t["type"] == "scatter3d" and t["mode"] == "lines"]
    assert len(lines) == len(runs)
    adam = next(t for t in lines if t["name"] == OPTIMIZERS["adam"].name)
    z = values(adam["z"])
    assert np.all(np.diff(z[np.isfinite(z)][-20:]) <= 1e-3)  # Adam settles: heights stop rising
    assert {"start", "minimum"} <= {t["name"] for t in spec["data"]}


def test_results_table_counts_steps_to_tolerance_and_explains_divergence(bowl, race):
    _, runs = race
    f_min = known_min_value(bowl)
    rows = race_results(runs, tol=1e-3, f_min=f_min, reasons={"sgd": "because"})
    assert [r["optimizer"] for r in rows] == [OPTIMIZERS[k].name for k in runs]
    adam = rows[list(runs).index("adam")]
    gap = runs["adam"].loss - f_min
    reached = np.flatnonzero(gap <= 1e-3)
    assert adam["steps to f − f_min ≤ 0.001"] == (int(reached[0]) if reached.size else None)
    assert adam["best f − f_min"] == pytest.approx(gap.min())
    assert adam["final f − f_min"] == pytest.approx(gap[-1])
    sgd = rows[list(runs).index("sgd")]
    assert sgd["diverged"] == f"diverged at step {runs['sgd'].diverged_at}: because"
    assert adam["diverged"] == "—"


def test_without_a_known_minimum_the_tolerance_is_on_the_gradient_norm():
    saddle = get_surface("saddle")
    runs = {"momentum": run(saddle, "momentum", start=(1.0, 0.5), steps=200, lr=0.02)}
    (row,) = race_results(runs, tol=1e-3, surface=saddle)
    norms = np.linalg.norm(saddle.grad(runs["momentum"].path), axis=-1)
    reached = np.flatnonzero(norms <= 1e-3)
    assert reached.size  # it settles in one of the wells
    assert row["steps to ‖∇f‖ ≤ 0.001"] == int(reached[0])
    assert row["final f"] == pytest.approx(runs["momentum"].loss[-1])
