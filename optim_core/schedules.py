"""Learning-rate schedules: α_t for steps t = 1, 2, …, with α₁ = α₀ (formulas: ``SCHEDULES``).

Each schedule is a plain factory ``(lr, total, **params) -> (t -> α_t)``; ``t`` may be an array.
Driving torch the same way means calling ``scheduler.step()`` after every ``optimizer.step()``:
step t then uses the scheduler's value after t − 1 calls (tests/data/make_torch_goldens.py).

A linear warm-up of n steps uses α_t = α₀ · t/n for t ≤ n; the schedule then starts afresh at
t = n + 1 with its own clock t − n, over the remaining ``total − n`` steps (torch's SequentialLR
of LinearLR(start_factor=1/n, total_iters=n−1) and the schedule, milestone n).
"""

import numbers

import numpy as np

from optim_core.metadata import SCHEDULES, OptimizerError, check_hyper


def constant(lr, total):
    return lambda t: lr * np.ones_like(t)


def step(lr, total, gamma, every):
    return lambda t: lr * gamma ** ((t - 1) // every)


def exponential(lr, total, k):
    return lambda t: lr * np.exp(-k * (t - 1))


def inverse_time(lr, total, k):
    return lambda t: lr / (1.0 + k * (t - 1))


def cosine(lr, total, min_lr):
    """Half a cosine from α₀ at t = 1 toward α_min, reached after ``total`` steps
    (torch's CosineAnnealingLR with T_max = total)."""
    return lambda t: min_lr + 0.5 * (lr - min_lr) * (1.0 + np.cos(np.pi * (t - 1) / total))


def with_warmup(schedule, lr, warmup):
    """Linear warm-up α₀ · t/n for t ≤ n, then ``schedule`` evaluated at t − n."""
    return lambda t: np.where(t <= warmup, lr * t / warmup, schedule(np.maximum(t - warmup, 1)))


_FACTORIES = {
    "constant": constant,
    "step": step,
    "exponential": exponential,
    "inverse_time": inverse_time,
    "cosine": cosine,
}

# parameter -> (test, what is required)
_VALID = {
    "gamma": (lambda x: 0 < x <= 1, "a number in (0, 1]"),
    "every": (lambda x: isinstance(x, numbers.Integral) and x >= 1, "an integer >= 1"),
    "k": (lambda x: 0 <= x < np.inf, "a number >= 0"),
    "min_lr": (lambda x: 0 <= x < np.inf, "a number >= 0"),
    "warmup": (lambda x: isinstance(x, numbers.Integral) and x >= 0, "an integer >= 0"),
}


def parse_schedule(schedule) -> tuple[str, dict]:
    """``None``, an id or a dict ``{"name": id, **params}`` -> ``(id, params with defaults)``."""
    if schedule is None:
        return "constant", {"warmup": 0}
    if isinstance(schedule, str):
        schedule = {"name": schedule}
    if not isinstance(schedule, dict) or "name" not in schedule:
        raise OptimizerError(
            f"Invalid schedule: {schedule!r}; give None, a schedule id or a dict with a 'name'"
        )
    name, given = schedule["name"], {k: v for k, v in schedule.items() if k != "name"}
    if name not in SCHEDULES:
        raise OptimizerError(f"Unknown schedule {name!r}; choose one of {', '.join(SCHEDULES)}")
    params = {p.name: p.default for p in SCHEDULES[name].params}
    for key, value in given.items():
        if key not in params:
            raise OptimizerError(
                f"Unknown parameter {key!r} for schedule {name}; it takes {', '.join(params)}"
            )
        ok, rule = _VALID[key]
        is_number = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not (is_number and ok(value)):
            raise OptimizerError(f"Invalid {key} for schedule {name}: {value!r} (must be {rule})")
        params[key] = value
    return name, params


def check_steps(steps):
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
        raise OptimizerError(f"Invalid number of steps: {steps!r} (must be an integer >= 1)")
    return int(steps)


def schedule_values(schedule, lr, steps) -> np.ndarray:
    """α_t for t = 1 … steps: shape (steps,), or (steps, B) when ``lr`` is an array (B,)."""
    steps = check_steps(steps)
    lr = check_hyper("lr", lr)
    name, params = parse_schedule(schedule)
    warmup = params.pop("warmup")
    t = np.arange(1.0, steps + 1.0).reshape((steps,) + (1,) * np.ndim(lr))
    alpha = _FACTORIES[name](lr, max(steps - warmup, 1), **params)
    if warmup:
        alpha = with_warmup(alpha, lr, warmup)
    return np.broadcast_to(alpha(t), (steps, *np.shape(lr))).copy()
