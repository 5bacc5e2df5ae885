"""The lesson ``local_global``, Local vs global minimum:
its links, the values it states, its text."""

from __future__ import annotations

from lessons.lesson import Lesson, Link, race_runs, race_settings
from teach import measure
from webapp.settings import View

LINKS = (
    Link(
        "start {{start_a}}",
        race_settings(
            View(surface_id="multi_minimum", start=(-2.0, 1.0)), {"sgd": {"lr": 0.5}}, steps=300
        ),
    ),
    Link(
        "start {{start_b}}",
        race_settings(
            View(surface_id="multi_minimum", start=(-2.0, 1.5)), {"sgd": {"lr": 0.5}}, steps=300
        ),
    ),
)


def given(links) -> dict:
    a, b = (link.settings.view.start for link in links)
    return {"start_a": a, "start_b": b, "distance": measure.distance(a, b)}


def solve(links) -> dict:
    out = {}
    for name, link in zip("ab", links, strict=True):
        s, runs = race_runs(link.settings)
        end = measure.end_of(runs["sgd"])
        nearest = measure.nearest_minimum(s, end)
        out[f"end_{name}"] = end
        out[f"f_{name}"] = measure.value_at(s, end)
        out[f"deep_{name}"] = nearest.deepest
        out[f"to_min_{name}"] = nearest.distance
    return out


LESSON = Lesson(
    id="local_global",
    title="Local vs global minimum",
    topic="non-convex surfaces",
    links=LINKS,
    story=(
        "Gradient descent only knows the slope where it stands. On a surface with a deep and "
        "a shallow well, the basin it starts in decides where it ends — not which well is "
        "deeper."
    ),
    question=(
        "Gradient descent from {{start_a}} and from {{start_b}}, {{distance}} apart. Do the "
        "runs end in the same well?"
    ),
    answer=(
        "No. From {{start_a}} gradient descent rolls into the shallow well near {{end_a}}, "
        "f = {{f_a}}; from {{start_b}} it reaches the deep one near {{end_b}}, f = {{f_b}}. "
        "The boundary between the basins runs between the starts: click the contour "
        "to try others."
    ),
    given=given,
    solve=solve,
)
