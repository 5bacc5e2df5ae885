"""The Step-by-step page through AppTest: the scrubber, previous / next, every optimizer's rule
and state, the look-ahead point, and the variants — checked against optim_core's own runs."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from optim_core import OPTIMIZERS, run
from surfaces import SURFACES, get_surface
from tests._apptest import APP
from tests._tables import tables
from viz.step import state_table, tex_value
from webapp.settings import StepSettings

STEPS = 30  # every test runs the whole script: keep the runs short
BOWL = get_surface("bowl", **{p.name: p.default for p in SURFACES["bowl"].params})


def step_page(**query) -> AppTest:
    """The page opened with a URL query (values as the URL holds them), through router.py."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update({"steps": str(STEPS), **query})
    at.switch_page("app_pages/step.py").run()
    assert not at.exception, at.exception
    return at


def values(spec) -> np.ndarray:
    """A figure array as Plotly's JSON holds it: a list, or base64 data with its dtype."""
    if isinstance(spec, dict) and "bdata" in spec:
        return np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.dtype(spec["dtype"]))
    return np.asarray(spec, dtype=float)


def figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def step_arrow(spec: dict) -> tuple[np.ndarray, np.ndarray]:
    """The solid step arrow: the widest annotation arrow (look-ahead arrows are thinner)."""
    a = max(spec["layout"]["annotations"], key=lambda a: a["arrowwidth"])
    return np.array([a["ax"], a["ay"]]), np.array([a["x"], a["y"]])


def expected_run(at, optimizer: str):
    """The run the page should show, rebuilt from the widgets' values with optim_core."""
    hyper = {h.name: at.session_state[f"{optimizer}_{h.name}"] for h in OPTIMIZERS[optimizer].hyper}
    return run(BOWL, optimizer, start=BOWL.start, steps=STEPS, record_state=True, **hyper)


def latex_values(at) -> list[str]:
    return [element.value for element in at.latex]


def table_rows(at, index: int = 0) -> list[dict]:
    return tables(at)[index]


def test_opens_on_adam_step_one_with_the_rule_the_code_and_the_numbers():
    at = step_page()
    assert at.selectbox(key="step_opt").value == "adam"
    assert at.slider(key="step_t").value == 1
    spec = OPTIMIZERS["adam"]
    rule, this_step = latex_values(at)[:2]
    assert spec.latex in rule
    assert at.code[0].value == spec.code and at.code[0].language == "python"
    t = expected_run(at, "adam")
    assert r"\alpha_{1} &= " in this_step and tex_value(t.grads[0]) in this_step
    assert tex_value(t.states["m_hat"][0]) in this_step
    assert table_rows(at) == state_table(t, 1)
    start, end = step_arrow(figures(at)[0])
    assert np.allclose(start, t.path[0]) and np.allclose(end, t.path[1])


def test_the_scrubber_is_bound_to_the_url_and_moves_the_step():
    at = step_page(step_t="7")
    assert at.slider(key="step_t").value == 7
    t = expected_run(at, "adam")
    start, end = step_arrow(figures(at)[0])
    assert np.allclose(start, t.path[6]) and np.allclose(end, t.path[7])
    at.slider(key="step_t").set_value(12).run()
    start, end = step_arrow(figures(at)[0])
    assert np.allclose(start, t.path[11]) and np.allclose(end, t.path[12])
    assert r"\theta_{12} &= \theta_{11} + \Delta\theta" in latex_values(at)[1]
    assert table_rows(at) == state_table(t, 12)


def test_previous_and_next_step_through_and_stop_at_the_ends():
    at = step_page()
    at.button(key="step_next").click().run()
    at.button(key="step_next").click().run()
    assert at.slider(key="step_t").value == 3
    assert "Step 3 of 30" in figures(at)[0]["layout"]["title"]["text"]
    at.button(key="step_prev").click().run()
    assert at.slider(key="step_t").value == 2
    for _ in range(3):
        at.button(key="step_prev").click().run()
    assert at.slider(key="step_t").value == 1
    at.slider(key="step_t").set_value(STEPS).run()
    at.button(key="step_next").click().run()
    assert at.slider(key="step_t").value == STEPS
    at.slider(key="steps").set_value(10).run()  # fewer steps pull the scrubber back
    assert not at.exception
    assert at.slider(key="step_t").value == 10


def test_every_optimizer_renders_its_rule_and_state_table():
    at = step_page(step_t="3")
    for optimizer, spec in OPTIMIZERS.items():
        at.selectbox(key="step_opt").set_value(optimizer).run()
        assert not at.exception, optimizer
        t = expected_run(at, optimizer)
        assert spec.latex_for(t.hyper) in latex_values(at)[0], optimizer
        assert at.code[0].value == spec.code_for(t.hyper)  # the snippet the tests execute
        assert table_rows(at) == state_table(t, 3), optimizer
        names = {row["quantity"] for row in table_rows(at)}
        shown = {n for n, _, _ in spec.state_fields_for(t.hyper)}
        assert shown <= {q.split(" (row")[0] for q in names}


def test_labels_follow_the_flags():
    at = step_page(step_opt="adam", adam_bias_correction="false")
    rule = latex_values(at)[0]
    assert OPTIMIZERS["adam"].latex_for({"bias_correction": False}) in rule
    assert OPTIMIZERS["adam"].latex_for({"bias_correction": True}) not in rule
    meanings = " ".join(row["meaning"] for row in table_rows(at))
    assert "bias-corrected" not in meanings


def test_nesterov_shows_the_look_ahead_point_where_its_gradient_was_taken():
    at = step_page(step_opt=OPTIMIZERS["nesterov"].name, step_t="4")
    assert at.selectbox(key="step_opt").value == "nesterov"
    t = expected_run(at, "nesterov")
    spec = figures(at)[0]
    (ahead,) = [tr for tr in spec["data"] if "look-ahead" in (tr.get("name") or "")]
    assert np.allclose([values(ahead["x"])[0], values(ahead["y"])[0]], t.eval_points[3])
    assert len(spec["layout"]["annotations"]) == 3  # θ₃ → θ̃ → θ₄ and θ₃ → θ₄
    assert r"g &= \nabla f(\tilde\theta)" in latex_values(at)[1]
    at.toggle(key="step_zoom").set_value(True).run()
    zoomed = figures(at)[0]["layout"]["xaxis"]["range"]
    assert zoomed[1] - zoomed[0] < 3.0 and zoomed[0] < t.eval_points[3][0] < zoomed[1]


def test_the_variants_compare_what_they_promise():
    at = step_page()
    _, bias_chart = figures(at)
    adam = {h.name: at.session_state[f"adam_{h.name}"] for h in OPTIMIZERS["adam"].hyper}
    run_ = {
        flag: run(BOWL, "adam", start=BOWL.start, steps=STEPS, **{**adam, "bias_correction": flag})
        for flag in (True, False)
    }
    sizes = {k: np.linalg.norm(np.diff(v.path[:11], axis=0), axis=1) for k, v in run_.items()}
    rows = table_rows(at, 1)
    assert [int(r["t"]) for r in rows] == list(range(1, 11))
    assert float(rows[0]["with correction"]) == pytest.approx(sizes[True][0], rel=1e-3)
    assert float(rows[0]["without"]) == pytest.approx(sizes[False][0], rel=1e-3)
    beta1, beta2 = adam["beta1"], adam["beta2"]
    predicted = (1 - beta1) / np.sqrt(1 - beta2)  # the first uncorrected step, relative
    assert float(rows[0]["without ÷ with"]) == pytest.approx(predicted, rel=1e-2)
    assert np.allclose(values(bias_chart["data"][1]["y"]), sizes[False], rtol=1e-9)
    assert bias_chart["layout"]["yaxis"]["type"] == "log"

    at.segmented_control(key="step_compare").set_value("nesterov_forms").run()
    assert at.query_params["step_compare"] in ("nesterov_forms", ["nesterov_forms"])
    _, nesterov_chart = figures(at)
    names = [tr.get("name") for tr in nesterov_chart["data"]]
    points = f"{OPTIMIZERS['nesterov'].name}: look-ahead points θ̃"
    look_ahead = nesterov_chart["data"][names.index(points)]
    reparam = nesterov_chart["data"][names.index(OPTIMIZERS["nesterov_reparam"].name)]
    for axis in "xy":
        assert np.allclose(values(look_ahead[axis]), values(reparam[axis])[:-1])

    at.segmented_control(key="step_compare").set_value("cache").run()
    _, cache_chart = figures(at)
    assert cache_chart["layout"]["yaxis"]["type"] == "log"
    rates = {tr["name"]: values(tr["y"]) for tr in cache_chart["data"]}
    adagrad_x = rates[f"{OPTIMIZERS['adagrad'].name}, x"]
    assert len(rates) == 4 and np.all(np.diff(adagrad_x) <= 0)


@pytest.mark.parametrize(
    ("optimizer", "first"),
    [("adamw", "bias_correction"), ("nesterov", "nesterov_forms"), ("rmsprop", "cache")],
)
def test_the_comparison_that_matters_for_the_optimizer_opens_first(optimizer, first):
    at = step_page(step_opt=optimizer)
    control = at.segmented_control(key="step_compare")
    assert control.value == first
    at.selectbox(key="step_opt").set_value("sgd").run()  # another optimizer: its own comparison
    assert (
        at.segmented_control(key="step_compare").value == StepSettings(optimizer="sgd").comparison
    )


def test_a_diverging_run_says_so_and_why():
    at = step_page(step_opt=OPTIMIZERS["sgd"].name, sgd_lr="0.3", step_t="30")
    assert at.session_state["sgd_lr"] == 0.3
    (message,) = at.error
    assert "diverged at step" in message.value
    assert "n/a" in table_rows(at)[0]["x"]
