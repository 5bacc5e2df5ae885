"""Runs shared by every session: cached by the surface's key and the run's plain values, so a
lesson link opened by a whole class is computed once.

A page's runs are looked up first and only the missing ones computed, in one ``run_many``
loop — the same trajectories as one ``run`` each — together with the runs that other
sessions ask for at the same moment (``webapp.combine``): twenty students moving a slider
cost about what one does. Each run is then stored under its own key, so changing one
optimizer's setting recomputes one run.

What one session asks for costs no other: a page whose runs are heavy (``weight``: steps ×
runs, Newton's steps counted ``NEWTON_WEIGHT`` times) is combined only with other heavy
ones; a combined ``run_many`` that fails is run again run by run, so an error reaches only
the session whose run raised it, and each session raises an exception object of its own.

The cache is bounded in bytes (``webapp.cache.SizedLRU``, ``DESCENT_LAB_CACHE_MB``, 500 MB by
default), not by a count of entries: Streamlit's ``st.cache_data`` takes ``max_entries``
only, and a run weighs from a few kilobytes to half a megabyte.
"""

from __future__ import annotations

import copy
import json

from optim_core import OPTIMIZERS, OptimizerError, run, run_many
from webapp.cache import MISSING, SizedLRU, budget_bytes
from webapp.combine import Combiner
from webapp.settings import RunSettings

NEWTON_WEIGHT = 5  # a step of a run that uses the Hessian costs about five shared steps
ALONE_WEIGHT = 2  # …and one with recorded state or mini-batches (computed on its own) two
HEAVY = 2500  # a page's missing runs of this weight or more are combined only with heavy ones

_runs = SizedLRU(budget_bytes())  # one per server: every session's runs


def _keep(key: str, trajectory):
    """Store a finished run; a run its deadline cut short is shown but not kept: how far it got
    depends on how busy the server was, and the next visitor may get further."""
    if getattr(trajectory, "stopped", None) == "deadline":
        return trajectory
    return _runs.put(key, trajectory)


def _cached_run(surface, key: str, args: dict):
    """``run(surface, **args)``, cached by ``key``: the surface's key and the JSON of
    ``args``."""
    found = _runs.get(key)
    if found is MISSING:
        found = _keep(key, run(surface, **args))
    return found


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


def run_key(surface, optimizer: str, hyper: dict, start, how: RunSettings) -> str:
    """The key under which the run of these settings is cached (its plain values)."""
    return _key(surface, _run_args(optimizer, hyper, start, how))


def cached_run(surface, optimizer: str, hyper: dict, start, how: RunSettings, *,
               record_state=False):  # fmt: skip
    """``optim_core.run`` with the run settings ``how``; raises OptimizerError for a bad value."""
    args = _run_args(optimizer, hyper, start, how, record_state)
    return _cached_run(surface, _key(surface, args), args)


def weight(items) -> float:
    """The estimated cost of ``(surface, key, args)`` items: their steps, each counted
    ``NEWTON_WEIGHT`` times for an optimizer that uses the Hessian and ``ALONE_WEIGHT`` times
    for a run computed on its own (recorded state, mini-batches, noise)."""
    total = 0.0
    for _, _, args in items:
        spec = OPTIMIZERS.get(args.get("optimizer"))
        each = NEWTON_WEIGHT if spec is not None and spec.uses_hessian else 1
        if args.get("record_state") or args.get("batch_size") or args.get("noise"):
            each *= ALONE_WEIGHT
        total += each * float(args.get("steps", 200))
    return total


def _run_each(items: list) -> list:
    """The result of ``run`` for each ``(surface, key, args)``: a Trajectory or the error it
    raised. Each key is computed once, and each surface's runs in one ``run_many``; if that
    fails, each of them alone, so each error is its own run's."""
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
        except Exception as error:  # whose run raised it? each run again, alone
            alone = len(group) == 1
            computed = [error] if alone else [_alone(surface, a) for _, surface, a in group]
        results.update(zip([key for key, *_ in group], computed, strict=True))
    return [results[key] for _, key, _ in items]


def _alone(surface, args: dict):
    """``run_many(surface, [args])``'s one result, or the exception it raised."""
    try:
        return run_many(surface, [args])[0]
    except Exception as error:
        return error


def _own(error: Exception) -> Exception:
    """A new exception like ``error``, raised by one session only (``error`` may be shared by
    several, and an exception raised in two threads gets one mixed traceback)."""
    try:
        fresh = copy.copy(error)
    except Exception:  # an exception class that does not copy
        fresh = None
    if fresh is None or fresh is error or type(fresh) is not type(error):
        fresh = RuntimeError(f"{type(error).__name__}: {error}")
    return fresh


_together = Combiner(_run_each, weight=weight, heavy=HEAVY)  # one per server


def run_all(surface, optimizers, hyper_of, start, how: RunSettings) -> tuple[dict, dict]:
    """Every optimizer's trajectory (in the order of ``optimizers``), and the message of each
    that cannot run."""
    done, errors, missing = {}, {}, {}
    for opt in optimizers:
        args = _run_args(opt, hyper_of(opt), start, how)
        key = _key(surface, args)
        found = _runs.get(key)
        if found is MISSING:
            missing[opt] = (key, args)
        else:
            done[opt] = found
    if missing:
        results = _together([(surface, key, args) for key, args in missing.values()])
        for (opt, (key, _)), result in zip(missing.items(), results, strict=True):
            if isinstance(result, OptimizerError):
                errors[opt] = str(result)
            elif isinstance(result, Exception):
                raise _own(result) from result
            else:
                done[opt] = _keep(key, result)
    return {opt: done[opt] for opt in optimizers if opt in done}, errors
