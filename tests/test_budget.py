"""Bounded work per request: the Race refuses runs estimated above its limit, with a message."""

from __future__ import annotations

from optim_core import OPTIMIZERS
from surfaces import get_surface, parse_surface
from tests._apptest import navigation_app
from tests._tables import tables
from webapp.budget import Budget, race_budget, run_seconds

BOWL = get_surface("bowl")


def test_the_estimate_grows_with_steps_optimizers_and_the_formula():
    few = run_seconds(BOWL, ["sgd"], BOWL.start, 100)
    assert few > 0
    assert run_seconds(BOWL, ["sgd"], BOWL.start, 10_000) > few
    heavy = parse_surface("+".join(f"sin({i}x+y)*cos(x-{i}y)" for i in range(1, 4)))
    everyone = list(OPTIMIZERS)
    assert run_seconds(heavy, everyone, (0.3, 0.2), 1000) > run_seconds(
        heavy, ["sgd"], (0.3, 0.2), 1000
    )


def test_newton_pays_for_its_hessian():
    assert run_seconds(BOWL, ["newton"], BOWL.start, 1000) > 0


def test_a_budget_says_what_would_take_how_long():
    budget = race_budget(BOWL, ["sgd", "adam"], BOWL.start, 200, limit=0.0)
    assert not budget.ok
    assert budget.what == "2 optimizers × 200 steps"
    assert "budget of 0 s" in budget.message and "fewer steps" in budget.message
    assert Budget("x", 1.0, 2.0).ok


def test_the_race_refuses_work_above_its_limit_with_a_message(monkeypatch):
    monkeypatch.setattr("webapp.budget.RACE_SECONDS", 0.0)
    monkeypatch.setattr(
        "webapp.budget.race_budget.__defaults__", (0.0,)
    )  # the page calls race_budget with the default limit
    at = navigation_app("app_pages/race.py", {"steps": "100"})
    assert not at.exception
    assert any("would take about" in e.value for e in at.error)
    assert not tables(at)  # nothing ran


def test_each_page_has_a_deadline_no_shorter_than_its_estimate_limit():
    from webapp import budget

    assert budget.LAB_DEADLINE >= budget.GRID_BUDGET_SECONDS
    assert budget.RACE_DEADLINE >= budget.RACE_SECONDS
    assert budget.STEP_DEADLINE > 0 and budget.CRITICAL_DEADLINE > 0
    hyper_of = budget.timed(lambda optimizer: {"lr": 0.1}, 4.0)
    assert hyper_of("sgd") == {"lr": 0.1, "deadline": 4.0}  # run's keyword arguments
