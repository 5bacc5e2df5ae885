"""Plotly's private internals, used here and nowhere else in viz.

The Race hands plotly.py a figure as built (``_encode.BuiltFigure``): plain trace, layout and
frame dicts that no public API accepts without validating and copying every value. That takes
three things plotly does not promise to keep, all in ``plotly.basedatatypes.BaseFigure``:

- the ``_validate=False`` keyword of the constructor (no per-property validation);
- the attributes that hold a figure's parts: ``_data`` (a list of trace dicts), ``_layout``
  (the layout dict, which ``fig.layout`` and ``update_layout`` read and write) and
  ``_frame_objs`` (the frames, which ``fig.frames`` reads).

requirements.txt pins the plotly release these work with; ``tests/test_compat.py`` checks
each on it and names the one that moved.
"""

from __future__ import annotations

from typing import TypeVar

import plotly.graph_objects as go

Fig = TypeVar("Fig", bound=go.Figure)


def unvalidated(cls: type[Fig], **parts) -> Fig:
    """``cls(**parts)`` without plotly's per-property validation."""
    return cls(**parts, _validate=False)


def set_parts(fig: go.Figure, data: list[dict], layout: dict, frames: list[dict]) -> None:
    """Make ``data``, ``layout`` and ``frames`` the figure's own parts, as they are (no copy)."""
    fig._data, fig._layout, fig._frame_objs = data, layout, tuple(frames)


def parts(fig: go.Figure) -> tuple[list[dict], dict, tuple]:
    """The figure's own traces, layout and frames (not copies)."""
    return fig._data, fig._layout, fig._frame_objs
