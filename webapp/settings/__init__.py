"""Every page's state as one frozen value, and the only place that declares the URL keys.

The URL is the view: a page's settings parse the query string (a refused value gets a notice
that names it, and its default) and write back every value that shapes what is on screen.
Lessons and tests build their links from the same objects. Each key is declared once, on the
dataclass field that holds its value (``url(Field(...))``, see ``webapp.url``), or, for the keys
that follow a catalog, by the catalog's entry (an optimizer's hyperparameters, a surface's and
a schedule's parameters). ``SCHEMA`` collects them all and refuses a key declared twice.

Keys (all optional; an absent key means its default):

    surface, {surface}_{param}, formula, x0, y0, present       the shared view (sidebar)
    {optimizer}_{hyper}     e.g. adam_lr, rmsprop_centered         one per optimizer, every page
    schedule, sched_{schedule}_{param}, warmup, noise, seed, steps   how the runs are made
    race_opts, race_tol, race_view, race_paths, race_tune         the Race
    step_opt, step_t, step_zoom, step_compare                     Step by step
    lab_*                                                         the Learning-rate lab
    curv_x, curv_y, curv_lr                                       Curvature
    net_*, net_{optimizer}_{hyper}                                the Network (its own α, μ, β)

Why not Streamlit's own ``bind="query-params"``: it drops a refused value without a word (no
notice can name it), keeps values off the slider's stops, never writes a default (a learning
rate suggested for the surface would not reach the link), and makes no history entry for a
widget change (Back would leave the app). This module does not import Streamlit: pages read
and write it through ``webapp.state``.
"""

from webapp.settings.curvature import CurvatureSettings
from webapp.settings.lab import LabSettings
from webapp.settings.network import NET_HYPER, NetworkSettings, net_hyper_key
from webapp.settings.race import RaceSettings
from webapp.settings.shared import (
    CATALOG,
    CUSTOM,
    DEFAULT_FORMULA,
    DEFAULT_SURFACE,
    START_LIMIT,
    PageSettings,
    RunSettings,
    View,
    hyper_key,
    hyper_values,
    lr_options,
    read_hyper,
    schedule_key,
    surface_param_key,
)
from webapp.settings.step import StepSettings
from webapp.url import (
    Field,
    Notice,
    Query,
    fmt,
    log_options,
    nearest_option,
    parse_query,
    schema_of,
    url_fields,
)

SETTINGS = (
    View,
    RunSettings,
    RaceSettings,
    StepSettings,
    LabSettings,
    CurvatureSettings,
    NetworkSettings,
)
SCHEMA: dict[str, Field] = schema_of(
    [
        *(f for cls in SETTINGS for _, f in url_fields(cls)),
        View.X0,
        View.Y0,
        *CATALOG.values(),
        *NET_HYPER.values(),
    ]
)

__all__ = [
    "CUSTOM",
    "DEFAULT_FORMULA",
    "DEFAULT_SURFACE",
    "SCHEMA",
    "SETTINGS",
    "START_LIMIT",
    "CurvatureSettings",
    "Field",
    "LabSettings",
    "NetworkSettings",
    "Notice",
    "PageSettings",
    "Query",
    "RaceSettings",
    "RunSettings",
    "StepSettings",
    "View",
    "fmt",
    "hyper_key",
    "hyper_values",
    "log_options",
    "lr_options",
    "nearest_option",
    "net_hyper_key",
    "parse_query",
    "read_hyper",
    "schedule_key",
    "surface_param_key",
]
