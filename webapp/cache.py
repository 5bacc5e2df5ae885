"""Caches shared by every session of a server.

``cached_on_surface``: ``st.cache_data`` that hashes a ``Surface`` by its key. A compiled
surface holds NumPy functions Streamlit cannot hash; its ``key`` (catalog id and parameters,
or the formula's text) says which surface it is. Streamlit's own ``hash_funcs`` does the rest,
so a cached function takes the surface like any other argument.

``SizedLRU``: a cache bounded by the bytes its values hold, not by their count. Streamlit's
caches take ``max_entries`` and ``ttl`` only, and one entry can weigh 5 KB (a short run) or
half a megabyte (a Step-by-step run with its recorded state on a data surface), so a count
bounds nothing: 4096 entries were 20 MB or 1.8 GB depending on the links a crawler walks.
Each value is weighed when stored (its NumPy arrays' ``nbytes`` and a small overhead per
object) and the least recently used are evicted while the total is over the budget. Values are
stored as compact, read-only copies, so every session shares one and none can change it, and
a value that is a view of a larger array (a run cut from a combined loop) does not keep that
array alive.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import threading
from collections import OrderedDict

import numpy as np
import streamlit as st

from surfaces import Surface

__all__ = ["MISSING", "SizedLRU", "budget_bytes", "cached_on_surface", "compact", "size_of"]

BUDGET_ENV = "DESCENT_LAB_CACHE_MB"  # the run cache's budget in MB, per server process
DEFAULT_BUDGET_MB = 500
OVERHEAD = 64  # bytes counted for each object that holds values (a dataclass, a dict, …)

MISSING = object()  # what ``SizedLRU.get`` returns for a key it does not hold


def _surface_key(surface: Surface) -> str:
    return surface.key


def cached_on_surface(**kwargs):
    """``st.cache_data(**kwargs)`` for functions whose arguments include a ``Surface``."""
    return st.cache_data(hash_funcs={Surface: _surface_key}, **kwargs)


def budget_bytes() -> int:
    """The budget in bytes: ``DESCENT_LAB_CACHE_MB`` from the environment, or 500 MB."""
    raw = os.environ.get(BUDGET_ENV, "")
    try:
        mb = float(raw) if raw.strip() else DEFAULT_BUDGET_MB
    except ValueError:
        raise ValueError(f"{BUDGET_ENV}={raw!r}: need a number of megabytes") from None
    if not mb >= 0:
        raise ValueError(f"{BUDGET_ENV}={raw!r}: need a number of megabytes >= 0")
    return int(mb * 2**20)


def size_of(value) -> int:
    """The bytes ``value`` holds: its arrays' ``nbytes``, the size of its small values, and
    ``OVERHEAD`` for each dataclass, dict, list or tuple on the way."""
    if isinstance(value, np.ndarray):
        return value.nbytes + OVERHEAD
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = (getattr(value, f.name) for f in dataclasses.fields(value))
        return OVERHEAD + sum(size_of(v) for v in fields)
    if isinstance(value, dict):
        return OVERHEAD + sum(size_of(k) + size_of(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return OVERHEAD + sum(size_of(v) for v in value)
    return sys.getsizeof(value)


def compact(value):
    """``value`` with each of its arrays (in dataclasses, dicts, lists and tuples) replaced by
    a compact copy that cannot be written to; anything else as it is."""
    if isinstance(value, np.ndarray):
        copy = np.array(value, copy=True, order="C")
        copy.flags.writeable = False
        return copy
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [f for f in dataclasses.fields(value) if f.init]
        changes = {f.name: compact(getattr(value, f.name)) for f in fields}
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, dict):
        return {k: compact(v) for k, v in value.items()}
    if isinstance(value, list | tuple) and type(value) in (list, tuple):
        return type(value)(compact(v) for v in value)
    return value


class SizedLRU:
    """A thread-safe mapping of at most ``budget`` bytes (by ``size_of``), evicting the least
    recently used. ``put`` stores ``compact(value)`` and returns it; a value heavier than the
    whole budget is returned but not stored."""

    def __init__(self, budget: int):
        self.budget = budget
        self._lock = threading.Lock()
        self._entries: OrderedDict = OrderedDict()  # key -> (value, size), oldest first
        self.total = 0  # bytes held

    def get(self, key):
        """The value stored under ``key`` (now the most recently used), or ``MISSING``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return MISSING
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key, value):
        value = compact(value)
        size = size_of(value) + size_of(key)
        if size > self.budget:
            return value
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.total -= old[1]
            self._entries[key] = (value, size)
            self.total += size
            while self.total > self.budget:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.total -= dropped
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.total = 0

    def __len__(self) -> int:
        return len(self._entries)
