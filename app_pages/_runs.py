"""Runs shared by every session: cached by the surface's key and the run's plain values, so a
lesson link opened by a whole class is computed once."""

from __future__ import annotations

import json

import streamlit as st

from app_pages._settings import RunSettings
from optim_core import OptimizerError, run


@st.cache_data(max_entries=4096, show_spinner=False)
def _cached_run(
    _surface,
    surface_key: str,
    optimizer: str,
    hyper: tuple[tuple[str, object], ...],
    start: tuple[float, float],
    steps: int,
    schedule: str,
    noise: float,
    seed: int,
    minibatch: tuple[tuple[str, object], ...],
    record_state: bool,
):
    return run(
        _surface,
        optimizer,
        start=start,
        steps=steps,
        schedule=json.loads(schedule),
        noise=noise,
        seed=seed,
        record_state=record_state,
        **dict(minibatch),
        **dict(hyper),
    )


def cached_run(
    surface, optimizer: str, hyper: dict, start, how: RunSettings, *, record_state=False
):
    """``optim_core.run`` with the run settings ``how``; raises OptimizerError for a bad value."""
    return _cached_run(
        surface,
        surface.key,
        optimizer,
        tuple(sorted(hyper.items())),
        (float(start[0]), float(start[1])),
        int(how.steps),
        json.dumps(how.schedule_dict, sort_keys=True),
        float(how.noise),
        int(how.seed),
        tuple(sorted(how.minibatch().items())),
        bool(record_state),
    )


def run_all(surface, optimizers, hyper_of, start, how: RunSettings) -> tuple[dict, dict]:
    """Every optimizer's trajectory, and the message of each that cannot run."""
    done, errors = {}, {}
    for opt in optimizers:
        try:
            done[opt] = cached_run(surface, opt, hyper_of(opt), start, how)
        except OptimizerError as err:
            errors[opt] = str(err)
    return done, errors
