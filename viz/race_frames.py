"""The Race's frames: which steps they show, the moving dots, each frame's paths, and the
buttons that play them.

Frames carry only what moves, and a growing path is the bulk of them.  In frame k a path is the
path up to the frame's step simplified to the iterates that keep it within ``PATH_TOLERANCE`` of
the view's span — about a pixel (Ramer–Douglas–Peucker, ``simplified``) — so what is drawn
differs from every iterate by less than a pixel: a zig-zag you could see is kept, as it happens,
and long smooth stretches cost a few points.  The last frame holds every iterate.  Only if the
paths of the other frames together still exceed ``FRAME_PATH_POINTS`` does the tolerance double
(the drawn paths get coarser while playing, never in the last frame), up to
``MAX_PATH_TOLERANCE``: 13 optimizers × 500 steps stay under 0.5 MB.
"""

from __future__ import annotations

import bisect
from functools import lru_cache

import numpy as np

# Settings of the frames, together.
MAX_FRAMES = 60  # frames in the animation at most
FRAME_MS = 80  # one frame at 1× speed: 60 frames play in about 5 s
SPEEDS = (("½×", 2.0), ("1×", 1.0), ("2×", 0.5), ("4×", 0.25))  # label, frame-duration factor
PATH_TOLERANCE = 0.002  # a path while playing stays this close to every iterate (× the view)
MAX_PATH_TOLERANCE = 0.02  # … or, to keep the size budget, at most this close
FRAME_PATH_POINTS = 9_000  # path points in the frames but the last, at most (the size budget)


def frame_steps(steps: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """The steps the animation shows: 0 … steps, evenly spaced, at most ``max_frames`` of them."""
    n = max(2, min(int(max_frames), int(steps) + 1))
    return np.unique(np.round(np.linspace(0, int(steps), n)).astype(int))


def _pad(paths: list[np.ndarray]) -> np.ndarray:
    """Stack paths of possibly different lengths, a shorter one waiting at its last point."""
    n = max(len(p) for p in paths)
    return np.stack([np.concatenate([p, np.repeat(p[-1:], n - len(p), axis=0)]) for p in paths])


def moving_dots(paths: list[np.ndarray], max_frames: int, trail: int):
    """The steps shown and, per frame, every optimizer's head and trail: (frames, opt, trail+1, 2).

    Frame k shows, for each optimizer, its positions at the steps of frames k, k − 1 … k − trail
    (the head first; before frame 0 the start repeats).
    """
    positions = _pad(paths)  # (optimizers, steps+1, 2)
    steps = frame_steps(positions.shape[1] - 1, max_frames)
    back = np.arange(trail + 1)
    shown = steps[np.clip(np.arange(len(steps))[:, None] - back[None, :], 0, None)]  # (F, trail+1)
    return steps, positions[:, shown].transpose(1, 0, 2, 3)


def simplified(path: np.ndarray, tol: float) -> np.ndarray:
    """The indices of the iterates that keep ``path`` within ``tol`` of itself: every iterate
    lies within ``tol`` of the polyline through them (Ramer–Douglas–Peucker, with the distance to
    each segment, so a path doubling back keeps its turning points).  Both ends are kept; so is
    every iterate of a path with a point that is not finite."""
    n = len(path)
    if n <= 2 or not np.isfinite(path).all():
        return np.arange(n)
    # This loop runs for every run and many frames on each rerun of the Race: each coordinate
    # contiguous, the segment's ends as Python floats, squared distances, in-place ufuncs.
    x, y = np.ascontiguousarray(path[:, 0]), np.ascontiguousarray(path[:, 1])
    xs, ys = x.tolist(), y.tolist()
    keep, todo, tol2 = [0, n - 1], [(0, n - 1)], tol * tol
    maximum, minimum = np.maximum, np.minimum
    while todo:
        i, j = todo.pop()
        ax, ay = xs[i], ys[i]
        dx, dy = xs[j] - ax, ys[j] - ay
        px, py = x[i + 1 : j] - ax, y[i + 1 : j] - ay
        length2 = dx * dx + dy * dy
        if length2 > 0:  # q = p − t d, t the projection clipped to the segment
            t = px * (dx / length2) + py * (dy / length2)
            minimum(maximum(t, 0.0, out=t), 1.0, out=t)
            px -= t * dx
            py -= t * dy
        far2 = px * px
        far2 += py * py
        k = int(far2.argmax())
        if far2[k] > tol2:
            m = i + 1 + k
            keep.append(m)
            todo += [pair for pair in ((i, m), (m, j)) if pair[1] - pair[0] >= 2]
    return np.array(sorted(keep))


def _straight(path: np.ndarray, begins: np.ndarray, ends: np.ndarray, tol: float) -> np.ndarray:
    """Per stretch ``path[b : e + 1]``, whether every iterate lies within ``tol`` of the segment
    from its first to its last point — the test ``simplified`` starts with, for all stretches at
    once."""
    inner = np.maximum(ends - begins - 1, 0)
    ok = np.ones(len(begins), dtype=bool)
    has = np.flatnonzero(inner)
    if not len(has):
        return ok
    inner = inner[has]
    first = np.cumsum(inner) - inner
    owner = np.repeat(has, inner)
    index = begins[owner] + 1 + np.arange(len(owner)) - np.repeat(first, inner)
    x, y = path[:, 0], path[:, 1]
    ax, ay = x[begins[owner]], y[begins[owner]]
    dx, dy = x[ends[owner]] - ax, y[ends[owner]] - ay
    px, py = x[index] - ax, y[index] - ay
    length2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(length2 > 0, (px * dx + py * dy) / length2, 0.0)
    t = np.minimum(np.maximum(t, 0.0), 1.0)
    qx, qy = px - t * dx, py - t * dy
    far = np.sqrt(qx * qx + qy * qy)
    ok[has] = ~(np.maximum.reduceat(far, first) > tol)
    return ok


def _revealed(path: np.ndarray, steps: np.ndarray, last: int, tol: float) -> list[np.ndarray]:
    """Per frame, the indices of the iterates drawn: the path up to the frame's step, simplified
    to within ``tol``, and every iterate in the last frame.

    Up to the last vertex of the whole path's simplification that the frame has reached, its
    vertices; from there to the step, that stretch simplified on its own.  Most such stretches
    are straight to within ``tol`` (they lie along one segment of the whole path's
    simplification), which ``_straight`` settles for all frames at once; only the others run
    ``simplified``.
    """
    kept = simplified(path[: last + 1], tol)
    if not np.isfinite(path[: last + 1]).all():  # simplified keeps every iterate
        return [np.arange(min(int(s), last) + 1) for s in steps[:-1]] + [np.arange(last + 1)]
    ends = np.minimum(steps[:-1].astype(int), last)
    begins = kept[np.searchsorted(kept, ends, side="right") - 1]  # last vertex reached
    straight = _straight(path, begins, ends, tol)
    vertices, shown = kept.tolist(), []
    stretches = zip(begins.tolist(), ends.tolist(), straight.tolist(), strict=True)
    for begin, end, is_straight in stretches:
        head = vertices[: bisect.bisect_left(vertices, begin)]
        if is_straight:
            shown.append(np.array(head + ([begin, end] if end > begin else [begin])))
        else:
            tail = begin + simplified(path[begin : end + 1], tol)
            shown.append(np.concatenate([np.array(head, dtype=int), tail]))
    return [*shown, np.arange(last + 1)]


@lru_cache(maxsize=256)
def _revealed_by_bytes(path: bytes, steps: bytes, last: int, tol: float) -> tuple:
    points = np.frombuffer(path).reshape(-1, 2)
    return tuple(_revealed(points, np.frombuffer(steps, dtype=np.int64), last, tol))


def _revealed_of(path: np.ndarray, steps: np.ndarray, last: int, tol: float) -> tuple:
    """``_revealed``, remembered by the path's bytes for the last few hundred paths: after a
    change to one optimizer's setting, the others' paths are the same and not simplified
    again (the cached runs come back as copies, equal byte for byte)."""
    path_bytes = np.ascontiguousarray(path, dtype=float).tobytes()
    steps_bytes = np.ascontiguousarray(steps, dtype=np.int64).tobytes()
    return _revealed_by_bytes(path_bytes, steps_bytes, int(last), float(tol))


def reveal_plan(runs: list, steps: np.ndarray, span: float) -> list[list[np.ndarray]]:
    """Each run's drawn indices per frame, the tolerance doubled (up to ``MAX_PATH_TOLERANCE``)
    until the frames before the last fit ``FRAME_PATH_POINTS``.  ``runs`` have the ``path`` the
    race draws and the index of its ``last`` iterate drawn (``viz.race.visible_path``)."""
    tol = PATH_TOLERANCE * span
    while True:
        plan = [_revealed_of(r.path, steps, r.last, tol) for r in runs]
        total = sum(len(idx) for frames in plan for idx in frames[:-1])
        if total <= FRAME_PATH_POINTS or tol * 2 > MAX_PATH_TOLERANCE * span:
            return plan
        tol *= 2


def _buttons(durations: list[tuple[str, float]]) -> list[dict]:
    def play(label, ms):
        return {
            "label": label,
            "method": "animate",
            "args": [
                None,
                {
                    "frame": {"duration": ms, "redraw": False},
                    "transition": {"duration": 0},
                    "fromcurrent": True,
                    "mode": "immediate",
                },
            ],
        }

    return [play(label, ms) for label, ms in durations]


def animation_controls(steps: np.ndarray, present: bool) -> tuple[list[dict], list[dict]]:
    """Play / Pause / speed buttons and the step scrubber, under the plot (offsets in px)."""
    font = {"size": 18 if present else 13}
    below = 58 if present else 44  # clear of the tick labels and the axis title
    pause = {
        "label": "❚❚ Pause",
        "method": "animate",
        "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}],
    }
    restart = {
        "label": "↺ Restart",
        "method": "animate",
        "args": [
            [str(steps[0])],
            {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"},
        ],
    }
    menus = [
        {
            "type": "buttons",
            "direction": "right",
            "buttons": [*_buttons([("▶ Play", FRAME_MS)]), pause, restart],
            "x": 0.0,
            "xanchor": "left",
            "y": 0.0,
            "yanchor": "top",
            "pad": {"t": below, "r": 6},
            "showactive": False,
            "font": font,
            "name": "play",
        },
        {
            "type": "buttons",
            "direction": "right",
            "buttons": _buttons([(f"{label}", FRAME_MS * f) for label, f in SPEEDS]),
            "x": 1.0,
            "xanchor": "right",
            "y": 0.0,
            "yanchor": "top",
            "pad": {"t": below},
            "showactive": True,
            "active": 1,
            "font": font,
            "name": "speed",
        },
    ]
    scrub = {
        "frame": {"duration": 0, "redraw": False},
        "mode": "immediate",
        "transition": {"duration": 0},
    }
    sliders = [
        {
            "active": 0,
            "steps": [
                {"label": str(s), "method": "animate", "args": [[str(s)], scrub]} for s in steps
            ],
            "x": 0.0,
            "len": 1.0,
            "y": 0.0,
            "yanchor": "top",
            "pad": {"t": below + (58 if present else 46), "b": 0},
            "currentvalue": {
                "prefix": "step ",
                "font": font | {"color": "#000" if present else "#1b1f24"},
                "xanchor": "right",
                "offset": 6,
            },
            "ticklen": 0,
            "tickcolor": "rgba(0,0,0,0)",
            "font": {"color": "rgba(0,0,0,0)", "size": 1},
            "transition": {"duration": 0},
            "name": "step",
        }
    ]
    return menus, sliders
