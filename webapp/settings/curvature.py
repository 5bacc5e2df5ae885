"""Curvature's settings: the inspected point and the gradient step's learning rate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from webapp import pages
from webapp.settings.shared import (
    START_LIMIT,
    Field,
    PageSettings,
    View,
    lr_options,
    number,
    plain_values,
    url,
    url_keyed,
)


@dataclass(frozen=True)
class CurvatureSettings(PageSettings):
    """Curvature: the inspected point (None: that coordinate of the start point) and the
    gradient step's learning rate (None until the page suggests one for the surface, then
    always written)."""

    PAGE: ClassVar[str] = pages.CURVATURE.url_path
    POINT_KEYS: ClassVar[tuple[str, ...]] = ("curv_x", "curv_y")

    x: float | None = url(
        number("curv_x", None, -START_LIMIT, START_LIMIT, fallback="the start point's")
    )
    y: float | None = url(
        number("curv_y", None, -START_LIMIT, START_LIMIT, fallback="the start point's")
    )
    lr: float | None = url(
        number(
            "curv_lr",
            None,
            lr_options("sgd")[0],
            lr_options("sgd")[-1],
            options=lr_options("sgd"),
            fallback="the learning rate suggested for this surface",
            always=True,
        )
    )

    @classmethod
    def read(cls, values: Mapping, schema: Mapping[str, Field] | None = None) -> CurvatureSettings:
        return cls(view=View.read(values), **plain_values(cls, values))

    def point(self, start) -> tuple[float, float]:
        """The inspected point; an empty coordinate is the start point's."""
        return (
            float(start[0] if self.x is None else self.x),
            float(start[1] if self.y is None else self.y),
        )

    def values(self) -> dict[str, Any]:
        return {**self.view.values(), **url_keyed(self)}
