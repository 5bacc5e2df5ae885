"""The 2D classification data sets a small network learns: generated in code, seeded.

Each set has ``N_TRAIN`` training and ``N_TEST`` test examples, half of each class, drawn from
the same distribution by two streams of one seed (``SeedSequence(seed).spawn``), so a test
set never shares a point with its training set. Features are centred (per coordinate) and
divided by one factor for both coordinates, the standard deviation of the training set's 2N
raw coordinates pooled, so that their spread is about 1 (0.97–1.0) and the shape is kept; the
same affine map for train and test, the training set's. Rounded to 0.001: a set is the same
on every machine.

- ``moons``: two interleaving half circles (as scikit-learn's ``make_moons``), noise 0.15.
- ``circles``: a disc inside a ring (radii 0.5 and 1), noise 0.1.
- ``spirals``: two interleaved arms of an Archimedean spiral (1.5 turns), noise 0.1 × radius.
- ``xor``: uniform in the square [−1, 1]²; the class is the sign of x·y (a margin of 0.05
  about the axes is left empty, so the classes can be separated).
"""

from __future__ import annotations

import functools

import numpy as np

N_TRAIN = 160
N_TEST = 160
DATASETS = {
    "moons": "Two moons",
    "circles": "Circles",
    "spirals": "Spirals",
    "xor": "XOR",
}


def _moons(rng, n):
    half = n // 2
    t = rng.uniform(0.0, np.pi, n)
    upper = np.stack([np.cos(t[:half]), np.sin(t[:half])], 1)
    lower = np.stack([1 - np.cos(t[half:]), 0.5 - np.sin(t[half:])], 1)
    return np.concatenate([upper, lower]) + 0.15 * rng.standard_normal((n, 2))


def _circles(rng, n):
    half = n // 2
    t = rng.uniform(0.0, 2 * np.pi, n)
    radius = np.where(np.arange(n) < half, 1.0, 0.5)
    ring = radius[:, None] * np.stack([np.cos(t), np.sin(t)], 1)
    return ring + 0.1 * rng.standard_normal((n, 2))


def _spirals(rng, n):
    half = n // 2
    s = np.sqrt(rng.uniform(0.0, 1.0, n))  # uniform along the arm's length, roughly
    turn = 3.0 * np.pi * s
    phase = np.where(np.arange(n) < half, 0.0, np.pi)
    arm = s[:, None] * np.stack([np.cos(turn + phase), np.sin(turn + phase)], 1)
    return arm + 0.1 * s[:, None] * rng.standard_normal((n, 2))


def _xor(rng, n):
    half, points = n // 2, []
    for sign in (1.0, -1.0):  # class 1: x·y > 0; class 0: x·y < 0
        chosen = np.empty((0, 2))
        while len(chosen) < half:
            p = rng.uniform(-1.0, 1.0, (2 * half, 2))
            keep = (np.abs(p) > 0.05).all(axis=1) & (sign * p[:, 0] * p[:, 1] > 0)
            chosen = np.concatenate([chosen, p[keep]])
        points.append(chosen[:half])
    return np.concatenate(points)


_MAKERS = {"moons": _moons, "circles": _circles, "spirals": _spirals, "xor": _xor}


@functools.lru_cache(maxsize=16)
def dataset(name: str, seed: int = 0) -> tuple[tuple[np.ndarray, np.ndarray], tuple]:
    """((X (N_TRAIN, 2), y (N_TRAIN,)), (X_test, y_test)): labels 1 for the first half, 0 for
    the second; read-only arrays."""
    train_stream, test_stream = np.random.SeedSequence(seed).spawn(2)
    raw = [_MAKERS[name](np.random.default_rng(s), n) for s, n in
           ((train_stream, N_TRAIN), (test_stream, N_TEST))]  # fmt: skip
    centre, scale = raw[0].mean(axis=0), raw[0].std()
    out = []
    for points in raw:
        x = np.round((points - centre) / scale, 3)
        y = (np.arange(len(points)) < len(points) // 2).astype(float)
        x.flags.writeable = y.flags.writeable = False
        out.append((x, y))
    return out[0], out[1]
