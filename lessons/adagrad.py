"""The lesson ``adagrad``, AdaGrad's shrinking steps vs RMSProp:
its links, the values it states, its text.

Each claim of direction in the answer is a phrase of ``PHRASES`` picked by a predicate on the
runs (settled, touched, a two-cycle, still falling, the rate rising while ‖g‖ falls, steady):
when a run changes, the words change with it."""

from __future__ import annotations

from lessons.lesson import (
    Lesson,
    Link,
    bowl,
    param_of,
    phrase,
    race_rows,
    race_runs,
    race_settings,
    step_run,
    step_settings,
)
from teach import measure
from teach.text import power_of_ten
from webapp.settings import fmt

LAST = 30  # the last steps over which "still falling" is checked
STEADY = 0.01  # "steady": ‖g‖ and the rate within this fraction of their last values
LINKS = (
    Link(
        "AdaGrad vs RMSProp",
        race_settings(bowl(20.0), {"adagrad": {"lr": 0.05}, "rmsprop": {"lr": 0.05}}, steps=300),
    ),
    Link(
        "AdaGrad's cache, step by step", step_settings(bowl(20.0), "adagrad", {"lr": 0.05}, 300, 1)
    ),
    Link(
        "RMSProp's cache, step by step", step_settings(bowl(20.0), "rmsprop", {"lr": 0.05}, 300, 1)
    ),
)

PHRASES = {  # the words a predicate picks; each filled from the run's own values
    "settled": "{{name}} stays within {{tol}} of the minimum's loss from step {{settled}}",
    "touched": (
        "{{name}} comes within {{tol}} of the minimum's loss at step {{touch}} but does not "
        "stay there"
    ),
    "never": "{{name}} never comes within {{tol}} of the minimum's loss",
    "cycle": (
        ": from step {{cycle}} on it hops back and forth between {{cycle_a}} and "
        "{{cycle_b}}{{hop}}, and ends {{gap}} above that loss."
    ),
    "hop_alpha": ", each coordinate moving by about α at every hop",
    "falling": (
        ": it ends {{gap}} above it, its loss still falling at each of the last {{last}} steps."
    ),
    "ends": ": it ends {{gap}} above it.",
    "done": ".",
    "rate_falls": "falls at every step, to between {{end_lo}} and {{end_hi}} times its first value",
    "rate_ends": "ends between {{end_lo}} and {{end_hi}} times its first value",
    "rate_rises": (
        "rises at every step from step {{rise_from}} to step {{rise_to}}, while the gradient's "
        "size ‖g‖ shrinks from {{g_from}} to {{g_to}}"
    ),
    "rate_steady": (
        "; then {{g_then}}: from step {{steady}} on ‖g‖ stays within {{steady_pct}} % of "
        "{{g_end}} and the rate within {{steady_pct}} % of its last value, between {{end_lo}} "
        "and {{end_hi}} times its first"
    ),
    "g_grows": "‖g‖ grows again and stops shrinking",
    "g_stops": "the gradients stop shrinking",
    "rate_unsteady": "; it ends between {{end_lo}} and {{end_hi}} times its first value",
}


def given(links) -> dict:
    race = links[0].settings
    return {
        "kappa": fmt(param_of(race.view, "kappa")),
        "lr": fmt(race.hyper_of("adagrad")["lr"]),
        "steps": race.run.steps,
        "tol": power_of_ten(race.tol),
    }


def _reach(name: str, surface, trajectory, row, tol: float, lr: float) -> tuple[str, dict]:
    """How close the run gets, in the words its predicates pick, and those predicates."""
    touch = measure.first_touch(surface, trajectory, tol)
    cycle = measure.two_cycle(trajectory)
    falling = measure.still_falling(surface, trajectory, LAST)
    values = {"name": name, "tol": power_of_ten(tol), "settled": row.settled_at}
    values.update(touch=touch.first, gap=row.final, last=LAST)
    if row.settled_at is not None:
        head, tail = "settled", "done"
    else:
        head = "touched" if touch.first is not None else "never"
        tail = "cycle" if cycle is not None else "falling" if falling else "ends"
    hop_alpha = cycle is not None and all(abs(h / lr - 1) < 0.01 for h in cycle.hop)
    if cycle is not None:
        values.update(cycle=cycle.start, cycle_a=cycle.a, cycle_b=cycle.b)
    values["hop"] = PHRASES["hop_alpha"] if hop_alpha else ""
    said = phrase(PHRASES, head, values) + phrase(PHRASES, tail, values)
    facts = {"head": head, "tail": tail, "cycle": cycle, "falling": falling, "touch": touch}
    return said, {**facts, "hop_alpha": hop_alpha}


def _rate(change, against) -> tuple[str, dict]:
    """What the effective rate did, in the words its predicates pick."""
    values = {"end_lo": change.end_lo, "end_hi": change.end_hi, "steady_pct": round(STEADY * 100)}
    if change.never_rises:
        return phrase(PHRASES, "rate_falls", values), {"rate": "rate_falls", "then": None}
    if against.rise is None:
        return phrase(PHRASES, "rate_ends", values), {"rate": "rate_ends", "then": None}
    values.update(rise_from=against.rise[0], rise_to=against.rise[1])
    values.update(g_from=against.grad_at_rise[0], g_to=against.grad_at_rise[1])
    values.update(steady=against.steady, g_end=against.grad_end)
    grows = against.grad_end > against.grad_at_rise[1]
    values["g_then"] = PHRASES["g_grows" if grows else "g_stops"]
    then = "rate_steady" if against.steady is not None else "rate_unsteady"
    said = phrase(PHRASES, "rate_rises", values) + phrase(PHRASES, then, values)
    return said, {"rate": "rate_rises", "then": then, "grows": grows}


def solve(links) -> dict:
    race, adagrad_step, rmsprop_step = (link.settings for link in links)
    rows = race_rows(race)
    surface, runs = race_runs(race)
    out = {"a_gap": rows["adagrad"].final, "r_gap": rows["rmsprop"].final}
    for key, name, step in (("a", "AdaGrad", adagrad_step), ("r", "RMSProp", rmsprop_step)):
        _, t = step_run(step)
        lr = race.hyper_of(t.optimizer)["lr"]
        reach, reach_facts = _reach(
            name, surface, runs[t.optimizer], rows[t.optimizer], race.tol, lr
        )
        change = measure.rate_change(t.states["effective_lr"])
        against = measure.rate_against_gradient(t.states["effective_lr"], t.grads, STEADY)
        rate, rate_facts = _rate(change, against)
        out.update({f"{key}_reach": reach, f"{key}_rate": rate})
        out[f"{key}_facts"] = {**reach_facts, **rate_facts, "change": change, "against": against}
    return out


LESSON = Lesson(
    id="adagrad",
    title="AdaGrad's shrinking steps vs RMSProp",
    topic="adaptive methods",
    links=LINKS,
    story=(
        "AdaGrad divides each coordinate's step by the root of the sum of all its squared "
        "gradients so far. That sum only grows, so its effective learning rate only shrinks — "
        "good for rare features, fatal on a long trip. RMSProp keeps a moving average instead "
        "and forgets old gradients."
    ),
    question=(
        "Both at α = {{lr}} on the bowl (κ = {{kappa}}) for {{steps}} steps. Does either come "
        "within {{tol}} of the minimum's loss and stay there? What does each one's effective "
        r"learning rate $\alpha/(\sqrt{r} + \epsilon)$ do?"
    ),
    answer=(
        "{{r_reach}} {{a_reach}} AdaGrad's effective rate {{a_rate}}; RMSProp's {{r_rate}}. "
        "The Step-by-step page draws each cache and rate."
    ),
    given=given,
    solve=solve,
)
