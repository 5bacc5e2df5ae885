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
def _cached_run(_surface, key: str, _args: dict, _result=None):
    """``run(_surface, **_args)``, cached by ``key``: the surface's key and the JSON of
    ``_args``. One string is all Streamlit hashes — with a dozen arguments, their hashing and
    one signature look-up each took a millisecond a call. ``_result``: ``_LOOKUP`` only looks
    up; a trajectory computed with others (``run_all``) is stored as it is."""
    if _result is _LOOKUP:
        raise _NotCached
    if _result is not None:
        return _result
    return run(_surface, **_args)


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
    args = {
        "optimizer": optimizer,
        "start": (float(start[0]), float(start[1])),
        "steps": int(how.steps),
        "schedule": how.schedule_dict,
        "noise": float(how.noise),
        "seed": int(how.seed),
        "record_state": bool(record_state),
        **how.minibatch(),
        **hyper,
    }
    key = f"{surface.key}|{json.dumps(args, sort_keys=True)}"
    return _cached_run(surface, key, args, _result)


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
    else:
        for opt in missing:
            try:
                done[opt] = cached_run(surface, opt, hyper_of(opt), start, how)
            except OptimizerError as err:
                errors[opt] = str(err)
    return {opt: done[opt] for opt in optimizers if opt in done}, errors
