"""The lesson ``edge_of_stability``, The edge of stability:
its links, the values it states, its text.

Full-batch gradient descent on a small network at a few learning rates; the sharpness (the top
eigenvalue of the loss's Hessian) along each run against 2/α, and the loss; and Adam, whose
preconditioned sharpness meets an edge of its own. Each link is the Network page set up for its
runs; ``solve`` opens the links as the page would and measures their runs with ``teach.edge``
(where the words that state a direction are chosen by predicates on the runs).
"""

from __future__ import annotations

from dataclasses import replace

from lessons.lesson import Lesson, Link, opened
from teach.edge import SETUP, EdgeSetup, edge_answer, measure_edge
from webapp.settings import NetworkSettings, fmt


def _network(loss: str, hyper: dict) -> NetworkSettings:
    """The Network page on the network of ``teach.edge.SETUP`` under ``loss``, full batch, its
    length and start, with ``hyper``'s optimizers and hyperparameters."""
    return NetworkSettings(
        data=SETUP.data,
        width=SETUP.hidden[0],
        depth=len(SETUP.hidden),
        activation=SETUP.activation,
        loss=loss,
        optimizers=tuple(hyper),
        hyper=tuple((o, tuple(sorted(h.items()))) for o, h in hyper.items()),
        batch=0,
        steps=SETUP.steps,
        seed=SETUP.seed,
    )


LINKS = (
    Link(
        "GD at α = {{lr_0}} and Adam at α = {{adam_lr}}",
        _network(SETUP.loss, {"sgd": {"lr": SETUP.lrs[0]}, "adam": {"lr": SETUP.adam_lr}}),
    ),
    *(
        Link(f"GD at α = {{{{lr_{i}}}}}", _network(SETUP.loss, {"sgd": {"lr": lr}}))
        for i, lr in enumerate(SETUP.lrs[1:], start=1)
    ),
    Link("GD at α = {{lr_small}}", _network(SETUP.loss, {"sgd": {"lr": SETUP.small_lr}})),
    Link("GD under cross-entropy, α = {{lr_ce}}", _network("bce", {"sgd": {"lr": SETUP.ce_lr}})),
)


def setup_of(links) -> EdgeSetup:
    """What the links open, as ``teach.edge`` runs it: each link read back as the Network page
    reads it (the URL round trip); the network, length and start are the first link's, and
    every link must share them (the cross-entropy one its loss aside)."""
    first, *more, small, ce = (opened(link.settings)[0] for link in links)
    for page in (*more, small, replace(ce, loss=first.loss)):
        if (page.network_args, page.steps, page.seed, page.batch) != (
            first.network_args, first.steps, first.seed, first.batch
        ):  # fmt: skip
            raise ValueError("the edge-of-stability links must open one network and one run")
    adam = first.hyper_of("adam")
    return replace(
        SETUP,
        data=first.data,
        hidden=first.hidden,
        activation=first.activation,
        loss=first.loss,
        seed=first.seed,
        steps=first.steps,
        lrs=tuple(page.hyper_of("sgd")["lr"] for page in (first, *more)),
        small_lr=small.hyper_of("sgd")["lr"],
        ce_lr=ce.hyper_of("sgd")["lr"],
        adam_lr=adam.pop("lr"),
        adam_hyper=tuple(sorted(adam.items())),
    )


def given(links) -> dict:
    s = setup_of(links)
    return {
        "data": s.data,
        "shape": " and ".join(str(h) for h in s.hidden),
        "activation": s.activation,
        "steps": s.steps,
        "lrs": ", ".join(fmt(lr) for lr in s.lrs),
        **{f"lr_{i}": fmt(lr) for i, lr in enumerate(s.lrs)},
        "lr_small": fmt(s.small_lr),
        "lr_ce": fmt(s.ce_lr),
        "adam_lr": fmt(s.adam_lr),
    }


def solve(links) -> dict:
    return {"runs": edge_answer(measure_edge(setup_of(links)))}


LESSON = Lesson(
    id="edge_of_stability",
    title="The edge of stability",
    topic="learning rate",
    links=LINKS,
    story=(
        r"On a bowl, gradient descent with step α converges only while the top curvature "
        r"$\lambda_{\max}$ stays below $2/\alpha$. On a network the curvature moves with the "
        r"weights: here the sharpness, $\lambda_{\max}$ of the loss's Hessian, is measured "
        "along each run by Lanczos on exact Hessian-vector products. The network is a "
        "{{activation}} MLP with hidden layers of {{shape}} units, trained with squared error "
        "on the {{data}} data, full batch, from one start."
    ),
    question=(
        "Gradient descent runs {{steps}} steps at α = {{lrs}} and at α = {{lr_small}}. Does "
        r"the sharpness stay below $2/\alpha$ in each run, as it must on a bowl where gradient "
        "descent converges? Does the loss fall at every step? And what holds Adam "
        "(α = {{adam_lr}}) back?"
    ),
    answer="{{runs}}",
    given=given,
    solve=solve,
)
