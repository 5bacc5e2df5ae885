"""The learning-rate families the Race's scrubber swaps in, and the board's events.

Each member of a family is ``run`` with that stop's α, bit for bit, and is drawn as the Race
draws that run; the board's events (a released α, a click, "use suggested α", "tune every α")
change the settings as a widget would; κ and the angle keep every α.
"""

from __future__ import annotations

import base64

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optim_core import OPTIMIZERS, run
from surfaces import get_surface
from tests._apptest import board, board_event, navigation_app, race_families
from viz.race import view_bounds, visible_path
from webapp.family import BATCHED, NOISY, families, stop_index
from webapp.settings import RunSettings, lr_options

RACE = "app_pages/race.py"


def _floats(spec) -> np.ndarray:
    return np.frombuffer(base64.b64decode(spec["bdata"]), dtype="<f4")


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_each_member_is_run_with_that_alpha_bit_for_bit(optimizer):
    surface = get_surface("rosenbrock")
    how = RunSettings(steps=120)
    hyper = {"lr": lr_options(optimizer)[0]}
    found, why = families(surface, [optimizer], lambda o: hyper, surface.start, how)
    assert why is None
    family = found[optimizer]
    payload = orjson.loads(family.payload)
    assert family.values == lr_options(optimizer) == tuple(payload["values"])
    view = view_bounds(surface.bounds, surface.start)
    for k, lr in enumerate(family.values):
        alone = run(surface, optimizer, surface.start, 120, lr=lr)
        drawn, last, mark = visible_path(alone.path, alone.diverged_at, view)
        member = payload["members"][k]
        assert member["end"] == [float(v) for v in drawn[last]]
        assert (member["mark"] is None) == (mark is None)
        xs = _floats(member["x"])
        # the member's drawn points are iterates of the run (float32), first and last kept
        assert xs[0] == np.float32(drawn[0, 0]) and xs[-1] == np.float32(drawn[last, 0])
        assert np.isin(xs, drawn[: last + 1, 0].astype("<f4")).all()
        final = float(alone.loss[-1]) if alone.stopped is None else np.inf
        assert family.finals[k] == final or (np.isinf(final) and np.isinf(family.finals[k]))
        assert f"α {lr:g}" in member["label"]


def test_family_paths_equal_run_paths_exactly():
    """The batch behind a family is ``run`` per member, every iterate (not only those drawn)."""
    from optim_core import run_batch

    surface = get_surface("bowl")
    values = np.asarray(lr_options("adam"))
    batch = run_batch(surface, "adam", np.asarray(surface.start), 200, lr=values, beta1=0.8)
    for k, lr in enumerate(values):
        alone = run(surface, "adam", surface.start, 200, lr=float(lr), beta1=0.8)
        assert np.array_equal(batch.path[:, k], alone.path, equal_nan=True)


def test_best_is_the_stop_with_the_lowest_final_value():
    surface = get_surface("bowl")
    how = RunSettings(steps=80)
    found, _ = families(surface, ["sgd"], lambda o: {"lr": 0.01}, surface.start, how)
    family = found["sgd"]
    finite = [f for f in family.finals if np.isfinite(f)]
    assert family.best is not None
    assert family.finals[family.values.index(family.best)] == min(finite)
    assert any(np.isinf(family.finals)), "the largest stops diverge on the bowl"


def test_noise_and_minibatches_have_no_family_and_say_why():
    bowl, data = get_surface("bowl"), get_surface("logistic")
    noisy = families(bowl, ["sgd"], lambda o: {"lr": 0.01}, bowl.start, RunSettings(noise=0.5))
    batched = families(data, ["sgd"], lambda o: {"lr": 0.1}, data.start, RunSettings(batch=8))
    assert noisy == ({}, NOISY) and batched == ({}, BATCHED)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(list(OPTIMIZERS)), st.floats(1e-7, 1e3))
def test_stop_index_picks_the_nearest_stop_on_a_log_scale(optimizer, lr):
    options = np.asarray(lr_options(optimizer))
    k = stop_index(optimizer, lr)
    distance = np.abs(np.log(options) - np.log(lr))
    assert distance[k] == pytest.approx(distance.min())


def _race(query=None):
    at = navigation_app(RACE, {"steps": "40", **(query or {})})
    assert not at.exception, at.exception
    return at


def _query(at, key: str) -> str:
    value = at.query_params[key]
    return value[0] if isinstance(value, list) else value


def test_board_carries_every_optimizers_family_and_the_open_ones_scrubber():
    at = _race()
    data = race_families(at)
    assert data["token"] == board(at)["token"]
    # the open optimizer's (SGD: no momentum); the bowl's κ only once the hand reaches for it
    assert set(data["families"]) == {"sgd:lr"}
    scrub, kappa = data["rows"]
    assert kappa["kind"] == "surface" and kappa["values"][kappa["index"]] == 20.0
    assert scrub["opt"] == "sgd" and scrub["name"] == OPTIMIZERS["sgd"].name
    values = data["families"]["sgd:lr"]["values"]
    board_event(at, "want", "surface:kappa")
    assert set(race_families(at)["families"]) == {"sgd:lr", "surface:kappa"}
    assert values[scrub["index"]] == float(_query(at, "sgd_lr"))
    assert board(at)["plotly_src"].endswith(
        "/_stcore/bidi-components/descent_lab.plotlyjs/plotly.min.js"
    )


def test_a_released_alpha_reaches_the_url_the_runs_and_the_widget():
    at = _race()
    board_event(at, "release", {"opt": "sgd", "value": 0.02})
    assert _query(at, "sgd_lr") == "0.02"
    assert at.session_state["sgd_lr"] == 0.02
    figure = board(at)["figure"]
    labels = [t["name"] for t in figure["data"] if t.get("meta") == "dot-sgd"]
    assert labels == [f"{OPTIMIZERS['sgd'].name} · α 0.02"]


@pytest.mark.parametrize(
    "value", [{"opt": "sgd", "value": "nan"}, {"opt": "nope", "value": 0.1}, "junk", {"opt": "sgd"}]
)
def test_a_released_value_that_is_not_a_stop_changes_nothing(value):
    at = _race()
    before = dict(at.query_params)
    board_event(at, "release", value)
    assert dict(at.query_params) == before


def test_a_value_between_stops_is_snapped_to_the_nearest():
    at = _race()
    board_event(at, "release", {"opt": "adam", "value": 0.0111})
    assert at.session_state["adam_lr"] == 0.01


def test_a_click_on_the_contour_moves_the_start():
    at = _race()
    board_event(at, "click", {"x": 1.25, "y": -0.5})
    assert at.session_state["x0"] == 1.25 and at.session_state["y0"] == -0.5
    (start,) = [t for t in board(at)["figure"]["data"] if t.get("name") == "start"]
    assert (start["x"], start["y"]) == ([1.25], [-0.5])


def test_use_suggested_alpha_applies_it():
    at = _race({"sgd_lr": "0.002"})
    suggested_index = race_families(at)["rows"][0]["suggested"]
    suggested = race_families(at)["families"]["sgd:lr"]["values"][suggested_index]
    board_event(at, "suggest", "sgd")
    assert at.session_state["sgd_lr"] == suggested
    assert race_families(at)["rows"][0]["index"] == suggested_index


def test_tune_every_alpha_sets_each_to_its_best_and_says_so():
    at = _race()
    board_event(at, "tune", True)
    found, _ = families(
        get_surface("bowl"),
        ["sgd", "momentum", "rmsprop", "adam"],
        lambda o: {"lr": at.session_state[f"{o}_lr"]},
        get_surface("bowl").start,
        RunSettings(steps=40),
    )
    for opt, family in found.items():
        assert at.session_state[f"{opt}_lr"] == family.best
    assert any("Every α is tuned" in c.value for c in at.caption)
    assert _query(at, "race_tuned") == "true"  # the link says so …
    link = dict(at.query_params)
    board_event(at, "release", {"opt": "sgd", "value": 0.0001})  # one α moved: no longer tuned
    assert not any("Every α is tuned" in c.value for c in at.caption)
    assert "race_tuned" not in at.query_params  # … only while it holds
    fresh = navigation_app(RACE, {k: v for k, v in link.items()})
    assert any("Every α is tuned" in c.value for c in fresh.caption)  # a fresh browser: checked
    fresh = navigation_app(RACE, {**link, "adam_lr": "0.0001"})  # a hand-edited link: not so
    assert not any("Every α is tuned" in c.value for c in fresh.caption)
    assert "race_tuned" not in fresh.query_params


def test_kappa_and_angle_keep_every_alpha():
    at = _race({"sgd_lr": "0.05"})
    (kappa,) = [s for s in at.sidebar.slider if "κ" in s.label]
    kappa.set_value(200.0).run()
    assert not at.exception
    assert at.session_state["sgd_lr"] == 0.05
    assert _query(at, "sgd_lr") == "0.05"


def test_a_new_surface_resuggests_and_says_so():
    at = _race({"sgd_lr": "0.0001"})
    at.sidebar.selectbox(key="surface").set_value("rosenbrock").run()
    assert not at.exception
    assert at.session_state["sgd_lr"] != 0.0001
    assert any("suggested anew" in t.value for t in at.toast)


def test_the_open_optimizers_momentum_like_value_has_its_family():
    at = _race({"race_tune": "momentum", "momentum_momentum": "0.5"})
    data = race_families(at)
    assert [row["param"] for row in data["rows"]] == ["lr", "momentum", "kappa"]
    assert set(data["families"]) == {"momentum:lr", "momentum:momentum"}
    momentum = data["families"]["momentum:momentum"]
    assert momentum["values"][data["rows"][1]["index"]] == 0.5
    assert momentum["values"][-1] == 0.99 and 0.9 in momentum["values"]  # fine near 1
    board_event(at, "release", {"opt": "momentum", "param": "momentum", "value": 0.95})
    assert at.session_state["momentum_momentum"] == 0.95
    board_event(at, "release", {"opt": "momentum", "param": "eps", "value": 0.1})  # not scrubbed
    assert at.session_state["momentum_momentum"] == 0.95


@pytest.mark.parametrize(
    "optimizer, param", [("rmsprop", "decay"), ("adam", "beta1"), ("sgd", None)]
)
def test_the_momentum_like_value_is_rho_then_mu_then_beta1(optimizer, param):
    from webapp.family import momentum_like

    assert momentum_like(optimizer) == param


def test_a_rerun_resends_no_family_the_browser_already_has():
    at = _race()
    first = race_families(at)  # as the browser does: keeps each payload it gets
    assert set(first["payloads"]) == set(first["keys"].values())  # the first run sends them all
    board_event(at, "release", {"opt": "sgd", "value": 0.02})  # α: the families stay the same
    again = board(at, "race_families")
    assert again["keys"] == first["keys"] and again["payloads"] == {}
    assert again["token"] != first["token"]  # a new figure, the same families
    assert race_families(at)["families"]["sgd:lr"]["values"] == list(lr_options("sgd"))


def test_the_bowls_kappa_has_a_family_of_its_own_contours_and_runs():
    from surfaces import get_surface as surface_of
    from viz._base import contour_image
    from webapp.url import log_options

    at = _race({"bowl_kappa": "20", "race_opts": ["sgd", "momentum"]})
    board_event(at, "want", "surface:kappa")  # the hand reached for κ's scrubber
    data = race_families(at)
    (row,) = [r for r in data["rows"] if r.get("kind") == "surface"]
    assert row["param"] == "kappa" and row["family"] == "surface:kappa"
    kappa = data["families"]["surface:kappa"]
    assert kappa["values"] == list(log_options(1.0, 200.0))
    assert kappa["values"][row["index"]] == 20.0
    k = kappa["values"].index(100.0)
    narrow = surface_of("bowl", kappa=100.0, angle=30.0)
    member = kappa["members"][k]
    assert member["image"] == contour_image(narrow, narrow.bounds)["source"]
    for opt in ("sgd", "momentum"):  # each run is run() on the narrower bowl, as drawn
        hyper = {"lr": float(_query(at, f"{opt}_lr"))}
        if opt == "momentum":
            hyper["momentum"] = 0.9
        alone = run(narrow, opt, narrow.start, 40, **hyper)
        view = view_bounds(narrow.bounds, narrow.start)
        drawn, last, mark = visible_path(alone.path, alone.diverged_at, view)
        assert member["runs"][opt]["end"] == [float(v) for v in drawn[last]]
        assert (member["runs"][opt]["mark"] is None) == (mark is None)
    assert member["start"] == [float(v) for v in narrow.start]
    board_event(at, "release", {"kind": "surface", "param": "kappa", "value": 100.0})
    assert _query(at, "bowl_kappa") == "100" and _query(at, "sgd_lr") == "0.05"  # α kept
    board_event(at, "release", {"kind": "surface", "param": "angle", "value": 5.0})  # not offered
    assert "bowl_angle" not in at.query_params


def test_a_surface_without_a_scrubbed_parameter_has_no_surface_family():
    at = _race({"surface": "rosenbrock"})
    assert not [r for r in race_families(at)["rows"] if r.get("kind") == "surface"]
