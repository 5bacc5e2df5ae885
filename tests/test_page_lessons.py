"""The Lessons page through AppTest — every card, its links and its reveal — and every lesson's
link opened on its page: the settings applied, no exception, and the Race table showing the
numbers the lesson's answer states."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from lessons import (
    CONVENTIONS,
    LESSONS,
    PAGE_TITLES,
    answer_text,
    opened,
    race_rows,
)
from optim_core import OPTIMIZERS
from tests._apptest import APP, navigation_app
from tests._tables import tables
from webapp.pages import PAGES
from webapp.settings import SCHEMA, RaceSettings, StepSettings

LINKS = [(lesson, link) for lesson in LESSONS for link in lesson.links]
PAGE_FILES = {page.url_path: page.script for page in PAGES}


def lessons_page(present: bool = False) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    if present:
        at.query_params["present"] = "true"
    at.run()
    at.switch_page("app_pages/lessons.py").run()
    assert not at.exception, at.exception
    return at


def link_buttons(at) -> list[tuple[str, str]]:
    return [(b.proto.label, b.proto.url) for b in at.get("link_button")]


def test_every_lesson_has_a_card_with_its_question_links_and_a_hidden_answer():
    at = lessons_page()
    assert [s.value for s in at.main.subheader] == [lesson.title for lesson in LESSONS]
    text = " ".join(m.value for m in at.markdown)
    assert not at.success  # no answer is computed or shown before it is asked for
    buttons = link_buttons(at)
    assert len(buttons) == len(LINKS)
    for lesson in LESSONS:
        assert lesson.text(lesson.story) in text and lesson.text(lesson.question) in text
    for (label, url), (lesson, link) in zip(buttons, LINKS, strict=True):
        assert label == f"Open in {PAGE_TITLES[link.page]}: {lesson.label(link)}"
        assert url == link.url() and urlsplit(url).path == f"/{link.page}"


def test_the_answer_is_revealed_on_demand_with_its_computed_numbers():
    at = lessons_page()
    first, second = LESSONS[0], LESSONS[1]
    at.toggle(key=f"lesson_reveal_{first.id}").set_value(True).run()
    assert [s.value for s in at.success] == [answer_text(first.id)]
    at.toggle(key=f"lesson_reveal_{second.id}").set_value(True).run()
    at.toggle(key=f"lesson_reveal_{first.id}").set_value(False).run()
    assert [s.value for s in at.success] == [answer_text(second.id)]
    assert not at.exception


def test_links_keep_presentation_mode():
    at = lessons_page(present=True)
    queries = [parse_qs(urlsplit(url).query) for _, url in link_buttons(at)]
    assert queries and all(q["present"] == ["true"] for q in queries)


def test_search_and_topic_filter_the_cards():
    at = lessons_page()
    at.text_input(key="lesson_search").set_value("saddle").run()
    assert [s.value for s in at.main.subheader] == [
        lesson.title
        for lesson in LESSONS
        if "saddle"
        in f"{lesson.title} {lesson.topic} {lesson.text(lesson.story)} "
        f"{lesson.text(lesson.question)}".lower()
    ]
    at.text_input(key="lesson_search").set_value("").run()
    at.selectbox(key="lesson_topic").set_value("adaptive methods").run()
    assert [s.value for s in at.main.subheader] == [
        lesson.title for lesson in LESSONS if lesson.topic == "adaptive methods"
    ]
    at.text_input(key="lesson_search").set_value("no such words").run()
    assert not at.main.subheader and at.info


def test_the_formulas_section_draws_from_the_optimizer_metadata():
    at = lessons_page()
    (rows,) = tables(at)  # a plain table (no pandas): it wraps its cells on a narrow screen
    assert list(rows[0])[1:] == ["lecture notes", "PyTorch", "optax", "Descent Lab"]
    assert len(rows) == len(CONVENTIONS)
    shown = list(dict.fromkeys(o for c in CONVENTIONS for o in c.optimizers))
    expanders = [e for e in at.expander if " — equals " in e.label]
    assert [e.label for e in expanders] == [
        f"{OPTIMIZERS[o].name} — equals {OPTIMIZERS[o].equals}" for o in shown
    ]
    latex = [element.value for element in at.latex]
    markdown = " ".join(m.value for m in at.markdown)
    for o in shown:
        assert sum(OPTIMIZERS[o].latex in value for value in latex) == 1
        assert OPTIMIZERS[o].convention in markdown


# ---------------------------------------------------------------------------- each link, opened


def _race_table(at) -> dict[str, dict]:
    (rows,) = [rows for rows in tables(at) if rows and "optimizer" in rows[0]]
    return {row["optimizer"]: row for row in rows}


def _steps(cell) -> int | None:
    return None if cell in (None, "—") else int(float(cell))


@pytest.mark.parametrize(
    "lesson, link", LINKS, ids=[f"{lesson.id}: {link.label}" for lesson, link in LINKS]
)
def test_each_lesson_link_opens_its_page_set_up_as_the_lesson_says(lesson, link):
    query = {k: v for k, v in parse_qs(urlsplit(link.url()).query).items()}
    at = navigation_app(
        PAGE_FILES[link.page], {k: v[-1] if len(v) == 1 else v for k, v in query.items()}
    )
    assert not at.exception, at.exception
    assert not at.warning or all("could not be used" not in w.value for w in at.warning)
    page, _ = opened(link.settings)
    store = at.session_state["_url_values"]
    for key, value in page.values().items():
        if key in SCHEMA and key in link.settings.query():
            assert store.get(key, SCHEMA[key].default) == value, key
    if isinstance(link.settings, RaceSettings):
        table = _race_table(at)
        column = next(c for c in next(iter(table.values())) if "from step" in c)
        for optimizer, row in race_rows(link.settings).items():
            shown = table[OPTIMIZERS[optimizer].name]
            assert _steps(shown[column]) == row.settled_at, (optimizer, column)
    elif isinstance(link.settings, StepSettings):
        assert at.latex  # the update rule, with the numbers of the step shown
