"""The Network page's settings: which network learns which data, which optimizers train it and
with what, and whose decision boundary is on show.

Keys (all optional; an absent key means its default):

    net_data, net_width, net_depth, net_act, net_loss     the network (hidden = (width,) × depth)
    net_opts, net_batch, net_steps, net_seed              the runs (seed: θ₀ and the mini-batches;
                                                          net_opts=none: no optimizer chosen)
    net_boundary, net_tune                                whose boundary is drawn, whose settings
    net_{optimizer}_{hyper}  e.g. net_adam_lr             one per optimizer and hyperparameter

**An optimizer's hyperparameters have keys of their own here** (``net_sgd_lr``, not the 2D
pages' ``sgd_lr``): a learning rate fit for a bowl is rarely fit for a network (the Race
suggests α for each surface from its curvature and view; a network's weights live on another
scale), and a lesson on the Race must not retune the network, nor the reverse. The other
hyperparameters follow, so that an optimizer's settings on this page are one set.

Their defaults come from each optimizer's own learning-rate rule (its spec's ``lr_rule``, the
one the Race uses), applied with a network's scale in place of the surface's: curvature
``NET_CURVATURE`` for the rules c/L (sgd 1, momentum and Nesterov 0.3) and ``NET_DIAMETER`` in
place of the view's diameter for the per-coordinate rules (Adam 0.05, RMSProp 0.01), then
rounded to the slider's stops. On the default network every optimizer trains with them in 500
steps (``tests/test_page_network.py`` checks the default three).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from optim_core import OPTIMIZERS, CurvatureScaled, FixedLR, ViewScaled
from surfaces.network import ACTIVATIONS, LOSSES
from surfaces.network_data import DATASETS, N_TRAIN
from webapp import pages
from webapp.settings.shared import (
    NONE,
    Field,
    PageSettings,
    Selection,
    View,
    _schema,
    choice,
    field_of,
    integer,
    log_options,
    nearest_option,
    number,
    optimizer_field,
    plain_values,
    schema_of,
    url,
    url_keyed,
)
from webapp.url import Notice

NET_CURVATURE = 1.0  # L for the rules α = c/L: GD's sharpness on the default net stays under 1
NET_DIAMETER = 2.0  # for the rules α = fraction × the view's diameter: a weight's typical range
# Slider stops as floats, the type a URL value is read as: the widget finds the stored value
# among its options (its type is the settings' int once read).
WIDTHS = (2.0, 4.0, 8.0, 16.0, 32.0)
BATCHES = (0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0)  # 0: the full batch, all N_TRAIN
DEPTH = (1, 3)


def net_hyper_key(optimizer: str, name: str) -> str:
    """The key of one of ``optimizer``'s hyperparameters on the Network page."""
    return f"net_{optimizer}_{name}"


def network_lr(optimizer: str) -> float:
    """The learning rate an optimizer starts with on a network: its spec's rule at the network's
    scale (see the module), on its slider's stops."""
    spec = OPTIMIZERS[optimizer]
    rule, slider = spec.lr_rule, spec.hyper[0]
    if isinstance(rule, CurvatureScaled):
        lr = rule.factor / NET_CURVATURE
    elif isinstance(rule, ViewScaled):
        lr = rule.fraction * NET_DIAMETER
    elif isinstance(rule, FixedLR):
        lr = rule.value
    else:
        lr = slider.default
    return nearest_option(log_options(slider.min, slider.max), lr)


def _net_hyper_field(optimizer: str, h) -> Field:
    """One hyperparameter's key on this page: its slider's stops as on the 2D pages, its
    learning rate's default ``network_lr``."""
    key = net_hyper_key(optimizer, h.name)
    if h.kind == "bool":
        return Field(key, "bool", bool(h.default))
    if h.kind == "int":
        return integer(key, int(h.default), int(h.min), int(h.max))
    options = log_options(h.min, h.max) if h.log else tuple(h.stops)
    if h.name == "lr":
        default = network_lr(optimizer)
    else:
        default = nearest_option(options, h.default) if h.log else float(h.default)
    # A learning rate is always written, as on the other pages: a link says α of every run.
    return number(key, default, h.min, h.max, options=options, always=h.name == "lr")


NET_HYPER: dict[str, Field] = schema_of(
    _net_hyper_field(opt, h) for opt, spec in OPTIMIZERS.items() for h in spec.hyper
)


def _names(pairs) -> dict[str, str]:
    return {name.lower(): id_ for name, id_ in pairs}


@dataclass(frozen=True)
class NetworkSettings(PageSettings):
    """The Network page: the network (data set, width, depth, activation, loss), the optimizers
    and their hyperparameters, the runs' batch size, length and seed, and whose boundary and
    settings are open (None: the first optimizer's)."""

    PAGE: ClassVar[str] = pages.NETWORK.url_path
    DEFAULT_OPTIMIZERS: ClassVar[tuple[str, ...]] = ("sgd", "momentum", "adam")

    data: str = url(
        choice(
            "net_data",
            "moons",
            tuple(DATASETS),
            _names((name, id_) for id_, name in DATASETS.items()),
        )
    )
    width: int = url(number("net_width", 8.0, WIDTHS[0], WIDTHS[-1], options=WIDTHS))
    depth: int = url(integer("net_depth", 1, *DEPTH))
    activation: str = url(choice("net_act", "tanh", ACTIVATIONS))
    loss: str = url(
        choice(
            "net_loss", "bce", tuple(LOSSES), _names((name, id_) for id_, name in LOSSES.items())
        )
    )
    optimizers: tuple[str, ...] = url(
        Selection("net_opts", "ids", DEFAULT_OPTIMIZERS, choices=tuple(OPTIMIZERS))
    )
    hyper: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    batch: int = url(number("net_batch", 0.0, 0.0, BATCHES[-1], options=BATCHES))
    steps: int = url(integer("net_steps", 500, 10, 1000, step=10))
    seed: int = url(integer("net_seed", 0, 0, 10_000))
    boundary: str | None = url(optimizer_field("net_boundary", None))
    tuning: str | None = url(optimizer_field("net_tune", None))

    @property
    def hidden(self) -> tuple[int, ...]:
        return (int(self.width),) * int(self.depth)

    @property
    def network_args(self) -> tuple[str, tuple[int, ...], str, str]:
        """What identifies the network: (data set, hidden widths, activation, loss)."""
        return self.data, self.hidden, self.activation, self.loss

    @property
    def boundary_of(self) -> str | None:
        """Whose decision boundary is drawn: the chosen one, else the first optimizer."""
        return self.boundary or (self.optimizers[0] if self.optimizers else None)

    def hyper_of(self, optimizer: str) -> dict:
        return dict(dict(self.hyper)[optimizer])

    def minibatch(self) -> dict:
        """``run``'s mini-batch arguments: none for the full batch."""
        if not self.batch or self.batch >= N_TRAIN:
            return {}
        return {"batch_size": int(self.batch), "sampling": "shuffle"}

    @staticmethod
    def read_hyper(values: Mapping, optimizer: str) -> dict:
        """``optimizer``'s hyperparameters on this page as ``values`` (the store) holds them."""
        out = {}
        for h in OPTIMIZERS[optimizer].hyper:
            f = NET_HYPER[net_hyper_key(optimizer, h.name)]
            out[h.name] = values.get(f.key, f.default)
        return out

    @classmethod
    def _chosen(cls, values: Mapping, name: str, chosen: tuple[str, ...]) -> str | None:
        """The optimizer stored under attribute ``name``'s key if it is chosen and not the
        first (None: the first, the default, which the link need not say)."""
        stored = values.get(field_of(cls, name).key)
        return stored if stored in chosen[1:] else None

    @classmethod
    def refusals(cls, values: Mapping) -> list[Notice]:
        """A notice for each stored choice of an optimizer that the selection does not hold
        (``net_boundary=adam`` with ``net_opts=sgd``): ``read`` uses the first optimizer
        instead. A link's values once read (``webapp.url.parse_query``), each key valid alone."""
        chosen = tuple(values.get(field_of(cls, "optimizers").key, cls.DEFAULT_OPTIMIZERS))
        out = []
        for name in ("boundary", "tuning"):
            f = field_of(cls, name)
            stored = values.get(f.key)
            if stored is not None and stored not in chosen:
                why = f"is not among the optimizers trained ({', '.join(chosen) or NONE})"
                using = f"{OPTIMIZERS[chosen[0]].name}, the first" if chosen else "none"
                out.append(Notice(f.key, str(stored), why, using))
        return out

    @classmethod
    def read(cls, values: Mapping, schema: Mapping[str, Field] | None = None) -> NetworkSettings:
        plain = plain_values(cls, values)
        chosen = tuple(plain.pop("optimizers"))
        plain.pop("boundary"), plain.pop("tuning")
        return cls(
            view=View.read(values),
            optimizers=chosen,
            hyper=tuple((o, tuple(sorted(cls.read_hyper(values, o).items()))) for o in chosen),
            boundary=cls._chosen(values, "boundary", chosen),
            tuning=cls._chosen(values, "tuning", chosen),
            **{
                **plain,
                "width": int(plain["width"]),
                "depth": int(plain["depth"]),
                "batch": int(plain["batch"]),
                "steps": int(plain["steps"]),
                "seed": int(plain["seed"]),
            },
        )

    def values(self) -> dict[str, Any]:
        """The URL's values: presentation mode, the page's own, the chosen optimizers'
        hyperparameters (the 2D view's surface and start do not shape this page)."""
        out = {"present": self.view.present, **url_keyed(self)}
        for opt, hyper in self.hyper:
            out.update({net_hyper_key(opt, n): v for n, v in hyper})
        return out

    @classmethod
    def schema(cls) -> dict[str, Field]:
        return _network_schema()


@functools.cache
def _network_schema() -> dict[str, Field]:
    return schema_of([*_schema(NetworkSettings).values(), *NET_HYPER.values()])
