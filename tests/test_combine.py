"""Group commit (webapp/combine.py): callers that arrive during a computation are served by
one computation of all their items, each caller gets its own results and only its own error
(an exception object of its own), heavy callers do not hold up light ones, and no wait is
endless. Then the sessions' runs that go through it (webapp/runs.py)."""

import threading
import uuid

import numpy as np
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


def _queued(combiner, count, items=("x",)):
    """Wait until ``count`` callers are queued behind the computation that runs (in the lane
    of callers like ``items``)."""
    lane = combiner.lane(items)
    for _ in range(1000):
        with lane.lock:
            if len(lane.queue) == count:
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


def test_an_error_reaches_only_the_caller_whose_items_raise_it_as_its_own_object():
    gate, out = _Gate(), {}
    combiner = Combiner(gate)
    first = _start(combiner, ["first"], out, "first")
    assert gate.entered.wait(WAIT)
    bad = [_start(combiner, ["bad"], out, f"bad{i}") for i in range(2)]
    neighbour = _start(combiner, ["fine"], out, "neighbour")
    _queued(combiner, 3)
    gate.release.set()
    for thread in (first, *bad, neighbour):
        thread.join(WAIT)
    assert out["first"] == ["first!"]
    assert out["neighbour"] == ["fine!"]  # the batch failed; computed again, alone, it does not
    assert isinstance(out["bad0"], ValueError) and isinstance(out["bad1"], ValueError)
    assert out["bad0"] is not out["bad1"]
    retried = [["bad"], ["bad"], ["fine"]]  # each caller alone, after the batch of all three
    assert sorted(map(sorted, gate.calls[1:])) == sorted([["bad", "bad", "fine"], *retried])
    assert combiner(["after"]) == ["after!"]
    with pytest.raises(ValueError, match="bad item"):
        combiner(["bad"])


def test_a_light_caller_does_not_wait_for_a_heavy_computation():
    gate, out = _Gate(), {}
    combiner = Combiner(gate, weight=lambda items: sum(len(i) for i in items), heavy=5)
    heavy = _start(combiner, ["heavyweight"], out, "heavy")
    assert gate.entered.wait(WAIT)
    assert combiner(["ok"]) == ["ok!"]  # computed at once, while the heavy one is held
    assert not out
    gate.release.set()
    heavy.join(WAIT)
    assert out["heavy"] == ["heavyweight!"]
    assert gate.calls == [["heavyweight"], ["ok"]]


def test_a_caller_that_waits_too_long_computes_alone():
    gate, out = _Gate(), {}
    combiner = Combiner(gate, timeout=0.2)
    first = _start(combiner, ["first"], out, "first")
    assert gate.entered.wait(WAIT)
    late = _start(combiner, ["late"], out, "late")
    late.join(WAIT)
    assert out["late"] == ["late!"]  # while the first computation is still held
    assert "first" not in out
    gate.release.set()
    first.join(WAIT)
    assert out["first"] == ["first!"]
    assert combiner(["again"]) == ["again!"]  # nothing left queued or busy
    assert gate.calls == [["first"], ["late"], ["again"]]


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


class _Touchy:
    """A surface whose gradient raises at one point (a bug that shows for one start only);
    everything else is ``base``'s, under a key no other test uses."""

    def __init__(self, base, bad):
        self._base, self._bad = base, np.asarray(bad)
        self.key = f"touchy-{uuid.uuid4()}"

    def __getattr__(self, name):
        return getattr(self._base, name)

    def grad(self, xy):
        if np.any(np.all(np.asarray(xy) == self._bad, axis=-1)):
            raise RuntimeError("boom from one caller's run")
        return self._base.grad(xy)


def test_fifty_callers_one_of_whose_runs_raises_each_get_their_own_result(monkeypatch):
    """50 sessions' runs on one surface, combined in one ``run_many``; one session's start is
    where the gradient raises. Every other session gets its runs, equal to ``run`` alone, and
    only that session gets the error."""
    from optim_core import run
    from surfaces import get_surface
    from webapp import runs as _runs
    from webapp.settings import RunSettings

    bowl = get_surface("bowl")
    starts = [(-1.5 + 0.05 * i, 1.0 - 0.03 * i) for i in range(50)]
    touchy = _Touchy(bowl, starts[17])
    how = RunSettings(steps=40)
    optimizers = ("sgd", "adam")

    def hyper_of(opt):
        return {"lr": 0.05}

    gate = _Gate()
    combined = Combiner(lambda items: gate(items) and _runs._run_each(items))
    monkeypatch.setattr(_runs, "_together", combined)
    out = {}

    def call(i):
        try:
            out[i] = _runs.run_all(touchy, optimizers, hyper_of, starts[i], how)
        except Exception as error:  # the test reads it
            out[i] = error

    first = threading.Thread(target=call, args=(0,))
    first.start()
    assert gate.entered.wait(WAIT)
    others = [threading.Thread(target=call, args=(i,)) for i in range(1, 50)]
    for thread in others:
        thread.start()
    _queued(combined, 49)
    gate.release.set()
    for thread in [first, *others]:
        thread.join(WAIT)
        assert not thread.is_alive()

    assert len(gate.calls) == 2 and len(gate.calls[1]) == 49 * len(optimizers)  # combined
    error = out.pop(17)
    assert isinstance(error, RuntimeError) and "boom" in str(error)
    assert isinstance(error.__cause__, RuntimeError)  # the original, chained
    for i, (trajectories, errors) in out.items():
        assert not errors and list(trajectories) == list(optimizers)
        for opt, trajectory in trajectories.items():
            args = _runs._run_args(opt, hyper_of(opt), starts[i], how)
            np.testing.assert_array_equal(trajectory.path, run(bowl, **args).path)
            np.testing.assert_array_equal(trajectory.grads, run(bowl, **args).grads)


def test_sessions_that_ask_for_the_same_failing_run_each_raise_their_own_exception(monkeypatch):
    from surfaces import get_surface
    from webapp import runs as _runs
    from webapp.settings import RunSettings

    start = (0.5, -0.25)
    touchy = _Touchy(get_surface("bowl"), start)
    items = [(touchy, "k", {"optimizer": "sgd", "start": start, "steps": 5})]
    shared = _runs._run_each(items * 2)
    assert shared[0] is shared[1]  # computed once: one exception for both
    monkeypatch.setattr(_runs, "_together", Combiner(lambda _: shared))
    raised = []
    for _ in range(2):
        with pytest.raises(RuntimeError, match="boom") as info:
            _runs.run_all(touchy, ["sgd"], lambda _: {}, start, RunSettings(steps=5))
        raised.append(info.value)
    assert raised[0] is not raised[1]
    assert raised[0].__cause__ is raised[1].__cause__ is shared[0]
