"""The Race's settings: which optimizers race, with what, and what is on show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from optim_core import OPTIMIZERS
from webapp import pages
from webapp.settings.shared import (
    Field,
    PageSettings,
    RunSettings,
    Selection,
    View,
    choice,
    field_of,
    frozen_hyper,
    hyper_values,
    log_options,
    number,
    optimizer_field,
    plain_values,
    read_hyper,
    url,
    url_keyed,
)

_VIEW_NAMES = {"race": "race", "3d surface": "3d", "loss curves": "loss", "gradient noise": "noise"}


@dataclass(frozen=True)
class RaceSettings(PageSettings):
    """The Race: which optimizers, their hyperparameters, how the runs are made, the table's
    tolerance and which figure is open."""

    PAGE: ClassVar[str] = pages.RACE.url_path
    DEFAULT_OPTIMIZERS: ClassVar[tuple[str, ...]] = ("sgd", "momentum", "rmsprop", "adam")
    VIEWS: ClassVar[tuple[str, ...]] = ("race", "3d", "loss", "noise")  # noise: data surfaces

    optimizers: tuple[str, ...] = url(
        Selection("race_opts", "ids", DEFAULT_OPTIMIZERS, choices=tuple(OPTIMIZERS))
    )
    hyper: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    run: RunSettings = field(default_factory=RunSettings)
    tol: float = url(number("race_tol", 1e-4, 1e-10, 1e-1, options=log_options(1e-10, 1e-1)))
    chart: str = url(choice("race_view", "race", VIEWS, _VIEW_NAMES))
    show_paths: bool = url(Field("race_paths", "bool", False))  # False: revealed as it plays
    # whose settings are open; None: the first optimizer's
    tuning: str | None = url(optimizer_field("race_tune", None))
    # "Tune every α" was pressed: the page checks the claim (each α its family's best) and drops
    # the flag once it no longer holds, so a link says so only while it is true.
    tuned: bool = url(Field("race_tuned", "bool", False))

    @classmethod
    def read(cls, values: Mapping, schema: Mapping[str, Field] | None = None) -> RaceSettings:
        plain = plain_values(cls, values)
        chosen = tuple(plain.pop("optimizers"))
        plain.pop("tuning")
        return cls(
            view=View.read(values),
            optimizers=chosen,
            hyper=frozen_hyper({o: read_hyper(values, None, o) for o in chosen}),
            run=RunSettings.read(values),
            tuning=cls.open_settings(values, chosen),
            **{**plain, "tol": float(plain["tol"]), "show_paths": bool(plain["show_paths"])},
        )

    @staticmethod
    def open_settings(values: Mapping, chosen: tuple[str, ...]) -> str | None:
        """Whose settings are open: the stored one if it races and is not the first (None)."""
        tuning = values.get(field_of(RaceSettings, "tuning").key)
        return tuning if tuning in chosen[1:] else None

    def hyper_of(self, optimizer: str) -> dict:
        return dict(dict(self.hyper)[optimizer])

    def values(self) -> dict[str, Any]:
        out = {**self.view.values(), **self.run.values(), **url_keyed(self)}
        for opt, hyper in self.hyper:
            out.update(hyper_values(opt, dict(hyper)))
        return out
