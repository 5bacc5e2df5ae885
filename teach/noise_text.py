"""What the gradient-noise view says: one sentence on the cloud and one on the spread against m,
each with its own numbers (``optim_core.noise`` measures them)."""

from __future__ import annotations

from optim_core.noise import SIGMAS, GradientNoise, NoiseScaling, gaussian_inside

_DRAWN = {"shuffle": "m distinct examples", "replacement": "m examples drawn with replacement"}


def noise_caption(noise: GradientNoise) -> str:
    """One sentence on what the cloud shows, with its own numbers."""
    m, n = noise.batch_size, noise.n_examples
    head = (
        f"Each dot is the gradient of one of {len(noise.samples)} random mini-batches "
        f"({_DRAWN[noise.sampling]}, m = {m} of N = {n}) at the start point, the black cross "
        "the full gradient ∇f"
    )
    fractions = [noise.inside(k) for k in SIGMAS]
    if fractions[0] is None:
        return head + ": with every example in the batch, each mini-batch gradient is ∇f itself."
    fpc = "" if noise.sampling == "replacement" else f" × (N − m)/(N − 1) = {noise.factor:.3g}"
    rings = " and ".join(
        f"{gaussian_inside(k):.0%} inside {k:g}σ (here {f:.0%})"
        for k, f in zip(SIGMAS, fractions, strict=True)
    )
    return (
        f"{head}; the ellipses are the central limit theorem's covariance Σ/m{fpc}, which "
        f"puts {rings}, with spread {noise.predicted_spread:.3g} predicted and "
        f"{noise.measured_spread:.3g} measured."
    )


def _signed(value: float) -> str:
    return f"{value:.2f}".replace("-", "−")


def scaling_caption(scaling: NoiseScaling) -> str:
    """One sentence on the spread against m, with the measured and predicted slopes."""
    up_to = scaling.fit_up_to
    where = "" if up_to is None else f" over m ≤ {up_to}"
    tail = (
        ""
        if up_to is None
        else "; drawn without replacement, the spread falls faster as m nears N, to 0 at m = N"
    )
    return (
        f"Spread √trace Cov ĝ of {scaling.samples} mini-batch gradients for each m, on log-log "
        f"axes: measured slope {_signed(scaling.slope(up_to=up_to))}, predicted "
        f"{_signed(scaling.slope('predicted', up_to))}{where}, against the 1/√m law's −0.5{tail}."
    )
