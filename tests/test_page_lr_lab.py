"""The Learning-rate lab through AppTest: optimizers, metrics, grid size, picking, theory, URL."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from optim_core import OPTIMIZERS, run
from surfaces import SURFACES, get_surface
from tests._apptest import click

CHART = "lab_chart"
SMALL = {"lab_n": "6", "steps": "40"}  # every test runs the whole grid: keep it small
APP = Path(__file__).resolve().parents[1] / "app.py"  # relative paths resolve from here
DTYPES = {"f4": np.float32, "f8": np.float64, "i1": np.int8, "i4": np.int32}


def values(spec) -> np.ndarray:
    """A figure array as the JSON holds it (plain list or plotly's base64 typed array)."""
    if isinstance(spec, dict) and "bdata" in spec:
        array = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=DTYPES[spec["dtype"]])
        shape = [int(n) for n in str(spec.get("shape", len(array))).split(",")]
        return array.reshape(shape)
    return np.asarray(spec, dtype=float)


def page(**query) -> AppTest:
    """The lab opened with a URL query (values as the URL holds them), on a small grid."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update({**SMALL, **query})
    at.run()  # through app.py first, so st.navigation has registered its pages (the
    at.switch_page("app_pages/lr_lab.py")  # url_path "lr-lab" is not the file's name)
    at.run()
    assert not at.exception, at.exception
    return at


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


def test_click_on_a_cell_picks_it_and_puts_it_in_the_url():
    at = page()
    pick = trace(figures(at)[0], "pick")
    x, y = float(values(pick["x"])[7]), float(values(pick["y"])[7])
    click(at, CHART, x, y)
    assert at.session_state["lab_pick_lr"] == pytest.approx(x, rel=1e-5)
    assert at.session_state["lab_pick_second"] == pytest.approx(y, rel=1e-5)
    assert float(at.query_params["lab_pick_lr"]) == pytest.approx(x, rel=1e-5)
    assert any(m.value.startswith("**Picked run") for m in at.markdown)


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
    assert not any("Rotation" in s.value for s in at.subheader)


def test_custom_quadratics_theory_or_why_not():
    at = page()
    at.selectbox(key="surface").set_value("custom").run()
    at.text_input(key="formula").set_value("x^2 + 10 y^2").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["κ"]) == pytest.approx(10.0)
    assert not any("Rotation" in s.value for s in at.subheader)  # the bowl's alone
    at.text_input(key="formula").set_value("x^2 - y^2").run()
    assert not at.exception
    assert any("not convex" in i.value for i in at.info)
    assert not at.metric


def test_a_start_where_the_formula_is_undefined_is_an_error_not_a_crash():
    at = page(x0="-1.0", y0="0.5")
    at.selectbox(key="surface").set_value("custom").run()
    at.number_input(key="x0").set_value(-1.0)
    at.number_input(key="y0").set_value(0.5)
    at.text_input(key="formula").set_value("log(x) + y^2").run()
    assert not at.exception
    assert at.error and "Cannot run from (-1, 0.5)" in at.error[0].value


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
        "lab_opt": OPTIMIZERS["rmsprop"].name,
        "lab_metric": "steps to tolerance",
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
