"""Write tests/data/lion_goldens.json: Lion trajectories from an independent implementation,
the lion-pytorch package (torch.optim has no Lion), in float64.

Neither torch nor lion-pytorch is a dependency of the project or its tests; this script only
makes the committed golden file that tests/test_lion.py compares optim_core against:

    pip install torch==2.13.0 lion-pytorch
    python tests/data/make_lion_goldens.py

Conventions as in make_torch_goldens.py: hyperparameter names are Descent Lab's (lion-pytorch's
betas=(beta1, beta2)); ``path[0]`` is the start and ``path[t]`` the iterate after step t.
"""

import json
import math
from importlib.metadata import version
from pathlib import Path

import torch
from lion_pytorch import Lion

torch.set_default_dtype(torch.float64)
STEPS = 40
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
    return 0.5 * p @ torch.tensor(surface["A"], dtype=torch.float64) @ p


def trajectory(surface, start, hyper):
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    betas = (hyper.get("beta1", 0.9), hyper.get("beta2", 0.99))
    opt = Lion([p], lr=hyper["lr"], betas=betas, weight_decay=hyper.get("weight_decay", 0.0))
    path = [p.detach().tolist()]
    for _ in range(STEPS):
        opt.zero_grad()
        loss(surface, p).backward()
        opt.step()
        path.append(p.detach().tolist())
    return path


CASES = [
    (ROSENBROCK, (-1.2, 1.0), {"lr": 0.01}),
    (ROSENBROCK, (0.5, -0.5), {"lr": 0.003, "beta1": 0.5, "beta2": 0.9, "weight_decay": 0.5}),
    (QUADRATIC, (2.0, -1.0), {"lr": 0.05, "beta1": 0.95, "beta2": 0.98}),
    (QUADRATIC, (-1.5, 2.5), {"lr": 0.02, "weight_decay": 1.0}),
]


def main():
    cases = [
        {
            "optimizer": "lion",
            "surface": surface,
            "start": list(start),
            "steps": STEPS,
            "hyper": hyper,
            "path": trajectory(surface, start, hyper),
        }
        for surface, start, hyper in CASES
    ]
    out = {
        "source": f"lion-pytorch {version('lion-pytorch')}, torch {torch.__version__}, float64",
        "cases": cases,
    }
    path = Path(__file__).with_name("lion_goldens.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
