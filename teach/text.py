"""How a lesson's numbers are written: templates with ``{{name}}`` fields, numbers to three
significant digits, powers of ten as such, a colour named from its hex code.

Teaching text holds no typed number: a field is filled from a value (a setting, or a result of
a run); formulas sit in ``$…$`` (KaTeX, rendered by ``st.markdown``). No Streamlit here.
"""

from __future__ import annotations

import colorsys
import math
import re
from collections.abc import Mapping

FIELD = re.compile(r"\{\{(\w+)\}\}")
MATH = re.compile(r"\$[^$]*\$")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")

# Hue bands (degrees) and their names; a colour's name is the band its hue falls in.
_HUES = (
    (15, "red"),
    (45, "orange"),
    (70, "yellow"),
    (165, "green"),
    (200, "cyan"),
    (255, "blue"),
    (290, "purple"),
    (335, "magenta"),
    (360, "red"),
)


def power_of_ten(value: float) -> str:
    """1e-4 -> "10⁻⁴"; a value that is not a power of ten -> shown()."""
    exponent = math.log10(value) if value > 0 else math.nan
    if math.isfinite(exponent) and exponent == round(exponent):
        return "10" + str(round(exponent)).translate(_SUPERSCRIPT)
    return shown(value)


def shown(value) -> str:
    """A value as the lessons write it: integers whole, floats to three significant digits
    (tiny or huge ones as m·10ᵏ), points as (x, y), a minus sign as such."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TypeError("a lesson states a fact in words, not as True / False")
    if isinstance(value, int):
        return str(value).replace("-", "−")
    if isinstance(value, tuple):
        return "(" + ", ".join(shown(float(v)) for v in value) + ")"
    value = float(value)
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        text = f"{value:.3g}"
    else:
        mantissa, exponent = f"{value:.2e}".split("e")
        mantissa = f"{float(mantissa):.3g}"
        text = ("" if mantissa == "1" else f"{mantissa}·") + power_of_ten(10.0 ** int(exponent))
    return text.replace("-", "−")


def fill(template: str, values: Mapping) -> str:
    """The template with every ``{{name}}`` replaced by ``shown(values[name])``."""
    return FIELD.sub(lambda m: shown(values[m.group(1)]), template)


def fields_of(template: str) -> set[str]:
    return set(FIELD.findall(template))


def colour_name(hex_code: str) -> str:
    """ "#ff4fd8" -> "magenta": the name of the hue band (grey when unsaturated)."""
    r, g, b = (int(hex_code.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, _lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    if saturation < 0.15:
        return "grey"
    degrees = hue * 360
    return next(name for edge, name in _HUES if degrees < edge)


def marker_name(symbol: str) -> str:
    """A Plotly marker symbol in words: "diamond-open" -> "open diamond"."""
    parts = symbol.split("-")
    return " ".join([*(p for p in parts[1:]), parts[0]]).replace("dot", "dotted")
