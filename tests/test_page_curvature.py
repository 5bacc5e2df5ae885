"""The Curvature page through AppTest: typed and clicked points, the step's α, every surface."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
import streamlit as st

import surfaces.curvature
from surfaces import SURFACES, curvature_at, get_surface, list_surfaces
from surfaces.curvature import local_steps
from tests._apptest import click, navigation_app

CHART = "curv_chart"
PAGE = "app_pages/curvature.py"
KEYS = ("curv_x", "curv_y", "curv_lr")
DTYPES = {"f4": np.float32, "f8": np.float64, "i1": np.int8, "i4": np.int32}


def values(spec) -> np.ndarray:
    """A figure array as the JSON holds it (plain list or plotly's base64 typed array)."""
    if isinstance(spec, dict) and "bdata" in spec:
        return np.frombuffer(base64.b64decode(spec["bdata"]), dtype=DTYPES[spec["dtype"]])
    return np.asarray(spec, dtype=float)


def page(**query):
    """The Curvature page opened with a URL query (values as the URL holds them)."""
    at = navigation_app(PAGE, query)
    assert not at.exception, at.exception
    return at


def contour_spec(at) -> dict:
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["data"][0]["type"] == "contour"
    return spec


def traces(spec: dict, prefix: str) -> list[dict]:
    return [t for t in spec["data"] if (t.get("name") or "").startswith(prefix)]


def point_of(spec: dict) -> tuple[float, float]:
    (marker,) = traces(spec, "point")
    return float(values(marker["x"])[0]), float(values(marker["y"])[0])


def headline(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("### "))


def test_default_page_shows_the_hessian_at_the_start_point():
    at = page()
    bowl = get_surface("bowl")
    curv = curvature_at(bowl, bowl.start)
    hessian_tex = at.latex[0].value
    for entry in curv.hessian.ravel():
        assert f"{entry:.4g}" in hessian_tex
    assert "bmatrix" in hessian_tex
    assert "minimum" in headline(at)
    assert any("Condition number κ = λmax / λmin = 20**" in m.value for m in at.markdown)
    spec = contour_spec(at)
    assert point_of(spec) == pytest.approx(bowl.start)
    assert len(traces(spec, "eigenvector")) == 2
    (model,) = traces(spec, "local model")
    assert "ellipse" in model["name"]
    assert traces(spec, "gradient step") and traces(spec, "Newton step")
    (newton,) = traces(spec, "Newton step")
    np.testing.assert_allclose([values(newton["x"])[1], values(newton["y"])[1]], [0, 0], atol=1e-9)
    (table,) = at.dataframe
    assert table.value["kind"].tolist() == ["minimum"]


def test_typed_point_at_a_saddle_gives_the_second_derivative_test():
    at = page(surface=SURFACES["saddle"].name)
    at.number_input(key="curv_x").set_value(0.0)
    at.number_input(key="curv_y").set_value(0.0).run()
    assert not at.exception
    assert headline(at) == "### Second-derivative test: **saddle**"
    text = " ".join(m.value for m in at.markdown)
    assert "∇f = 0 here" in text and "opposite signs" in text
    assert any("attracted to saddles" in c.value for c in at.caption)
    spec = contour_spec(at)
    (model,) = traces(spec, "local model")
    assert "hyperbola" in model["name"]
    colors = {t["line"]["color"] for t in traces(spec, "eigenvector")}
    assert len(colors) == 2  # one curves up, one down


def test_click_on_the_contour_moves_the_point_and_the_url():
    at = page(surface=SURFACES["himmelblau"].name)
    assert "Shape here" in headline(at)  # the start is not a critical point
    click(at, CHART, 3.0, 2.0)  # on the marker of one of Himmelblau's minima
    assert at.session_state["curv_x"] == 3.0 and at.session_state["curv_y"] == 2.0
    assert at.query_params["curv_x"] == "3" and at.query_params["curv_y"] == "2"
    assert point_of(contour_spec(at)) == (3.0, 2.0)
    assert headline(at) == "### Second-derivative test: **minimum**"
    click(at, CHART, 0.0, 0.0)  # near Himmelblau's local maximum
    assert headline(at) == "### Shape here: **maximum**-like"
    assert any("uphill" in c.value for c in at.caption)  # Newton heads to the maximum


def test_learning_rate_slider_scales_the_gradient_step():
    at = page(curv_x="1.0", curv_y="1.0")
    at.select_slider(key="curv_lr").set_value(0.01).run()
    bowl = get_surface("bowl")
    g = curvature_at(bowl, (1.0, 1.0)).gradient
    (gd,) = traces(contour_spec(at), "gradient step")
    end = np.array([values(gd["x"])[1], values(gd["y"])[1]])
    np.testing.assert_allclose(end, np.array([1.0, 1.0]) - 0.01 * g)
    assert any(f"{-0.01 * g[0]:.4g}" in t.value for t in at.latex)


def test_url_round_trip_reopens_the_same_point_and_rate():
    at = page(surface=SURFACES["rosenbrock"].name, curv_x="1.0", curv_y="1.0", curv_lr="0.001")
    assert point_of(contour_spec(at)) == (1.0, 1.0)
    assert at.select_slider(key="curv_lr").value == 0.001
    assert headline(at) == "### Second-derivative test: **minimum**"
    assert at.query_params["curv_x"] == "1" and at.query_params["curv_lr"] == "0.001"


def test_a_new_surface_forgets_the_old_point():
    at = page(curv_x="2.5", curv_y="-2.0", curv_lr="0.2")
    at.session_state["surface"] = "rosenbrock"  # as the sidebar's select box would
    at.run()
    assert not at.exception
    rosenbrock = get_surface("rosenbrock")
    assert point_of(contour_spec(at)) == pytest.approx(rosenbrock.start)
    assert "curv_x" not in at.query_params and "curv_y" not in at.query_params
    assert at.number_input(key="curv_x").value is None
    assert at.select_slider(key="curv_lr").value < 0.01  # Rosenbrock is far more curved


@pytest.mark.parametrize("surface_id", list_surfaces())
def test_every_catalog_surface_renders(surface_id):
    at = page(surface=SURFACES[surface_id].name)
    surface = get_surface(surface_id)
    spec = contour_spec(at)
    assert point_of(spec) == pytest.approx(surface.start)
    assert len(traces(spec, "eigenvector")) == 2
    assert headline(at).split("**")[1].split(" ")[0] in {
        "minimum",
        "maximum",
        "saddle",
        "inconclusive",
    }
    assert at.dataframe or at.info  # critical points listed, or said plainly why not
    maps = [json.loads(c.proto.spec)["data"][0]["name"] for c in at.get("plotly_chart")[1:]]
    assert maps == ["curvature kind", "condition number"]


def test_custom_formula_without_critical_points_says_so():
    at = page(surface="custom", formula="exp(x) + y")
    assert any("No critical points found" in i.value for i in at.info)
    assert not at.dataframe
    assert "inconclusive" in headline(at)  # exp(x) curves only along x: degenerate
    spec = contour_spec(at)
    (model,) = traces(spec, "local model")
    assert "parallel lines" in model["name"]
    # H is singular: there is no Newton step, and the page says why.
    assert not traces(spec, "Newton step") and traces(spec, "gradient step")
    assert any("H is singular" in c.value for c in at.caption)


def test_a_point_where_the_formula_is_undefined_is_told_not_crashed():
    at = page(surface="custom", formula="log(x) + y^2")
    at.number_input(key="curv_x").set_value(-1.0)
    at.number_input(key="curv_y").set_value(0.5).run()
    assert not at.exception
    assert at.warning and "not defined at (-1, 0.5)" in at.warning[0].value
    assert not [s for s in at.subheader if s.value == "Three steps from this point"]
    assert not traces(contour_spec(at), "gradient step")


def test_custom_quadratic_is_solved_exactly():
    at = page(surface="custom", formula="x^2 - 3y^2 + x y")
    (table,) = at.dataframe
    assert table.value["kind"].tolist() == ["saddle"]
    assert any("found exactly" in c.value for c in at.caption)


def test_hostile_formula_shows_an_error_not_a_traceback():
    at = navigation_app(
        PAGE, {"surface": "custom", "formula": "__import__('os').system('echo hi')"}
    )
    assert not at.exception
    assert at.error and "can't be used" in at.error[0].value
    assert not at.get("plotly_chart")


def test_new_surface_parameters_keep_the_point():
    at = page(curv_x="1.0", curv_y="1.0")
    at.session_state["bowl_kappa"] = 60.0
    at.run()
    assert not at.exception
    assert point_of(contour_spec(at)) == (1.0, 1.0)
    assert any("= 60**" in m.value for m in at.markdown)  # κ of the new bowl


def test_the_best_step_along_the_gradient_is_drawn_with_its_predicted_decrease():
    at = page(curv_x="2.0", curv_y="1.0")
    bowl = get_surface("bowl")
    steps = local_steps(bowl, curvature_at(bowl, (2.0, 1.0)), 0.05)
    (best,) = traces(contour_spec(at), "best gradient step")
    end = np.array([values(best["x"])[1], values(best["y"])[1]])
    np.testing.assert_allclose(end, np.array([2.0, 1.0]) + steps.best.displacement)
    assert any(f"ε* = gᵀg / gᵀHg = {steps.epsilon:.4g}" in c.value for c in at.caption)
    assert any(f"model {steps.best.predicted:.4g}" in m.value for m in at.markdown)
    headers = [m.value for m in at.markdown if m.value.startswith("**") and "step" in m.value]
    assert len(headers) == 3


def test_no_best_step_where_the_model_has_no_minimum_along_the_gradient():
    at = page(surface="custom", formula="x^2 - y^2", curv_x="0.2", curv_y="1.5")
    assert not traces(contour_spec(at), "best gradient step")
    assert any("no minimum along the gradient" in c.value for c in at.caption)


@pytest.mark.parametrize(
    ("formula", "x", "y"),
    [("sqrt(x)+y^2", "-1", "0"), ("1/x+y^2", "0", "0"), ("exp(x)", "900", "0")],
)
def test_a_point_where_f_is_not_defined_gets_a_message_not_a_traceback(formula, x, y):
    at = page(surface="custom", formula=formula, curv_x=x, curv_y=y)
    (warning,) = at.warning
    assert "not defined at" in warning.value and "another point" in warning.value
    assert not at.latex and not any("Three steps" in s.value for s in at.subheader)
    (marker,) = traces(contour_spec(at), "point")
    assert marker["name"].endswith("not defined here")
    assert any("Critical points" in s.value for s in at.subheader)  # the rest of the page stays


def test_a_slow_critical_point_search_says_it_stopped(monkeypatch):
    st.cache_data.clear()  # a search cached by another test would not run again
    monkeypatch.setattr(surfaces.curvature, "CRITICAL_BUDGET", 0.0)
    at = page(surface=SURFACES["himmelblau"].name)
    assert any("time budget" in w.value and "there may be others" in w.value for w in at.warning)
    st.cache_data.clear()


def test_a_click_then_the_link_reopens_the_same_view():
    at = page(surface=SURFACES["himmelblau"].name)
    click(at, CHART, 3.0, 2.0)
    at.select_slider(key="curv_lr").set_value(0.002).run()
    again = navigation_app(PAGE, dict(at.query_params))
    assert not again.exception
    for key in ("curv_x", "curv_y"):
        assert again.number_input(key=key).value == at.number_input(key=key).value
    assert again.select_slider(key="curv_lr").value == 0.002
    assert contour_spec(again) == contour_spec(at)
    assert headline(again) == headline(at)


@pytest.mark.parametrize("bad", ["garbage", "nan", "inf", "-1e300", "1e308"])
def test_hostile_values_in_every_key_give_notices_not_tracebacks(bad):
    at = page()
    at.query_params.clear()  # then a link with them opens in this session (or Back brings it)
    at.query_params.update(dict.fromkeys(KEYS, bad))
    at.run()
    assert not at.exception
    (notice,) = [w for w in at.warning if "could not be used" in w.value]
    for key in KEYS:
        assert f"`{key}={bad}`" in notice.value, key
    bowl = get_surface("bowl")
    assert point_of(contour_spec(at)) == pytest.approx(bowl.start)  # the default point


def test_a_huge_but_allowed_point_is_shown_not_crashed():
    at = page(curv_x="1e6", curv_y="-1e6")
    assert not at.exception
    assert point_of(contour_spec(at)) == (1e6, -1e6)
    assert "Shape here" in headline(at)
