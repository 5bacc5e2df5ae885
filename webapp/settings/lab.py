"""The Learning-rate lab's settings: the grid, what colours it, and the picked cell."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from optim_core import OPTIMIZERS
from optim_core.grid import Cell
from webapp import pages
from webapp.settings.shared import (
    Field,
    PageSettings,
    RunSettings,
    View,
    choice,
    field_of,
    hyper_values,
    integer,
    log_options,
    number,
    optimizer_field,
    plain_values,
    read_hyper,
    url,
    url_keyed,
)

_SUGGESTED_RANGE = "the range suggested for this surface"


@dataclass(frozen=True)
class LabSettings(PageSettings):
    """The Learning-rate lab: one optimizer swept over a grid of learning rates (× its second
    hyperparameter), what colours the cells, the run's length, the tolerance and the picked
    cell. ``lr_min``/``lr_max`` are None until the page suggests them for the surface (then
    always written); the picked cell's second value is clamped to the optimizer's range.

    On a data surface the second axis may be the batch size m instead (``axis`` "batch",
    URL ``lab_axis=batch``): the second hyperparameter is then fixed like the others, the
    mini-batches are drawn by the shared ``sampling`` and ``seed``, and the picked cell's m is
    ``pick_m`` (``lab_pick_m``)."""

    PAGE: ClassVar[str] = pages.LR_LAB.url_path
    DEFAULT_OPTIMIZER: ClassVar[str] = "momentum"
    METRICS: ClassVar[tuple[str, ...]] = ("loss", "steps")
    DEFAULT_N: ClassVar[int] = 32
    MIN_N: ClassVar[int] = 4
    MAX_N: ClassVar[int] = 64
    MAX_STEPS: ClassVar[int] = 500
    LR_OPTIONS: ClassVar[tuple[float, ...]] = log_options(1e-6, 100.0)
    TOL_OPTIONS: ClassVar[tuple[float, ...]] = (1e-2, 1e-3, 1e-4, 1e-6, 1e-8, 1e-10)
    RANGE_KEYS: ClassVar[tuple[str, ...]] = ("lab_lr_min", "lab_lr_max")
    PICK_KEYS: ClassVar[tuple[str, ...]] = ("lab_pick_lr", "lab_pick_second", "lab_pick_m")
    AXES: ClassVar[tuple[str, ...]] = ("second", "batch")
    BATCH_LABEL: ClassVar[str] = "batch size m"

    optimizer: str = url(optimizer_field("lab_opt", DEFAULT_OPTIMIZER))
    metric: str = url(
        choice(
            "lab_metric",
            "loss",
            METRICS,
            {"final loss": "loss", "steps to tolerance": "steps", "steps to settle": "steps"},
        )
    )
    n: int = url(integer("lab_n", DEFAULT_N, MIN_N, MAX_N))
    steps: int = url(field_of(RunSettings, "steps"))
    lr_min: float | None = url(
        number(
            "lab_lr_min",
            None,
            LR_OPTIONS[0],
            LR_OPTIONS[-1],
            options=LR_OPTIONS,
            fallback=_SUGGESTED_RANGE,
        )
    )
    lr_max: float | None = url(
        number(
            "lab_lr_max",
            None,
            LR_OPTIONS[0],
            LR_OPTIONS[-1],
            options=LR_OPTIONS,
            fallback=_SUGGESTED_RANGE,
        )
    )
    tol: float = url(number("lab_tol", 1e-6, 1e-10, 1e-2, options=TOL_OPTIONS))
    pick_lr: float | None = url(
        number(
            "lab_pick_lr",
            None,
            LR_OPTIONS[0],
            LR_OPTIONS[-1],
            fallback="the best cell",
            always=True,
        )
    )
    pick_second: float | None = url(
        number("lab_pick_second", None, 0.0, 0.9999, fallback="the best cell")
    )
    fixed: tuple[tuple[str, Any], ...] = ()  # the optimizer's other hyperparameters
    # "batch": learning rate × batch size (data surfaces)
    axis: str = url(choice("lab_axis", "second", AXES, {"batch size": "batch", "m": "batch"}))
    pick_m: int | None = url(Field("lab_pick_m", "int", None, 1, 10_000, fallback="the best cell"))
    sampling: str = url(field_of(RunSettings, "sampling"))
    seed: int = url(field_of(RunSettings, "seed"))

    @classmethod
    def read(cls, values: Mapping, schema: Mapping[str, Field] | None = None) -> LabSettings:
        plain = plain_values(cls, values)
        opt = plain["optimizer"]
        second = cls.second_hyper(opt)
        pick_second = plain["pick_second"]
        if second is None:
            pick_second = None
        elif pick_second is not None:
            pick_second = min(max(float(pick_second), second.min), second.max)
        skip = ("lr", second.name if second and plain["axis"] != "batch" else "lr")
        fixed = sorted((k, v) for k, v in read_hyper(values, None, opt).items() if k not in skip)
        plain.update(
            n=int(plain["n"]),
            steps=min(int(plain["steps"]), cls.MAX_STEPS),
            tol=float(plain["tol"]),
            pick_second=pick_second,
            sampling=str(plain["sampling"]),
            seed=int(plain["seed"]),
        )
        return cls(view=View.read(values), fixed=tuple(fixed), **plain)

    @property
    def batch_axis(self) -> bool:
        return self.axis == "batch"

    @property
    def second_label(self) -> str:
        """The grid's second axis in words: "batch size m", the hyperparameter's label or ""."""
        if self.batch_axis:
            return self.BATCH_LABEL
        h = self.second_hyper(self.optimizer)
        return h.label if h else ""

    def picked(self, best: Cell, n_examples: int = 0) -> Cell:
        """The cell on show: the one picked (a picked m clamped to 1 … N), else ``best``."""
        lr = best.lr if self.pick_lr is None else self.pick_lr
        if not self.batch_axis:
            return Cell(lr, best.second if self.pick_second is None else self.pick_second)
        m = best.second if self.pick_m is None else min(max(self.pick_m, 1), n_examples)
        return Cell(lr, float(m))

    def run_at(self, second: float | None) -> RunSettings:
        """How the picked cell's run is made: its own mini-batch size on a batch grid."""
        if not self.batch_axis:
            return RunSettings(steps=self.steps)
        return RunSettings(
            steps=self.steps, batch=int(second), sampling=self.sampling, seed=self.seed
        )

    @staticmethod
    def second_hyper(optimizer: str):
        """The Hyper of the optimizer's second grid axis (μ, β₁ or ρ), or None."""
        spec = OPTIMIZERS[optimizer]
        return next((h for h in spec.hyper if h.name == spec.second), None)

    @property
    def lr_range(self) -> tuple[float, float] | None:
        """(smallest, largest) learning rate of the grid, in order and never one value."""
        if self.lr_min is None or self.lr_max is None:
            return None
        lo, hi = sorted((float(self.lr_min), float(self.lr_max)))
        return (lo, hi * 10.0) if lo == hi else (lo, hi)

    def hyper_at(self, lr: float, second: float | None) -> dict[str, Any]:
        """The optimizer's hyperparameters for one cell of the grid."""
        h = self.second_hyper(self.optimizer)
        if self.batch_axis or h is None:
            return {**dict(self.fixed), "lr": lr}
        return {**dict(self.fixed), "lr": lr, h.name: second}

    def cell_label(self, lr: float, second: float | None) -> str:
        if self.batch_axis:
            return f"α = {lr:.3g}, m = {second:.0f}"
        h = self.second_hyper(self.optimizer)
        return f"α = {lr:.3g}" + (f", {h.label} = {second:.3g}" if h else "")

    def values(self) -> dict[str, Any]:
        out = {**self.view.values(), **hyper_values(self.optimizer, dict(self.fixed))}
        out.update(url_keyed(self))
        if not self.batch_axis:
            out.pop("sampling"), out.pop("seed")
        return out
