"""The Learning-rate lab through AppTest: optimizers, metrics, grid size, picking, theory, URL."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
import streamlit as st

import webapp.budget
from optim_core import OPTIMIZERS, quadratic_theory, run, suggest_lr
from optim_core.grid import optimum
from surfaces import SURFACES, get_surface
from teach.lab_text import ROTATION_TITLE
from tests._apptest import click, navigation_app
from webapp.settings import LabSettings, nearest_option

CHART = "lab_chart"
PAGE = "app_pages/lr_lab.py"
SMALL = {"lab_n": "6", "steps": "40"}  # every test runs the whole grid: keep it small
KEYS = ("lab_opt", "lab_metric", "lab_n", "lab_lr_min", "lab_lr_max", "lab_tol", "lab_pick_lr",
        "lab_pick_second", "steps")  # fmt: skip
DTYPES = {"f4": np.float32, "f8": np.float64, "i1": np.int8, "i4": np.int32}


def values(spec) -> np.ndarray:
    """A figure array as the JSON holds it (plain list or plotly's base64 typed array)."""
    if isinstance(spec, dict) and "bdata" in spec:
        array = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=DTYPES[spec["dtype"]])
        shape = [int(n) for n in str(spec.get("shape", len(array))).split(",")]
        return array.reshape(shape)
    return np.asarray(spec, dtype=float)


def page(**query):
    """The lab opened with a URL query (values as the URL holds them), on a small grid."""
    at = navigation_app(PAGE, {**SMALL, **query})
    assert not at.exception, at.exception
    return at


def reopen(at):
    """A fresh session opened on the URL ``at`` shows now: the link a student would share."""
    query = dict(at.query_params)  # AppTest keeps the address bar as a plain dict
    again = navigation_app(PAGE, query)
    assert not again.exception, again.exception
    return again


def figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def trace(spec: dict, name: str) -> dict:
    (found,) = [t for t in spec["data"] if t.get("name") == name]
    return found


def names(spec: dict) -> list[str]:
    return [t.get("name") or "" for t in spec["data"]]


def test_default_lab_is_a_momentum_grid_with_the_theory_on_the_bowl():
    at = page()
    outcome = figures(at)[0]
    heat = outcome["data"][0]
    assert heat["type"] == "heatmap"
    assert values(heat["z"]).shape == (6, 6)
    lrs = values(heat["x"])
    mus = values(heat["y"])
    assert mus[0] == 0.0 and mus[-1] == pytest.approx(0.99)
    assert lrs[-1] / lrs[0] == pytest.approx(1e4, rel=0.6)  # about ÷100 … ×100 the suggestion
    assert outcome["layout"]["xaxis"]["type"] == "log"
    kappa = dict(get_surface("bowl").params)["kappa"]
    line = trace(outcome, "α = 2/λ_max (GD stable below)")
    np.testing.assert_allclose(values(line["x"]), [2 / kappa, 2 / kappa])
    edge = trace(outcome, "edge of stability")
    np.testing.assert_allclose(values(edge["x"]), 2 * (1 + mus) / kappa)
    assert any(n.startswith("optimal α") for n in names(outcome))
    assert len(values(trace(outcome, "pick")["x"])) == 36
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["κ"]) == pytest.approx(kappa)
    assert float(metrics["λ_max"]) == pytest.approx(kappa) and float(metrics["λ_min"]) == 1
    assert any(s.value == "Theory on a quadratic" for s in at.subheader)
    rates = next(f for f in figures(at) if "predicted" in " ".join(names(f)))
    assert rates["layout"]["yaxis"]["type"] == "log"
    rotation = figures(at)[-1]
    assert [n for n in names(rotation) if ":" not in n] == [
        OPTIMIZERS[o].name for o in ("sgd", "adagrad", "adam")
    ]
    sgd_steps = values(trace(rotation, OPTIMIZERS["sgd"].name)["y"])
    assert np.ptp(sgd_steps) == 0  # gradient descent does not care about rotation
    assert any(s.value == ROTATION_TITLE for s in at.subheader)
    said = next(m.value for m in at.markdown if "divide each coordinate's step" in m.value)
    assert "Gradient descent needs" in said  # its words: tests/test_claims_b.py


def test_optimizer_without_a_second_hyperparameter_sweeps_the_learning_rate_alone():
    at = page()
    at.selectbox(key="lab_opt").set_value("sgd").run()
    assert not at.exception
    outcome = figures(at)[0]
    assert all(t["type"] == "scatter" for t in outcome["data"])
    assert len(values(trace(outcome, "pick")["x"])) == 6
    kappa = dict(get_surface("bowl").params)["kappa"]
    band = outcome["layout"]["shapes"][0]
    assert band["x1"] == pytest.approx(2 / kappa)  # stable band 0 < α < 2/λ_max, shaded
    assert any(n.startswith("optimal α = 2/(λ_min+λ_max)") for n in names(outcome))
    assert at.number_input(key="lab_pick_lr").value is None
    assert "lab_pick_second" not in [w.key for w in at.number_input]


def test_metric_switch_colours_by_steps_to_tolerance():
    at = page(lab_n="5", lab_tol="0.01")
    at.radio(key="lab_metric").set_value("steps").run()
    outcome = figures(at)[0]
    heat = outcome["data"][0]
    assert heat["colorbar"]["title"]["text"] == "steps"
    z = values(heat["z"])
    finite = z[np.isfinite(z)]
    assert finite.size and np.all(finite == np.round(finite)) and finite.max() <= 40
    assert "not reached" in names(outcome)  # the smallest rates do not get there in 40 steps


def test_grid_size_slider_resizes_the_grid():
    at = page()
    at.slider(key="lab_n").set_value(4).run()
    assert values(figures(at)[0]["data"][0]["z"]).shape == (4, 4)


def test_pick_a_cell_by_typing_shows_that_run():
    at = page()
    at.number_input(key="lab_pick_lr").set_value(0.05)
    at.number_input(key="lab_pick_second").set_value(0.5).run()
    assert not at.exception
    assert any("Picked run" in m.value and "α = 0.05, μ = 0.5" in m.value for m in at.markdown)
    path = figures(at)[1]
    drawn = trace(path, "α = 0.05, μ = 0.5")
    bowl = get_surface("bowl")
    expected = run(bowl, "momentum", start=bowl.start, steps=40, lr=0.05, momentum=0.5)
    np.testing.assert_allclose(values(drawn["x"]), expected.path[:, 0])
    picked = trace(figures(at)[0], "picked run")
    assert (picked["x"][0], picked["y"][0]) == (0.05, 0.5)


def test_click_on_a_cell_picks_it_and_the_link_reopens_the_same_view():
    at = page()
    pick = trace(figures(at)[0], "pick")
    x, y = float(values(pick["x"])[7]), float(values(pick["y"])[7])
    click(at, CHART, x, y)
    assert at.session_state["lab_pick_lr"] == pytest.approx(x, rel=1e-5)
    assert at.session_state["lab_pick_second"] == pytest.approx(y, rel=1e-5)
    assert float(at.query_params["lab_pick_lr"]) == pytest.approx(x, rel=1e-5)
    assert float(at.query_params["lab_pick_second"]) == pytest.approx(y, rel=1e-5)
    assert any(m.value.startswith("**Picked run") for m in at.markdown)
    at.radio(key="lab_metric").set_value("steps").run()
    again = reopen(at)
    for key in ("lab_pick_lr", "lab_pick_second"):
        assert again.number_input(key=key).value == at.number_input(key=key).value
    assert again.radio(key="lab_metric").value == "steps"
    assert figures(again)[:2] == figures(at)[:2]  # the same chart and the same picked run


def test_a_diverged_pick_says_why():
    at = page(lab_pick_lr="0.5", lab_pick_second="0.0")
    assert at.warning and "2(1 + μ)" in at.warning[0].value


def test_theory_overlay_absent_on_rosenbrock():
    at = page(surface=SURFACES["rosenbrock"].name)
    outcome = figures(at)[0]
    assert "edge of stability" not in names(outcome)
    assert not any(n.startswith(("α = 2/λ_max", "optimal")) for n in names(outcome))
    assert not any(s.value == "Theory on a quadratic" for s in at.subheader)
    assert not at.metric


def test_theory_on_regression_but_no_rotation_chart():
    at = page(surface=SURFACES["regression"].name)
    assert any(s.value == "Theory on a quadratic" for s in at.subheader)
    assert not any(s.value == ROTATION_TITLE for s in at.subheader)


def test_custom_quadratics_theory_or_why_not():
    at = page(surface="custom", formula="x^2 + 10 y^2")
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["κ"]) == pytest.approx(10.0)
    assert not any(s.value == ROTATION_TITLE for s in at.subheader)  # the bowl's alone
    at.session_state["formula"] = "x^2 - y^2"  # AppTest keeps no sidebar widgets after a switch
    at.run()
    assert not at.exception
    assert any("not convex" in i.value for i in at.info)
    assert not at.metric


def test_a_start_where_the_formula_is_undefined_is_an_error_not_a_crash():
    at = page(surface="custom", formula="log(x) + y^2", x0="-1.0", y0="0.5")
    assert at.error and "Cannot run from (-1, 0.5)" in at.error[0].value
    assert not at.get("plotly_chart")


def test_changing_optimizer_moves_the_learning_rate_range():
    at = page()
    low_momentum = at.select_slider(key="lab_lr_min").value
    at.selectbox(key="lab_opt").set_value("adam").run()
    assert not at.exception
    assert at.select_slider(key="lab_lr_min").value != low_momentum
    heat = figures(at)[0]["data"][0]
    assert values(heat["y"])[-1] == pytest.approx(0.99)  # β₁ on the y axis
    assert figures(at)[0]["layout"]["yaxis"]["title"]["text"] == "β₁"


def test_url_round_trip():
    query = {
        "lab_opt": "rmsprop",
        "lab_metric": "steps",
        "lab_n": "5",
        "lab_lr_min": "0.001",
        "lab_lr_max": "0.1",
        "lab_pick_lr": "0.01",
        "lab_pick_second": "0.9",
    }
    at = page(**query)
    assert at.selectbox(key="lab_opt").value == "rmsprop"
    assert at.radio(key="lab_metric").value == "steps"
    heat = figures(at)[0]["data"][0]
    np.testing.assert_allclose(values(heat["x"])[[0, -1]], [0.001, 0.1])
    assert values(heat["z"]).shape == (5, 5)
    assert figures(at)[0]["layout"]["yaxis"]["title"]["text"] == "ρ"
    assert any("α = 0.01, ρ = 0.9" in m.value for m in at.markdown)
    for key, value in query.items():
        assert at.query_params[key] == value


def test_names_in_an_older_link_still_open_and_the_url_then_writes_ids():
    at = page(lab_opt=OPTIMIZERS["rmsprop"].name, lab_metric="steps to tolerance")
    assert at.selectbox(key="lab_opt").value == "rmsprop"
    assert at.query_params["lab_opt"] == "rmsprop" and at.query_params["lab_metric"] == "steps"


def test_nesterov_gets_its_own_optimum_not_the_heavy_balls():
    at = page(lab_opt="nesterov", bowl_kappa="37", lab_lr_min="0.001", lab_lr_max="0.2")
    outcome = figures(at)[0]
    star = next(t for t in outcome["data"] if (t.get("name") or "").startswith("optimal α"))
    theory = quadratic_theory(*get_surface("bowl", kappa=37.0).quadratic_eigenvalues)
    mine, heavy = optimum("nesterov", theory), optimum("momentum", theory)
    np.testing.assert_allclose([star["x"][0], star["y"][0]], [mine.lr, mine.second])
    assert not np.isclose(star["x"][0], heavy.lr)
    at.number_input(key="lab_pick_lr").set_value(round(mine.lr, 6))
    at.number_input(key="lab_pick_second").set_value(round(mine.second, 6)).run()
    assert not at.warning  # Nesterov converges at its own optimum (it diverged at the old star)
    labels = {m.label for m in at.metric}
    assert f"α*, μ* of {OPTIMIZERS['nesterov'].name}" in labels


def test_no_theory_marks_for_an_adaptive_optimizer():
    at = page(lab_opt="adam")
    names_ = names(figures(at)[0])
    assert not any(n.startswith(("optimal", "α = 2/λ_max", "edge")) for n in names_)
    assert any(s.value == "Theory on a quadratic" for s in at.subheader)  # the surface's theory


def test_every_control_reaches_the_grid_and_the_picked_run():
    at = page(lab_opt="adam")
    at.select_slider(key="lab_lr_min").set_value(0.001)
    at.select_slider(key="lab_lr_max").set_value(0.1)
    at.slider(key="steps").set_value(30)
    at.select_slider(key="adam_beta2").set_value(0.9)
    at.checkbox(key="adam_bias_correction").uncheck()
    at.select_slider(key="lab_tol").set_value(0.01)
    at.number_input(key="lab_pick_lr").set_value(0.01)
    at.number_input(key="lab_pick_second").set_value(0.5).run()
    assert not at.exception
    heat = figures(at)[0]["data"][0]
    np.testing.assert_allclose(values(heat["x"])[[0, -1]], [0.001, 0.1])
    bowl = get_surface("bowl")
    expected = run(bowl, "adam", start=bowl.start, steps=30, lr=0.01, beta1=0.5, beta2=0.9,
                   bias_correction=False)  # fmt: skip
    drawn = trace(figures(at)[1], "α = 0.01, β₁ = 0.5")
    np.testing.assert_allclose(values(drawn["x"]), expected.path[:, 0])
    assert any("tol = 0.01" in c.value and "stays within tol" in c.value for c in at.caption)
    assert at.query_params["adam_beta2"] == "0.9" and at.query_params["lab_tol"] == "0.01"


def test_a_new_surface_forgets_the_range_and_the_pick():
    at = page(lab_pick_lr="0.05", lab_pick_second="0.5", lab_lr_min="0.001", lab_lr_max="0.01")
    assert at.number_input(key="lab_pick_lr").value == 0.05
    at.session_state["surface"] = "rosenbrock"  # as the sidebar's select box would
    at.run()
    assert not at.exception
    assert at.number_input(key="lab_pick_lr").value is None
    assert "lab_pick_lr" not in at.query_params and "lab_pick_second" not in at.query_params
    rosenbrock = get_surface("rosenbrock")
    center = suggest_lr("momentum", rosenbrock, rosenbrock.start)
    suggested = [nearest_option(LabSettings.LR_OPTIONS, center * k) for k in (0.01, 100)]
    assert [float(at.query_params[k]) for k in ("lab_lr_min", "lab_lr_max")] == suggested
    assert suggested[0] != 0.001  # not the range set on the bowl
    assert any(m.value.startswith("**Best cell") for m in at.markdown)


def test_a_new_optimizer_forgets_the_pick():
    at = page(lab_pick_lr="0.05", lab_pick_second="0.5")
    at.selectbox(key="lab_opt").set_value("adam").run()
    assert at.number_input(key="lab_pick_lr").value is None
    assert "lab_pick_lr" not in at.query_params


def test_a_grid_over_the_time_budget_says_so_above_and_runs_nothing(monkeypatch):
    st.cache_data.clear()  # a grid cached by another test would not be measured again
    monkeypatch.setattr(webapp.budget, "GRID_BUDGET_SECONDS", 0.0)
    at = page(lab_n="5")
    (warning,) = at.warning
    assert "25 runs × 40 steps" in warning.value and "budget of 0 s" in warning.value
    assert not at.get("plotly_chart")
    st.cache_data.clear()


@pytest.mark.parametrize("bad", ["garbage", "nan", "inf", "-5", "1e308"])
def test_hostile_values_in_every_key_give_notices_not_tracebacks(bad):
    at = page()
    at.query_params.clear()  # then a link with them opens in this session (or Back brings it)
    at.query_params.update(dict.fromkeys(KEYS, bad))
    at.run()
    assert not at.exception
    (notice,) = [w for w in at.warning if "could not be used" in w.value]
    for key in KEYS:
        assert f"`{key}={bad}`" in notice.value, key
    assert figures(at)  # and the lab still shows its defaults
    assert at.query_params.get("lab_opt") is None  # the refused values are not written back
