"""The figures of Descent Lab, and the tables and LaTeX shown beside them.

Pure functions: arrays and the core's typed results in, a ``go.Figure`` (or rows, or a LaTeX
string) out; nothing here knows Streamlit.  One module per page (``race``, ``step``,
``curvature``, ``lr_lab``, ``noise``), the pieces they share in ``_base``.  Pages import from
here, and draw every chart with ``plotly_config()``.
"""

from viz._base import color_for, plotly_config
from viz.curvature import (
    condition_map_figure,
    curvature_figure,
    displacement_latex,
    hessian_latex,
    kind_map_figure,
)
from viz.export import figure_html, trajectories_csv
from viz.lr_lab import loss_curves_figure, outcome_figure, rotation_figure, trajectory_figure
from viz.noise import noise_figure, scaling_figure
from viz.race import CROWDED, race_figure
from viz.race_views import loss_figure, surface_3d_figure
from viz.step import (
    LOOKAHEAD_COLOR,
    comparison_figure,
    state_table,
    step_figure,
    step_latex,
    tex_value,
    zoom_bounds,
)

__all__ = [
    "CROWDED",
    "LOOKAHEAD_COLOR",
    "color_for",
    "comparison_figure",
    "condition_map_figure",
    "curvature_figure",
    "displacement_latex",
    "figure_html",
    "hessian_latex",
    "kind_map_figure",
    "loss_curves_figure",
    "loss_figure",
    "noise_figure",
    "outcome_figure",
    "plotly_config",
    "race_figure",
    "rotation_figure",
    "scaling_figure",
    "state_table",
    "step_figure",
    "step_latex",
    "surface_3d_figure",
    "tex_value",
    "trajectories_csv",
    "trajectory_figure",
    "zoom_bounds",
]
