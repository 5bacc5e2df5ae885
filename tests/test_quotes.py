"""Attributions quote the course: every text that names CS231n, NPTEL, the Guilan slides or the
student notes carries the line it relies on, and that line is in the course material.

The course material's extracts live in ``../shared/course/``; the lines the app quotes are kept,
a few at a time, in ``tests/data/course/<source>.txt`` (``@@`` lines say where they come from).
Each quote must occur in its source's excerpt, and each excerpt line in the course material
itself when that is at hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lessons import CONVENTIONS, LESSONS
from optim_core import OPTIMIZERS, SCHEDULES
from optim_core.optimizers import quotes
from optim_core.spec import SOURCES, STANDARD, Quote

DATA = Path(__file__).resolve().parent / "data" / "course"
COURSE = Path(__file__).resolve().parents[2] / "shared" / "course"
NAMES = sorted(set(SOURCES.values()))


def _plain(text: str) -> str:
    """Whitespace runs as one space: the extracts carry trailing spaces and line breaks."""
    return re.sub(r"\s+", " ", text).strip()


def _excerpt_lines(source: str) -> list[str]:
    lines = DATA.joinpath(f"{source}.txt").read_text().splitlines()
    return [_plain(line) for line in lines if line.strip() and not line.startswith("@@")]


def _excerpt(source: str) -> str:
    return " ".join(_excerpt_lines(source))


def _every_quote() -> list[Quote]:
    found = [q for q in vars(quotes).values() if isinstance(q, Quote)]
    found += [q for spec in OPTIMIZERS.values() for q in spec.quotes]
    found += [q for c in CONVENTIONS for q in c.quotes]
    return list(dict.fromkeys(found))


def _named(text: str) -> set[str]:
    return {name for name in NAMES if name in text}


def test_there_is_one_excerpt_per_source_and_every_quote_comes_from_one():
    assert {p.stem for p in DATA.glob("*.txt")} >= set(SOURCES)
    assert len(_every_quote()) >= 20
    for quote in _every_quote():
        assert quote.source in SOURCES and quote.form in ("code", "math", "words"), quote


@pytest.mark.parametrize("quote", _every_quote(), ids=lambda q: q.text[:40])
def test_every_quote_occurs_in_its_sources_excerpt(quote):
    assert _plain(quote.text) in _excerpt(quote.source), (quote.source, quote.text)


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_each_excerpt_line_is_verbatim_from_the_course_material(source):
    if not COURSE.is_dir():
        pytest.skip(f"the course material is not at {COURSE}")
    if not DATA.joinpath(f"{source}.txt").exists():
        pytest.skip(f"no excerpt of {source}")
    full = {_plain(line) for line in COURSE.joinpath(f"{source}.txt").read_text().splitlines()}
    for line in _excerpt_lines(source):
        assert line in full, (source, line)


def test_a_quote_shows_as_markdown_its_form_says():
    code, math, words = (
        Quote("cs231n-lecture", "a * b", form) for form in ("code", "math", "words")
    )
    assert (str(code), str(math), str(words)) == ("`a * b`", "$a * b$", "“a * b”")
    assert code.plain == math.plain == "“a * b”"


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_each_optimizer_note_that_names_a_source_shows_its_line(optimizer):
    spec = OPTIMIZERS[optimizer]
    shown = set()
    for flags in spec.flag_combinations():
        note = spec.convention_for(flags)
        for name in _named(f"{spec.description} {spec.equals} {note}"):
            quoted = [q for q in spec.quotes if SOURCES[q.source] == name and str(q) in note]
            assert quoted, (optimizer, flags, name)
        shown |= {q for q in spec.quotes if str(q) in note}
    assert shown == set(spec.quotes), optimizer  # every quote it carries is shown


@pytest.mark.parametrize("convention", CONVENTIONS, ids=lambda c: c.question)
def test_each_row_of_the_formulas_table_that_names_a_source_shows_its_line(convention):
    c = convention
    for name in _named(f"{c.question} {c.lecture} {c.torch} {c.optax} {c.descent_lab}"):
        assert [q for q in c.quotes if SOURCES[q.source] == name and q.plain in c.lecture], name
    assert all(q.plain in c.lecture for q in c.quotes)


def test_texts_without_a_place_for_quotes_name_no_source():
    helps = [h.help for spec in OPTIMIZERS.values() for h in spec.hyper]
    helps += [h.help for h in STANDARD.values()]
    helps += [h.help for s in SCHEDULES.values() for h in s.params]
    helps += [s.description for s in SCHEDULES.values()]
    helps += [text for lesson in LESSONS for text in (lesson.story, lesson.question, lesson.answer)]
    for text in helps:
        assert not _named(text), text


def test_the_name_check_catches_an_unquoted_attribution():
    assert _named("as on the NPTEL slides") == {"NPTEL"}
    assert _named("CS231n's form and the Guilan slides") == {"CS231n", "Guilan"}
    assert not _named("as torch and optax do")
