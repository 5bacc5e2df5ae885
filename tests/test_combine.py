"""Group commit (webapp/combine.py): callers that arrive during a computation are served by
one computation of all their items, each caller gets its own results, and errors stay in
their batch."""

import threading

import pytest

from webapp.combine import Combiner

WAIT = 10  # seconds any wait here may take before the test fails instead of hanging


class _Gate:
    """A compute function that records its calls and, on the first, waits to be let go."""

    def __init__(self):
        self.calls: list[list] = []
        self.entered, self.release = threading.Event(), threading.Event()

    def __call__(self, items):
        self.calls.append(list(items))
        if len(self.calls) == 1:
            self.entered.set()
            assert self.release.wait(WAIT)
        if "bad" in items:
            raise ValueError("bad item")
        return [f"{item}!" for item in items]


def _start(combiner, items, out, key):
    def call():
        try:
            out[key] = combiner(items)
        except Exception as error:  # the test reads it
            out[key] = error

    thread = threading.Thread(target=call)
    thread.start()
    return thread


def _queued(combiner, count):
    """Wait until ``count`` callers are queued behind the computation that runs."""
    for _ in range(1000):
        with combiner._lock:
            if len(combiner._queue) == count:
                return
        threading.Event().wait(0.01)
    raise AssertionError(f"{count} callers never queued")


def test_a_caller_alone_computes_its_items_at_once():
    gate = _Gate()
    gate.release.set()
    combiner = Combiner(gate)
    assert combiner(["a", "b"]) == ["a!", "b!"]
    assert combiner(["c"]) == ["c!"]
    assert gate.calls == [["a", "b"], ["c"]]


def test_callers_that_arrive_during_a_computation_share_the_next_one():
    gate, out = _Gate(), {}
    combiner = Combiner(gate)
    first = _start(combiner, ["first"], out, "first")
    assert gate.entered.wait(WAIT)
    later = [_start(combiner, [f"x{i}", f"y{i}"], out, i) for i in range(5)]
    _queued(combiner, 5)
    gate.release.set()
    for thread in [first, *later]:
        thread.join(WAIT)
        assert not thread.is_alive()
    assert out["first"] == ["first!"]
    assert all(out[i] == [f"x{i}!", f"y{i}!"] for i in range(5))
    assert len(gate.calls) == 2 and sorted(gate.calls[1]) == sorted(
        item for i in range(5) for item in (f"x{i}", f"y{i}")
    )
    assert combiner(["again"]) == ["again!"]  # and nothing is left waiting or busy


def test_an_error_reaches_the_callers_of_its_batch_only():
    gate, out = _Gate(), {}
    combiner = Combiner(gate)
    first = _start(combiner, ["first"], out, "first")
    assert gate.entered.wait(WAIT)
    bad = _start(combiner, ["bad"], out, "bad")
    neighbour = _start(combiner, ["fine"], out, "neighbour")
    _queued(combiner, 2)
    gate.release.set()
    for thread in (first, bad, neighbour):
        thread.join(WAIT)
    assert out["first"] == ["first!"]
    assert isinstance(out["bad"], ValueError) and isinstance(out["neighbour"], ValueError)
    assert combiner(["after"]) == ["after!"]
    with pytest.raises(ValueError, match="bad item"):
        combiner(["bad"])


def test_the_runs_of_a_batch_are_computed_once_per_key_and_each_surface_apart(monkeypatch):
    """What the sessions' runs go through (webapp/runs.py): equal runs are computed once,
    each surface's runs in one ``run_many``, and a surface that fails fails only its own."""
    import numpy as np

    from optim_core import run
    from surfaces import get_surface
    from webapp import runs as _runs

    bowl, valley = get_surface("bowl"), get_surface("rosenbrock")
    adam = {"optimizer": "adam", "start": (1.0, 1.5), "steps": 30}
    sgd = {"optimizer": "sgd", "start": (-1.0, 0.5), "steps": 20, "lr": 0.01}
    items = [
        (bowl, "bowl|adam", adam),
        (valley, "valley|sgd", sgd),
        (bowl, "bowl|sgd", sgd),
        (bowl, "bowl|adam", adam),  # a second session asking for the same run
    ]
    calls = []
    real = _runs.run_many

    def counted(surface, runs):
        calls.append((surface.key, len(runs)))
        return real(surface, runs)

    monkeypatch.setattr(_runs, "run_many", counted)
    first, second, third, again = _runs._run_each(items)
    assert sorted(calls) == sorted([(bowl.key, 2), (valley.key, 1)])
    assert again is first
    for result, (surface, _, args) in zip((first, second, third), items, strict=False):
        np.testing.assert_array_equal(result.path, run(surface, **args).path)

    def failing(surface, runs):
        if surface is valley:
            raise RuntimeError("a bug in this surface")
        return real(surface, runs)

    monkeypatch.setattr(_runs, "run_many", failing)
    first, second, third, _ = _runs._run_each(items)
    assert isinstance(second, RuntimeError)
    np.testing.assert_array_equal(third.path, run(bowl, **sgd).path)
