"""The Lessons page through AppTest — every card, its links and its reveal — and every lesson's
link opened on its page: the configuration applied, no exception, and the page showing the claim."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app_pages._lesson_data import CONVENTIONS, LESSONS, PAGES, Link, query_params
from optim_core import OPTIMIZERS
from tests._apptest import APP, navigation_app
from tests.test_lessons import race, steps_to, surface

LINKS = [link for lesson in LESSONS for link in lesson.links]


def lessons_page(present: bool = False) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["present"] = present
    at.switch_page("app_pages/lessons.py").run()
    assert not at.exception, at.exception
    return at


def link_buttons(at) -> list[tuple[str, str]]:
    return [(b.proto.label, b.proto.url) for b in at.get("link_button")]


def test_every_lesson_has_a_card_with_its_question_links_and_a_hidden_answer():
    at = lessons_page()
    titles = [s.value for s in at.main.subheader]
    assert titles == [lesson.title for lesson in LESSONS]
    text = " ".join(m.value for m in at.markdown)
    buttons = link_buttons(at)
    assert len(buttons) == len(LINKS)
    for lesson in LESSONS:
        assert lesson.story in text and lesson.question in text
        assert lesson.answer not in " ".join(s.value for s in at.success)
    for (label, url), link in zip(buttons, LINKS, strict=True):
        assert label == f"Open in {PAGES[link.page][1]}: {link.label}"
        parts = urlsplit(url)
        assert parts.path == link.page  # relative: works under any base path
        assert parse_qs(parts.query) == {
            k: v if isinstance(v, list) else [v] for k, v in query_params(link).items()
        }


def test_the_answer_is_revealed_on_demand():
    at = lessons_page()
    first, second = LESSONS[0], LESSONS[1]
    at.toggle(key=f"lesson_reveal_{first.id}").set_value(True).run()
    shown = [s.value for s in at.success]
    assert shown == [first.answer]
    at.toggle(key=f"lesson_reveal_{second.id}").set_value(True).run()
    at.toggle(key=f"lesson_reveal_{first.id}").set_value(False).run()
    assert [s.value for s in at.success] == [second.answer]


def test_links_keep_presentation_mode():
    at = lessons_page(present=True)
    assert all(parse_qs(urlsplit(url).query)["present"] == ["true"] for _, url in link_buttons(at))


def test_search_and_topic_filter_the_cards():
    at = lessons_page()
    at.text_input(key="lesson_search").set_value("saddle").run()
    assert [s.value for s in at.main.subheader] == [
        lesson.title
        for lesson in LESSONS
        if "saddle" in (lesson.title + lesson.story).lower() or "saddle" in lesson.question.lower()
    ]
    at.text_input(key="lesson_search").set_value("").run()
    at.selectbox(key="lesson_topic").set_value("adaptive methods").run()
    assert [s.value for s in at.main.subheader] == [
        lesson.title for lesson in LESSONS if lesson.topic == "adaptive methods"
    ]
    at.text_input(key="lesson_search").set_value("no such words").run()
    assert not at.main.subheader and at.info


def test_the_formulas_section_shows_the_differences_and_each_rule_once():
    at = lessons_page()
    (table,) = at.table
    frame = table.value
    assert list(frame.columns)[1:] == ["lecture notes", "PyTorch", "optax", "Descent Lab"]
    assert len(frame) == len(CONVENTIONS)
    shown = list(dict.fromkeys(o for c in CONVENTIONS for o in c.optimizers))
    expanders = [e for e in at.expander if " — equals " in e.label]
    assert [e.label for e in expanders] == [
        f"{OPTIMIZERS[o].name} — equals {OPTIMIZERS[o].equals}" for o in shown
    ]
    latex = [element.value for element in at.latex]
    for o in shown:
        assert sum(OPTIMIZERS[o].latex in value for value in latex) == 1
        assert OPTIMIZERS[o].convention in " ".join(m.value for m in at.markdown)


# ---------------------------------------------------------------------------- each link, opened


def _setting_holds(at, key: str, value) -> bool:
    held = at.session_state[key]
    if isinstance(value, tuple):
        return list(held) == list(value)
    if isinstance(value, float):
        return held == pytest.approx(value)
    return held == value


def _race_table(at) -> dict[str, dict]:
    """The Race page's results, one row per optimizer (a table or a dataframe)."""
    frames = [t.value for t in [*at.table, *at.dataframe] if "optimizer" in t.value.columns]
    (frame,) = frames
    return {row["optimizer"]: row for row in frame.to_dict("records")}


def _count(cell) -> int | None:
    """A steps-to-tolerance cell: a number, or a dash / nothing when never reached."""
    if cell is None or cell == "—" or (isinstance(cell, float) and np.isnan(cell)):
        return None
    return int(float(cell))


def _shows_the_claim(at, link: Link) -> None:
    """What the page shows agrees with the lesson's runs (checked against its text in
    tests/test_lessons.py)."""
    if link.page == "race":
        table = _race_table(at)
        s = surface(link)
        f_min = float(np.min(s.f(np.asarray(s.minima, dtype=float))))
        for optimizer in link.get("race_opts"):
            row = next(
                r for name, r in table.items() if name in (optimizer, OPTIMIZERS[optimizer].name)
            )
            t = race(link, optimizer)
            if t.diverged_at is None:
                assert row["diverged"] == "—"
                steps_column = next(c for c in row if c.startswith("steps to"))
                expected = steps_to(t.loss, f_min, float(steps_column.rsplit("≤", 1)[1]))
                assert _count(row[steps_column]) == expected
            else:
                assert row["diverged"].startswith(f"diverged at step {t.diverged_at}")
    elif link.page == "step":
        optimizer = link.get("step_opt")
        assert OPTIMIZERS[optimizer].latex in at.latex[0].value
        t = link.get("step_t", 1)
        assert rf"\alpha_{{{t}}} &= " in at.latex[1].value
    elif link.page == "curvature" and link.surface == "saddle":
        assert any("**saddle**" in m.value for m in at.markdown)


@pytest.mark.parametrize("link", LINKS, ids=lambda link: f"{link.page}: {link.label}")
def test_each_lesson_link_opens_its_page_set_up_as_the_lesson_says(link):
    at = navigation_app(PAGES[link.page][0], query_params(link))
    assert not at.exception, at.exception
    state = at.session_state
    assert state["surface"] == link.surface
    for name, value in link.surface_params:
        assert state[f"{link.surface}_{name}"] == value
    if link.start is not None:
        assert (state["x0"], state["y0"]) == link.start
    for key, value in link.settings:
        assert _setting_holds(at, key, value), (key, state[key], value)
    _shows_the_claim(at, link)
