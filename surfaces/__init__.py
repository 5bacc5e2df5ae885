"""Loss surfaces for Descent Lab: symbolic surfaces, their catalog, safe formula parsing and
curvature analysis. No Streamlit, no Plotly: usable from a notebook."""

from ._surface import Examples, Surface, SurfaceError
from .catalog import (
    SURFACES,
    Param,
    SurfaceSpec,
    get_surface,
    list_surfaces,
    logistic_data,
    regression_data,
)
from .curvature import (
    CriticalPoint,
    CriticalPoints,
    Curvature,
    CurvatureMap,
    classify,
    critical_points,
    curvature_at,
    curvature_map,
)
from .network import Network, get_network
from .parse import parse_surface

__all__ = [
    "SURFACES",
    "CriticalPoint",
    "CriticalPoints",
    "Curvature",
    "CurvatureMap",
    "Examples",
    "Network",
    "Param",
    "Surface",
    "SurfaceError",
    "SurfaceSpec",
    "classify",
    "critical_points",
    "curvature_at",
    "curvature_map",
    "get_network",
    "get_surface",
    "list_surfaces",
    "logistic_data",
    "parse_surface",
    "regression_data",
]
