"""Optimizer, schedule and noise controls shared by the Race, Learning-rate lab and Step pages.

One URL key scheme for every page, so a lesson's link can set any of them:

    {optimizer}_{hyper}   e.g. adam_lr, momentum_momentum, rmsprop_decay, newton_saddle_free
    schedule, sched_{param}, warmup      the learning-rate schedule
    noise, seed                          gradient noise σ and its seed
    steps                                number of steps
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from optim_core import OPTIMIZERS, SCHEDULES, suggest_lr

_MANTISSAS = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)
STEPS_DEFAULT = 200


def hyper_key(optimizer: str, name: str) -> str:
    return f"{optimizer}_{name}"


def log_options(lo: float, hi: float) -> list[float]:
    """Round log-spaced values from lo to hi (1, 1.5, 2, 3, 5, 7 per decade)."""
    out = []
    for exponent in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        for m in _MANTISSAS:
            v = float(f"{m * 10.0**exponent:.6g}")
            if lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9):
                out.append(v)
    return out


def nearest_option(options: list[float], value: float) -> float:
    """The option closest to value on a log scale."""
    logs = np.log10(np.asarray(options))
    return options[int(np.argmin(np.abs(logs - math.log10(max(value, 1e-300)))))]


def _fmt(v: float) -> str:
    return f"{v:g}"


def hyper_widget(optimizer: str, hyper, *, default=None, container=st, label_prefix: str = ""):
    """One hyperparameter's widget, keyed and bound to the URL; returns its value."""
    key = hyper_key(optimizer, hyper.name)
    label = f"{label_prefix}{hyper.label}"
    value = hyper.default if default is None else default
    if hyper.kind == "bool":
        return container.checkbox(
            label, value=bool(value), key=key, bind="query-params", help=hyper.help or None
        )
    if hyper.log:
        options = log_options(hyper.min, hyper.max)
        return container.select_slider(
            label,
            options=options,
            value=nearest_option(options, value),
            format_func=_fmt,
            key=key,
            bind="query-params",
            help=hyper.help or None,
        )
    if hyper.kind == "int":
        return container.slider(
            label,
            int(hyper.min),
            int(hyper.max),
            int(value),
            key=key,
            bind="query-params",
            help=hyper.help or None,
        )
    step = (hyper.max - hyper.min) / 100
    return container.slider(
        label,
        float(hyper.min),
        float(hyper.max),
        float(value),
        step=float(f"{step:.2g}"),
        key=key,
        bind="query-params",
        help=hyper.help or None,
    )


def optimizer_controls(
    optimizer: str,
    surface,
    start,
    *,
    up_front: tuple[str, ...] = ("lr", "momentum"),
    skip: tuple[str, ...] = (),
    container=st,
    label_prefix: str = "",
) -> dict:
    """Widgets for one optimizer's hyperparameters; returns {name: value}.

    The learning rate defaults to a value suited to the surface (``suggest_lr``), since Adam
    and SGD want very different ones.  Hyperparameters in ``up_front`` are shown directly, the
    rest inside an expander with their defaults.  Names in ``skip`` get no widget (a page that
    sweeps them supplies its own values).
    """
    spec = OPTIMIZERS[optimizer]
    values = {}
    rest = [h for h in spec.hyper if h.name not in up_front and h.name not in skip]
    for h in spec.hyper:
        if h.name in up_front and h.name not in skip:
            default = suggest_lr(optimizer, surface, start) if h.name == "lr" else None
            values[h.name] = hyper_widget(
                optimizer, h, default=default, container=container, label_prefix=label_prefix
            )
    if rest:
        with container.expander(f"More {spec.name} settings"):
            for h in rest:
                values[h.name] = hyper_widget(optimizer, h, label_prefix=label_prefix)
    return values


def schedule_controls(container=st) -> dict | None:
    """The learning-rate schedule: None for constant, else a dict run() accepts."""
    ids = list(SCHEDULES)
    sid = container.selectbox(
        "Learning-rate schedule",
        ids,
        index=ids.index("constant") if "constant" in ids else 0,
        format_func=lambda s: SCHEDULES[s].name,
        key="schedule",
        bind="query-params",
        help=SCHEDULES[ids[0]].description if ids else None,
    )
    spec = SCHEDULES[sid]
    params = {}
    for h in spec.params:
        if h.name != "warmup":  # the warm-up slider below serves every schedule
            params[h.name] = hyper_widget("sched", h, container=container)
    warmup = container.slider(
        "Warm-up steps",
        0,
        100,
        0,
        key="warmup",
        bind="query-params",
        help="Raise the learning rate linearly from 0 over the first steps.",
    )
    if sid == "constant" and warmup == 0:
        return None
    schedule = {"name": sid, **params}
    if warmup:
        schedule["warmup"] = int(warmup)
    return schedule


def noise_controls(container=st) -> tuple[float, int]:
    """Gradient noise σ (the stochastic-gradient view) and its seed."""
    sigma = container.slider(
        "Gradient noise σ",
        0.0,
        5.0,
        0.0,
        step=0.05,
        key="noise",
        bind="query-params",
        help="Adds σ·ξ (ξ standard normal) to every gradient, like a mini-batch estimate. "
        "Halving σ is like a 4× larger batch (noise falls as 1/√batch).",
    )
    seed = container.number_input(
        "Noise seed", 0, 10_000, 0, key="seed", bind="query-params", disabled=sigma == 0
    )
    return float(sigma), int(seed)


def steps_control(container=st, *, default: int = STEPS_DEFAULT, max_steps: int = 1000) -> int:
    return int(
        container.slider("Steps", 10, max_steps, default, step=10, key="steps", bind="query-params")
    )
