"""What the gradient-noise view says: one sentence on the cloud and one on the spread against m,
each with its own numbers (``optim_core.noise`` measures them)."""

from __future__ import annotations

from optim_core.noise import SIGMAS, GradientNoise, NoiseScaling, RunBatches, gaussian_inside

_DRAWN = {"shuffle": "m distinct examples", "replacement": "m examples drawn with replacement"}
_FIRST = {  # what each of the scaling's batches is
    "shuffle": "the first batch of a fresh shuffle: m distinct examples",
    "replacement": "m examples drawn with replacement",
}


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


def _rings(batches: RunBatches, group: str) -> str:
    """ "39% inside 1σ (here 36%) and …" for a group of the run's batches."""
    return " and ".join(
        f"{gaussian_inside(k):.0%} inside {k:g}σ (here {batches.inside(k, group):.0%})"
        for k in SIGMAS
    )


def batches_caption(batches: RunBatches, extra_noise: float = 0.0) -> str:
    """What the cloud of a run's batches shows, precisely, with its own numbers: which batches,
    where their gradients are taken, and the prediction for each group (within an epoch,
    straddling two)."""
    m, n, steps = batches.batch_size, batches.n_examples, len(batches.samples)
    drawn = _DRAWN[batches.sampling] + (
        " from shuffled epochs" if batches.sampling == "shuffle" else ""
    )
    head = (
        f"Each dot is the gradient at the start point of one of the {steps} mini-batches the "
        f"run drew, one per step ({drawn}, m = {m} of N = {n}); every optimizer of the race "
        "draws the same batches (one seed), and takes their gradients at its own iterates. The "
        "black cross is the full gradient ∇f"
    )
    noise = (
        f" The runs' gradients also carry the added noise σ = {extra_noise:g}, not drawn here."
        if extra_noise
        else ""
    )
    if batches.inside(SIGMAS[0]) is None:
        return (
            head
            + ": with every example in the batch, each mini-batch gradient is ∇f itself."
            + noise
        )
    if batches.sampling == "replacement":
        return (
            f"{head}; the ellipses are the central limit theorem's covariance Σ/m, which puts "
            f"{_rings(batches, 'all')}, with spread {batches.predicted_spread():.3g} predicted "
            f"and {batches.measured_spread():.3g} measured.{noise}"
        )
    within, straddling = batches.count("within"), batches.count("straddling")
    factor = (n - m) / (n - 1)
    text = f"{head}. "
    if within:
        text += (
            f"{within} batches lie within one epoch: the black ellipses are the central limit "
            f"theorem's covariance Σ/m × (N − m)/(N − 1) = {factor:.3g} for them, which puts "
            f"{_rings(batches, 'within')}, with spread {batches.predicted_spread('within'):.3g} "
            f"predicted and {batches.measured_spread('within'):.3g} measured."
        )
    if straddling:
        mean = float(batches.factors[batches.straddles].mean())
        text += (
            f" {straddling} batches straddle two epochs, a examples from the end of one and "
            "m − a from the start of the next: each has the covariance Σ/m² · [a(N − a) + "
            f"(m − a)(N − m + a)]/(N − 1), {mean / factor:.3g}× a within-epoch batch's on "
            f"average (the rose ellipses: their mean). Against its own, "
            f"{_rings(batches, 'straddling')}, with spread "
            f"{batches.predicted_spread('straddling'):.3g} predicted and "
            f"{batches.measured_spread('straddling'):.3g} measured."
        )
    return text + noise


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
        f"Spread √trace Cov ĝ of {scaling.samples} mini-batch gradients for each m (each "
        f"{_FIRST[scaling.sampling]}), on log-log "
        f"axes: measured slope {_signed(scaling.slope(up_to=up_to))}, predicted "
        f"{_signed(scaling.slope('predicted', up_to))}{where}, against the 1/√m law's −0.5{tail}."
    )
