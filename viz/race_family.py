"""A slider's family for the Race's browser: the runs one optimizer makes at each stop of its
learning-rate slider, drawn as the Race draws a run, for the browser to swap in as the slider
moves (``webapp.board``).

Each member is what ``race_figure`` would draw for that run: the path up to where it last was
in the view (``visible_path``), the × where a diverged run left it, the legend entry naming α.
Its path is kept within ``FAMILY_TOLERANCE`` of the view's span of every iterate
(``simplified``, Ramer–Douglas–Peucker): below a pixel on any screen, and a path that settles
costs a few points — 14 optimizers × 31 stops × 500 steps fit in a few hundred kilobytes.
"""

from __future__ import annotations

from viz._base import contour_image
from viz._encode import f32
from viz.race import mark_text, run_label, view_bounds, visible_path
from viz.race_frames import simplified

FAMILY_TOLERANCE = 0.001  # × the view's span: a path while scrubbing stays this close


def _member(key, lr, path, diverged_at: int | None, view, tol: float, stopped=None) -> dict:
    drawn, last, mark = visible_path(path, diverged_at, view)
    shown = drawn[: last + 1]
    keep = simplified(shown, tol)
    return {
        "x": f32(shown[keep, 0]),
        "y": f32(shown[keep, 1]),
        "end": [float(v) for v in drawn[last]],
        "mark": None if mark is None else [float(mark[0]), float(mark[1])],
        "mark_text": None if mark is None else mark_text(key, diverged_at, last - 1, stopped),
        "label": run_label(key, lr, diverged_at, stopped),  # as in a race of up to ``CROWDED``
        "short": run_label(key, None, diverged_at, stopped),  # as in a more crowded one
    }


def family_payload(surface, key: str, values, batch, *, start, bounds=None) -> dict:
    """The members of one optimizer's family (``batch``: a ``BatchTrajectory`` with one member
    per value of ``values``, the slider's stops), as the browser swaps them in."""
    view = view_bounds(bounds or surface.bounds, start)
    span = max(view[0][1] - view[0][0], view[1][1] - view[1][0])
    members = []
    for k, lr in enumerate(values):
        diverged = int(batch.diverged_at[k])
        members.append(
            _member(
                key,
                float(lr),
                batch.path[:, k],
                None if diverged < 0 else diverged,
                view,
                FAMILY_TOLERANCE * span,
                None if batch.stopped is None else batch.stopped[k],
            )
        )
    return {"values": [float(v) for v in values], "members": members}


def surface_payload(values, surfaces, runs, starts) -> dict:
    """A surface parameter's family (the bowl's κ): for each value, that surface's contour
    image, the start, and every optimizer's run on it (``runs[k]``: optimizer → trajectory)
    as ``race_figure`` draws it, for the browser to swap in all at once."""
    members = []
    for surface, trajectories, start in zip(surfaces, runs, starts, strict=True):
        view = view_bounds(surface.bounds, start)
        tol = FAMILY_TOLERANCE * max(view[0][1] - view[0][0], view[1][1] - view[1][0])
        drawn = {
            key: _member(
                key, traj.hyper.get("lr"), traj.path, traj.diverged_at, view, tol, traj.stopped
            )
            for key, traj in trajectories.items()
        }
        image = contour_image(surface, view)["source"]
        start = [float(start[0]), float(start[1])]
        members.append({"image": image, "start": start, "runs": drawn})
    return {"values": [float(v) for v in values], "members": members}
