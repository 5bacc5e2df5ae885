"""The Race page driven through AppTest: every widget path, and what the figures and tables show."""

from __future__ import annotations

import base64
import csv
import io
from pathlib import Path

import numpy as np
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from optim_core import OPTIMIZERS, run
from surfaces import SURFACES, SurfaceError, get_surface, parse_surface
from tests._apptest import figures
from tests._tables import table_frame, tables
from webapp.settings import DEFAULT_FORMULA

APP = Path(__file__).resolve().parents[1] / "router.py"
DTYPES = {"f4": np.float32, "f8": np.float64, "i4": np.int32}
FEW_STEPS = "30"  # every test runs the whole script: keep the races short


def values(spec) -> np.ndarray:
    if isinstance(spec, dict) and "bdata" in spec:
        return np.frombuffer(base64.b64decode(spec["bdata"]), dtype=DTYPES[spec["dtype"]])
    return np.asarray(spec, dtype=float)


def page(**query) -> AppTest:
    """The Race page opened with a URL query (values as the URL holds them)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"steps": FEW_STEPS, **query})
    at.run()  # Race is the default page (switch_page would also drop the sidebar's widgets)
    assert not at.exception, at.exception
    assert at.title[0].value == "Race"
    return at


def race_spec(at) -> dict:
    (spec,) = figures(at)
    assert spec["data"][0]["name"] == "pick" and spec["layout"]["images"]
    return spec


def surface_values(spec) -> np.ndarray:
    """f on the click grid (what the hover shows), rows of y."""
    return values(spec["data"][0]["customdata"])


def trace(spec: dict, name: str) -> dict:
    (found,) = [t for t in spec["data"] if t.get("name") == name]
    return found


def path_of(spec: dict, optimizer: str) -> np.ndarray:
    """The optimizer's whole path: paths are revealed as the race plays, so it is the path
    trace's data in the last frame (or in the base figure when paths are shown from the start)."""
    (index,) = [i for i, t in enumerate(spec["data"]) if t.get("meta") == f"path-{optimizer}"]
    t = spec["data"][index]
    frames = spec.get("frames") or []
    if frames and index in frames[-1]["traces"]:
        t = frames[-1]["data"][frames[-1]["traces"].index(index)]
    return np.stack([values(t["x"]), values(t["y"])], axis=1)


@pytest.fixture
def downloads(monkeypatch):
    """The files behind the download buttons: their callables are captured when registered."""
    made: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def capture(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        made[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", capture)
    return made


def csv_rows(downloads) -> dict[str, np.ndarray]:
    rows = list(csv.DictReader(io.StringIO(downloads["descent-lab-trajectories.csv"]())))
    out: dict[str, list] = {}
    for r in rows:
        out.setdefault(r["optimizer"], []).append([float(r["x"]), float(r["y"]), float(r["loss"])])
    return {k: np.array(v) for k, v in out.items()}


def test_default_race_shows_four_optimizers_animated_from_the_surfaces_start(downloads):
    at = page()
    assert at.title[0].value.endswith("Race")
    assert at.multiselect(key="race_opts").value == ["sgd", "momentum", "rmsprop", "adam"]
    spec = race_spec(at)
    bowl = get_surface("bowl")
    for opt in ("sgd", "momentum", "rmsprop", "adam"):
        assert path_of(spec, opt)[0] == pytest.approx(bowl.start, abs=1e-5)
    start = trace(spec, "start")
    assert (values(start["x"])[0], values(start["y"])[0]) == pytest.approx(bowl.start)
    minimum = trace(spec, "minimum")
    assert values(minimum["x"]) == pytest.approx([m[0] for m in bowl.minima])
    frames = spec["frames"]
    assert 2 <= len(frames) <= 60 and int(frames[-1]["name"]) == int(FEW_STEPS)
    metas = [t.get("meta") for t in spec["data"]]
    moving = {
        metas.index(f"{kind}-{o}")
        for o in ("sgd", "momentum", "rmsprop", "adam")
        for kind in ("dot", "path")
    }
    assert all(
        set(f["traces"]) <= moving | {i for i, m in enumerate(metas) if m and "x-" in m}
        for f in frames
    )
    assert spec["layout"]["height"] >= 600
    table = table_frame(at)
    assert list(table["optimizer"]) == [
        OPTIMIZERS[o].name for o in ("sgd", "momentum", "rmsprop", "adam")
    ]
    assert any("How to read this" in c.value for c in at.caption)
    assert len(at.get("download_button")) == 2


def tune(at, optimizer: str):
    """Open ``optimizer``'s settings (one optimizer's widgets are drawn at a time)."""
    at.selectbox(key="race_tune").set_value(optimizer).run()
    assert not at.exception
    return at


def test_one_optimizers_settings_are_drawn_and_the_others_keep_theirs():
    at = page(race_opts=["sgd", "adam"], adam_lr="0.02")
    assert at.selectbox(key="race_tune").value == "sgd"
    assert "adam_lr" not in {w.key for w in at.select_slider}  # not drawn, still in the URL:
    assert at.query_params["adam_lr"] == "0.02" and "sgd_lr" in at.query_params
    assert table_frame(at)["learning rate"].tolist() == [at.query_params["sgd_lr"], "0.02"]
    assert "race_tune" not in at.query_params  # the first optimizer's: the default
    tune(at, "adam")
    assert at.query_params["race_tune"] == "adam"  # a link reopens Adam's settings
    assert page(race_opts=["sgd", "adam"], race_tune="adam").select_slider(key="adam_lr")
    assert at.select_slider(key="adam_lr").value == pytest.approx(0.02)
    at.select_slider(key="adam_lr").set_value(0.05).run()
    tune(at, "sgd")  # back and forth: adam's new value stays
    assert at.query_params["adam_lr"] == "0.05"
    assert table_frame(at)["learning rate"].iloc[1] == "0.05"
    tune(at, "adam").multiselect(key="race_opts").set_value(["sgd"]).run()  # Adam leaves
    assert at.selectbox(key="race_tune").value == "sgd" and "race_tune" not in at.query_params


def test_csv_download_holds_every_step_of_every_run_and_html_plays_offline(downloads):
    at = tune(page(race_opts=["sgd", "adam"]), "adam")
    rows = csv_rows(downloads)
    assert set(rows) == {"sgd", "adam"}
    bowl = get_surface("bowl")
    settings = {h: at.select_slider(key=f"adam_{h}").value for h in ("lr", "eps")}
    expected = run(
        bowl,
        "adam",
        start=bowl.start,
        steps=int(FEW_STEPS),
        **settings,
        beta1=at.select_slider(key="adam_beta1").value,
        beta2=at.select_slider(key="adam_beta2").value,
    )
    np.testing.assert_allclose(rows["adam"][:, :2], expected.path, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(rows["adam"][:, 2], expected.loss, rtol=1e-8, atol=1e-12)
    html = downloads["descent-lab-race.html"]()
    assert html.lstrip().lower().startswith("<!doctype html>") and "Plotly.addFrames" in html
    assert len(html) > 3_000_000


def test_every_adam_hyperparameter_reaches_the_run(downloads):
    at = page(race_opts="adam")
    at.select_slider(key="adam_lr").set_value(0.2)
    at.select_slider(key="adam_beta1").set_value(0.5)
    at.select_slider(key="adam_beta2").set_value(0.9)
    at.select_slider(key="adam_eps").set_value(0.001)
    at.checkbox(key="adam_bias_correction").uncheck()
    at.run()
    assert not at.exception
    bowl = get_surface("bowl")
    expected = run(
        bowl,
        "adam",
        start=bowl.start,
        steps=int(FEW_STEPS),
        lr=0.2,
        beta1=0.5,
        beta2=0.9,
        eps=0.001,
        bias_correction=False,
    )
    np.testing.assert_allclose(csv_rows(downloads)["adam"][:, :2], expected.path, rtol=1e-8)
    np.testing.assert_allclose(path_of(race_spec(at), "adam"), expected.path, rtol=1e-5, atol=1e-6)
    table = table_frame(at)
    assert table["learning rate"].iloc[0] == "0.2"


def test_schedule_and_warmup_reach_the_run(downloads):
    at = page(race_opts="sgd")
    at.selectbox(key="schedule").set_value("step").run()
    at.slider(key="sched_step_every").set_value(5)
    at.slider(key="warmup").set_value(3)
    at.run()
    assert not at.exception
    rows = list(csv.DictReader(io.StringIO(downloads["descent-lab-trajectories.csv"]())))
    lr = np.array([float(r["lr"]) for r in rows[1:]])
    base = at.select_slider(key="sgd_lr").value
    gamma = at.slider(key="sched_step_gamma").value
    bowl = get_surface("bowl")
    expected = run(
        bowl,
        "sgd",
        start=bowl.start,
        steps=int(FEW_STEPS),
        lr=base,
        schedule={"name": "step", "gamma": gamma, "every": 5, "warmup": 3},
    )
    np.testing.assert_allclose(lr, expected.lr, rtol=1e-9)
    assert lr[0] < lr[3]  # warming up
    assert lr[-1] < base  # decayed


def test_gradient_noise_uses_its_seed(downloads):
    at = page(race_opts="momentum")
    at.slider(key="noise").set_value(1.0).run()  # the seed field wakes up with noise on
    at.number_input(key="seed").set_value(7).run()
    noisy = csv_rows(downloads)["momentum"][:, :2]
    bowl = get_surface("bowl")
    settings = {
        "lr": at.select_slider(key="momentum_lr").value,
        "momentum": at.select_slider(key="momentum_momentum").value,
    }
    expected = run(
        bowl, "momentum", start=bowl.start, steps=int(FEW_STEPS), noise=1.0, seed=7, **settings
    )
    np.testing.assert_allclose(noisy, expected.path, rtol=1e-8)
    at.number_input(key="seed").set_value(8).run()
    assert not np.allclose(csv_rows(downloads)["momentum"][:, :2], noisy)


def test_surface_parameter_slider_changes_the_race():
    at = page(race_opts="adam")
    before = race_spec(at)
    at.slider(key="bowl_kappa").set_value(100.0)
    at.slider(key="bowl_angle").set_value(-45.0)
    at.run()
    assert not at.exception
    after = race_spec(at)
    assert not np.allclose(surface_values(after), surface_values(before))
    assert after["layout"]["images"][0]["source"] != before["layout"]["images"][0]["source"]
    steep = get_surface("bowl", kappa=100.0, angle=-45.0)
    lr = at.select_slider(key="adam_lr").value
    expected = run(steep, "adam", start=steep.start, steps=int(FEW_STEPS), lr=lr)
    assert expected.diverged_at is None
    np.testing.assert_allclose(path_of(after, "adam"), expected.path, rtol=1e-5, atol=1e-6)


def test_typed_start_point_moves_the_start_marker_and_every_path():
    at = page(race_opts=["sgd", "adam"])
    at.number_input(key="x0").set_value(1.0)
    at.number_input(key="y0").set_value(-2.0)
    at.run()
    spec = race_spec(at)
    start = trace(spec, "start")
    assert (values(start["x"])[0], values(start["y"])[0]) == pytest.approx((1.0, -2.0))
    for opt in ("sgd", "adam"):
        assert path_of(spec, opt)[0] == pytest.approx((1.0, -2.0))


def test_no_optimizer_selected_shows_a_friendly_note_and_the_contour():
    at = page()
    at.multiselect(key="race_opts").set_value([]).run()
    assert not at.exception and not at.error
    assert any("optimizer" in info.value for info in at.info)
    spec = race_spec(at)
    assert trace(spec, "start") and not spec.get("frames")
    assert len(at.get("download_button")) == 0
    assert at.query_params["race_opts"] in ("none", ["none"])  # the link keeps it empty …
    again = page(race_opts="none")  # … and reopens with none chosen, without a notice
    assert at.multiselect(key="race_opts").value == [] and not again.warning
    assert again.multiselect(key="race_opts").value == []


def test_custom_formula_races_on_it():
    at = page(race_opts="sgd")
    at.selectbox(key="surface").set_value("custom").run()
    assert not at.exception and not at.error
    default = parse_surface(DEFAULT_FORMULA)  # the formula box starts with an example
    assert path_of(race_spec(at), "sgd")[0] == pytest.approx(default.start, abs=1e-5)
    # AppTest drops the sidebar's widgets from its tree after the first run of a multipage app,
    # so later sidebar input goes through session state, as the widget itself would.
    at.session_state["formula"] = "x^2 + 3*y^2 + 1"
    at.run()
    assert not at.exception and not at.error
    spec = race_spec(at)
    surface = parse_surface("x^2 + 3*y^2 + 1")
    pick = spec["data"][0]
    grid = np.stack([values(pick["x"]), values(pick["y"])], axis=1)
    np.testing.assert_allclose(surface_values(spec), surface.f(grid), rtol=1e-5)
    assert surface_values(spec).min() >= 1.0 - 1e-3
    assert "minimum" not in [t.get("name") for t in spec["data"]]  # a formula has no known minima
    assert path_of(spec, "sgd")[0] == pytest.approx(surface.start, abs=1e-5)
    assert (
        "stays within ‖∇f‖ ≤ 0.0001 from step" in table_frame(at).columns
    )  # no f_min: the gradient


def test_a_formula_in_the_url_opens_on_it():
    at = page(race_opts="adam", surface="Custom formula…", formula="(x-1)^2 + 2*(y+0.5)^2")
    spec = race_spec(at)
    surface = parse_surface("(x-1)^2 + 2*(y+0.5)^2")
    pick = spec["data"][0]
    grid = np.stack([values(pick["x"]), values(pick["y"])], axis=1)
    np.testing.assert_allclose(surface_values(spec), surface.f(grid), rtol=1e-5)


def test_hostile_formula_shows_the_parsers_message_and_the_page_stays_up():
    at = page()
    at.selectbox(key="surface").set_value("custom").run()
    hostile = "__import__('os').system('echo hi')"
    with pytest.raises(SurfaceError) as refused:
        parse_surface(hostile)
    at.session_state["formula"] = hostile  # see test_custom_formula_races_on_it
    at.run()
    assert not at.exception
    (error,) = at.error
    assert str(refused.value) in error.value  # in a code span (webapp.escape.inert)
    assert not at.get("plotly_chart") and not tables(at)  # the page stopped, the app did not
    at.session_state["formula"] = "x^2 + y^2"  # the page recovers
    at.run()
    assert not at.exception and not at.error
    assert race_spec(at)


def test_diverged_run_gets_a_warning_with_the_reason_and_an_x():
    at = page(race_opts=["sgd", "adam"], sgd_lr="1")
    assert not at.exception
    (warning,) = at.warning
    assert OPTIMIZERS["sgd"].name in warning.value and "diverged" in warning.value
    assert "|1 − αλ_max|" in warning.value
    spec = race_spec(at)
    assert trace(spec, "diverged")
    table = table_frame(at)
    assert table["stopped"].iloc[0].startswith("diverged at step")
    assert "|1 − αλ_max|" in table["stopped"].iloc[0]  # and why
    assert table["stopped"].iloc[1] == "—"


def test_tolerance_control_sets_the_steps_to_tolerance_column():
    at = page(race_opts="adam", steps="200")
    at.select_slider(key="race_tol").set_value(0.01).run()
    table = table_frame(at)
    column = "stays within f − f_min ≤ 0.01 from step"
    assert column in table.columns
    loss = trace(figures(page(race_opts="adam", steps="200", race_view="loss"))[0], "Adam")
    outside = np.flatnonzero(~(values(loss["y"]) <= 0.01))  # settled: inside from then on
    assert outside.size and outside[-1] + 1 < len(values(loss["y"]))
    assert table[column].iloc[0] == str(outside[-1] + 1)
    gap = values(loss["y"])
    assert table["final f − f_min"].iloc[0] == f"{gap[-1]:.3g}"
    assert table["best f − f_min"].iloc[0] == f"{gap.min():.3g}"


def test_loss_and_3d_views_show_every_optimizer():
    (loss,) = figures(page(race_opts=["sgd", "adam"], race_view="loss"))
    assert loss["layout"]["yaxis"]["type"] == "log"
    assert "f − f_min" in loss["layout"]["yaxis"]["title"]["text"]
    assert {t["name"] for t in loss["data"]} == {OPTIMIZERS["sgd"].name, OPTIMIZERS["adam"].name}
    (surface,) = figures(page(race_opts=["sgd", "adam"], race_view="3d"))
    assert surface["data"][0]["type"] == "surface"
    assert sum(t["type"] == "scatter3d" and t["mode"] == "lines" for t in surface["data"]) == 2


def test_url_round_trip_restores_the_whole_view():
    at = page(
        race_opts=["sgd", "adam"],
        adam_lr="0.02",
        surface=SURFACES["bowl"].name,
        bowl_kappa="50",
        x0="1.5",
        y0="-1",
        race_tol="0.001",
        present="true",
    )
    assert at.multiselect(key="race_opts").value == ["sgd", "adam"]
    assert tune(at, "adam").select_slider(key="adam_lr").value == pytest.approx(0.02)
    assert at.slider(key="bowl_kappa").value == pytest.approx(50.0)
    assert (at.number_input(key="x0").value, at.number_input(key="y0").value) == (1.5, -1.0)
    assert at.select_slider(key="race_tol").value == pytest.approx(0.001)
    spec = race_spec(at)
    start = trace(spec, "start")
    assert (values(start["x"])[0], values(start["y"])[0]) == pytest.approx((1.5, -1.0))
    assert path_of(spec, "adam")[0] == pytest.approx((1.5, -1.0))
    assert spec["layout"]["font"]["size"] >= 18  # presentation mode
    bowl = get_surface("bowl", kappa=50.0)
    assert values(spec["data"][0]["customdata"]).max() == pytest.approx(
        float(
            np.max(
                bowl.f(
                    np.stack(
                        np.meshgrid(values(spec["data"][0]["x"]), values(spec["data"][0]["y"])), -1
                    )
                )
            )
        ),
        rel=1e-5,
    )
    assert table_frame(at)["learning rate"].iloc[1] == "0.02"
