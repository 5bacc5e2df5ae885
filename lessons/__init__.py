"""The lessons: one-click scenarios for a lecture. A lesson is one module of this package, read
top to bottom: its links (the settings objects of the pages it opens), ``given``, ``solve``
and ``LESSON``, its story, question and answer as templates with ``{{fields}}``. What the
lessons share is in ``lessons.lesson``; the formulas' conventions in ``lessons.conventions``.

* ``given(links)`` reads the setup's own values from its settings objects (no run: cheap), for
  the story, the question and the link labels.
* ``solve(links)`` opens each link as its page would (the URL round trip: ``parse_query`` then
  the page's ``read``), runs it, and measures with ``teach.measure`` (settling by
  ``analysis.steps_to_tolerance``: "stays within the tolerance from step k on"), ``race_results``
  (the Race table) and ``theory.*``. The lessons hold no NumPy: they compose those calls.

``tests/test_lessons.py`` checks each claim's direction on the same ``solve`` output, and that no
template types a number. No Streamlit here: the page caches ``answer_text``.

To add a lesson, write its module and add its name to ``_MODULES``: the order there is the
order in which the lessons are imported and shown.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from lessons.conventions import CONVENTIONS, Convention
from lessons.lesson import PAGE_TITLES, Lesson, Link, opened, race_rows, race_runs, step_run
from teach.text import fill

_MODULES = (  # one module of this package per lesson, in the order of the page
    "momentum",
    "nesterov",
    "saddle",
    "adagrad",
    "adam_bias",
    "lr_too_large",
    "feature_scaling",
    "noise",
    "decay",
    "local_global",
    "condition_number",
    "newton",
    "minibatch",
    "clt",
    "robbins_monro",
    "lion",
    "edge_of_stability",
)

LESSONS: tuple[Lesson, ...] = tuple(import_module(f"lessons.{m}").LESSON for m in _MODULES)
LESSONS_BY_ID: dict[str, Lesson] = {lesson.id: lesson for lesson in LESSONS}


@cache
def facts(lesson_id: str) -> dict:
    """Every value of the lesson's answer: its setup's own values and its runs' results."""
    lesson = LESSONS_BY_ID[lesson_id]
    return {**lesson.setup(), **lesson.solve(lesson.links)}


def answer_text(lesson_id: str) -> str:
    """The lesson's answer, every number filled from its runs."""
    return fill(LESSONS_BY_ID[lesson_id].answer, facts(lesson_id))


__all__ = [
    "CONVENTIONS",
    "LESSONS",
    "LESSONS_BY_ID",
    "PAGE_TITLES",
    "Convention",
    "Lesson",
    "Link",
    "answer_text",
    "facts",
    "opened",
    "race_rows",
    "race_runs",
    "step_run",
]
