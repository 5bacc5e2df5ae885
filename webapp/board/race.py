"""The Race's board with its families: what the scrubber can reach, the open optimizer's
scrubber, and what each of the board's events changes."""

from __future__ import annotations

import math
from functools import partial

import streamlit as st

from optim_core import OPTIMIZERS
from surfaces import SURFACES
from viz import CROWDED, color_for, plotly_config
from webapp import surface_family
from webapp.board import board_bytes, families_bytes, family_feed, race_board
from webapp.controls import suggested_lr
from webapp.family import Family, families, family, momentum_like, stop_index, stops, unavailable
from webapp.settings import SCHEMA, View, hyper_key, surface_param_key
from webapp.state import set_values, store
from webapp.ui import set_start

SURFACE_COLOR = "#555555"  # the surface's scrubber: no optimizer's colour
BOARD_KEY = "race_board"
FAMILIES_KEY = "race_families"
_SENT = "_race_families_sent"  # session state: the family payloads this session has sent
_WANTED = "_race_surface_family"  # session state: the surface's scrubber has been reached for
TUNED = (
    "Every α is tuned: each optimizer runs at the stop of its learning-rate slider with the "
    "lowest final f on this surface, from this start, in {steps} steps."
)


SYMBOLS = {"lr": "α", "momentum": "μ", "beta1": "β₁", "decay": "ρ"}
LABELS = {"lr": "learning rate α", "momentum": "momentum μ", "beta1": "β₁", "decay": "decay ρ"}


def _stop(opt, param, value) -> float | None:
    """A value the browser sent for ``opt``'s ``param``, as the nearest stop of its family (None
    if it names no optimizer, no scrubbed hyperparameter of it, or no finite number)."""
    if opt not in OPTIMIZERS or param not in ("lr", momentum_like(opt)):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value) or (param == "lr" and value <= 0):
        return None
    return stops(opt, param)[stop_index(opt, value, param)]


def _surface_released(event: dict) -> None:
    view = View.read(store(), SCHEMA)
    param = surface_family.scrubbed(view)
    if param is None or event.get("param") != param.name:
        return
    try:
        value = float(event.get("value"))
    except (TypeError, ValueError):
        return
    if math.isfinite(value) and value > 0:
        values = surface_family.stops(view)
        chosen = values[surface_family.stop_index(view, value)]
        set_values(**{surface_param_key(view.surface_id, param.name): chosen})


def _released(event) -> None:
    if isinstance(event, dict) and event.get("kind") == "surface":
        _surface_released(event)
    elif isinstance(event, dict):
        opt, param = event.get("opt"), event.get("param", "lr")
        value = _stop(opt, param, event.get("value"))
        if value is not None:
            set_values(**{hyper_key(opt, param): value})


def _clicked(event) -> None:
    if isinstance(event, dict):
        try:
            x, y = float(event["x"]), float(event["y"])
        except (KeyError, TypeError, ValueError):
            return
        if math.isfinite(x) and math.isfinite(y):
            set_start(x, y)


def _suggest(surface, start, opt) -> None:
    if opt in OPTIMIZERS:
        set_values(**{hyper_key(opt, "lr"): suggested_lr(opt, surface, start)})


def _tune(surface, race, start, _event) -> None:
    """Every optimizer to the stop of its learning-rate slider with the lowest final f: its
    family (one ``run_batch`` each, computed now if not cached)."""
    found, _ = families(surface, race.optimizers, race.hyper_of, start, race.run)
    best = {hyper_key(opt, "lr"): fam.best for opt, fam in found.items() if fam.best is not None}
    set_values(race_tuned=True, **best)


def _want(family_name) -> None:
    """The hand reached for the surface's scrubber: its family is computed from now on."""
    if isinstance(family_name, str) and family_name.startswith("surface:"):
        st.session_state[_WANTED] = True


def _row(opt: str, param: str, race, found, surface, start) -> dict:
    hyper = race.hyper_of(opt)
    row = {
        "opt": opt,
        "param": param,
        "family": f"{opt}:{param}",
        "name": OPTIMIZERS[opt].name,
        "label": LABELS[param],
        "symbol": SYMBOLS[param],
        "color": color_for(opt, race.optimizers.index(opt)),
        "index": stop_index(opt, hyper[param], param),
        "suggested": None,
    }
    if param == "lr":
        row["suggested"] = stop_index(opt, suggested_lr(opt, surface, start))
    return row


def draw_race_board(figure, surface, race, start) -> str:
    """The board: ``figure``, drawn at once; its scrubbers come with ``send_families``. Returns
    the figure's token."""
    present = race.view.present
    if present:  # sized by the screen (``board.PRESENT_HEIGHT``), not by the figure
        figure.update_layout(height=None, autosize=True)
    payload, token = board_bytes(figure, config=plotly_config(responsive=present), present=present)
    race_board(
        payload,
        key=BOARD_KEY,
        on_release=_released,
        on_click=_clicked,
        on_suggest=partial(_suggest, surface, start),
        on_tune=partial(_tune, surface, race, start),
        on_want=_want,
    )
    return token


def _surface_row(race) -> tuple[dict | None, Family | None]:
    """The scrubber along the surface's parameter (the bowl's κ), and its family once the hand
    has reached for it (``_want``): it is some fifteen reruns' work, so only then."""
    view = race.view
    param = surface_family.scrubbed(view)
    if param is None or not race.optimizers or unavailable(race.run) is not None:
        return None, None
    values = surface_family.stops(view)
    row = {
        "kind": "surface",
        "opt": None,
        "param": param.name,
        "family": f"surface:{param.name}",
        "name": SURFACES[view.surface_id].name,
        "label": param.label,
        "symbol": param.label.split()[-1],
        "color": SURFACE_COLOR,
        "values": list(values),
        "index": surface_family.stop_index(view, dict(view.params)[param.name]),
        "suggested": None,
    }
    wanted = st.session_state.get(_WANTED, False)
    return row, surface_family.surface_family(view, race) if wanted else None


def send_families(token: str, surface, race, start) -> None:
    """The families of the figure with ``token`` (computed now, or cached), sent to the board
    with the open optimizer's scrubbers (its learning rate and its momentum-like value) and the
    surface's; with "Tune every α" pressed, the claim checked and the page told."""
    opt = race.tuning if race.tuning in race.optimizers else next(iter(race.optimizers), None)
    found, why = families(surface, [opt] if opt else [], race.hyper_of, start, race.run)
    rows, shown = [], {f"{o}:lr": fam for o, fam in found.items()}
    if opt in found:
        rows.append(_row(opt, "lr", race, found, surface, start))
        param = momentum_like(opt)
        if param is not None:
            extra = family(surface, opt, param, race.hyper_of(opt), start, race.run)
            if extra is not None:
                shown[f"{opt}:{param}"] = extra
                rows.append(_row(opt, param, race, found, surface, start))
    row, extra = _surface_row(race)
    if row is not None:
        rows.append(row)
        if extra is not None:
            shown[row["family"]] = extra
    payload = families_bytes(
        token,
        shown,
        rows=rows,
        why=why if race.optimizers else None,
        crowded=len(race.optimizers) > CROWDED,
        sent=st.session_state.setdefault(_SENT, set()),
    )
    family_feed(payload, key=FAMILIES_KEY)


def tuned_note(surface, race, start) -> str | None:
    """What the page says after "Tune every α", while it holds (``tuned``); once an α has moved
    the link's flag is dropped, so the link no longer says so."""
    if tuned(surface, race, start):
        return TUNED.format(steps=race.run.steps)
    if race.tuned:
        set_values(race_tuned=None)
    return None


def tuned(surface, race, start) -> bool:
    """Whether "Tune every α" holds: every optimizer runs at its family's best α (the families
    are computed only when the page's settings say it was pressed)."""
    if not race.tuned or not race.optimizers:
        return False
    found, _ = families(surface, race.optimizers, race.hyper_of, start, race.run)
    return set(found) == set(race.optimizers) and all(
        found[opt].best == race.hyper_of(opt)["lr"] for opt in race.optimizers
    )
