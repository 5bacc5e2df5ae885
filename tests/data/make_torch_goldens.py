"""Write tests/data/torch_goldens.json: trajectories of torch.optim in float64.

torch is not a dependency of the project or its tests; this script only makes the committed
golden file that tests/test_torch_golden.py compares optim_core against. To regenerate:

    pip install torch==2.13.0
    python tests/data/make_torch_goldens.py

Conventions (those of tests/data/torch_quadratic.json): hyperparameter names are Descent
Lab's (``decay`` is torch's ``alpha`` for RMSprop and ``rho`` for Adadelta); ``path[0]`` is the
start and ``path[t]`` the iterate after step t; ``lr[t-1]`` is the learning rate torch used at
step t. A schedule is driven as usual: ``scheduler.step()`` after every ``optimizer.step()``,
so step t uses the scheduler's value after t − 1 calls (α₁ = α₀).
"""

import json
import math
from pathlib import Path

import torch

torch.set_default_dtype(torch.float64)  # also torch's optimizer state scalars (NAdam's mu_product)
STEPS = 50
ROSENBROCK = {"kind": "rosenbrock", "a": 1.0, "b": 100.0}
ANGLE = math.radians(30.0)
_R = torch.tensor(
    [[math.cos(ANGLE), -math.sin(ANGLE)], [math.sin(ANGLE), math.cos(ANGLE)]], dtype=torch.float64
)
_A = _R @ torch.diag(torch.tensor([1.0, 25.0], dtype=torch.float64)) @ _R.T
QUADRATIC = {"kind": "quadratic", "A": _A.tolist(), "note": "A = R(30°) diag(1, 25) R(30°)ᵀ"}


def loss(surface, p):
    if surface["kind"] == "rosenbrock":
        x, y = p[0], p[1]
        return (surface["a"] - x) ** 2 + surface["b"] * (y - x * x) ** 2
    A = torch.tensor(surface["A"], dtype=torch.float64)
    return 0.5 * p @ A @ p


def make(optimizer, params, h):
    betas = (h.get("beta1", 0.9), h.get("beta2", 0.999))
    common = {"lr": h["lr"], "foreach": False}
    if optimizer in ("sgd", "momentum", "nesterov_reparam"):
        mu = h.get("momentum", 0.0)
        nesterov = optimizer == "nesterov_reparam"
        return torch.optim.SGD(params, momentum=mu, nesterov=nesterov, **common)
    if optimizer == "adagrad":
        return torch.optim.Adagrad(params, eps=h["eps"], **common)
    if optimizer == "rmsprop":
        return torch.optim.RMSprop(
            params,
            alpha=h["decay"],
            eps=h["eps"],
            momentum=h.get("momentum", 0.0),
            centered=h.get("centered", False),
            **common,
        )
    if optimizer in ("adam", "amsgrad"):
        amsgrad = optimizer == "amsgrad"
        return torch.optim.Adam(params, betas=betas, eps=h["eps"], amsgrad=amsgrad, **common)
    if optimizer == "adamw":
        return torch.optim.AdamW(
            params, betas=betas, eps=h["eps"], weight_decay=h["weight_decay"], **common
        )
    if optimizer == "nadam":
        return torch.optim.NAdam(params, betas=betas, eps=h["eps"], momentum_decay=4e-3, **common)
    if optimizer == "adadelta":
        return torch.optim.Adadelta(params, rho=h["decay"], eps=h["eps"], **common)
    raise ValueError(optimizer)


def make_scheduler(opt, schedule, steps):
    """torch's scheduler for a Descent Lab schedule dict (None: constant)."""
    lrs = torch.optim.lr_scheduler
    if schedule is None:
        return None
    warmup = schedule.get("warmup", 0)
    main_steps = steps - warmup
    name = schedule["name"]
    if name == "step":
        main = lrs.StepLR(opt, step_size=schedule["every"], gamma=schedule["gamma"])
    elif name == "exponential":
        main = lrs.ExponentialLR(opt, gamma=math.exp(-schedule["k"]))
    elif name == "inverse_time":
        k = schedule["k"]
        main = lrs.LambdaLR(opt, lambda s: 1.0 / (1.0 + k * s))
    elif name == "cosine":
        main = lrs.CosineAnnealingLR(opt, T_max=main_steps, eta_min=schedule["min_lr"])
    elif name == "cyclic":
        lr0 = opt.defaults["lr"]
        main = lrs.CyclicLR(
            opt,
            base_lr=lr0,
            max_lr=schedule["peak"] * lr0,
            step_size_up=schedule["half_cycle"],
            mode="triangular",
            cycle_momentum=False,
        )
    else:
        raise ValueError(name)
    if not warmup:
        return main
    ramp = lrs.LinearLR(opt, start_factor=1.0 / warmup, end_factor=1.0, total_iters=warmup - 1)
    return lrs.SequentialLR(opt, [ramp, main], milestones=[warmup])


def trajectory(surface, optimizer, hyper, start, steps=STEPS, schedule=None):
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = make(optimizer, [p], hyper)
    scheduler = make_scheduler(opt, schedule, steps)
    path, used = [p.detach().tolist()], []
    for _ in range(steps):
        opt.zero_grad()
        loss(surface, p).backward()
        used.append(opt.param_groups[0]["lr"])
        opt.step()
        if scheduler is not None:
            scheduler.step()
        path.append(p.detach().tolist())
    case = {"surface": surface, "optimizer": optimizer, "hyper": hyper, "steps": steps}
    if schedule is not None:
        case["schedule"] = schedule
    return case | {"start": list(start), "lr": used, "path": path}


ROSENBROCK_CASES = [
    ("sgd", {"lr": 1e-3}),
    ("momentum", {"lr": 5e-4, "momentum": 0.9}),
    ("nesterov_reparam", {"lr": 5e-4, "momentum": 0.9}),
    ("adagrad", {"lr": 0.1, "eps": 1e-7}),
    ("rmsprop", {"lr": 0.01, "decay": 0.9, "eps": 1e-8}),
    ("rmsprop", {"lr": 0.01, "decay": 0.95, "eps": 1e-8, "centered": True}),
    ("rmsprop", {"lr": 0.005, "decay": 0.9, "eps": 1e-8, "momentum": 0.5}),
    ("adam", {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
    ("adamw", {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.1}),
    ("amsgrad", {"lr": 0.05, "beta1": 0.9, "beta2": 0.99, "eps": 1e-8}),
    ("nadam", {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
    ("adadelta", {"lr": 1.0, "decay": 0.95, "eps": 1e-6}),
]

QUADRATIC_CASES = [  # non-default hyperparameters throughout
    ("sgd", {"lr": 0.07}),
    ("momentum", {"lr": 0.02, "momentum": 0.7}),
    ("nesterov_reparam", {"lr": 0.02, "momentum": 0.7}),
    ("adagrad", {"lr": 0.5, "eps": 1e-5}),
    (
        "rmsprop",
        {"lr": 0.02, "decay": 0.8, "eps": 1e-6, "momentum": 0.5, "centered": True},
    ),
    ("adam", {"lr": 0.1, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}),
    ("adamw", {"lr": 0.1, "beta1": 0.85, "beta2": 0.98, "eps": 1e-8, "weight_decay": 0.2}),
    ("amsgrad", {"lr": 0.1, "beta1": 0.5, "beta2": 0.9, "eps": 1e-8}),
    ("nadam", {"lr": 0.1, "beta1": 0.8, "beta2": 0.95, "eps": 1e-8}),
    ("adadelta", {"lr": 0.5, "decay": 0.8, "eps": 1e-4}),
]

SCHEDULE_CASES = [
    ("sgd", {"lr": 0.07}, {"name": "step", "gamma": 0.5, "every": 10}),
    (
        "adam",
        {"lr": 0.3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
        {"name": "exponential", "k": 0.05},
    ),
    ("rmsprop", {"lr": 0.05, "decay": 0.9, "eps": 1e-8}, {"name": "inverse_time", "k": 0.1}),
    ("adagrad", {"lr": 0.5, "eps": 1e-7}, {"name": "cosine", "min_lr": 0.01}),
    (
        "adam",
        {"lr": 0.2, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
        {"name": "cosine", "min_lr": 0.0, "warmup": 5},
    ),
    (
        "nadam",
        {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
        {"name": "step", "gamma": 0.7, "every": 7, "warmup": 4},
    ),
    ("adadelta", {"lr": 2.0, "decay": 0.9, "eps": 1e-6}, {"name": "exponential", "k": 0.02}),
    ("sgd", {"lr": 0.02}, {"name": "cyclic", "peak": 3.0, "half_cycle": 8}),
    (
        "adam",
        {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
        {"name": "cyclic", "peak": 4.0, "half_cycle": 5, "warmup": 6},
    ),
]


def main():
    cases = [trajectory(ROSENBROCK, o, h, (-1.2, 1.0)) for o, h in ROSENBROCK_CASES]
    cases += [trajectory(QUADRATIC, o, h, (2.5, -1.5), steps=60) for o, h in QUADRATIC_CASES]
    cases += [trajectory(QUADRATIC, o, h, (2.5, -1.5), schedule=s) for o, h, s in SCHEDULE_CASES]
    golden = {
        "about": (
            f"Trajectories of torch.optim {torch.__version__.split('+')[0]} (float64 with "
            "float64 default dtype, foreach=False), made by tests/data/make_torch_goldens.py. "
            "Hyperparameter names are Descent Lab's; path[t] is the iterate after step t, "
            "lr[t-1] the rate of step t."
        ),
        "cases": cases,
    }
    out = Path(__file__).with_name("torch_goldens.json")
    out.write_text(json.dumps(golden, separators=(",", ":")) + "\n")
    print(f"wrote {len(cases)} cases, {out.stat().st_size / 1024:.0f} KB, to {out}")


if __name__ == "__main__":
    main()
