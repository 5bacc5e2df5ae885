"""The Race page's figures: structure, revealing animation frames, legend groups, divergence
marks, the contour's palette, size."""

from __future__ import annotations

import base64
import io
import json
import time

import numpy as np
import pytest
from PIL import Image

from optim_core import OPTIMIZERS, run
from optim_core.analysis import known_min_value
from surfaces import get_surface, parse_surface
from viz import loss_figure, race_figure, surface_3d_figure
from viz._base import CONTOUR_LINE_DARKEN, contour_image
from viz.race import (
    CLICK_GRID,
    LEGEND_WIDTH,
    MARGINS,
    TRAIL,
    legend_rows,
    view_bounds,
    visible_path,
)
from viz.race_frames import MAX_FRAMES, PATH_TOLERANCE, frame_steps, simplified

DTYPES = {"f4": np.float32, "f8": np.float64, "i4": np.int32, "i1": np.int8, "u1": np.uint8}


def values(spec) -> np.ndarray:
    """A figure array as plotly serializes it: a list, or a base64 typed array."""
    if isinstance(spec, dict) and "bdata" in spec:
        return np.frombuffer(base64.b64decode(spec["bdata"]), dtype=DTYPES[spec["dtype"]])
    return np.asarray(spec, dtype=float)


def xy(trace: dict) -> np.ndarray:
    return np.stack([values(trace["x"]), values(trace["y"])], axis=-1).reshape(-1, 2)


def as_json(fig) -> dict:
    return json.loads(fig.to_json())


def by_name(spec: dict, name: str) -> list[dict]:
    return [t for t in spec["data"] if t.get("name") == name]


def index_of(spec: dict, meta: str) -> int:
    (found,) = [i for i, t in enumerate(spec["data"]) if t.get("meta") == meta]
    return found


def trace(spec: dict, meta: str) -> dict:
    return spec["data"][index_of(spec, meta)]


def in_frame(spec: dict, frame: dict, meta: str) -> dict:
    """The update a frame makes to the trace ``meta`` (it must make one)."""
    return frame["data"][frame["traces"].index(index_of(spec, meta))]


def distance_to_polyline(points: np.ndarray, line: np.ndarray) -> np.ndarray:
    """Each point's distance to the nearest segment of the polyline ``line``."""
    if len(line) == 1:
        return np.linalg.norm(points - line[0], axis=1)
    a, b = line[:-1], line[1:]
    d = b - a
    length2 = np.maximum((d * d).sum(axis=1), 1e-30)
    t = np.clip(((points[:, None, :] - a) * d).sum(axis=2) / length2, 0.0, 1.0)
    nearest = a + t[..., None] * d
    return np.linalg.norm(points[:, None, :] - nearest, axis=2).min(axis=1)


@pytest.fixture(scope="module")
def bowl():
    return get_surface("bowl")


@pytest.fixture(scope="module")
def race(bowl):
    """Four optimizers, 120 steps, one of them diverging (SGD with a far too large step) and one
    zig-zagging across the valley (momentum)."""
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


@pytest.fixture(scope="module")
def spec(bowl, race):
    start, runs = race
    return as_json(race_figure(bowl, runs, start=start))


def test_frame_steps_are_subsampled_evenly_and_keep_both_ends():
    steps = frame_steps(500, 60)
    assert len(steps) == 60 and steps[0] == 0 and steps[-1] == 500
    assert np.all(np.diff(steps) > 0)
    assert list(frame_steps(10, 60)) == list(range(11))
    assert list(frame_steps(1, 60)) == [0, 1]


def test_figure_has_contour_coarse_click_grid_start_minima_and_three_traces_per_optimizer(
    bowl, race, spec
):
    start, runs = race
    (image,) = spec["layout"]["images"]
    assert image["source"].startswith("data:image/png;base64,") and image["layer"] == "below"
    assert (image["x"], image["y"], image["sizex"], image["sizey"]) == (-3, 3, 6, 6)
    assert not [t for t in spec["data"] if t["type"] in ("contour", "heatmap")]
    pick = spec["data"][0]
    assert pick["name"] == "pick" and pick["marker"]["opacity"] == 0
    # One invisible marker drawn, not 625 (plotly.js still hovers and clicks every point).
    assert pick["marker"]["maxdisplayed"] == 1
    grid = xy(pick)
    assert len(grid) == CLICK_GRID**2 <= 25**2  # a light first figure
    np.testing.assert_allclose(values(pick["customdata"]), bowl.f(grid), rtol=1e-5)
    (x0, x1), (y0, y1) = bowl.bounds
    assert grid[:, 0].min() == pytest.approx(x0) and grid[:, 0].max() == pytest.approx(x1)
    assert grid[:, 1].min() == pytest.approx(y0) and grid[:, 1].max() == pytest.approx(y1)
    # A click anywhere lands within half a grid cell (diagonally) of a grid point.
    spacing = (x1 - x0) / (CLICK_GRID - 1)
    probe = np.random.default_rng(0).uniform([x0, y0], [x1, y1], size=(500, 2))
    nearest = np.linalg.norm(probe[:, None] - grid[None], axis=2).min(axis=1)
    assert nearest.max() <= spacing * np.sqrt(0.5) + 1e-9
    for key in runs:
        path, dot = trace(spec, f"path-{key}"), trace(spec, f"dot-{key}")
        assert path["legendgroup"] == dot["legendgroup"] == key
        assert path["line"]["color"] == dot["marker"]["color"][0] == OPTIMIZERS[key].color
        assert dot["marker"]["symbol"] == OPTIMIZERS[key].marker
        assert dot["name"].startswith(OPTIMIZERS[key].name)
    assert trace(spec, "dot-sgd")["name"].endswith(f"diverged at {runs['sgd'].diverged_at}")
    assert trace(spec, "diverged-sgd")["legendgroup"] == "sgd"
    assert [t["meta"] for t in spec["data"] if t.get("name") == "diverged"] == ["diverged-sgd"]
    (start_trace,) = by_name(spec, "start")
    assert xy(start_trace)[0] == pytest.approx(start)
    (minimum,) = by_name(spec, "minimum")
    np.testing.assert_allclose(xy(minimum), np.asarray(bowl.minima, dtype=float))


def test_one_legend_entry_per_optimizer_and_a_click_hides_its_whole_group(race, spec):
    _, runs = race
    shown = [t for t in spec["data"] if t.get("showlegend") is not False]
    assert [t["meta"] for t in shown] == [f"dot-{key}" for key in runs]
    assert spec["layout"]["showlegend"] is True
    assert spec["layout"]["legend"].get("groupclick", "togglegroup") == "togglegroup"
    for key in runs:
        group = [t["meta"] for t in spec["data"] if t.get("legendgroup") == key]
        expected = {f"path-{key}", f"dot-{key}"} | ({"diverged-sgd"} if key == "sgd" else set())
        assert set(group) == expected


def test_dots_are_drawn_last_above_the_minimum_and_coinciding_dots_nest(race, spec):
    _, runs = race
    names = [t.get("name") for t in spec["data"]]
    dots = [index_of(spec, f"dot-{key}") for key in runs]
    paths = [index_of(spec, f"path-{key}") for key in runs]
    assert dots == list(range(len(names) - len(runs), len(names)))  # the last traces
    assert max(paths) < names.index("start") < names.index("minimum") < min(dots)
    assert index_of(spec, "diverged-sgd") < min(dots)
    heads = [trace(spec, f"dot-{key}")["marker"]["size"][0] for key in runs]
    assert heads == sorted(heads, reverse=True) and len(set(heads)) == len(heads)
    for key in runs:
        marker = trace(spec, f"dot-{key}")["marker"]
        assert marker["size"][0] == max(marker["size"])  # the head first, the largest
        assert len(marker["size"]) == TRAIL + 1
        assert marker["line"]["width"][0] > 0 and marker["line"]["color"] != "white"


def test_before_play_only_the_start_shows_no_path_and_no_divergence_mark(race, spec):
    start, runs = race
    for key in runs:
        np.testing.assert_allclose(xy(trace(spec, f"path-{key}")), [start], atol=1e-6)
        np.testing.assert_allclose(xy(trace(spec, f"dot-{key}")), [start] * (TRAIL + 1), 1e-6)
    assert len(trace(spec, "diverged-sgd")["x"]) == 0
    assert spec["layout"]["sliders"][0]["active"] == 0


def test_each_frame_grows_the_paths_to_its_step_within_a_pixel_and_the_last_is_whole(
    bowl, race, spec
):
    start, runs = race
    frames = spec["frames"]
    steps = [int(f["name"]) for f in frames]
    assert steps == list(frame_steps(120, MAX_FRAMES))
    view = view_bounds(bowl.bounds, start)
    tol = PATH_TOLERANCE * max(hi - lo for lo, hi in view)
    for key, traj in runs.items():
        drawn, last, _ = visible_path(traj.path, traj.diverged_at, view)
        for step, frame in zip(steps, frames, strict=True):
            shown = xy(in_frame(spec, frame, f"path-{key}"))
            end = min(step, last)
            assert shown[0] == pytest.approx(start) and shown[-1] == pytest.approx(drawn[end])
            # every iterate up to the step lies within the tolerance of what is drawn (so a
            # zig-zag you could see is drawn), and nothing beyond the step is
            gap = distance_to_polyline(drawn[: end + 1], shown.astype(float))
            assert gap.max() <= tol * 1.01, (key, step)
            assert len(shown) <= end + 1
        whole = xy(in_frame(spec, frames[-1], f"path-{key}"))
        np.testing.assert_allclose(whole, drawn[: last + 1], rtol=1e-6, atol=1e-6)
    # Momentum zig-zags across the valley: mid-race its drawn path has the turns, not a chord.
    mid = frames[len(frames) // 2]
    assert len(xy(in_frame(spec, mid, "path-momentum"))) > 10


def test_frames_move_every_dot_with_its_trail_and_carry_only_positions(race, spec):
    _, runs = race
    frames = spec["frames"]
    steps = [int(f["name"]) for f in frames]
    for k, frame in enumerate(frames):
        assert len(frame["traces"]) == len(frame["data"]) == 2 * len(runs) + 1
        for update in frame["data"]:
            assert set(update) <= {"type", "x", "y"}  # colours, sizes, names stay in the base
        path = runs["adam"].path
        trail_steps = [steps[max(k - j, 0)] for j in range(TRAIL + 1)]  # head first
        np.testing.assert_allclose(
            xy(in_frame(spec, frame, "dot-adam")), path[trail_steps], atol=1e-5
        )


def test_play_pause_speeds_and_scrubber_drive_the_frames(spec):
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


def test_a_diverged_run_stops_at_an_x_on_the_edge_that_appears_when_the_race_gets_there(
    bowl, race, spec
):
    _start, runs = race
    (x0, x1), (y0, y1) = bowl.bounds
    _drawn, last, mark = visible_path(runs["sgd"].path, runs["sgd"].diverged_at, bowl.bounds)
    assert last <= runs["sgd"].diverged_at
    on_edge = min(abs(mark[0] - x0), abs(mark[0] - x1), abs(mark[1] - y0), abs(mark[1] - y1))
    assert on_edge == pytest.approx(0.0, abs=1e-6)
    whole = xy(in_frame(spec, spec["frames"][-1], "path-sgd"))
    assert np.all((whole >= [x0 - 1e-5, y0 - 1e-5]) & (whole <= [x1 + 1e-5, y1 + 1e-5]))
    assert whole[-1] == pytest.approx(mark, abs=1e-5)
    text = trace(spec, "diverged-sgd")["text"][0]  # the two words, each its own step
    assert f"leaves the view here for good, after step {last - 1}" in text
    assert f"the divergence rule stops it at step {runs['sgd'].diverged_at}" in text
    seen = []
    for frame in spec["frames"]:
        cross = xy(in_frame(spec, frame, "diverged-sgd"))
        seen.append(len(cross) == 1)
        if len(cross):
            assert cross[0] == pytest.approx(mark, abs=1e-5)
        assert seen[-1] == (int(frame["name"]) >= last)
    assert not seen[0] and seen[-1]
    # The dot waits at the × after leaving the view.
    head = xy(in_frame(spec, spec["frames"][-1], "dot-sgd"))[0]
    assert head == pytest.approx(mark, abs=1e-5)


def test_show_paths_draws_whole_paths_and_marks_from_the_start_and_frames_move_only_dots(
    bowl, race
):
    start, runs = race
    spec = as_json(race_figure(bowl, runs, start=start, show_paths=True))
    for key, traj in runs.items():
        drawn, last, _ = visible_path(traj.path, traj.diverged_at, bowl.bounds)
        np.testing.assert_allclose(xy(trace(spec, f"path-{key}")), drawn[: last + 1], atol=1e-6)
    assert len(trace(spec, "diverged-sgd")["x"]) == 1
    dots = {index_of(spec, f"dot-{key}") for key in runs}
    assert all(set(frame["traces"]) == dots for frame in spec["frames"])


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


def test_simplified_keeps_a_path_within_the_tolerance_and_its_turning_points():
    line = np.stack([np.linspace(0, 1, 50), np.zeros(50)], axis=1)
    assert list(simplified(line, 1e-3)) == [0, 49]
    back = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 0.0]])  # overshoots, then comes back
    assert list(simplified(back, 0.1)) == [0, 1, 2]
    inside = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, 0.0], [2.0, 0.0]])  # back within the line
    assert list(simplified(inside, 0.1)) == [0, 3]  # draws the same pixels
    t = np.arange(200)
    zigzag = np.stack([t / 200, 0.05 * (-1.0) ** t * 0.98**t], axis=1)
    kept = simplified(zigzag, 0.01)
    assert distance_to_polyline(zigzag, zigzag[kept]).max() <= 0.01
    big = np.flatnonzero(0.05 * 0.98**t > 0.02)
    assert set(big) <= set(kept)  # every turn larger than the tolerance is kept
    small = np.flatnonzero(0.05 * 0.98**t < 0.004)  # swings well within the tolerance
    assert set(kept) & set(small) == {199}  # are drawn as one stroke to the end


def test_contour_image_is_a_light_grey_png_of_the_view_darker_in_the_valley():
    surface = get_surface("bowl")
    image = contour_image(surface, surface.bounds, pixels=64)
    png = base64.b64decode(image["source"].split(",", 1)[1])
    picture = Image.open(io.BytesIO(png))
    assert picture.format == "PNG" and picture.size == (64, 64)
    grey = np.asarray(picture.convert("L"), dtype=float)
    assert grey.min() >= 212 * (1 - CONTOUR_LINE_DARKEN) - 1  # light everywhere, lines too
    # the fill (the brightest pixels, off the level lines) at the minimum and in a corner, at
    # the resolution the page draws (at 64 px the steep corner is all level lines)
    drawn = contour_image(surface, surface.bounds)
    png = base64.b64decode(drawn["source"].split(",", 1)[1])
    grey = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    mid = grey.shape[0] // 2
    assert grey[mid - 8 : mid + 8, mid - 8 : mid + 8].max() < grey[:16, :16].max()
    assert contour_image(surface, surface.bounds, pixels=64) is image  # cached


@pytest.mark.parametrize("count", [1, 4, 14])
def test_the_legend_sits_above_the_plot_in_a_margin_that_holds_it(bowl, count):
    chosen = list(OPTIMIZERS)[:count]
    runs = {key: run(bowl, key, start=bowl.start, steps=30) for key in chosen}
    runs[chosen[0]] = run(bowl, chosen[0], start=bowl.start, steps=30, lr=1.5)  # long label
    spec = as_json(race_figure(bowl, runs, start=bowl.start))
    layout = spec["layout"]
    legend = layout["legend"]
    assert layout["showlegend"] is True
    assert legend["orientation"] == "h" and legend.get("yref", "paper") == "paper"
    assert legend["y"] >= 1.0 and legend["yanchor"] == "bottom"  # above the axes' domain
    assert layout["yaxis"].get("domain", [0, 1])[1] <= 1.0
    labels = [t["name"] for t in spec["data"] if t.get("showlegend") is not False]
    assert len(labels) == count
    # The top margin holds every row of the legend, entries packed left to right in the
    # narrowest figure: each entry its symbol and its text at 0.55 em a character.
    font = legend["font"]["size"]
    assert font == 12
    rows, used = 1, 0.0
    for label in labels:
        entry = 2 * font + 0.55 * font * len(label)
        if used and used + entry > LEGEND_WIDTH:
            rows, used = rows + 1, 0.0
        used += entry
    assert layout["margin"]["t"] >= rows * 1.5 * font
    assert legend_rows(labels, False) >= rows
    if count == 14:
        assert rows >= 3  # (the test itself sees a legend that wraps)
    assert layout["margin"]["t"] <= 0.35 * layout["height"]  # and leaves the plot most room


@pytest.mark.parametrize("count", [1, 4, 14])
def test_to_present_the_legend_stands_right_of_the_plot_in_a_margin_that_holds_it(bowl, count):
    """On a projector the square plot is limited by the screen's height: the legend takes the
    free width to its right, one entry a row, never over the axes."""
    chosen = list(OPTIMIZERS)[:count]
    runs = {key: run(bowl, key, start=bowl.start, steps=30) for key in chosen}
    layout = as_json(race_figure(bowl, runs, start=bowl.start, present=True))["layout"]
    legend = layout["legend"]
    assert legend["orientation"] == "v" and legend["x"] > 1.0 and legend["xanchor"] == "left"
    font = legend["font"]["size"]
    assert font >= 14
    longest = max(len(OPTIMIZERS[k].name) for k in chosen)
    assert layout["margin"]["r"] >= 2 * font + 0.55 * font * longest
    assert layout["margin"]["t"] <= 20  # no rows above the plot


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
    wide, thin = trace(present, "path-adam"), trace(normal, "path-adam")
    assert wide["line"]["width"] > thin["line"]["width"]
    assert present["layout"]["font"]["size"] > normal["layout"]["font"]["size"]
    assert (
        trace(present, "dot-adam")["marker"]["size"][0]
        > trace(normal, "dot-adam")["marker"]["size"][0]
    )


@pytest.fixture(scope="module")
def thirteen():
    surface = get_surface("rosenbrock")
    chosen = [key for key in OPTIMIZERS if key != "newton"][:13]
    return surface, {
        key: run(surface, key, start=surface.start, steps=500, lr=1e-3) for key in chosen
    }


@pytest.mark.parametrize("present", [False, True])
def test_thirteen_optimizers_times_500_steps_stay_under_half_a_megabyte(thirteen, present):
    surface, runs = thirteen
    assert len(runs) == 13
    fig = race_figure(surface, runs, start=surface.start, present=present)
    assert len(fig.frames) == MAX_FRAMES
    size = len(fig.to_json())
    assert size <= 500_000, f"{size / 1e6:.3f} MB"
    last = fig.to_dict()["frames"][-1]
    assert sum(len(values(d["x"])) for d in last["data"]) >= 13 * 501  # whole paths at the end


def test_the_race_builds_without_validating_every_frame(thirteen):
    surface, runs = thirteen
    race_figure(surface, runs, start=surface.start)  # the contour image is cached from here
    began = time.perf_counter()
    race_figure(surface, runs, start=surface.start)
    assert time.perf_counter() - began < 2.0  # validating the frames alone took over a second


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


@pytest.mark.parametrize("present", [False, True])
def test_the_margins_hold_the_play_controls_and_the_legend_before_plotly_draws(bowl, present):
    """Room up front for the tick labels, the play buttons and scrubber below the plot and the
    legend (above it, or to present, beside it): plotly.js draws the figure once
    (``tests/e2e/test_drawn_once.py`` measures it in chromium)."""
    runs = {key: run(bowl, key, start=bowl.start, steps=30) for key in OPTIMIZERS}
    spec = race_figure(bowl, runs, start=bowl.start, present=present).to_dict()
    margin = spec["layout"]["margin"]
    labels = [t["name"] for t in spec["data"] if t.get("showlegend") is not False]
    assert {k: margin[k] for k in MARGINS[present]} == MARGINS[present]
    if present:
        assert margin["r"] >= 0.6 * 14 * max(len(label) for label in labels)
    else:  # plotly.js's rows of 29 px for 12 px type, 12 px above them
        assert margin["t"] == 12 + round(legend_rows(labels, False) * 29)


def test_a_run_that_left_the_domain_of_f_is_not_said_to_have_diverged():
    """log(x): SGD's first step from x = 1 with α = 2 lands at x = −1, where f is not defined."""
    surface = parse_surface("log(x) + y^2")
    traj = run(surface, "sgd", (1.0, 1.0), 10, lr=2.0)
    assert traj.stopped == "domain"
    spec = as_json(race_figure(surface, {"sgd": traj}, start=(1.0, 1.0)))
    (dot,) = [t for t in spec["data"] if t.get("meta") == "dot-sgd"]
    assert "left the domain of f at" in dot["name"] and "diverged" not in dot["name"]
    (mark,) = [t for t in spec["data"] if t.get("meta") == "diverged-sgd"]
    assert "f is not defined at its next iterate" in mark["text"][0]
    assert "divergence rule" not in mark["text"][0]
