"""The runs a slider can reach, for the browser to scrub through.

For each optimizer in the race: one run per stop of its learning-rate slider, its other
settings as they are, computed in one ``run_batch`` call (each member is ``run`` with that
value, bit for bit) and sent with the figure, so moving the slider redraws the path at once
(``webapp.board``). The optimizer whose settings are open gets the same along its
momentum-like value (``momentum_like``: ρ, μ or β₁, along its slider's near-1 ladder). A family
does not depend on the value it varies, so releasing the slider finds it cached.

What a family cannot hold, it says: with gradient noise or mini-batches each member of a batch
draws its own noise, so its members are not the runs the page shows, and the slider then
answers on release. A family too slow for its budget, or cut by its deadline, is not offered.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

import numpy as np
import orjson

from optim_core import OPTIMIZERS, OptimizerError, run_batch
from viz.race_family import family_payload
from webapp.budget import RACE_SECONDS, run_seconds
from webapp.cache import MISSING, SizedLRU, budget_bytes
from webapp.runs import run_key
from webapp.settings import SCHEMA, RunSettings, hyper_key, lr_options
from webapp.url import nearest_option

FAMILY_SECONDS = RACE_SECONDS  # every family of a race together, estimated and as a deadline
NOISY = "with gradient noise each α would draw its own noise: the path follows on release"
BATCHED = "with mini-batches each α would draw its own batches: the path follows on release"
SLOW = "this surface is slow to evaluate here: the path follows on release"

SCRUBBED = ("decay", "momentum", "beta1")  # the momentum-like value scrubbed: the first found

_families = SizedLRU(budget_bytes() // 5)  # one per server: the encoded families


@dataclass(frozen=True)
class Family:
    """One optimizer's runs along its learning-rate stops, encoded for the browser."""

    optimizer: str
    name: str  # the hyperparameter it varies: "lr", or ``momentum_like``'s
    values: tuple[float, ...]  # the slider's stops
    finals: tuple[float, ...]  # f at each member's last iterate (inf: diverged or stopped)
    payload: bytes  # JSON (``family_payload``)
    key: str = ""  # the cache key: the same family, the same key (the browser keeps it by it)

    @property
    def best(self) -> float | None:
        """The stop with the lowest final f (the first of equals); None if every member
        diverged."""
        finals = np.asarray(self.finals)
        if not np.isfinite(finals).any():
            return None
        return self.values[int(np.argmin(finals))]


def unavailable(how: RunSettings) -> str | None:
    """Why no family can be offered with these run settings (None: it can)."""
    if how.noise:
        return NOISY
    if how.batch:
        return BATCHED
    return None


def momentum_like(optimizer: str) -> str | None:
    """The momentum-like hyperparameter of ``optimizer`` that its scrubber offers (None: none)."""
    names = {h.name for h in OPTIMIZERS[optimizer].hyper}
    return next((name for name in SCRUBBED if name in names), None)


def stops(optimizer: str, name: str) -> tuple[float, ...]:
    """The values a family of ``optimizer`` along ``name`` holds: its slider's stops (the
    learning rate's, or the near-1 ladder of a decay rate, ``Hyper.stops``)."""
    return SCHEMA[hyper_key(optimizer, name)].options


def _compute(surface, optimizer: str, name: str, hyper: dict, start, how, deadline: float):
    values = stops(optimizer, name)
    rest = {k: v for k, v in hyper.items() if k not in (name, "deadline")}
    batch = run_batch(
        surface,
        optimizer,
        np.asarray(start, dtype=float),
        how.steps,
        schedule=how.schedule_dict,
        seed=how.seed,
        deadline=deadline,
        **{name: np.asarray(values, dtype=float)},
        **rest,
    )
    if batch.deadline_at is not None:
        return None
    final = np.asarray(batch.loss[-1], dtype=float)
    stopped = np.asarray([s is not None for s in batch.stopped]) if batch.stopped is not None else 0
    finals = np.where(stopped | ~np.isfinite(final), np.inf, final)
    lrs = np.broadcast_to(hyper["lr"] if name != "lr" else np.asarray(values), len(values))
    payload = family_payload(surface, optimizer, lrs, batch, start=start)
    payload["values"] = list(values)
    finals = tuple(float(v) for v in finals)
    return Family(optimizer, name, tuple(values), finals, orjson.dumps(payload))


def _digest(key: str) -> str:
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()


def _key(surface, optimizer: str, name: str, hyper: dict, start, how: RunSettings) -> str:
    return f"family|{name}|" + run_key(surface, optimizer, {**hyper, name: None}, start, how)


def family(surface, optimizer: str, name: str, hyper: dict, start, how: RunSettings):
    """One ``Family`` of ``optimizer`` along ``name``, or None (see ``families``)."""
    if unavailable(how) is not None:
        return None
    key = _key(surface, optimizer, name, hyper, start, how)
    found = _families.get(key)
    if found is MISSING:
        runs = len(stops(optimizer, name))
        if run_seconds(surface, [optimizer], start, how.steps, runs=runs) > FAMILY_SECONDS:
            return None
        try:
            found = _compute(surface, optimizer, name, hyper, start, how, FAMILY_SECONDS)
        except OptimizerError:
            return None
        if found is not None:
            found = _families.put(key, dataclasses.replace(found, key=_digest(key)))
    return found


def families(surface, optimizers, hyper_of, start, how: RunSettings) -> tuple[dict, str | None]:
    """Each optimizer's ``Family`` (those that can have one), and why the others have none."""
    why = unavailable(how)
    if why is not None or not optimizers:
        return {}, why
    found, missing = {}, []
    for opt in optimizers:
        key = _key(surface, opt, "lr", hyper_of(opt), start, how)
        family = _families.get(key)
        if family is MISSING:
            missing.append((opt, key))
        else:
            found[opt] = family
    if missing:
        stops = max(len(lr_options(opt)) for opt, _ in missing)
        chosen = [opt for opt, _ in missing]
        if run_seconds(surface, chosen, start, how.steps, runs=stops) > FAMILY_SECONDS:
            return found, SLOW
        for opt, key in missing:
            try:
                family = _compute(surface, opt, "lr", hyper_of(opt), start, how, FAMILY_SECONDS)
            except OptimizerError:
                continue  # the page says why this optimizer cannot run
            if family is None:
                return found, SLOW
            found[opt] = _families.put(key, dataclasses.replace(family, key=_digest(key)))
    return {opt: found[opt] for opt in optimizers if opt in found}, None


def stop_index(optimizer: str, value: float, name: str = "lr") -> int:
    """The index of the stop of ``optimizer``'s ``name`` family nearest ``value``, as the URL
    snaps it (``nearest_option``)."""
    options = stops(optimizer, name)
    return options.index(nearest_option(options, float(value)))


__all__ = [
    "BATCHED",
    "NOISY",
    "SLOW",
    "Family",
    "families",
    "family",
    "momentum_like",
    "stop_index",
    "stops",
]
