"""The Learning-rate lab's batch-size axis through AppTest: offered on data surfaces, a log m
axis with the batch caption, a pick of m that runs that batch size; elsewhere a link asking for
it falls back to the hyperparameter axis."""

import json

from tests._apptest import click, navigation_app
from tests.test_page_race import values

LAB = "app_pages/lr_lab.py"
QUERY = {
    "surface": "regression",
    "lab_opt": "sgd",
    "lab_axis": "batch",
    "lab_n": "6",
    "steps": "60",
}


def _open(**query):
    at = navigation_app(LAB, query)
    assert not at.exception, at.exception
    return at


def _outcome(at) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def test_batch_axis_draws_alpha_by_m_on_log_axes_with_its_caption():
    at = _open(**QUERY)
    figure = _outcome(at)
    assert figure["layout"]["yaxis"]["type"] == "log"
    assert figure["layout"]["yaxis"]["title"]["text"] == "batch size m"
    assert [r.value for r in at.radio if r.key == "lab_axis"] == ["batch"]
    assert any("averaged over the last 6 steps" in c.value for c in at.caption)
    assert at.query_params["lab_axis"] == "batch"


def test_a_typed_m_runs_that_batch_size_and_lands_in_the_url():
    at = _open(**QUERY)
    at.number_input(key="lab_pick_m").set_value(4).run()
    assert not at.exception
    assert any("m = 4**" in m.value for m in at.markdown)
    assert at.query_params["lab_pick_m"] == "4"


def test_a_click_on_a_cell_picks_its_alpha_and_m():
    at = _open(**QUERY)
    points = next(t for t in _outcome(at)["data"] if t.get("name") == "pick")
    x, y = values(points["x"])[7], values(points["y"])[7]
    click(at, "lab_chart", x, y)
    assert not at.exception
    assert at.query_params["lab_pick_m"] == str(round(y))


def test_switching_the_axis_back_restores_the_hyperparameter_grid():
    at = _open(**{**QUERY, "lab_opt": "momentum"})
    at.radio(key="lab_axis").set_value("second").run()
    assert not at.exception
    assert _outcome(at)["layout"]["yaxis"]["title"]["text"] == "μ"


def test_no_batch_axis_on_a_surface_without_examples():
    at = _open(lab_axis="batch", lab_n="6", steps="60")
    assert not [r for r in at.radio if r.key == "lab_axis"]
    assert _outcome(at)["layout"]["yaxis"]["title"]["text"] == "μ"
    assert "lab_axis" not in at.query_params
