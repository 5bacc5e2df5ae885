"""Runs shared by every session: cached by the surface's key and the run's plain values, so a
lesson link opened by a whole class is computed once.

A page's runs are looked up first and only the missing ones computed: together, in one
``run_together`` loop, when they can be (exact gradients, no noise) — the same trajectories as
one ``run`` each, in about half the time for a handful (one gradient call per step for all) —
and each then stored under its own key, so changing one optimizer's setting recomputes one run.
"""

from __future__ import annotations

import json

import streamlit as st

from app_pages._settings import RunSettings
from optim_core import OptimizerError, run, run_together


class _NotCached(Exception):
    """Raised by a cached function asked only to look up: Streamlit stores no result."""


_LOOKUP = object()  # ``_result`` of a look-up


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
    _result=None,  # not part of the key: _LOOKUP, or a trajectory computed with others
):
    if _result is _LOOKUP:
        raise _NotCached
    if _result is not None:
        return _result
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
    surface,
    optimizer: str,
    hyper: dict,
    start,
    how: RunSettings,
    *,
    record_state=False,
    _result=None,
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
        _result,
    )


def run_all(surface, optimizers, hyper_of, start, how: RunSettings) -> tuple[dict, dict]:
    """Every optimizer's trajectory (in the order of ``optimizers``), and the message of each
    that cannot run."""
    done, errors, missing = {}, {}, []
    for opt in optimizers:
        try:
            done[opt] = cached_run(surface, opt, hyper_of(opt), start, how, _result=_LOOKUP)
        except _NotCached:
            missing.append(opt)
    if len(missing) > 1 and not how.noise and not how.minibatch():
        try:
            runs = [(opt, hyper_of(opt)) for opt in missing]
            results = run_together(surface, runs, start, how.steps, schedule=how.schedule_dict)
        except OptimizerError as err:  # the start or the steps: every run would refuse them
            results = [err] * len(missing)
        for opt, result in zip(missing, results, strict=True):
            if isinstance(result, OptimizerError):
                errors[opt] = str(result)
            else:
                done[opt] = cached_run(surface, opt, hyper_of(opt), start, how, _result=result)
        missing = []
    for opt in missing:
        try:
            done[opt] = cached_run(surface, opt, hyper_of(opt), start, how)
        except OptimizerError as err:
            errors[opt] = str(err)
    return {opt: done[opt] for opt in optimizers if opt in done}, errors
