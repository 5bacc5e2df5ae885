"""Cached computations on a surface: ``st.cache_data`` that hashes a ``Surface`` by its key.

A compiled surface holds NumPy functions Streamlit cannot hash; its ``key`` (catalog id and
parameters, or the formula's text) says which surface it is. Streamlit's own ``hash_funcs``
does the rest, so a cached function takes the surface like any other argument.
"""

from __future__ import annotations

import streamlit as st

from surfaces import Surface

__all__ = ["cached_on_surface"]


def _surface_key(surface: Surface) -> str:
    return surface.key


def cached_on_surface(**kwargs):
    """``st.cache_data(**kwargs)`` for functions whose arguments include a ``Surface``."""
    return st.cache_data(hash_funcs={Surface: _surface_key}, **kwargs)
