"""Optimizer, schedule and noise controls shared by the Race, Learning-rate lab and Step pages.

Every widget is keyed by its URL key (``_settings``) and keeps its value in the URL store, so a
lesson's link can set any of them and a setting carries from one page to the next.
"""

from __future__ import annotations

import streamlit as st

from optim_core import OPTIMIZERS, SCHEDULES, suggest_lr
from optim_core.schedules import robbins_monro_note
from viz import color_for
from webapp.settings import SCHEMA, hyper_key, lr_options, nearest_option, schedule_key
from webapp.state import store, widget


def _fmt(v: float) -> str:
    return f"{v:g}"


def suggested_lr(optimizer: str, surface, start) -> float:
    """The learning rate suited to ``surface`` (``suggest_lr``), as the slider offers it."""
    return nearest_option(lr_options(optimizer), suggest_lr(optimizer, surface, start))


def ensure_lr(optimizer: str, surface, start) -> None:
    """Put the suggested learning rate in the store where none is set: it is then written to
    the URL like any value, so the link reopens with it on any machine."""
    key = hyper_key(optimizer, "lr")
    if key not in store():
        store()[key] = suggested_lr(optimizer, surface, start)


def hyper_widget(optimizer: str, hyper, *, container=None, label_prefix: str = "", key=None):
    """One hyperparameter's widget, keyed by its URL key (``key``, else the 2D pages'
    ``hyper_key``); returns its value."""
    container = container or st
    key = key or hyper_key(optimizer, hyper.name)
    label = f"{label_prefix}{hyper.label}"
    common = {"help": hyper.help or None}
    if hyper.kind == "bool":
        return widget(container.checkbox, label, key, **common)
    f = SCHEMA[key]
    if f.options:
        return widget(
            container.select_slider, label, key, options=list(f.options), format_func=_fmt, **common
        )
    if hyper.kind == "int":
        return widget(
            container.slider, label, key, min_value=int(f.lo), max_value=int(f.hi), **common
        )
    step = float(f"{(hyper.max - hyper.min) / 100:.2g}")
    return widget(
        container.slider,
        label,
        key,
        min_value=float(f.lo),
        max_value=float(f.hi),
        step=step,
        **common,
    )


def optimizer_controls(
    optimizer: str,
    surface,
    start,
    *,
    up_front: tuple[str, ...] = ("lr", "momentum"),
    skip: tuple[str, ...] = (),
    container=None,
    label_prefix: str = "",
) -> dict:
    """Widgets for one optimizer's hyperparameters; returns {name: value}.

    The learning rate starts at a value suited to the surface (``ensure_lr``). Hyperparameters
    in ``up_front`` are shown directly, the rest inside an expander; names in ``skip`` get no
    widget (a page that sweeps them supplies its own values).
    """
    container = container or st
    spec = OPTIMIZERS[optimizer]
    ensure_lr(optimizer, surface, start)
    values = {}
    shown = [h for h in spec.hyper if h.name not in skip]
    for h in shown:
        if h.name in up_front:
            values[h.name] = hyper_widget(
                optimizer, h, container=container, label_prefix=label_prefix
            )
    rest = [h for h in shown if h.name not in up_front]
    if rest:
        with container.expander(f"More {spec.name} settings"):
            for h in rest:
                values[h.name] = hyper_widget(optimizer, h, label_prefix=label_prefix)
    return values


def optimizer_settings(chosen: list[str], surface, start) -> None:
    """The hyperparameters of one chosen optimizer at a time, picked from a list (``race_tune``,
    in the URL like any view setting). Only that one's widgets are drawn: every widget costs
    each rerun server time and browser rendering (a tab per optimizer drew some 60 for 14
    optimizers). The others keep their values in the store, and every learning rate on show is
    in the URL (``ensure_lr``)."""
    for opt in chosen:
        ensure_lr(opt, surface, start)
    if st.session_state.get("race_tune", store().get("race_tune")) not in chosen:
        st.session_state["race_tune"] = chosen[0]  # none yet, or it left the race
    with st.container(key="race_settings"):
        opt = widget(
            st.selectbox,
            "Settings of",
            "race_tune",
            options=chosen,
            format_func=lambda o: OPTIMIZERS[o].name,
            help="Each optimizer in the race has its own settings; pick whose to change.",
        )
        spec = OPTIMIZERS[opt]
        st.markdown(
            f'<span style="color:{color_for(opt, chosen.index(opt))}">●</span> '
            f"**{spec.name}**: {spec.description}",
            unsafe_allow_html=True,
        )
        optimizer_controls(opt, surface, start)


def schedule_controls(container=None) -> None:
    """The learning-rate schedule, its parameters and the warm-up (values go to the store), and
    under them the schedule's Robbins–Monro verdict for those values."""
    container = container or st
    sid = widget(
        container.selectbox,
        "Learning-rate schedule",
        "schedule",
        options=list(SCHEDULES),
        format_func=lambda s: SCHEDULES[s].name,
        help="How α_t changes over the run; the note under its sliders says whether it meets "
        "the Robbins–Monro conditions Σα_t = ∞, Σα_t² < ∞.",
    )
    spec = SCHEDULES[sid]
    container.caption(spec.description)
    chosen = {"name": sid}
    for h in spec.params:
        if h.name == "warmup":
            continue
        key = schedule_key(sid, h.name)
        f = SCHEMA[key]
        if f.options:
            value = widget(
                container.select_slider,
                h.label,
                key,
                options=list(f.options),
                format_func=_fmt,
                help=h.help or None,
            )
        elif h.kind == "int":
            value = widget(
                container.slider,
                h.label,
                key,
                min_value=int(f.lo),
                max_value=int(f.hi),
                help=h.help or None,
            )
        else:
            value = widget(
                container.slider,
                h.label,
                key,
                min_value=float(f.lo),
                max_value=float(f.hi),
                step=float(f"{(h.max - h.min) / 100:.2g}"),
                help=h.help or None,
            )
        chosen[h.name] = value
    warmup = SCHEMA["warmup"]
    chosen["warmup"] = widget(
        container.slider,
        "Warm-up steps",
        "warmup",
        min_value=int(warmup.lo),
        max_value=int(warmup.hi),
        help="Raise the learning rate linearly over the first n steps, from α₀/n up to α₀.",
    )
    container.caption(f"**Robbins–Monro:** {robbins_monro_note(chosen)}")


def _batch_label(m: int, n: int) -> str:
    return f"full batch (all {n})" if m == 0 else f"m = {m}"


def minibatch_controls(surface, container=None) -> None:
    """On a data surface, the mini-batch size m and how the examples are drawn."""
    container = container or st
    n = getattr(surface, "n_examples", 0)
    if not n:
        return
    # Smallest to largest, the full batch (0: the exact gradient, all n examples) last.
    options = [*(m for m in (1, 2, 4, 8, 16, 32, 64, 128) if m < n), 0]
    if store().get("batch", 0) not in options:
        store()["batch"] = 0
        st.session_state.pop("batch", None)
    widget(
        container.select_slider,
        "Mini-batch size",
        "batch",
        options=options,
        format_func=lambda m: _batch_label(m, n),
        help=f"Each step averages the gradients of m of the {n} examples (Goodfellow Alg. 8.1); "
        "the full batch, all of them, is the exact gradient; "
        "a smaller batch is a noisier estimate of the full gradient.",
    )
    widget(
        container.radio,
        "Examples drawn",
        "sampling",
        options=["shuffle", "replacement"],
        format_func={"shuffle": "shuffled epochs", "replacement": "with replacement"}.get,
        horizontal=True,
    )


def noise_controls(container=None) -> None:
    """Gradient noise σ (the stochastic-gradient view) and its seed."""
    container = container or st
    sigma = widget(
        container.slider,
        "Gradient noise σ",
        "noise",
        min_value=0.0,
        max_value=5.0,
        step=0.05,
        help="Adds σ·ξ (ξ standard normal, seeded) to every gradient.",
    )
    widget(
        container.number_input,
        "Seed (noise and mini-batches)",
        "seed",
        min_value=0,
        max_value=10_000,
        disabled=sigma == 0 and not store().get("batch"),
    )


def steps_control(container=None, *, max_steps: int = 1000) -> int:
    """The number of steps (a page with a lower limit clamps a longer run from another page)."""
    container = container or st
    if store().get("steps", 0) > max_steps:
        store()["steps"] = max_steps
        st.session_state.pop("steps", None)
    return int(
        widget(container.slider, "Steps", "steps", min_value=10, max_value=max_steps, step=10)
    )
