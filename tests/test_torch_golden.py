"""optim_core equals torch.optim step for step (float64), against committed trajectories.

tests/data/torch_quadratic.json (the shared reference) and tests/data/torch_goldens.json
(made by tests/data/make_torch_goldens.py: Rosenbrock, a rotated ill-conditioned quadratic,
non-default hyperparameters, torch's lr schedulers, CyclicLR included). torch is not needed to
run these tests.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from optim_core import OPTIMIZERS, SCHEDULES, run, schedule_values
from tests._analytic import Quadratic, Rosenbrock, bowl

DATA = Path(__file__).parent / "data"
SHARED = json.loads((DATA / "torch_quadratic.json").read_text())
OURS = json.loads((DATA / "torch_goldens.json").read_text())


def _surface(spec):
    if spec == SHARED["surface"]:
        return bowl(10.0)
    if spec["kind"] == "rosenbrock":
        return Rosenbrock(spec["a"], spec["b"])
    return Quadratic(np.array(spec["A"]))


def _cases():
    for i, case in enumerate(SHARED["cases"]):
        yield pytest.param(SHARED["surface"], case, id=f"shared-{i}-{case['optimizer']}")
    for i, case in enumerate(OURS["cases"]):
        kind = case["surface"]["kind"]
        schedule = case.get("schedule", {}).get("name", "")
        yield pytest.param(case["surface"], case, id=f"{kind}-{i}-{case['optimizer']}-{schedule}")


@pytest.mark.parametrize(("surface", "case"), list(_cases()))
def test_trajectory_equals_torch(surface, case):
    t = run(
        _surface(surface),
        case["optimizer"],
        start=case["start"],
        steps=case["steps"],
        schedule=case.get("schedule"),
        **case["hyper"],
    )
    np.testing.assert_allclose(t.path, case["path"], rtol=1e-10, atol=1e-13)
    assert t.diverged_at is None
    if "lr" in case:
        np.testing.assert_allclose(t.lr, case["lr"], rtol=1e-12)


def test_goldens_cover_every_optimizer_torch_has():
    torch_like = {k for k, spec in OPTIMIZERS.items() if spec.equals.startswith("torch.optim")}
    covered = {case["optimizer"] for case in OURS["cases"]}
    assert torch_like == covered
    assert torch_like == {
        "sgd", "momentum", "nesterov_reparam", "adagrad", "rmsprop",
        "adam", "adamw", "amsgrad", "nadam", "adadelta",
    }  # fmt: skip


def test_goldens_cover_every_schedule_torch_has():
    torch_like = {
        k for k, spec in SCHEDULES.items() if spec.equals.startswith("torch.optim.lr_scheduler")
    }
    covered = {case["schedule"]["name"] for case in OURS["cases"] if "schedule" in case}
    assert torch_like == covered
    assert torch_like == {"step", "exponential", "inverse_time", "cosine", "cyclic"}
    with_warmup = {
        c["schedule"]["name"] for c in OURS["cases"] if c.get("schedule", {}).get("warmup")
    }
    assert with_warmup == {"cosine", "step", "cyclic"}


def test_schedule_values_equal_torch_schedulers_on_a_batch_of_learning_rates():
    for case in (c for c in OURS["cases"] if "schedule" in c):
        lr0 = case["hyper"]["lr"]
        both = schedule_values(case["schedule"], np.array([lr0, 2 * lr0]), case["steps"])
        np.testing.assert_allclose(both[:, 0], case["lr"], rtol=1e-12)
        if case["schedule"].get("min_lr", 0) == 0:
            np.testing.assert_allclose(both[:, 1], 2 * np.array(case["lr"]), rtol=1e-12)


def test_golden_files_are_small():
    assert sum(p.stat().st_size for p in DATA.glob("*.json")) < 300_000


@pytest.mark.parametrize(
    "case",
    [c for c in OURS["cases"] if c["surface"]["kind"] == "rosenbrock"],
    ids=lambda c: c["optimizer"],
)
def test_catalog_rosenbrock_equals_torch_too(case):
    surfaces = pytest.importorskip("surfaces")
    surface = surfaces.get_surface("rosenbrock", a=case["surface"]["a"], b=case["surface"]["b"])
    t = run(surface, case["optimizer"], start=case["start"], steps=case["steps"], **case["hyper"])
    np.testing.assert_allclose(t.path, case["path"], rtol=1e-10, atol=1e-13)
