"""The Network page through AppTest: the defaults, every control, the optimizers (none, Newton on a
network too large for its Hessian, a run that diverges), whose boundary is drawn, the URL round
trip and refused link values."""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from optim_core import OPTIMIZERS, run
from optim_core.landscape import pca_plane
from optim_core.sharpness import Sharpness, sharpness_along
from surfaces.network import get_network
from teach.network import sharpness_course, sharpness_note
from tests._apptest import APP, board
from tests._tables import tables
from webapp import network_runs
from webapp.settings import SCHEMA, NetworkSettings, parse_query
from webapp.settings.network import network_lr

PAGE = "app_pages/network.py"
SHORT = {"net_steps": "60"}  # every test runs the whole script: short runs unless it matters
PANELS = ("boundary", "plane", "loss", "sharpness")


def page(query: dict | None = None, *, short: bool = True):
    """The Network page opened with a URL ``query`` (values as the URL holds them), as a fresh
    browser at /network?query runs it: a first run with no query registers the pages (AppTest
    knows them only from st.navigation), then the page runs with the query, so a refused
    value's notice is this page's."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.query_params.update({**(SHORT if short else {}), **(query or {})})
    at.switch_page(PAGE).run()
    ok(at)
    assert at.title[0].value == "Network"
    return at


def ok(at) -> None:
    assert not at.exception, [e.message for e in at.exception]


def drawn(at) -> dict:
    """What the board was given: its four figures by name, the steps, the legend."""
    message = board(at, "net_board")
    return {**dict(zip(PANELS, message["panels"], strict=True)), **message}


def groups(at) -> list[str]:
    return [entry["group"] for entry in drawn(at)["legend"]]


def rows(at) -> list[dict]:
    (found,) = tables(at)
    return found


def row_of(at, optimizer: str) -> dict:
    (found,) = [r for r in rows(at) if r["optimizer"] == OPTIMIZERS[optimizer].name]
    return found


def query(at) -> dict:
    return {k: at.query_params[k] for k in at.query_params}


def captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def test_the_defaults_train_three_optimizers_to_a_sensible_boundary():
    at = page(short=False)
    assert groups(at) == ["sgd", "momentum", "adam"]
    board_ = drawn(at)
    assert board_["steps"][0] == 0 and board_["steps"][-1] == 500 and len(board_["steps"]) <= 60
    names = [[f["name"] for f in board_[p]["frames"]] for p in PANELS]
    assert all(n == names[0] for n in names)  # one scrubber plays all four
    for row in rows(at):  # measured: every default optimizer learns the moons in 500 steps
        assert float(row["train loss"]) < 0.1, row
        assert int(row["test accuracy"].rstrip("%")) >= 90, row
        assert row["stopped"] == "—"
    # the link holds every learning rate on show, and nothing at its default besides
    assert query(at) == {f"net_{o}_lr": f"{network_lr(o):g}" for o in groups(at)}
    # the sidebar's surface and start point do nothing here: they are not drawn
    assert not [w for w in at.selectbox if w.key == "surface"]
    assert not [w for w in at.number_input if w.key in ("x0", "y0")]
    # the plane note's share is the plane's own, computed here again from the same runs
    net = get_network("moons", hidden=(8,))
    theta0 = net.init(0)
    paths = [run(net, o, start=theta0, steps=500, lr=network_lr(o)).path for o in groups(at)]
    share = pca_plane(paths, centre=paths[0][-1]).explained.sum()
    assert f"hold {share:.0%} of the iterates' variance" in captions(at)


def test_each_network_control_reaches_the_network_and_the_link():
    at = page({"net_opts": "sgd"})
    at.selectbox(key="net_data").set_value("circles").run()
    at.select_slider(key="net_width").set_value(16).run()
    at.select_slider(key="net_depth").set_value(2).run()
    at.radio(key="net_act").set_value("relu").run()
    at.radio(key="net_loss").set_value("mse").run()
    ok(at)
    assert {k: query(at)[k] for k in ("net_data", "net_width", "net_depth", "net_act")} == {
        "net_data": "circles",
        "net_width": "16",
        "net_depth": "2",
        "net_act": "relu",
    }
    assert query(at)["net_loss"] == "mse"
    net = get_network("circles", hidden=(16, 16), activation="relu", loss="mse")
    expected = run(net, "sgd", start=net.init(0), steps=60, lr=1.0)
    assert row_of(at, "sgd")["train loss"] == f"{float(net.f(expected.path[-1])):.3g}"
    title = drawn(at)["boundary"]["layout"]["title"]["text"]
    assert OPTIMIZERS["sgd"].name in title


def test_batch_steps_and_seed_reach_the_runs():
    at = page({"net_opts": "sgd"})
    at.selectbox(key="net_batch").set_value(16.0).run()
    at.slider(key="net_steps").set_value(40).run()
    at.number_input(key="net_seed").set_value(3).run()
    ok(at)
    assert {k: query(at)[k] for k in ("net_batch", "net_steps", "net_seed")} == {
        "net_batch": "16",
        "net_steps": "40",
        "net_seed": "3",
    }
    net = get_network("moons", hidden=(8,))
    expected = run(
        net, "sgd", start=net.init(3), steps=40, lr=1.0, batch_size=16, sampling="shuffle", seed=3
    )
    assert row_of(at, "sgd")["train loss"] == f"{float(net.f(expected.path[-1])):.3g}"
    assert drawn(at)["steps"][-1] == 40


def test_an_optimizers_settings_have_keys_of_their_own_on_this_page():
    at = page({"adam_lr": "0.001"})  # the Race's α of Adam does not retune the network
    at.selectbox(key="net_tune").set_value("adam").run()
    assert at.select_slider(key="net_adam_lr").value == pytest.approx(network_lr("adam"))
    at.select_slider(key="net_adam_lr").set_value(0.01).run()
    at.select_slider(key="net_adam_beta1").set_value(0.8).run()
    ok(at)
    assert query(at)["net_adam_lr"] == "0.01" and query(at)["net_adam_beta1"] == "0.8"
    assert "adam_lr" not in query(at) and query(at)["net_tune"] == "adam"
    assert row_of(at, "adam")["α"] == "0.01"
    net = get_network("moons", hidden=(8,))
    expected = run(net, "adam", start=net.init(0), steps=60, lr=0.01, beta1=0.8)
    assert row_of(at, "adam")["train loss"] == f"{float(net.f(expected.path[-1])):.3g}"


def test_no_optimizer_chosen_gives_a_note_and_no_board_and_its_link_keeps_it():
    at = page()
    at.multiselect(key="net_opts").set_value([]).run()
    ok(at)
    assert any("Pick one or more optimizers" in i.value for i in at.info)
    assert not [e for e in at.get("bidi_component") if e.proto.id.endswith("net_board")]
    assert not tables(at)
    # the link says so (an empty list would leave the key out: the defaults again) …
    assert query(at)["net_opts"] == "none"
    again = page(query(at))  # … and reopens with none chosen, without a notice
    assert again.multiselect(key="net_opts").value == [] and not again.warning
    assert any("Pick one or more optimizers" in i.value for i in again.info)
    for raw in ("", "none", "None"):  # an empty value too
        values, notices = parse_query({"net_opts": raw}, SCHEMA)
        assert values == {"net_opts": ()} and not notices, raw
    assert NetworkSettings(optimizers=()).link() == "/network?net_opts=none"


def test_newton_on_a_network_too_large_for_its_hessian_is_refused_by_name():
    at = page({"net_width": "32", "net_depth": "2", "net_opts": "sgd,newton"})
    (error,) = at.error
    assert error.value.startswith(f"**{OPTIMIZERS['newton'].name}** cannot train this network")
    assert "P = 1,185" in error.value and "160" in error.value
    assert groups(at) == ["sgd"]  # the other optimizer still trains
    small = page({"net_width": "2", "net_opts": "newton"})  # P = 9: its exact Hessian is fine
    assert not small.error and groups(small) == ["newton"]


def test_runs_estimated_over_the_budget_are_refused_with_the_reason(monkeypatch):
    monkeypatch.setattr(network_runs, "RUN_BUDGET", 1e-9)  # any run is over it: no timing here
    at = page({"net_width": "32", "net_depth": "3", "net_seed": "97"})  # runs no test cached
    (error,) = at.error
    assert (
        "3 optimizers × 60 steps on this network (P = 2,241 parameters) would take" in error.value
    )
    assert "more than the budget of 1e-09 s per change" in error.value
    assert not [e for e in at.get("bidi_component") if e.proto.id.endswith("net_board")]


def test_a_run_that_diverges_says_at_which_step():
    net = get_network("moons", hidden=(8,), loss="mse")
    k = run(net, "sgd", start=net.init(0), steps=60, lr=3.0).diverged_at
    assert k is not None
    at = page({"net_loss": "mse", "net_opts": "sgd,adam", "net_sgd_lr": "3"})
    assert any(f"diverged at step {k}" in w.value for w in at.warning)
    assert row_of(at, "sgd")["stopped"] == f"diverged at step {k}"
    assert row_of(at, "adam")["stopped"] == "—"
    (sgd,) = [e for e in drawn(at)["legend"] if e["group"] == "sgd"]
    assert f"diverged at {k}" in sgd["name"]
    # its path on the plane is drawn up to the step before it diverged
    (path, _) = [t for t in drawn(at)["plane"]["data"] if t.get("legendgroup") == "sgd"]
    assert len(base64.b64decode(path["x"]["bdata"])) == 4 * k  # float32: iterates 0 … k − 1


def test_whose_boundary_is_drawn_is_a_choice_and_the_planes_origin_follows():
    at = page()
    at.selectbox(key="net_boundary").set_value("adam").run()
    ok(at)
    assert query(at)["net_boundary"] == "adam"
    assert drawn(at)["boundary"]["layout"]["title"]["text"].endswith(OPTIMIZERS["adam"].name)
    plane = drawn(at)["plane"]
    last = plane["frames"][-1]
    dots = dict(zip(last["traces"], last["data"], strict=True))
    (adam,) = [
        i
        for i, t in enumerate(plane["data"])
        if t.get("legendgroup") == "adam" and t["mode"] == "markers"
    ]
    assert dots[adam]["x"][0] == pytest.approx(0.0, abs=1e-9)
    assert dots[adam]["y"][0] == pytest.approx(0.0, abs=1e-9)
    assert f"its origin is {OPTIMIZERS['adam'].name}'s end point" in captions(at)
    assert any(OPTIMIZERS["adam"].name in e.label for e in at.expander)


def test_a_link_reopens_the_same_network_runs_and_view():
    link = {
        "net_data": "xor",
        "net_width": "4",
        "net_depth": "2",
        "net_act": "relu",
        "net_opts": ["adam", "sgd"],
        "net_adam_lr": "0.02",
        "net_sgd_lr": "0.5",
        "net_batch": "32",
        "net_steps": "80",
        "net_seed": "5",
        "net_boundary": "sgd",
        "present": "true",
    }
    at = page(link, short=False)
    assert at.multiselect(key="net_opts").value == ["adam", "sgd"]
    assert at.selectbox(key="net_data").value == "xor"
    assert drawn(at)["present"] is True
    assert drawn(at)["boundary"]["layout"]["title"]["font"]["size"] == 18  # presenting type
    written = query(at)
    assert written == link
    again = page(written, short=False)
    assert rows(again) == rows(at)
    values, notices = parse_query(link, SCHEMA)
    assert not notices
    settings = NetworkSettings.read(values)
    assert settings.hidden == (4, 4) and settings.boundary_of == "sgd" and settings.seed == 5


def test_values_a_link_cannot_use_are_named_and_the_page_runs_on_the_defaults():
    at = page(
        {
            "net_width": "5",
            "net_depth": "9",
            "net_data": "mnist",
            "net_opts": "adam,nope",
            "net_adam_lr": "abc",
            "net_batch": "-3",
            "net_boundary": "zzz",
        }
    )
    text = " ".join(w.value for w in at.warning)
    assert "could not be used" in text
    for key in ("net_width=5", "net_depth=9", "net_data=mnist", "net_opts=adam,nope"):
        assert key in text, key
    for key in ("net_adam_lr=abc", "net_batch=-3", "net_boundary=zzz"):
        assert key in text, key
    assert re.search(r"net_width=5` is not on the slider — using 4", text)
    assert groups(at) == ["sgd", "momentum", "adam"]
    assert drawn(at)["boundary"]["layout"]["title"]["text"].endswith(OPTIMIZERS["sgd"].name)


def test_a_choice_of_an_optimizer_the_link_does_not_train_is_named_in_a_notice():
    values, notices = parse_query({"net_boundary": "adam", "net_opts": "sgd"}, SCHEMA)
    assert not notices  # each key is valid alone: the two together are not
    (notice,) = NetworkSettings.refusals(values)
    assert str(notice) == (
        "`net_boundary=adam` is not among the optimizers trained (sgd) — using "
        f"{OPTIMIZERS['sgd'].name}, the first"
    )
    assert NetworkSettings.read(values).boundary_of == "sgd"
    tune = {"net_tune": "rmsprop", "net_boundary": "adam"}  # the default optimizers train adam,
    assert [n.key for n in NetworkSettings.refusals(tune)] == ["net_tune"]  # not rmsprop
    fine = parse_query({"net_boundary": "adam", "net_opts": "sgd,adam"}, SCHEMA)[0]
    assert NetworkSettings.refusals(fine) == []


def test_the_page_names_a_boundary_the_link_does_not_train():
    at = page({"net_boundary": "adam", "net_opts": "sgd"})
    text = " ".join(w.value for w in at.warning)
    assert "net_boundary=adam" in text


def test_every_default_learning_rate_is_on_its_slider():
    for opt, spec in OPTIMIZERS.items():
        f = SCHEMA[f"net_{opt}_lr"]
        assert f.lo <= f.default <= f.hi and f.default in f.options, opt
        assert f.always and not f.per_surface  # written to the link; not re-suggested per surface
        assert spec.hyper[0].name == "lr"
    np.testing.assert_equal([network_lr(o) for o in ("sgd", "momentum", "adam")], [1.0, 0.3, 0.05])


# λ_max measured along a run, and what the note says of it: each number once, in words that
# follow them (a highest at the start or at the end is not repeated as a third number).
COURSES = [
    ([0.7, 0.5, 0.4, 0.2], "falls", "only falls, from 0.7 at step 0 to 0.2 at step 30"),
    ([0.2, 0.5, 0.5, 0.9], "rises", "only rises, from 0.2 at step 0 to 0.9 at step 30"),
    (
        [0.7, 0.2, 0.5, 0.3],
        "never above its start",
        "never rises above its start 0.7 at step 0; 0.3 at step 30",
    ),
    (
        [0.5, 0.2, 0.3, 0.9],
        "highest at the end",
        "0.5 at step 0, highest at the end: 0.9 at step 30",
    ),
    ([0.5, 0.9, 0.3, 0.4], "peaks", "0.5 at step 0, highest 0.9 at step 10, 0.4 at step 30"),
]


@pytest.mark.parametrize(("values", "course", "says"), COURSES)
def test_the_sharpness_note_says_how_lambda_max_went_in_words_its_numbers_support(
    values, course, says
):
    found = Sharpness(np.arange(0, 40, 10), np.array(values))
    assert sharpness_course(values) == course
    note = sharpness_note("Adam", found, None)
    assert note == f"**Adam**: λ_max {says}."
    for v in set(values) - {values[0], max(values), values[-1]}:
        assert f"{v:g}" not in note  # only the start, the highest and the end
    top = max(values)
    assert note.count(f"{top:g} at step") == 1  # the highest said once
    edge = sharpness_note("Gradient descent (SGD)", found, 2.0)
    assert edge.endswith(f"its edge is 2; the highest is {top / 2:.0%} of it.")


def test_on_the_default_network_adams_note_follows_its_measurements():
    net = get_network("moons", hidden=(8,))
    path = run(net, "adam", start=net.init(0), steps=500, lr=network_lr("adam")).path
    found = sharpness_along(net, path, every=25)
    values = np.asarray(found.values)
    note = sharpness_note("Adam", found, None)
    course = sharpness_course(values)
    # measured: Adam's λ_max is highest at its start, then dips and climbs back part way; the
    # note says so in words, and the start once (not again as "highest 0.686 at step 0")
    assert course == "never above its start"
    assert values[0] == values.max() and (np.diff(values) > 0).any()
    assert f"never rises above its start {values[0]:.3g} at step 0;" in note
    assert "highest" not in note and note.count(f"{values[0]:.3g}") == 1
    assert note.endswith(f"{values[-1]:.3g} at step {int(found.steps[-1])}.")
