"""Text a visitor supplied (a URL value, a typed formula), made inert for Streamlit's Markdown.

``st.markdown``, ``st.warning``, ``st.error`` and ``st.caption`` render their text as Markdown:
a value shown as it came could draw an image the browser fetches (``![x](http://…)``), a link,
a colour, an icon or a formula. ``inert`` puts the value in a code span, which Markdown shows
character for character — no emphasis, link, image, HTML, math, emoji or directive inside — and
takes from it what could end the span or the line it sits on. No Streamlit here.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["inert"]

_BACKTICKS = re.compile(r"`+")
_WORD_JOINER = "\u2060"  # invisible and zero-width: breaks a link pattern, not the text read
# What a renderer may rewrite even in code: a scheme's ``://``, a bare ``www.``, an e-mail's
# ``@``, and ``:material/…:`` (Streamlit makes it an icon before it parses the Markdown).
_LINKISH = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)|(?<=:)(?=material/)", re.IGNORECASE)


def _line_safe(ch: str) -> str:
    """A control character (a line break ends the span and starts a new Markdown block) as a
    space; everything else as it is."""
    return " " if unicodedata.category(ch) == "Cc" else ch


def inert(text: str) -> str:
    """Markdown that shows ``text`` as it is, in code type, and is live nowhere.

    The span's fence is one backtick longer than the longest run of backticks in the text, and a
    space pads a text that starts or ends with a backtick or a space (Markdown strips one from
    each side of a span that is not all spaces); control characters become spaces; a word
    joiner splits ``://``, ``www.`` and ``:material/`` and follows each ``@``.
    """
    text = "".join(map(_line_safe, str(text)))
    if not text:
        return ""
    text = _LINKISH.sub(_WORD_JOINER, text)
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.strip(" ") and (text[0] in "` " or text[-1] in "` ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
