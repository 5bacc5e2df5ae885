"""The app's pages, in navigation order: the one place that names each page's script, address,
title and icon. The router, the warm-up, the settings' links and the lessons' buttons read it.

The Race answers at ``/`` and at ``/race``: Streamlit serves the default page at ``/`` only, so
the router adds a hidden default copy of the first page (``HOME``).
"""

from __future__ import annotations

from typing import NamedTuple


class PageEntry(NamedTuple):
    """One page: its script (under ``app_pages/``), its address, and how the navigation shows it."""

    script: str
    url_path: str
    title: str
    icon: str


RACE = PageEntry("app_pages/race.py", "race", "Race", ":material/sports_score:")
CURVATURE = PageEntry("app_pages/curvature.py", "curvature", "Curvature", ":material/landscape:")
LR_LAB = PageEntry("app_pages/lr_lab.py", "lr-lab", "Learning-rate lab", ":material/science:")
STEP = PageEntry("app_pages/step.py", "step", "Step by step", ":material/footprint:")
NETWORK = PageEntry("app_pages/network.py", "network", "Network", ":material/hub:")
LESSONS = PageEntry("app_pages/lessons.py", "lessons", "Lessons", ":material/school:")

PAGES: tuple[PageEntry, ...] = (RACE, CURVATURE, LR_LAB, STEP, NETWORK, LESSONS)
HOME = "home"  # the url_path of the Race's hidden copy at /
TITLES: dict[str, str] = {p.url_path: p.title for p in PAGES}
assert len(TITLES) == len(PAGES), "two pages share a url_path"

__all__ = [
    "CURVATURE",
    "HOME",
    "LESSONS",
    "LR_LAB",
    "NETWORK",
    "PAGES",
    "RACE",
    "STEP",
    "TITLES",
    "PageEntry",
]
