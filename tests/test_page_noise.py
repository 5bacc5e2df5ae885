"""The Race's Gradient-noise view through AppTest: offered on data surfaces only (a link asking
for it elsewhere falls back to the race), drawn for the chosen m and sampling, with captions."""

import base64

import numpy as np

from optim_core.noise import run_batches
from surfaces import get_surface
from teach.noise_text import batches_caption
from tests._apptest import figures, navigation_app
from webapp.settings import RaceSettings, RunSettings, View

RACE = "app_pages/race.py"


def _open(**query):
    at = navigation_app(RACE, {"steps": "30", **query})
    assert not at.exception, at.exception
    return at


def _length(spec) -> int:
    """How many values a figure array holds (a plain list, or plotly's base64 typed array)."""
    if isinstance(spec, dict):
        return len(base64.b64decode(spec["bdata"])) // np.dtype(spec["dtype"]).itemsize
    return len(spec)


def _view_control(at):
    (control,) = [w for w in at.get("button_group") if w.key == "race_view"]
    return control


def test_noise_view_on_regression_shows_the_cloud_for_the_chosen_m_and_its_caption():
    link = RaceSettings(
        view=View(surface_id="regression"),
        run=RunSettings(batch=4, sampling="replacement"),
        chart="noise",
    ).query()
    at = _open(**link)
    cloud, scaling = figures(at)
    names = [t["name"] for t in cloud["data"]]
    assert "mini-batch gradients ĝ (m = 4)" in names and "CLT 2σ ellipse" in names
    assert scaling["layout"]["xaxis"]["type"] == "log"
    surface = get_surface("regression")
    batches = run_batches(surface, surface.start, 4, "replacement", seed=0, steps=30)
    assert batches_caption(batches) in [c.value for c in at.caption]  # the run's 30 batches
    (dots,) = [t for t in cloud["data"] if t["name"].startswith("mini-batch")]
    assert _length(dots["x"]) == 30
    assert at.query_params["race_view"] == "noise"


def test_batch_slider_in_the_noise_view_redraws_the_cloud():
    at = _open(surface="regression", race_view="noise")
    assert "mini-batch gradients ĝ (m = 40)" in [t["name"] for t in figures(at)[0]["data"]]
    at.select_slider(key="batch").set_value(8).run()
    assert not at.exception
    assert "mini-batch gradients ĝ (m = 8)" in [t["name"] for t in figures(at)[0]["data"]]
    assert at.query_params["batch"] == "8"


def test_noise_is_not_offered_on_a_surface_without_examples_and_a_link_falls_back():
    at = _open(surface="rosenbrock", race_view="noise")
    control = _view_control(at)
    assert "Gradient noise" not in control.options and control.value == "race"
    assert "race_view" not in at.query_params
    assert figures(at)[0]["data"][0]["name"] == "pick"  # the race's contour


def test_the_view_control_offers_noise_on_the_logistic_surface():
    at = _open(surface="logistic")
    control = _view_control(at)
    assert "Gradient noise" in control.options
    control.set_value("noise").run()
    assert not at.exception
    assert at.query_params["race_view"] == "noise"
