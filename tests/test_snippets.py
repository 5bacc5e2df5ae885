"""The code shown is the code that runs: every optimizer's NumPy snippet, rendered for every
combination of its boolean flags, is executed as written and must retrace ``run()``; the
LaTeX and the state labels follow the flags too."""

import numpy as np
import pytest

from optim_core import OPTIMIZERS, run, suggest_lr
from surfaces import get_surface

STEPS = 25
SURFACES = {
    "bowl": get_surface("bowl", kappa=10, angle=30),
    "rosenbrock": get_surface("rosenbrock"),
    "saddle": get_surface("saddle"),
}
START = {"bowl": (-2.0, 1.5), "rosenbrock": (-1.2, 1.0), "saddle": (1.5, 0.3)}


def _cases():
    for optimizer, spec in OPTIMIZERS.items():
        for flags in spec.flag_combinations():
            for surface in SURFACES:
                label = ",".join(f"{k}={v}" for k, v in flags.items())
                yield pytest.param(optimizer, flags, surface, id=f"{optimizer}-{surface}-{label}")


def run_snippet(spec, surface, start, steps, hyper):
    """Execute ``spec.code_for(hyper)`` ``steps`` times; the iterates, start first."""
    code = compile(spec.code_for(hyper), f"<{spec.id} snippet>", "exec")
    namespace = {
        "np": np,
        "grad": surface.grad,
        "hessian": surface.hessian,
        "x": np.array(start, dtype=float),
        **spec.code_variables(hyper),
    }
    path = [namespace["x"].copy()]
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            namespace["t"] = t
            exec(code, namespace)
            path.append(np.array(namespace["x"], dtype=float))
    return np.array(path)


@pytest.mark.parametrize(("optimizer", "flags", "surface_id"), list(_cases()))
def test_the_snippet_retraces_run(optimizer, flags, surface_id):
    spec, surface, start = OPTIMIZERS[optimizer], SURFACES[surface_id], START[surface_id]
    hyper = dict(flags, lr=suggest_lr(optimizer, surface, start))
    if "momentum" in hyper or any(h.name == "momentum" for h in spec.hyper):
        hyper.setdefault("momentum", 0.5)  # rmsprop's default μ = 0 would hide its buffer b
    if any(h.name == "weight_decay" for h in spec.hyper):
        hyper["weight_decay"] = 0.05  # exercise the decay (Lion's default is 0)
    t = run(surface, optimizer, start, STEPS, **hyper)
    shown = run_snippet(spec, surface, start, STEPS, hyper)
    last = STEPS if t.diverged_at is None else t.diverged_at - 1
    assert last >= 20, f"only {last} steps before divergence: pick another start"
    np.testing.assert_allclose(shown[: last + 1], t.path[: last + 1], rtol=1e-12, atol=1e-12)
    assert np.abs(np.diff(t.path[: last + 1], axis=0)).max() > 1e-6  # it moved


def test_the_old_rmsprop_snippet_bug_is_gone():
    # the centred average must not enter the plain rule: at centered=False the snippet
    # mentions no g_avg, at centered=True it does
    spec = OPTIMIZERS["rmsprop"]
    assert "g_avg" not in spec.code_for({"centered": False})
    assert "g_avg" in spec.code_for({"centered": True})
    assert spec.code == spec.code_for()  # the attribute is the default rendering


def test_every_snippet_computes_its_gradient():
    for spec in OPTIMIZERS.values():
        for flags in spec.flag_combinations():
            code = spec.code_for(flags)
            assert "grad(" in "\n".join(code.splitlines()[:2]), spec.id
            assert 2 <= len(code.splitlines()) <= 6, spec.id


# ---------------------------------------------------------------------------- labels follow flags


def test_rmsprop_latex_shows_the_centred_average_only_when_centered():
    spec = OPTIMIZERS["rmsprop"]
    plain, centred = spec.latex_for({"centered": False}), spec.latex_for({"centered": True})
    assert r"\bar g" not in plain and r"\sqrt{r} + \epsilon" in plain
    assert r"\bar g &\leftarrow" in centred and r"\sqrt{r - \bar g \odot \bar g}" in centred
    assert spec.latex == plain  # centered=False is the default
    names = [n for n, _, _ in spec.state_fields_for({"centered": False})]
    assert "g_avg" not in names
    assert "g_avg" in [n for n, _, _ in spec.state_fields_for({"centered": True})]


def test_adam_labels_follow_bias_correction_and_eps_in_root():
    spec = OPTIMIZERS["adam"]
    on = spec.latex_for({"bias_correction": True})
    off = spec.latex_for({"bias_correction": False})
    assert r"1 - \beta_1^t" in on and r"\hat m" in on
    assert r"\hat" not in off and r"\beta_1^t" not in off
    assert r"\frac{m}{\sqrt{v} + \epsilon}" in off
    assert r"\sqrt{\hat v + \epsilon}" in spec.latex_for({"eps_in_root": True})
    fields = dict((n, (s, d)) for n, s, d in spec.state_fields_for({"bias_correction": False}))
    assert "bias-corrected" not in fields["m_hat"][1] and "bias-corrected" not in fields["v_hat"][1]
    assert fields["m_hat"][0] == r"\hat m = m"
    fields = dict((n, (s, d)) for n, s, d in spec.state_fields_for({"bias_correction": True}))
    assert fields["m_hat"][1] == "bias-corrected first moment"
    code = spec.code_for({"bias_correction": False, "eps_in_root": True})
    assert "beta1**t" not in code and "np.sqrt(v + eps)" in code


def test_adagrad_and_newton_labels_follow_their_flags():
    adagrad = OPTIMIZERS["adagrad"]
    assert r"\sqrt{r + \epsilon}" in adagrad.latex_for({"eps_in_root": True})
    assert r"\sqrt{r} + \epsilon" in adagrad.latex == adagrad.latex_for({"eps_in_root": False})
    newton = OPTIMIZERS["newton"]
    assert r"|\Lambda|" in newton.latex_for({"saddle_free": True})
    assert r"|\Lambda|" not in newton.latex
    assert "np.abs" in newton.code_for({"saddle_free": True}) and "np.abs" not in newton.code


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_flag_fields_are_recorded_fields(optimizer):
    spec = OPTIMIZERS[optimizer]
    everything = [n for n, _, _ in spec.state_fields]
    for flags in spec.flag_combinations():
        t = run(SURFACES["bowl"], optimizer, (1.0, 1.0), 3, record_state=True, **flags)
        assert list(t.states) == everything
        names = [n for n, _, _ in spec.state_fields_for(flags)]
        assert names == [n for n in everything if n in names]  # a subset, in the same order
