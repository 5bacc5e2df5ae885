"""What every figure shares: the one Plotly config, and the package's public surface."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import viz
from viz import plotly_config

ROOT = Path(__file__).resolve().parents[1]
PLOTLY_KEYS = ("displayModeBar", "displaylogo", "scrollZoom")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, {"displaylogo": False, "scrollZoom": False}),
        ({"mode_bar": False}, {"displaylogo": False, "scrollZoom": False, "displayModeBar": False}),
        ({"responsive": True}, {"displaylogo": False, "scrollZoom": False, "responsive": True}),
    ],
)
def test_plotly_config(kwargs, expected):
    assert plotly_config(**kwargs) == expected


def test_plotly_config_is_a_fresh_dict():
    plotly_config()["scrollZoom"] = True
    assert plotly_config()["scrollZoom"] is False


def _sources(*folders: str) -> list[Path]:
    return [f for folder in folders for f in ROOT.joinpath(folder).rglob("*.py")]


def test_no_chart_config_is_written_outside_viz():
    """Pages and their helpers draw with ``plotly_config()``: no second copy of its keys."""
    for f in _sources("app_pages", "webapp", "lessons", "teach"):
        text = f.read_text()
        assert not [key for key in PLOTLY_KEYS if key in text], f


def test_every_public_name_is_used_outside_viz():
    outside = _sources("app_pages", "webapp", "lessons", "teach", "tests")
    text = "\n".join(f.read_text() for f in outside if f.name != Path(__file__).name)
    for name in viz.__all__:
        assert getattr(viz, name) is not None
        assert re.search(rf"\b{name}\b", text), f"viz.{name} is used by nothing outside viz"
