"""The pages' HTML tables (``webapp/table.py``) in chromium on a phone's width: a line breaks
between words only — never inside one, and a one-word cell (a number) never; code between its
tokens — and a table wider than the screen scrolls sideways in its box instead of pushing the
page wider.

The table is rendered alone (``page.set_content``), with the style the app sends: no server."""

from __future__ import annotations

import itertools
import re

import pytest

from webapp.table import _CODE_BREAK, _STYLE, table_html

ROWS = [  # the Network page's results as a phone showed them broken mid-word ("Momentu / m")
    {
        "optimizer": name,
        "α": lr,
        "train loss": "0.0133",
        "test loss": "0.107",
        "train accuracy": "100%",
        "test accuracy": "98%",
        "stopped": stopped,
    }
    for name, lr, stopped in (
        ("Gradient descent (SGD)", "1", "—"),
        ("Momentum (heavy ball)", "0.3", "diverged at step 1234"),
        ("Adam", "0.05", "stopped by the time budget at step 321"),
    )
] + [{"optimizer": "r₀ = 0 (initial_accumulator_value), √r + ε", "α": "3.84e-09"}]

# Per cell: its text, each character with the top of the line it lies on.
_CHAR_LINES = """() => [...document.querySelectorAll('.dl-table th, .dl-table td')].map(cell => {
    const out = [];
    const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
        for (let i = 0; i < node.textContent.length; i++) {
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const rect = range.getClientRects()[0];
            out.push([node.textContent[i], rect ? Math.round(rect.top) : null]);
        }
    }
    return out;
})"""


def _pieces(cells) -> list[tuple[str, int]]:
    """Every word of every cell, and on how many lines it lies: words are split at the spaces
    and, in code, between its tokens (``webapp.table._CODE_BREAK``: an identifier's parts)."""
    out = []
    for chars in cells:
        text = "".join(c for c, _ in chars)
        tops = [top for _, top in chars]
        for word in re.finditer(r"\S+", text):
            cuts = [m.start() for m in _CODE_BREAK.finditer(word.group())]
            bounds = [0, *cuts, len(word.group())]
            for a, b in itertools.pairwise(bounds):
                if b > a:
                    lines = {tops[word.start() + k] for k in range(a, b)}
                    out.append((word.group()[a:b], len(lines)))
    return out


@pytest.fixture
def phone(chromium_browser):
    context = chromium_browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    pg = context.new_page()
    yield pg
    context.close()


def test_on_a_phone_no_word_breaks_and_the_table_scrolls_sideways(phone):
    phone.set_content(
        '<html><head><meta name="viewport" content="width=device-width, initial-scale=1">'
        "</head><body style='margin:16px;font-family:sans-serif'>"
        f"{_STYLE}{table_html(ROWS)}</body></html>"
    )
    words = _pieces(phone.evaluate(_CHAR_LINES))
    assert {w for w, _ in words} >= {"Momentum", "(initial_", "accumulator_", "3.84e-09"}
    broken = [(w, lines) for w, lines in words if lines != 1]
    assert not broken, f"words broken over lines: {broken}"
    # some cells of several words do wrap, between words: the table is not one long line each
    rows = phone.evaluate(
        "() => [...document.querySelectorAll('.dl-table td')].map(td => td.offsetHeight)"
    )
    assert max(rows) > min(rows)
    box = phone.evaluate(
        """() => { const b = document.querySelector('[data-testid="stTable"]');
            return {scroll: b.scrollWidth, client: b.clientWidth,
                    page: document.documentElement.scrollWidth,
                    overflow: getComputedStyle(b).overflowX}; }"""
    )
    assert box["scroll"] > box["client"] and box["overflow"] == "auto", box  # it scrolls …
    assert box["page"] <= 390, box  # … in its box: the page is as wide as the screen
