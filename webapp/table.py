"""A table of text as plain HTML: what ``st.table`` shows, without pandas and Arrow.

``st.table(rows)`` turns a list of dicts into a pandas DataFrame and an Arrow table: importing
pandas costs 0.4–0.7 s on a page's first run, and every rerun pays the conversion. The pages'
tables are already text (numbers formatted by ``optim_core``/``viz``), so they go to the browser
as an HTML table in a Markdown element: the same column headings and cells, escaped, in
Streamlit's Markdown table style, and in presentation mode's large type (sized in rem like the
rest of the text). The box keeps ``st.table``'s test id (``stTable``) for the browser tests.

``table_rows`` reads such a table back (the tests do, through AppTest's Markdown elements).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape
from html.parser import HTMLParser

import streamlit as st

CLASS = "dl-table"
# Words never break: a line breaks between words only ("Momentum (heavy ball)" may wrap before
# "(heavy", never inside "Momentum"), and a cell without a space stays on one line (a number:
# "3.84e-09" is never "3.84e-" over "09"; a heading's word likewise). A column is therefore at
# least as wide as its longest word, and a table wider than its room (a phone's screen, a long
# word) scrolls sideways in its box. Code in a cell may break between its tokens, as an
# identifier between its parts ("initial_" over "accumulator_value": ``_breakable``).
_STYLE = (
    f"<style>.{CLASS}-box{{overflow-x:auto;max-width:100%}}"
    f".{CLASS}{{width:100%;border-collapse:collapse;font-size:0.9rem}}"
    f".{CLASS} td.{CLASS}-word{{white-space:nowrap}}"
    f".{CLASS} th,.{CLASS} td{{overflow-wrap:normal;word-break:normal;hyphens:manual}}"
    f".{CLASS} th,.{CLASS} td{{text-align:left;vertical-align:top;padding:0.25rem 0.6rem;"
    f"border-bottom:1px solid rgba(49,51,63,0.15)}}"
    f".{CLASS} th{{font-weight:600;color:rgba(49,51,63,0.75)}}</style>"
)

# Between two characters of a token of code: after _ = { }, or before ( \ .
_CODE_BREAK = re.compile(r"(?<=[_={}])(?=\S)|(?<=\S)(?=[(\\])")


def _breakable(text: str) -> str:
    """``text`` escaped, with a line-break opportunity (``<wbr>``) between the tokens of code
    written in a cell (after ``_``, ``=``, ``{`` or ``}``, before ``(`` or ``\\`` inside a
    token: ``initial_<wbr>accumulator_<wbr>value``, ``sgd<wbr>(nesterov=<wbr>True)``): an
    identifier's parts are its words. A word of prose or a number has none of these."""
    return _CODE_BREAK.sub("<wbr>", escape(text))


def _cell(text: str) -> str:
    if " " not in text.strip():  # one word: never broken
        return f'<td class="{CLASS}-word">{escape(text)}</td>'
    return f"<td>{_breakable(text)}</td>"


def table_html(rows: Sequence[Mapping[str, object]]) -> str:
    """Rows (dicts with the same keys, in column order) as an HTML table, every cell escaped."""
    heads = list(rows[0]) if rows else []
    head = "".join(f"<th>{escape(str(h))}</th>" for h in heads)
    body = "".join(
        "<tr>" + "".join(_cell(str(row.get(h, ""))) for h in heads) + "</tr>" for row in rows
    )
    # One line, no blank line: Markdown passes an HTML block through as it is. The box carries
    # st.table's test id, so browser tests and layout checks find the table where they did.
    return (
        f'<div data-testid="stTable" class="{CLASS}-box"><table class="{CLASS}">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def table(rows: Sequence[Mapping[str, object]], container=None) -> None:
    """Draw ``rows`` as a table (in ``container``, else where the page is drawing)."""
    (container or st).markdown(_STYLE + table_html(rows), unsafe_allow_html=True)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.heads: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        if tag == "thead":
            self._in_head = True
        elif tag == "tbody":
            self._in_head = False
        elif tag == "tr" and not self._in_head:
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            text = "".join(self._cell)
            (self.heads if self._in_head else self.rows[-1]).append(text)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(markup: str) -> list[dict[str, str]] | None:
    """The rows of a table drawn by ``table`` (None if ``markup`` holds no such table)."""
    if f'<table class="{CLASS}">' not in markup:
        return None
    reader = _Reader()
    reader.feed(markup[markup.index(f'<table class="{CLASS}">') :])
    return [dict(zip(reader.heads, row, strict=True)) for row in reader.rows]
