"""The lesson ``noise``, Gradient noise and batch size:
its links, the values it states, its text."""

from __future__ import annotations

from lessons.lesson import Lesson, Link, bowl, cloud_of, race_settings
from webapp.settings import fmt

WINDOW = 100  # the last steps over which the cloud and the loss floor are measured
LINKS = (
    Link(
        "σ = {{sigma_loud}}", race_settings(bowl(10.0), {"sgd": {"lr": 0.05}}, steps=300, noise=1.0)
    ),
    Link(
        "σ = {{sigma_quiet}}",
        race_settings(bowl(10.0), {"sgd": {"lr": 0.05}}, steps=300, noise=0.5),
    ),
)


def given(links) -> dict:
    loud, quiet = links[0].settings.run.noise, links[1].settings.run.noise
    return {
        "sigma_loud": fmt(loud),
        "sigma_quiet": fmt(quiet),
        "batch_factor": fmt((loud / quiet) ** 2),
        "sigma_ratio": fmt(loud / quiet),
        "sigma_ratio_sq": fmt((loud / quiet) ** 2),
        "window": WINDOW,
    }


def solve(links) -> dict:
    loud, quiet = (cloud_of(k.settings, WINDOW) for k in links)
    return {
        "spread_ratio": loud.spread / quiet.spread,
        "floor_ratio": loud.floor / quiet.floor,
        "floor_loud": loud.floor,
        "floor_quiet": quiet.floor,
    }


LESSON = Lesson(
    id="noise",
    title="Gradient noise and batch size",
    topic="stochastic gradients",
    links=LINKS,
    story=(
        "A mini-batch gradient is the true gradient plus noise whose standard deviation "
        r"falls as $1/\sqrt{m}$ for a batch of m. Here the noise is added explicitly, "
        r"$\sigma\xi$ with $\xi$ standard normal. Near the minimum the pull of the gradient "
        "and the kicks of the noise balance, and SGD jitters in a cloud instead of "
        "converging."
    ),
    question=(
        "Going from σ = {{sigma_loud}} to σ = {{sigma_quiet}} is like a batch "
        "{{batch_factor}} times larger. How do the size of the cloud and the loss floor "
        "change?"
    ),
    answer=(
        "Over the last {{window}} steps the cloud's RMS radius is {{spread_ratio}} times "
        "smaller (σ is {{sigma_ratio}} times smaller) and the mean f − f_min "
        "{{floor_ratio}} times smaller ({{floor_loud}} against {{floor_quiet}}; "
        r"$\sigma^2$ is {{sigma_ratio_sq}} times smaller): the cloud grows like σ, the loss "
        r"floor like $\sigma^2$. A batch {{batch_factor}} times larger buys only a "
        r"{{sigma_ratio}} times smaller cloud: the $\sqrt{m}$ law. Shrinking α shrinks the "
        "cloud too — see the next lesson."
    ),
    given=given,
    solve=solve,
)
