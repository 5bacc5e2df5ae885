"""Lessons: one-click scenarios for a lecture — predict, then run — and where the formulas in the
lecture notes, PyTorch and optax differ."""

from __future__ import annotations

import streamlit as st

import lessons as _lesson_data
from lessons import CONVENTIONS, LESSONS, PAGE_TITLES, Lesson
from optim_core import OPTIMIZERS
from optim_core.spec import SOURCES
from webapp.settings import PageSettings
from webapp.state import publish, show_notices
from webapp.table import table
from webapp.ui import current_view

ALL_TOPICS = "All topics"
COLUMNS = 2


@st.cache_data(max_entries=64, show_spinner="Running the lesson…")
def answer_text(lesson_id: str) -> str:
    """The answer, its numbers from the lesson's own runs: computed once, when first revealed."""
    return _lesson_data.answer_text(lesson_id)


def _card(lesson: Lesson, present: bool) -> None:
    with st.container(border=True, key=f"lesson_{lesson.id}"):
        st.subheader(lesson.title)
        st.caption(lesson.topic)
        st.markdown(lesson.text(lesson.story))
        st.markdown(f"**Predict, then run.** {lesson.text(lesson.question)}")
        for link in lesson.links:
            st.link_button(
                f"Open in {PAGE_TITLES[link.page]}: {lesson.label(link)}",
                link.url(present),
                icon=":material/open_in_new:",
                help="Opens the page set up for this lesson, in a new tab.",
            )
        if st.toggle("Show the answer", key=f"lesson_reveal_{lesson.id}"):
            st.success(answer_text(lesson.id), icon=":material/lightbulb:")


def _lessons(present: bool) -> None:
    topics = [ALL_TOPICS, *dict.fromkeys(lesson.topic for lesson in LESSONS)]
    search, topic = st.columns([3, 2])
    words = search.text_input(
        "Search", key="lesson_search", placeholder="e.g. saddle, Adam, noise"
    ).lower()
    chosen = topic.selectbox("Topic", topics, key="lesson_topic")
    shown = [
        lesson
        for lesson in LESSONS
        if (chosen == ALL_TOPICS or lesson.topic == chosen)
        and all(
            w
            in f"{lesson.title} {lesson.topic} {lesson.text(lesson.story)} "
            f"{lesson.text(lesson.question)}".lower()
            for w in words.split()
        )
    ]
    if not shown:
        st.info("No lesson matches. Clear the search to see all of them.")
    for row in range(0, len(shown), COLUMNS):
        for column, lesson in zip(st.columns(COLUMNS), shown[row : row + COLUMNS], strict=False):
            with column:
                _card(lesson, present)


def _formulas() -> None:
    st.header("About the formulas")
    st.markdown(
        "The same optimizer is written slightly differently in the lecture notes, in PyTorch "
        "and in optax. The differences are small on paper and visible in the numbers: where "
        "ε sits changes the first steps, where α sits matters once it follows a schedule."
    )
    table(
        [
            {
                "": c.question,
                "lecture notes": c.lecture,
                "PyTorch": c.torch,
                "optax": c.optax,
                "Descent Lab": c.descent_lab,
            }
            for c in CONVENTIONS
        ]
    )
    with st.expander("The lecture lines this table quotes, as the course writes them"):
        for c in CONVENTIONS:
            if c.quotes:
                lines = "; ".join(f"{SOURCES[quote.source]}: {quote}" for quote in c.quotes)
                st.markdown(f"**{c.question}** — {lines}")
    st.markdown("**What Descent Lab implements**, in each optimizer's own words:")
    for optimizer in dict.fromkeys(o for c in CONVENTIONS for o in c.optimizers):
        spec = OPTIMIZERS[optimizer]
        with st.expander(f"{spec.name} — equals {spec.equals}"):
            st.markdown(spec.convention)
            rule, code = st.columns(2)
            rule.latex(spec.latex)
            code.code(spec.code, language="python")


def lessons_page() -> None:
    view = current_view()
    st.title("Lessons")
    st.caption(
        "Each lesson opens a page set up for it. Read the question, commit to a prediction, "
        "then open the page — and reveal the answer when the class has argued about it."
    )
    show_notices()
    _lessons(view.present)
    _formulas()
    publish(PageSettings(view=view))


lessons_page()
