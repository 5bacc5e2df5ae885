"""webapp.settings: every URL key is declared once, on the field or catalog entry that owns it,
and a key declared twice differently is refused instead of overwriting the other."""

from urllib.parse import parse_qs, urlsplit

import pytest

from optim_core import OPTIMIZERS, SCHEDULES
from webapp.settings import (
    SCHEMA,
    SETTINGS,
    CurvatureSettings,
    LabSettings,
    NetworkSettings,
    RaceSettings,
    RunSettings,
    StepSettings,
    View,
    hyper_key,
    parse_query,
    schedule_key,
)
from webapp.url import Field, number, schema_of, url_fields


def test_a_key_declared_twice_differently_is_refused_and_the_same_declaration_is_shared():
    steps = number("steps", 200, 10, 1000)
    assert schema_of([steps, steps]) == {"steps": steps}
    with pytest.raises(ValueError, match="'steps' is declared twice"):
        schema_of([steps, number("steps", 100, 10, 500)])


def test_each_schedule_parameter_has_its_own_key_with_its_own_range_and_default():
    for sid, spec in SCHEDULES.items():
        for h in spec.params:
            f = SCHEMA[schedule_key(sid, h.name)]
            assert (f.lo, f.hi, f.default) == (h.min, h.max, h.default), (sid, h.name)


def test_only_the_optimizers_learning_rates_follow_the_surface_and_are_always_written():
    per_surface = {k for k, f in SCHEMA.items() if f.per_surface}
    assert per_surface == {hyper_key(opt, "lr") for opt in OPTIMIZERS}
    always = {k for k, f in SCHEMA.items() if f.always}
    network = {f"net_{opt}_lr" for opt in OPTIMIZERS}  # the Network's own, not per surface
    assert always == per_surface | {"lab_pick_lr", "curv_lr"} | network


@pytest.mark.parametrize("cls", SETTINGS)
def test_every_url_field_of_a_settings_object_is_in_the_schema_as_declared(cls):
    for name, f in url_fields(cls):
        assert isinstance(f, Field) and SCHEMA[f.key] is f, name


SETTINGS = [
    RaceSettings(
        view=View(surface_id="rosenbrock", start=(-1.5, 2.0), present=True),
        optimizers=("adam", "sgd"),
        hyper=(("adam", (("lr", 0.03),)), ("sgd", (("lr", 0.001),))),
        run=RunSettings(schedule="inverse_time", schedule_params=(("k", 5.0),), warmup=10),
        tol=1e-6,
        chart="loss",
        show_paths=True,
        tuning="sgd",
    ),
    StepSettings(view=View(surface_id="saddle"), optimizer="rmsprop", t=7, zoom=False),
    LabSettings(optimizer="adam", metric="steps", n=16, lr_min=0.001, lr_max=0.1, tol=1e-4),
    CurvatureSettings(x=0.5, y=-0.25, lr=0.01),
    NetworkSettings(
        view=View(present=True),
        data="spirals",
        width=32,
        depth=2,
        activation="relu",
        loss="mse",
        optimizers=("adam", "newton"),
        hyper=(("adam", (("beta1", 0.8), ("lr", 0.01))), ("newton", (("damping", 1.0),))),
        batch=16,
        steps=300,
        seed=4,
        boundary="newton",
        tuning="newton",
    ),
]


def _opened(settings):
    """``settings`` as its link opens them: the URL round trip a fresh browser makes."""
    parsed = parse_qs(urlsplit(settings.link()).query)
    values, notices = parse_query({k: v if len(v) > 1 else v[0] for k, v in parsed.items()}, SCHEMA)
    assert not notices
    return type(settings).read(values)


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: type(s).__name__)
def test_a_link_reopens_the_values_it_holds_and_is_a_fixed_point(settings):
    opened = _opened(settings)
    kept = {k: v for k, v in settings.values().items() if v is not None}
    assert opened.values().items() >= kept.items()
    assert _opened(opened) == opened


# A refused value's notice, as the page shows it (Markdown): the key and the value as typed, in
# code (``webapp.escape.inert``), then why and what is used instead, in the app's words.
NOTICES = [
    ({"steps": "-5"}, "`steps=-5` is below 10 (allowed 10 … 1000) — using 200"),
    ({"sgd_lr": "abc"}, "`sgd_lr=abc` is not a number"),
    ({"race_view": "pie"}, "`race_view=pie` is not one of race, 3d, loss, noise — using race"),
    ({"race_opts": "adam,nope"}, "`race_opts=adam,nope` names no known choice (`nope`)"),
    ({"x0": "1"}, "`x0=1` needs x0 and y0 together — using the default start"),
    ({"steps": "`x`"}, "`` steps=`x` `` is not a number"),
    ({"steps": "http://h"}, "`steps=http:\u2060//h` is not a number"),
    ({"steps": "z" * 50}, f"`steps={'z' * 37}…` is not a number"),
]


@pytest.mark.parametrize(("query", "says"), NOTICES)
def test_a_refused_value_s_notice_names_its_key_and_value_why_and_what_is_used(query, says):
    (notice,) = parse_query(query, SCHEMA)[1]
    assert str(notice).startswith(says), str(notice)
