"""The lesson ``clt``, Gradient noise shrinks like one over root m:
its links, the values it states, its text."""

from __future__ import annotations

from dataclasses import replace

from lessons.lesson import Lesson, Link, opened, race_settings, regression, start_of, surface_of
from optim_core.noise import noise_scaling
from teach import measure
from webapp.settings import RaceSettings

_SGD = {"sgd": {"lr": 0.1}}


def _clt_race(m: int) -> RaceSettings:
    """The Race's gradient-noise view: the cloud of m-example gradients at the start point."""
    settings = race_settings(regression(1.0), _SGD, steps=300, batch=m, sampling="replacement")
    return replace(settings, chart="noise")


LINKS = (
    Link("m = {{m_0}}", _clt_race(1)),
    Link("m = {{m_1}}", _clt_race(4)),
    Link("m = {{m_2}}", _clt_race(16)),
)


def given(links) -> dict:
    sizes = [link.settings.run.batch for link in links]
    return {
        **{f"m_{i}": m for i, m in enumerate(sizes)},
        "n": surface_of(links[0].settings.view).n_examples,
        "size_factor": sizes[2] // sizes[1],
    }


def solve(links) -> dict:
    """The spreads the Race's noise view measures at the start point (``noise.noise_scaling``,
    its seed and sample count), with replacement as linked and without for comparison."""
    first = links[0].settings
    page, _ = opened(first)
    s = surface_of(page.view)
    start = start_of(page.view, s)
    sizes = [link.settings.run.batch for link in links]
    drawn = noise_scaling(s, start, page.run.sampling, seed=page.run.seed)  # m = 1 … N
    distinct = noise_scaling(s, start, "shuffle", seed=page.run.seed)
    out = {
        "start": start,
        "samples": drawn.samples,
        "slope": drawn.slope(up_to=drawn.fit_up_to),  # as the view's log-log chart fits it
        "slope_law": drawn.slope("predicted", drawn.fit_up_to),
    }
    by_m = [{r.m: r for r in measure.spread_by_size(x)} for x in (drawn, distinct)]
    for i, m in enumerate(sizes):
        r, d = by_m[0][m], by_m[1][m]
        out |= {
            f"spread_{i}": r.spread,
            f"ratio_{i}": r.ratio,
            f"predicted_{i}": r.predicted_ratio,
            f"distinct_{i}": d.ratio,
            f"distinct_predicted_{i}": d.predicted_ratio,
        }
    out["spread_factor"] = out["spread_1"] / out["spread_2"]
    return out


LESSON = Lesson(
    id="clt",
    title="Gradient noise shrinks like one over root m",
    topic="stochastic gradients",
    links=LINKS,
    story=(
        "A mini-batch gradient ĝ is the mean of m per-example gradients drawn at random. "
        "Averaging m independent draws divides their variance by m, so the spread of ĝ "
        r"around the true gradient falls like $1/\sqrt{m}$ — the standard error of a mean "
        "(and by the central limit theorem the cloud is close to Gaussian). "
        "The Race's gradient-noise view draws the cloud of ĝ for the chosen m."
    ),
    question=(
        "At the start point of the regression, how much smaller is the spread of ĝ with "
        "m = {{m_1}} than with m = {{m_0}}? And with m = {{m_2}}, a batch {{size_factor}} "
        "times larger again?"
    ),
    answer=(
        "Measured from {{samples}} mini-batches drawn with replacement at {{start}}: the "
        "RMS of ĝ − ∇f is {{spread_0}} at m = {{m_0}}, {{spread_1}} at m = {{m_1}} "
        r"({{ratio_1}} times as large; $1/\sqrt{m}$ = {{predicted_1}}) and {{spread_2}} "
        r"at m = {{m_2}} ({{ratio_2}} times; $1/\sqrt{m}$ = {{predicted_2}}). On the "
        "view's log-log chart the measured slope is {{slope}}, the law's {{slope_law}}. A "
        "batch {{size_factor}} times larger costs {{size_factor}} times more gradients and "
        "quiets the noise only {{spread_factor}} times. Drawn without replacement, as a batch "
        "within one of the Race's shuffled epochs is, m = {{m_2}} of the {{n}} examples is a "
        "sizeable share "
        r"of the data and the spread falls faster: {{distinct_2}} times, as "
        r"$\sqrt{(N - m)/(m(N - 1))}$ = {{distinct_predicted_2}} predicts."
    ),
    given=given,
    solve=solve,
)
