"""Arrays for the browser, made cheap to send: float32 typed arrays, PNG images, and a figure
handed over to Streamlit as built.

The Race rebuilds its animated figure on every change of a setting: 60 frames × 14 optimizers.
What plotly.py would validate, copy and encode value by value is made here once, in the form
plotly.js takes as it is (``f32``: base64 float32, a third of the JSON of decimal text).
"""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from viz._compat import parts, set_parts, unvalidated

_F32_MAX = float(np.finfo(np.float32).max)


def as_f32(values) -> np.ndarray:
    """``values`` as little-endian float32; a value float32 cannot hold (or not finite) is NaN."""
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        values = np.where(np.abs(values) < _F32_MAX, values, np.nan)
    return values.astype("<f4")


def bdata(data: np.ndarray) -> dict:
    """A float32 array (``as_f32``) as plotly's typed-array spec."""
    return {"dtype": "f4", "bdata": base64.b64encode(data.tobytes()).decode("ascii")}


def f32(values) -> dict:
    """An array for the browser as plotly's typed-array spec: float32 (7 significant digits),
    base64-encoded — a third of the JSON of decimal text, and plotly takes it without the
    per-element checks it runs on lists and arrays. A value float32 cannot hold (or not finite)
    is sent as NaN, a gap: infinity never reaches the browser."""
    data = as_f32(values)
    spec = bdata(data)
    if data.ndim > 1:
        spec["shape"] = ", ".join(str(n) for n in data.shape)
    return spec


def png(rgb: np.ndarray) -> bytes:
    """An (h, w, 3) uint8 image as PNG bytes, greyscale when every pixel is grey (a third of
    the size)."""
    grey = bool((rgb == rgb[..., :1]).all())
    image = Image.fromarray(rgb[..., 0] if grey else rgb, "L" if grey else "RGB")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class Coords:
    """Points made float32 once (``as_f32``), each coordinate contiguous, so the frames'
    many selections of them are sliced and encoded without converting each again."""

    def __init__(self, points: np.ndarray):
        data = as_f32(points)
        self.x, self.y = np.ascontiguousarray(data[..., 0]), np.ascontiguousarray(data[..., 1])

    def xy(self, index) -> dict:
        return {"x": bdata(self.x[index]), "y": bdata(self.y[index])}


class BuiltFigure(go.Figure):
    """A figure whose traces, layout and frames are handed over as built. ``st.plotly_chart``
    calls ``to_dict``, which in plotly deep-copies the figure and walks every value for NumPy
    arrays to encode (60 frames × 14 optimizers: 30 000 values, about half of a rerun's server
    time). Here the traces and frames hold only plain dicts and base64 arrays (``f32``,
    ``Coords``), so they are passed as they are; a NumPy array left in them (the minima's) is
    written by plotly's JSON encoder. ``to_dict`` copies the traces and the frames one level
    deep (Streamlit pops the traces' ``uid``s) and the layout's top level: what is nested in
    it is the figure's own, to be read and not changed."""

    @classmethod
    def of(cls, data: list[dict], layout: dict, frames: list[dict]) -> BuiltFigure:
        """A figure holding ``data``, ``layout`` and ``frames`` (dicts: name, traces, data) as
        they are: its own from now on, ``update_layout`` changes them. ``go.Figure(data=…)``,
        even unvalidated, deep-copies every trace and makes an object of each (20 ms for 14
        optimizers, a third of the figure's time) for ``to_dict`` to take apart again, and
        ``go.Frame`` each frame. The empty template passed here spares plotly's default one,
        which it would copy in (about 1 ms) only for ``layout`` to replace it."""
        fig = unvalidated(cls, layout={"template": {}})
        set_parts(fig, data, layout, frames)
        return fig

    def to_dict(self) -> dict:
        data, layout, frames = parts(self)
        out = {"data": [dict(trace) for trace in data], "layout": dict(layout)}
        if frames:
            out["frames"] = [dict(frame) for frame in frames]
        return out
