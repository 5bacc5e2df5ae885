"""Gradient-descent optimizers on 2D surfaces: update rules, schedules, gradient noise, a batched
runner and the theory that explains what they do.

The rules are pure ``init``/``update`` pairs (``make_optimizer``); each sits next to its entry
in a family module of ``optim_core.optimizers`` (its math as LaTeX and as the NumPy code shown,
hyperparameters, learning-rate heuristic, stability edge, colour, marker), collected in
``OPTIMIZERS``; each learning-rate schedule is one entry next to its factory in
``optim_core.schedules``, collected in ``SCHEDULES``. Imports neither Streamlit nor Plotly.
"""

from optim_core.analysis import (
    known_min_value,
    steps_to_tolerance,
    stop_reason,
    stopped_why,
)
from optim_core.optimizers import OPTIMIZERS, make_optimizer, optimizer_spec
from optim_core.runner import (
    BatchTrajectory,
    Trajectory,
    run,
    run_batch,
    run_many,
)
from optim_core.schedules import SCHEDULES, ScheduleSpec, schedule_values
from optim_core.spec import (
    CurvatureScaled,
    FixedLR,
    Hyper,
    Optimizer,
    OptimizerError,
    OptimizerSpec,
    StabilityEdge,
    ViewScaled,
)
from optim_core.sweep import Sweep, reference_loss, second_values, sweep
from optim_core.theory import (
    QuadraticTheory,
    divergence_reason,
    gd_rate,
    quadratic_theory,
    stable_lr,
    suggest_lr,
)

__all__ = [
    "OPTIMIZERS",
    "SCHEDULES",
    "BatchTrajectory",
    "CurvatureScaled",
    "FixedLR",
    "Hyper",
    "Optimizer",
    "OptimizerError",
    "OptimizerSpec",
    "QuadraticTheory",
    "ScheduleSpec",
    "StabilityEdge",
    "Sweep",
    "Trajectory",
    "ViewScaled",
    "divergence_reason",
    "gd_rate",
    "known_min_value",
    "make_optimizer",
    "optimizer_spec",
    "quadratic_theory",
    "reference_loss",
    "run",
    "run_batch",
    "run_many",
    "schedule_values",
    "second_values",
    "stable_lr",
    "steps_to_tolerance",
    "stop_reason",
    "stopped_why",
    "suggest_lr",
    "sweep",
]
