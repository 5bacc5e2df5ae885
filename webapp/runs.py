"""Runs shared by every session: cached by the surface's key and the run's plain values, so a
lesson link opened by a whole class is computed once.

A page's runs are looked up first and only the missing ones computed, in one ``run_many``
loop — the same trajectories as one ``run`` each — together with the runs that other
sessions ask for at the same moment (``_combine``): twenty students moving a slider cost
about what one does. Each run is then stored under its own key, so changing one optimizer's
setting recomputes one run.
"""

from __future__ import annotations

import json

import streamlit as st

from optim_core import OptimizerError, run, run_many
from webapp.combine import Combiner
from webapp.settings import RunSettings


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


def _run_args(optimizer: str, hyper: dict, start, how: RunSettings, record_state=False):
    """``run``'s keyword arguments for one run, as plain values."""
    return {
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


def _key(surface, args: dict) -> str:
    return f"{surface.key}|{json.dumps(args, sort_keys=True)}"


def cached_run(surface, optimizer: str, hyper: dict, start, how: RunSettings, *,
               record_state=False):  # fmt: skip
    """``optim_core.run`` with the run settings ``how``; raises OptimizerError for a bad value."""
    args = _run_args(optimizer, hyper, start, how, record_state)
    return _cached_run(surface, _key(surface, args), args)


def _run_each(items: list) -> list:
    """The result of ``run`` for each ``(surface, key, args)``: a Trajectory or the error it
    raised. Each key is computed once, and each surface's runs in one ``run_many``."""
    unique: dict = {}
    for surface, key, args in items:
        unique.setdefault(key, (surface, args))
    by_surface: dict = {}
    for key, (surface, args) in unique.items():
        by_surface.setdefault(surface.key, []).append((key, surface, args))
    results = {}
    for group in by_surface.values():
        try:
            computed = run_many(group[0][1], [args for *_, args in group])
        except Exception as error:  # only this surface's callers get it
            computed = [error] * len(group)
        results.update(zip([key for key, *_ in group], computed, strict=True))
    return [results[key] for _, key, _ in items]


_together = Combiner(_run_each)  # one per server: sessions' runs meet here


def run_all(surface, optimizers, hyper_of, start, how: RunSettings) -> tuple[dict, dict]:
    """Every optimizer's trajectory (in the order of ``optimizers``), and the message of each
    that cannot run."""
    done, errors, missing = {}, {}, {}
    for opt in optimizers:
        args = _run_args(opt, hyper_of(opt), start, how)
        key = _key(surface, args)
        try:
            done[opt] = _cached_run(surface, key, args, _LOOKUP)
        except _NotCached:
            missing[opt] = (key, args)
    if missing:
        results = _together([(surface, key, args) for key, args in missing.values()])
        for (opt, (key, args)), result in zip(missing.items(), results, strict=True):
            if isinstance(result, OptimizerError):
                errors[opt] = str(result)
            elif isinstance(result, Exception):
                raise result
            else:
                done[opt] = _cached_run(surface, key, args, result)
    return {opt: done[opt] for opt in optimizers if opt in done}, errors
