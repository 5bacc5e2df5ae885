"""The Race's "Gradient noise" view: on a data surface, the gradient at the start point of every
mini-batch the race's runs drew (step by step, those straddling two epochs apart) against the
central limit theorem, and the spread of fresh batches as the batch grows.
Layout only; the numbers come from ``optim_core.noise``, the figures from ``viz.noise``.
"""

from __future__ import annotations

import streamlit as st

from optim_core import noise as core
from teach import noise_text
from viz import noise_figure, plotly_config, scaling_figure
from webapp.cache import cached_on_surface
from webapp.settings import SCHEMA, RunSettings
from webapp.state import set_values, store
from webapp.ui import hero_chart

NOISE = "noise"


@cached_on_surface(max_entries=64, show_spinner=False)
def _batches(surface, start, m, sampling, seed, steps) -> core.RunBatches:
    return core.run_batches(surface, start, m, sampling, seed, steps)


@cached_on_surface(max_entries=32, show_spinner=False)
def _scaling(surface, start, sampling, seed) -> core.NoiseScaling:
    return core.noise_scaling(surface, start, sampling, seed=seed)


def views_for(surface, labels) -> list[str]:
    """The Race's figures on offer: the noise view only on a data surface."""
    return [v for v in labels if v != NOISE or surface.n_examples]


def open_view(surface) -> str:
    """The figure this run shows (the view control's state, else the URL's). The noise view
    asked for on a surface without examples falls back to the race."""
    chosen = st.session_state.get("race_view", store().get("race_view"))
    chosen = chosen or SCHEMA["race_view"].default
    if chosen == NOISE and not surface.n_examples:
        set_values(race_view=SCHEMA["race_view"].default)
        return SCHEMA["race_view"].default
    return chosen


NOISE_BATCH = 8  # the batch size the noise view opens at, when the race used the full batch


def noise_batch() -> None:
    """``on_change`` of the Race's view control: opening the noise view with the full batch (no
    noise, no cloud) picks ``NOISE_BATCH`` examples a step, so there is a cloud to see."""
    if st.session_state.get("race_view") == NOISE and not store().get("batch"):
        set_values(batch=NOISE_BATCH)


def noise_view(surface, run: RunSettings, start, present: bool) -> None:
    """The cloud of the run's batches (the page's main chart) and the spread against m, each
    with its caption. The full batch is the exact gradient: m = N distinct examples."""
    m = run.batch or surface.n_examples
    sampling = run.sampling if run.batch else "shuffle"
    start = (float(start[0]), float(start[1]))
    batches = _batches(surface, start, m, sampling, run.seed, run.steps)
    hero_chart(noise_figure(batches, present=present, height=None if present else 520), present)
    st.caption(noise_text.batches_caption(batches, run.noise))
    scaling = _scaling(surface, start, sampling, run.seed)
    figure = scaling_figure(scaling, batch_size=m, present=present, height=480 if present else 340)
    st.plotly_chart(figure, theme=None, config=plotly_config())
    st.caption(noise_text.scaling_caption(scaling))
