"""The family along a surface's parameter: the bowl's κ, so "narrow the valley" moves in the
browser too.

For each stop of κ (round log-spaced values over its slider's range): the bowl with that κ (its
other parameters as they are), its contour image, and every optimizer of the race run on it with
its own settings (each run ``run`` itself: ``webapp.runs.run_all``, cached like the page's
runs). The board swaps contour, start and paths at once as the κ scrubber moves; on release the
sidebar's κ takes the value and every learning rate stays (the lecture's demonstration: the
same α on a narrower valley).

Measured on the bowl (load 5 on this 2-core machine): the default race (4 optimizers × 200
steps) 171 KB with the 15 contour images, 2.4 s of server work the first time (15 bowls
compiled, 60 runs); 6 optimizers × 500 steps on bowls already compiled, 210 KB and 1.9 s. It is
sent after the page is out, and cached.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

import orjson

from surfaces import SURFACES
from viz.race_family import surface_payload
from webapp.budget import RACE_DEADLINE, run_seconds, timed
from webapp.cache import MISSING, SizedLRU, budget_bytes
from webapp.family import FAMILY_SECONDS, Family, unavailable
from webapp.runs import run_all
from webapp.settings import View
from webapp.ui import load_surface
from webapp.url import log_options, nearest_option

SCRUBBED = {"bowl": "kappa"}  # the surface parameter the board scrubs, per surface id

_families = SizedLRU(budget_bytes() // 10)  # one per server


def scrubbed(view: View):
    """The parameter of the view's surface the board scrubs (a ``surfaces.Param``), or None."""
    name = SCRUBBED.get(view.surface_id)
    if name is None or view.is_custom:
        return None
    return next(p for p in SURFACES[view.surface_id].params if p.name == name)


def stops(view: View) -> tuple[float, ...]:
    """The values the family holds: round log-spaced values over the parameter's range."""
    param = scrubbed(view)
    return () if param is None else log_options(param.min, param.max)


def stop_index(view: View, value: float) -> int:
    """The index of the stop nearest ``value``."""
    options = stops(view)
    return options.index(nearest_option(options, float(value)))


def _surfaces(view: View, name: str, values):
    params = dict(view.params)
    for value in values:
        args = tuple((key, value if key == name else params[key]) for key, _ in view.params)
        yield load_surface(view.surface_id, args, "")


def surface_family(view: View, race) -> Family | None:
    """The family of the race along the scrubbed parameter of its surface (None: none here)."""
    param = scrubbed(view)
    if param is None or not race.optimizers or unavailable(race.run) is not None:
        return None
    values = stops(view)
    settings = {
        "params": [p for p in view.params if p[0] != param.name],
        "start": view.start,
        "run": dataclasses.asdict(race.run),
        "hyper": {opt: race.hyper_of(opt) for opt in race.optimizers},
    }
    key = f"surface|{view.surface_id}|{param.name}|" + json.dumps(settings, sort_keys=True)
    found = _families.get(key)
    if found is not MISSING:
        return found
    surfaces = list(_surfaces(view, param.name, values))
    starts = [view.start or tuple(float(v) for v in s.start) for s in surfaces]
    estimate = sum(
        run_seconds(s, race.optimizers, start, race.run.steps)
        for s, start in zip(surfaces, starts, strict=True)
    )
    if estimate > FAMILY_SECONDS:
        return None
    hyper_of = timed(race.hyper_of, RACE_DEADLINE)
    runs = []
    for surface, start in zip(surfaces, starts, strict=True):
        trajectories, errors = run_all(surface, race.optimizers, hyper_of, start, race.run)
        if errors or any(t.stopped == "deadline" for t in trajectories.values()):
            return None
        runs.append(trajectories)
    payload = orjson.dumps(surface_payload(values, surfaces, runs, starts))
    digest = hashlib.blake2b(key.encode(), digest_size=12).hexdigest()
    return _families.put(key, Family("surface", param.name, values, (), payload, digest))
