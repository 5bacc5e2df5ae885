"""Colours you can tell apart: the paths shown together, and each path on the contour behind it.

Measured with CIEDE2000 (ΔE₀₀) and, for colour-blind eyes, Machado, Oliveira & Fernandes (2009)
at full severity — both as ColorAide computes them. What is shown together: the Race's default
optimizers and every lesson's race (and the Step page's look-ahead beside Nesterov). Those
pairs differ by ΔE₀₀ ≥ 30, and by ≥ 20 under deuteranopia and protanopia (views of up to four
paths); every optimizer colour differs by ≥ 30 from every grey of the contour's fill. The
marker symbol stays a second channel: each optimizer has its own.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from coloraide import Color

from lessons import LESSONS
from optim_core import OPTIMIZERS
from viz import LOOKAHEAD_COLOR
from viz._base import contour_colors
from webapp.settings import SCHEMA

SEEN_TOGETHER = 30.0  # ΔE₀₀ between paths shown together, and from the contour
COLOUR_BLIND = 20.0  # … under deuteranopia and protanopia, in views of up to four paths
DEFICIENCIES = ("deutan", "protan")


def _delta(a: str, b: str) -> float:
    return Color(a).delta_e(Color(b), method="2000")


def _seen(color: str, deficiency: str) -> str:
    simulated = Color(color).filter(deficiency, method="machado").convert("srgb")
    return simulated.fit().to_string(hex=True)


def _views() -> list[tuple[str, tuple[str, ...]]]:
    views = [("the Race's default", tuple(SCHEMA["race_opts"].default))]
    for lesson in LESSONS:
        for link in lesson.links:
            optimizers = getattr(link.settings, "optimizers", ())
            if len(optimizers) > 1:
                views.append((f"lesson {lesson.id}: {link.label}", tuple(optimizers)))
    return views


def _contour_greys() -> list[str]:
    fill = contour_colors(64)
    return [f"rgb({r:.0f} {g:.0f} {b:.0f})" for r, g, b in np.asarray(fill)]


VIEWS = _views()


@pytest.mark.parametrize(("view", "optimizers"), VIEWS, ids=[v for v, _ in VIEWS])
def test_paths_shown_together_differ_by_ciede2000_30(view, optimizers):
    for p, q in itertools.combinations(optimizers, 2):
        gap = _delta(OPTIMIZERS[p].color, OPTIMIZERS[q].color)
        assert gap >= SEEN_TOGETHER, f"{view}: {p} and {q} differ by ΔE₀₀ {gap:.1f}"


@pytest.mark.parametrize("deficiency", DEFICIENCIES)
@pytest.mark.parametrize(("view", "optimizers"), VIEWS, ids=[v for v, _ in VIEWS])
def test_to_colour_blind_eyes_paths_shown_together_still_differ(view, optimizers, deficiency):
    assert len(optimizers) <= 4
    for p, q in itertools.combinations(optimizers, 2):
        a, b = (_seen(OPTIMIZERS[o].color, deficiency) for o in (p, q))
        gap = _delta(a, b)
        assert gap >= COLOUR_BLIND, f"{view} ({deficiency}): {p}, {q} differ by ΔE₀₀ {gap:.1f}"


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_every_path_stands_out_on_the_contour(optimizer):
    color = OPTIMIZERS[optimizer].color
    gap = min(_delta(color, grey) for grey in _contour_greys())
    assert gap >= SEEN_TOGETHER, f"{optimizer} {color}: ΔE₀₀ {gap:.1f} from the contour"


def test_the_look_ahead_stands_out_beside_nesterov_and_on_the_contour():
    assert _delta(LOOKAHEAD_COLOR, OPTIMIZERS["nesterov"].color) >= SEEN_TOGETHER
    assert min(_delta(LOOKAHEAD_COLOR, g) for g in _contour_greys()) >= SEEN_TOGETHER


def test_each_optimizer_has_its_own_colour_and_marker():
    colors = [spec.color for spec in OPTIMIZERS.values()]
    markers = [spec.marker for spec in OPTIMIZERS.values()]
    assert len(set(colors)) == len(colors) and len(set(markers)) == len(markers)
    assert "star" not in markers  # the minima are drawn as stars


def test_the_pair_the_nesterov_lesson_compares_is_now_far_apart():
    """Momentum and Nesterov were orange and red-orange (ΔE₀₀ ≈ 18)."""
    assert _delta(OPTIMIZERS["momentum"].color, OPTIMIZERS["nesterov"].color) >= 40
