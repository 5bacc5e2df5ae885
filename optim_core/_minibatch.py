"""Mini-batches (Goodfellow Alg. 8.1): which examples each step of a run averages.

On a data surface (``n_examples`` N > 0), ``batch_size=m`` replaces ∇f by the mean of m
per-example gradients, ĝ = (1/m) Σ_{i ∈ batch} ∇ℓᵢ, at the point where the optimizer takes its
gradient. ``sampling="replacement"`` draws every index uniformly; ``"shuffle"`` (the default)
walks through shuffled epochs, a fresh permutation of the N examples each, m at a time (a batch
may straddle two epochs), so every run of N consecutive indices visits each example once and
m = N is the exact gradient.

The indices come from their own stream, independent of the gradient noise: raw 64-bit words of
``PCG64(SeedSequence(seed, spawn_key=(1,)))`` drawn member by member, so member b's batches do
not depend on the batch size and ``run`` equals member 0 of ``run_batch``. A replacement index
is ⌊u·N / 2²⁴⌋ of the top 24 bits u of a 32-bit key (of a 64-bit key, ⌊u·N / 2³²⌋ of its top 32
bits, when N > 256); a permutation sorts the examples by random keys (ties, about one in 10⁵
epochs for N = 40, keep the examples' order).
"""

import math

import numpy as np

from optim_core.spec import OptimizerError

SAMPLING = ("shuffle", "replacement")


def check_minibatch(surface, batch_size, sampling):
    """m, or None for the exact gradient; refuses what cannot be sampled."""
    if not isinstance(sampling, str) or sampling not in SAMPLING:
        raise OptimizerError(f"Invalid sampling: {sampling!r} (use 'shuffle' or 'replacement')")
    if batch_size is None:
        return None
    n = getattr(surface, "n_examples", 0) or 0
    if not n:
        name = getattr(surface, "name", "") or type(surface).__name__
        raise OptimizerError(
            f"batch_size needs a data surface, the mean of per-example losses (such as "
            f"'regression' or 'logistic'); '{name}' has no examples to sample"
        )
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, int | np.integer)
        or not 1 <= batch_size <= n
    ):
        raise OptimizerError(
            f"Invalid batch_size: {batch_size!r} (an integer from 1 to {n}, the number of "
            "examples, or None for the exact gradient)"
        )
    return int(batch_size)


def batch_indices(n, m, sampling, seed, batch, steps) -> np.ndarray:
    """(batch, steps, m) example indices, drawn member by member (see the module docstring)."""
    # Generator.integers over the full uint64 range returns the bit generator's raw words,
    # the same as PCG64.random_raw, in about half its time.
    stream = np.random.SeedSequence(seed, spawn_key=(1,))
    words_of = np.random.Generator(np.random.PCG64(stream))
    per_member = steps * m if sampling == "replacement" else math.ceil(steps * m / n) * n
    small = n <= 256  # 32-bit keys leave ≥ 24 random bits; beyond, 64-bit keys
    words = math.ceil(per_member / 2) if small else per_member
    index_bits = max(1, (n - 1).bit_length())
    out = np.empty((batch, steps * m), dtype=np.min_scalar_type(n - 1))
    chunk = max(1, 2**21 // words)  # members per draw: bounded temporaries
    for first in range(0, batch, chunk):
        rows = min(chunk, batch - first)
        keys = words_of.integers(0, 2**64, size=(rows, words), dtype=np.uint64)
        if small:
            keys = keys.view(np.uint32)[:, :per_member]
        if sampling == "replacement":  # ⌊u·n / 2ᵏ⌋ of the top k bits u of each key, in place
            k = 24 if small else 32  # u·n < 2³² (n ≤ 256), resp. < 2⁶⁴
            keys >>= keys.dtype.type(keys.dtype.itemsize * 8 - k)
            keys *= keys.dtype.type(n)
            keys >>= keys.dtype.type(k)
            chosen = keys
        else:  # sort by random keys whose low bits hold the example's index
            keys = keys.reshape(rows, -1, n)
            low = keys.dtype.type((1 << index_bits) - 1)
            keys &= ~low
            keys |= np.arange(n, dtype=keys.dtype)
            keys.sort(axis=-1)
            keys &= low
            chosen = keys.reshape(rows, -1)[:, : steps * m]
        out[first : first + rows] = chosen
    return out.reshape(batch, steps, m)
