"""webapp.escape: a value from a link or a keyboard is shown as text, never as live Markdown
(issue #20). ``inert`` alone, then every URL key of every page fed Markdown and HTML payloads
through AppTest: each notice names the key and shows the value, inside code spans only.

What AppTest sees is the Markdown source; ``spans`` reads it as CommonMark does (code spans
first: what is in them is shown as it is). tests/e2e/test_escape.py checks the browser's DOM.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests._apptest import navigation_app
from webapp.escape import inert
from webapp.settings import SCHEMA, parse_query
from webapp.url import SHOWN_CHARS

WORD_JOINER = "\u2060"
LONG = "a" * 30  # a value is cut after 37 characters: some of what follows this is kept
PAYLOADS = (
    "![x](http://h/p.png)",
    "[a](javascript:alert(1))",
    "`x`![y](http://h)",
    "`![x](http://h/x.png)`",
    "<img src=http://h/x.png>",
    "http://h/",
    "www.h.com",
    "x@h.com",
    ":red[x] :material/home: :smile: $x^2$ **b** _i_ ~~s~~",
    "a\n# ![x](http://h/p.png)",
    "``` ![x](http://h/p.png)",
    LONG + "http://h.example/" + "b" * 20,  # cut: a bare http:// before the "…"
    LONG + "www.h.example/" + "b" * 20,
    "![x](http://h/" + "p" * 40 + ".png)",  # cut: an image with no closing parenthesis
    "`" * 3 + LONG + "`" * 2,  # cut inside a run of backticks
)
PAGES = (
    "app_pages/race.py",
    "app_pages/curvature.py",
    "app_pages/lr_lab.py",
    "app_pages/step.py",
    "app_pages/lessons.py",
)
# Live Markdown that would make an element or a request: an image, a link, HTML, a bare URL.
LIVE = re.compile(r"!\[|\]\(|<\s*[a-z/!]|https?:|javascript:|www\.|://|@\w", re.IGNORECASE)
# On a page, beside the app's own HTML (a legend's colour, a table, a style): the same but tags
# that fetch or link, and links other than the app's own (a lesson's link to a page, "](/…").
LIVE_ON_PAGE = re.compile(
    r"!\[|\]\((?!/)|<\s*(?:img|a|image|svg|iframe|object|embed|video|audio|source|link|script)\b"
    r"|https?:|javascript:|www\.|://|\w@\w",  # an e-mail, not a style's @container
    re.IGNORECASE,
)


def spans(md: str) -> tuple[str, list[str]]:
    """(the Markdown outside code spans, the text of each code span), as CommonMark reads it:
    a run of n backticks opens a span that the next run of exactly n closes (none: literal);
    one space is stripped from each side of a padded one. Stricter than CommonMark, a span
    closes on its own line: a value's line break could start a new block (a heading) there."""
    outside, texts, i = [], [], 0
    while i < len(md):
        if md[i] == "\\" and i + 1 < len(md):
            outside.append(md[i : i + 2])
            i += 2
            continue
        if md[i] != "`":
            outside.append(md[i])
            i += 1
            continue
        n = len(re.match(r"`+", md[i:]).group())
        line = md[i + n :].split("\n", 1)[0]
        close = next((m for m in re.finditer(r"`+", line) if len(m.group()) == n), None)
        if close is None:
            outside.append(md[i : i + n])
            i += n
            continue
        text = md[i + n : i + n + close.start()]
        if len(text) > 1 and text[0] == text[-1] == " " and text.strip(" "):
            text = text[1:-1]
        texts.append(text)
        i += n + close.end()
    return "".join(outside), texts


def shown(value: str) -> str:
    """What a reader sees of ``value``: control characters as spaces, no word joiners."""
    return "".join(" " if ch < " " or "\x7f" <= ch <= "\x9f" else ch for ch in value)


def shown_cut(value: str) -> str:
    """What a notice shows of ``value``: at most SHOWN_CHARS characters, "…" marking a cut."""
    cut = value if len(value) <= SHOWN_CHARS else value[: SHOWN_CHARS - 3] + "…"
    return shown(cut)


def read(span: str) -> str:
    return span.replace(WORD_JOINER, "")


# ---------------------------------------------------------------------------- inert


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_is_one_code_span_that_shows_it_as_it_is(payload):
    md = inert(payload)
    outside, texts = spans(md)
    assert outside == "" and [read(t) for t in texts] == [shown(payload)], md
    assert "\n" not in md and "\r" not in md


@given(st.text())
def test_any_text_is_one_code_span_that_shows_it(text):
    md = inert(text)
    outside, texts = spans(md)
    assert outside == ""
    assert [read(t) for t in texts] == ([shown(text)] if text else [])


PIECES = ["http", "www", "material", ":", "/", ".", "@", "`", " ", "x"]


@given(st.lists(st.sampled_from(PIECES), max_size=20).map("".join))
def test_no_link_or_icon_pattern_survives_even_inside_the_span(text):
    md = inert(text)
    assert not re.search(r"://|www\.|@(?!\u2060)|:material/", md, re.IGNORECASE), md


# ---------------------------------------------------------------------------- notices


def _notice_markdown(notices) -> str:
    return "\n".join(f"- {n}" for n in notices)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_key_s_notice_names_it_and_shows_the_value_in_code_only(payload):
    query = dict.fromkeys(SCHEMA, payload)
    _, notices = parse_query(query, SCHEMA)
    md = _notice_markdown(notices)
    outside, texts = spans(md)
    assert not LIVE.search(outside), outside
    value = shown_cut(payload)
    named = {read(t) for t in texts}
    refused = {n.key for n in notices}
    assert refused == set(SCHEMA) - {"formula"}  # text: kept, and shown only by the parser
    for key in refused:
        assert f"{key}={value}" in named, key


def test_the_unknown_optimizers_are_named_in_code_too():
    (notice,) = parse_query({"race_opts": ["adam", "![x](http://h/p.png)"]}, SCHEMA)[1]
    outside, texts = spans(str(notice))
    assert "names no known choice" in outside and not LIVE.search(outside)
    assert [read(t) for t in texts] == [
        "race_opts=adam,![x](http://h/p.png)",
        "![x](http://h/p.png)",
    ]


# ---------------------------------------------------------------------------- pages


def _markdown_of(at) -> list[str]:
    """The Markdown source of every element that renders it."""
    kinds = ("warning", "error", "info", "success", "caption", "markdown")
    return [str(e.value) for kind in kinds for e in at.get(kind)]


def _assert_inert(at) -> None:
    for md in _markdown_of(at):
        outside, _ = spans(md)
        assert not LIVE_ON_PAGE.search(outside), md


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("payload", PAYLOADS[:6] + PAYLOADS[11:14])
def test_payloads_in_every_key_of_every_page_render_as_text(page, payload):
    at = navigation_app(page, dict.fromkeys(SCHEMA, payload))
    assert not at.exception, [e.message for e in at.exception]
    _assert_inert(at)
    if page == "app_pages/race.py":  # the page the link opens: the notice is shown there
        (notice,) = [w.value for w in at.warning if "could not be used" in w.value]
        texts = {read(t) for t in spans(notice)[1]}
        value = shown_cut(payload)
        assert {f"{key}={value}" for key in SCHEMA} - {f"formula={value}"} <= texts


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_typed_formula_s_error_shows_it_as_text(payload):
    at = navigation_app("app_pages/race.py", {"surface": "custom", "formula": payload})
    assert not at.exception, [e.message for e in at.exception]
    (error,) = at.error
    assert "can't be used" in error.value
    _assert_inert(at)
