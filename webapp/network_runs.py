"""The Network page's work: the network, its runs, and what its figures need from them — each
cached for every session of the server and bounded in time.

A run is cached under the network's key and the run's plain values (optimizer, hyperparameters,
steps, batch, seed), so a link opened by a whole class trains each network once, and changing
one optimizer's α trains that one again. The runs missing from the cache are made in one
``run_many`` (the fast path: one loop for all of them), if they are estimated to fit
``RUN_BUDGET`` (one timed gradient × steps, as the Race estimates: else none is made and the
page says why), and under ``RUN_DEADLINE``, the estimate's safety net; a run the deadline cut
short is shown but not kept (the next visitor may get further). A run that cannot
be made (Newton on a network whose Hessian is too large, a refused value) gives its message,
never a traceback.

What the figures derive from the runs is cached the same way, keyed by the runs' keys: the test
loss along each run, the sharpness along each (under ``SHARPNESS_DEADLINE`` for all of them),
the plane of the iterates with the loss over it, and the random slice. The cache is bounded in
bytes (``webapp.cache.SizedLRU``): a run of a wide, deep network holds megabytes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import streamlit as st

from optim_core import OPTIMIZERS, OptimizerError, Trajectory, run_many
from optim_core.landscape import LossGrid, Plane, Slice, loss_over_plane, pca_plane, random_slice
from optim_core.sharpness import Sharpness, sharpness_along, sharpness_along_many
from surfaces import SurfaceError
from surfaces.network import Network, get_network
from webapp.cache import MISSING, SizedLRU, budget_bytes
from webapp.settings import NetworkSettings

RUN_BUDGET = 4.0  # seconds the runs of one change may be estimated to take (else refused)
RUN_DEADLINE = 6.0  # seconds after which they stop, all together (the estimate's safety net)
ESTIMATE_FACTOR = 1.0  # a run's step costs about one gradient and one loss: measured 0.5×
# (many runs of a small network share their loop) to 2.3× (a mini-batch of the widest)
PROBES = 3  # the fastest of three timings: a busy machine inflates single timings
SHARPNESS_DEADLINE = 2.0  # seconds for the sharpness of every run (the rest are left out)
SHARPNESS_POINTS = 40  # iterates per run at which the sharpness is measured, about
SHARPNESS_BATCH = 4  # runs measured together (between two looks at the deadline)
TEST_POINTS = 201  # iterates per run at which the test loss is measured, at most
PLANE_N = 41  # the plane's loss grid: n × n networks evaluated
PLANE_FIT_ROWS = 600  # iterates the plane is fitted to, over all runs (its SVD costs rows² · P)
SLICE_N = 31  # the random slice's grid
CACHE_SHARE = 5  # this page's cache holds a fifth of the run cache's budget

_cache = SizedLRU(budget_bytes() // CACHE_SHARE)  # one per server: every session's


@st.cache_resource(max_entries=64, show_spinner=False)
def load_network(data: str, hidden: tuple[int, ...], activation: str, loss: str) -> Network:
    """The network of these settings, built once per server (its data set is generated once)."""
    return get_network(data, hidden=hidden, seed=0, activation=activation, loss=loss)


def network_of(settings: NetworkSettings) -> Network:
    return load_network(*settings.network_args)


@dataclass(frozen=True)
class NetRun:
    """One optimizer's run on the network: its trajectory, ``last``, the last iterate that
    counts (before a divergence, or where a deadline stopped it), and the test loss at the
    iterates ``test_steps`` (at most ``TEST_POINTS`` of them, evenly spaced, the first and the
    last included: a wide network's test loss at every iterate would cost as much as the run).
    """

    key: str
    trajectory: Trajectory
    last: int
    test_steps: np.ndarray
    test_loss: np.ndarray

    @property
    def path(self) -> np.ndarray:
        """The iterates that count: (last + 1, P)."""
        return self.trajectory.path[: self.last + 1]

    @property
    def loss(self) -> np.ndarray:
        return self.trajectory.loss[: self.last + 1]

    @property
    def end(self) -> np.ndarray:
        return self.trajectory.path[self.last]

    @property
    def diverged_at(self) -> int | None:
        return self.trajectory.diverged_at

    @property
    def stopped_early(self) -> bool:
        """A deadline stopped it (not kept in the cache)."""
        return self.trajectory.stopped == "deadline"


def _last(t: Trajectory) -> int:
    last = len(t.path) - 1
    if t.diverged_at is not None:
        last = min(last, max(int(t.diverged_at) - 1, 0))
    if getattr(t, "deadline_at", None) is not None:
        last = min(last, int(t.deadline_at))
    return last


def run_args(settings: NetworkSettings, optimizer: str) -> dict:
    """``run``'s keyword arguments for ``optimizer``, as plain values (the start is θ₀ of the
    settings' seed, identified by the seed)."""
    return {
        "optimizer": optimizer,
        "steps": int(settings.steps),
        "seed": int(settings.seed),
        **settings.minibatch(),
        **settings.hyper_of(optimizer),
    }


def _key(net: Network, args: Mapping) -> str:
    return f"{net.key}|{json.dumps(args, sort_keys=True)}"


def _made(net: Network, key: str, result) -> NetRun:
    last = _last(result)
    steps = np.unique(np.round(np.linspace(0, last, min(TEST_POINTS, last + 1))).astype(int))
    with np.errstate(all="ignore"):
        test = np.asarray(net.test_loss(result.path[steps]), dtype=float)
    return NetRun(key, result, last, steps, test)


def _run_missing(net: Network, theta0, missing: dict) -> dict:
    """{optimizer: Trajectory or exception} for the missing runs, in one ``run_many``; if it
    raises, each run alone, so each error is its own run's."""
    jobs = [{**args, "start": theta0, "deadline": RUN_DEADLINE} for _, args in missing.values()]
    try:
        results = run_many(net, jobs)
    except (OptimizerError, SurfaceError):
        results = []
        for job in jobs:
            try:
                results.append(run_many(net, [job])[0])
            except (OptimizerError, SurfaceError) as error:
                results.append(error)
    return dict(zip(missing, results, strict=True))


def _seconds(call) -> float:
    best = float("inf")
    with np.errstate(all="ignore"):
        for _ in range(PROBES):
            begin = time.perf_counter()
            call()
            best = min(best, time.perf_counter() - begin)
    return best


def estimate_seconds(net: Network, settings: NetworkSettings, optimizers) -> float:
    """Seconds the runs of ``optimizers`` would take, estimated before making them: one timed
    gradient (of the mini-batch, if any) and loss at θ₀, and the exact Hessian for an optimizer
    that uses it, × steps × ``ESTIMATE_FACTOR``. An optimizer the network refuses (Newton
    beyond the Hessian's limit) costs nothing."""
    theta = net.init(settings.seed)[None]
    batch = settings.minibatch().get("batch_size")
    if batch:
        rows = np.arange(batch)[None]
        step = _seconds(lambda: net.minibatch_grad(theta, rows))
    else:
        step = _seconds(lambda: net.grad(theta))
    step += _seconds(lambda: net.f(theta))
    runs = [OPTIMIZERS[o] for o in optimizers]
    if net.dim > net.hessian_limit:  # refused at once
        runs = [spec for spec in runs if not spec.uses_hessian]
    hessian = 0.0
    if any(spec.uses_hessian for spec in runs):
        hessian = _seconds(lambda: net.hessian(theta))
    total = sum(step + hessian * spec.uses_hessian for spec in runs)
    return ESTIMATE_FACTOR * total * int(settings.steps)


class NetworkRuns(NamedTuple):
    """The runs of one change: each optimizer's (in their order), the message of each that
    cannot run, and why none was made (``refused``: the estimate is over the budget)."""

    runs: dict[str, NetRun]
    errors: dict[str, str]
    refused: str | None = None


def run_network(net: Network, settings: NetworkSettings) -> NetworkRuns:
    """Every chosen optimizer's run, cached; those missing are made if their estimate fits
    ``RUN_BUDGET`` (else none is, and ``refused`` says why)."""
    done, errors, missing = {}, {}, {}
    for opt in settings.optimizers:
        args = run_args(settings, opt)
        key = _key(net, args)
        found = _cache.get(key)
        if found is MISSING:
            missing[opt] = (key, args)
        else:
            done[opt] = found
    if missing:
        seconds = estimate_seconds(net, settings, missing)
        if seconds > RUN_BUDGET:
            return NetworkRuns({}, {}, budget_message(net, settings, seconds))
        theta0 = net.init(settings.seed)
        for opt, result in _run_missing(net, theta0, missing).items():
            if isinstance(result, OptimizerError | SurfaceError):
                errors[opt] = str(result)
            elif isinstance(result, Exception):
                raise result
            else:
                made = _made(net, missing[opt][0], result)
                done[opt] = made if made.stopped_early else _cache.put(made.key, made)
    return NetworkRuns({o: done[o] for o in settings.optimizers if o in done}, errors)


def budget_message(net: Network, settings: NetworkSettings, seconds: float) -> str:
    n = len(settings.optimizers)
    return (
        f"{n} optimizer{'s' * (n != 1)} × {settings.steps} steps on this network "
        f"(P = {net.dim:,} parameters) would take about {seconds:.0f} s, more than the budget "
        f"of {RUN_BUDGET:g} s per change. Choose fewer steps or optimizers, a larger "
        "mini-batch or a smaller network."
    )


def _cached(key: str, make):
    found = _cache.get(key)
    if found is MISSING:
        found = _cache.put(key, make())
    return found


def sharpness_every(steps: int) -> int:
    """Every how many steps the sharpness is measured: about ``SHARPNESS_POINTS`` per run."""
    return max(1, int(np.ceil(steps / SHARPNESS_POINTS)))


def _measured_path(r: NetRun) -> np.ndarray:
    """The run's iterates, NaN after the last that counts (measured up to there)."""
    path = np.array(r.trajectory.path, dtype=float)
    path[r.last + 1 :] = np.nan
    return path


def sharpness_of(net: Network, runs: Mapping[str, NetRun]) -> tuple[dict[str, Sharpness], list]:
    """λ_max of the Hessian along each run, and the optimizers left out by the deadline.

    The runs not cached are measured ``SHARPNESS_BATCH`` at a time (their Hessian-vector
    products batched, ``sharpness_along_many``), the deadline checked between batches."""
    found = {opt: _cache.get(f"{r.key}|sharpness|{r.last}") for opt, r in runs.items()}
    missing = [opt for opt, value in found.items() if value is MISSING]
    skipped: list[str] = []
    begin = time.perf_counter()
    for first in range(0, len(missing), SHARPNESS_BATCH):
        batch = missing[first : first + SHARPNESS_BATCH]
        if time.perf_counter() - begin > SHARPNESS_DEADLINE:
            skipped += batch
            continue
        lengths = {len(runs[o].trajectory.path) for o in batch}
        every = sharpness_every(max(lengths) - 1)
        if len(lengths) == 1:
            measured = sharpness_along_many(net, [_measured_path(runs[o]) for o in batch], every)
        else:  # runs of different lengths (a deadline cut one): one at a time
            measured = [sharpness_along(net, runs[o].path, every) for o in batch]
        for opt, value in zip(batch, measured, strict=True):
            found[opt] = value
            if not runs[opt].stopped_early:
                _cache.put(f"{runs[opt].key}|sharpness|{runs[opt].last}", value)
    out = {opt: value for opt, value in found.items() if opt not in skipped}
    return out, skipped


@dataclass(frozen=True)
class PlaneView:
    """The plane of the runs' iterates and the training loss over it."""

    plane: Plane
    grid: LossGrid
    fitted: tuple[str, ...]  # the optimizers whose iterates the plane was fitted to


def plane_of(net: Network, runs: Mapping[str, NetRun], centre_of: str) -> PlaneView:
    """The plane of every run's iterates about ``centre_of``'s end point (runs that diverged
    are drawn on it but not fitted), with the loss over it on a ``PLANE_N`` grid."""
    names = list(runs)
    fit = [i for i, o in enumerate(names) if runs[o].diverged_at is None] or list(range(len(names)))
    key = "|".join(["plane", centre_of, *(runs[o].key + f"@{runs[o].last}" for o in names)])

    def make() -> PlaneView:
        each = max(20, PLANE_FIT_ROWS // len(fit))
        paths = [runs[o].path for o in names]
        plane = pca_plane(paths, runs[centre_of].end, fit=fit, fit_points=each)
        return PlaneView(plane, loss_over_plane(net, plane, PLANE_N), tuple(names[i] for i in fit))

    return _cached(key, make)


def slice_of(net: Network, run: NetRun, seed: int) -> Slice:
    """The filter-normalized random slice around ``run``'s end point (directions of ``seed``)."""
    key = f"{run.key}@{run.last}|slice|{seed}"
    return _cached(key, lambda: random_slice(net, run.end, seed=seed, n=SLICE_N))


def clear() -> None:
    """Forget every cached run (tests)."""
    _cache.clear()
