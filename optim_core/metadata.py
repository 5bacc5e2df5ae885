"""The two tables the app reads, by id: ``OPTIMIZERS`` (each optimizer's entry, next to its
update rule in ``optim_core.optimizers``) and ``SCHEDULES`` (each schedule's entry, next to its
factory in ``optim_core.schedules``), with the types their entries are made of.

Nothing is defined here: ``optim_core`` exports the same names, and this module serves the code
that imports them from ``optim_core.metadata``.
"""

from optim_core.optimizers import OPTIMIZERS, optimizer_spec
from optim_core.schedules import SCHEDULES, ScheduleSpec
from optim_core.spec import (
    CurvatureScaled,
    FixedLR,
    Hyper,
    OptimizerError,
    OptimizerSpec,
    StabilityEdge,
    ViewScaled,
    check_hyper,
)

__all__ = [
    "OPTIMIZERS",
    "SCHEDULES",
    "CurvatureScaled",
    "FixedLR",
    "Hyper",
    "OptimizerError",
    "OptimizerSpec",
    "ScheduleSpec",
    "StabilityEdge",
    "ViewScaled",
    "check_hyper",
    "optimizer_spec",
]
