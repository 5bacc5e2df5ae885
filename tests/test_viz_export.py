"""Exports: the race as a standalone HTML page, trajectories as CSV."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from optim_core import run
from surfaces import get_surface
from viz import figure_html, race_figure, trajectories_csv
from viz.export import CSV_COLUMNS


@pytest.fixture(scope="module")
def runs():
    surface = get_surface("bowl")
    return surface, {
        "sgd": run(surface, "sgd", start=surface.start, steps=15, lr=0.02),
        "adam": run(surface, "adam", start=surface.start, steps=15, lr=0.1),
    }


def test_csv_has_one_row_per_optimizer_and_step_with_the_runs_numbers(runs):
    _, trajectories = runs
    rows = list(csv.DictReader(io.StringIO(trajectories_csv(trajectories))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 2 * 16
    adam = [r for r in rows if r["optimizer"] == "adam"]
    assert [int(r["step"]) for r in adam] == list(range(16))
    t = trajectories["adam"]
    np.testing.assert_allclose([float(r["x"]) for r in adam], t.path[:, 0], rtol=1e-9)
    np.testing.assert_allclose([float(r["y"]) for r in adam], t.path[:, 1], rtol=1e-9)
    np.testing.assert_allclose([float(r["loss"]) for r in adam], t.loss, rtol=1e-9)
    assert adam[0]["lr"] == ""
    np.testing.assert_allclose([float(r["lr"]) for r in adam[1:]], t.lr, rtol=1e-9)


def test_html_embeds_plotly_and_the_frames_and_does_not_autoplay(runs):
    surface, trajectories = runs
    fig = race_figure(surface, trajectories, start=surface.start)
    html = figure_html(fig)
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert 'src="https://cdn.plot.ly' not in html  # plotly.js is inside: it plays offline
    assert len(html) > 3_000_000
    assert "Plotly.addFrames" in html
    assert "Plotly.animate" not in html
