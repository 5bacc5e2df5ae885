"""Step by step's settings: one optimizer, its run, the step shown and the comparison."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from teach.compare import COMPARISONS, first_comparison
from webapp import pages
from webapp.settings.shared import (
    Field,
    PageSettings,
    RunSettings,
    View,
    choice,
    hyper_values,
    integer,
    optimizer_field,
    plain_values,
    read_hyper,
    url,
    url_keyed,
)


@dataclass(frozen=True)
class StepSettings(PageSettings):
    """Step by step: one optimizer, its hyperparameters, the run's length and the step shown."""

    PAGE: ClassVar[str] = pages.STEP.url_path

    optimizer: str = url(optimizer_field("step_opt", "adam"))
    hyper: tuple[tuple[str, Any], ...] = ()
    run: RunSettings = field(default_factory=RunSettings)
    t: int = url(integer("step_t", 1, 1, 1000))
    zoom: bool = url(Field("step_zoom", "bool", True))
    # None: the comparison the optimizer's spec names
    compare: str | None = url(choice("step_compare", None, tuple(COMPARISONS)))

    @property
    def comparison(self) -> str:
        """The comparison on show: chosen, or the one that matters for the optimizer."""
        return self.compare or first_comparison(self.optimizer)

    @classmethod
    def read(cls, values: Mapping, schema: Mapping[str, Field] | None = None) -> StepSettings:
        plain = plain_values(cls, values)
        run = RunSettings.read(values)
        return cls(
            view=View.read(values),
            hyper=tuple(sorted(read_hyper(values, None, plain["optimizer"]).items())),
            run=run,
            **{**plain, "t": min(int(plain["t"]), run.steps), "zoom": bool(plain["zoom"])},
        )

    def values(self) -> dict[str, Any]:
        out = {**self.view.values(), **self.run.values(), **url_keyed(self)}
        out.update(hyper_values(self.optimizer, dict(self.hyper)))
        return out
