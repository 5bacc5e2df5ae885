"""The sessions' shared run cache (webapp/runs.py on webapp/cache.py's ``SizedLRU``): bounded
in bytes, least recently used out first, values stored as compact read-only copies."""

import numpy as np
import pytest

from optim_core import run
from surfaces import get_surface
from webapp import cache
from webapp import runs as _runs
from webapp.cache import MISSING, SizedLRU, budget_bytes, size_of
from webapp.settings import RunSettings


def _kb(n):
    return np.zeros(n * 128)  # n KiB


def test_the_least_recently_used_go_first_when_the_bytes_exceed_the_budget():
    lru = SizedLRU(budget=3 * 1024 + 3 * 300)
    for key in "abc":
        lru.put(key, _kb(1))
    assert lru.get("a") is not MISSING  # now the most recently used
    lru.put("d", _kb(1))
    assert lru.get("b") is MISSING
    assert all(lru.get(k) is not MISSING for k in "acd")
    lru.put("big", _kb(2))  # two entries make room
    assert [k for k in "acd" if lru.get(k) is not MISSING] == ["d"]
    assert lru.total <= lru.budget
    lru.put("huge", _kb(10))  # heavier than the budget: returned, not stored
    assert lru.get("huge") is MISSING and lru.get("big") is not MISSING


def test_a_stored_value_is_a_compact_read_only_copy_that_keeps_no_larger_array_alive():
    whole = np.arange(1000.0).reshape(500, 2)
    stored = SizedLRU(budget=10**6).put("k", {"path": whole[:10], "n": 3})
    assert stored["path"].base is None and stored["path"].nbytes == 160
    with pytest.raises(ValueError):
        stored["path"][0, 0] = 1.0
    whole[0, 0] = -1.0
    assert stored["path"][0, 0] == 0.0


def test_a_trajectory_weighs_its_arrays():
    t = run(get_surface("bowl"), "adam", (1.0, 1.0), steps=100, record_state=True)
    arrays = [t.path, t.loss, t.lr, t.grads, t.eval_points, *t.states.values()]
    assert sum(a.nbytes for a in arrays) <= size_of(t) <= sum(a.nbytes for a in arrays) + 4096


def test_the_budget_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(cache.BUDGET_ENV, raising=False)
    assert budget_bytes() == 500 * 2**20
    monkeypatch.setenv(cache.BUDGET_ENV, "1.5")
    assert budget_bytes() == int(1.5 * 2**20)
    for bad in ("lots", "-1", "nan"):
        monkeypatch.setenv(cache.BUDGET_ENV, bad)
        with pytest.raises(ValueError, match=cache.BUDGET_ENV):
            budget_bytes()


def test_the_run_cache_holds_no_more_bytes_than_its_budget(monkeypatch):
    lru = SizedLRU(budget=400_000)
    monkeypatch.setattr(_runs, "_runs", lru)
    bowl, how = get_surface("bowl"), RunSettings(steps=300)
    first = _runs.cached_run(bowl, "adam", {}, (1.0, 1.0), how, record_state=True)
    assert _runs.cached_run(bowl, "adam", {}, (1.0, 1.0), how, record_state=True) is first
    np.testing.assert_array_equal(
        first.path, run(bowl, "adam", (1.0, 1.0), steps=300, record_state=True).path
    )
    for i in range(40):
        _runs.run_all(bowl, ["sgd", "adam"], lambda _: {}, (0.01 * i, 1.0), how)
        assert lru.total <= lru.budget
    assert 0 < len(lru) < 80
