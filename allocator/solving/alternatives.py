"""Near-optimal alternatives by modelling to generate alternatives (MGA).

The optimum is solved first. Then one model is built with one extra row, the objective floor
``objective ≥ optimum − slack·|optimum|``, and solved ``count`` times, each time maximising

    Σ novel_j · w[j,t]  +  TOWARD_WEIGHT · Σ_{sub_area_j ∈ toward} w[j,t]

where ``novel_j`` is 1 for candidates that neither the optimum nor an earlier alternative
chose. Each alternative is therefore as far as the slack allows from every plan before it
(the Hop-Skip-Jump form of MGA, measured in capital), and ``toward`` steers the moved capital
into the named sub-areas. Every limit of the mandate still holds.

Alternatives report the original objective and the optimum's bound (a valid bound for every
plan of the mandate), so their ``gap`` is their distance from the best possible; their status
is ``feasible``: they are good plans by design, not optimal ones.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import TextIO

import pyomo.environ as pyo

from allocator.errors import InputError
from allocator.formulation import AllocationModel, build_model
from allocator.formulation.expressions import amount
from allocator.inputs.instance import Instance
from allocator.inputs.mandate import Mandate, check_mandate
from allocator.results.alternatives import Alternatives
from allocator.results.plan import Plan
from allocator.results.status import Status
from allocator.solving.matrix import run_matrix
from allocator.solving.settings import settings_for
from allocator.solving.solve import diagnosis_request, finish, solve

TOWARD_WEIGHT = 1.0  # a $M in a `toward` sub-area counts as much as a $M moved to a new deal

# relative gap of each search for a diverse plan: its value needs no more precision than this
DIVERSITY_GAP = 0.01

Progress = Callable[[int, int], None]  # called with (done, total) as plans come in


def _checked(
    instance: Instance, count: int, slack: float, toward: Sequence[str]
) -> tuple[str, ...]:
    if count < 1:
        raise InputError(f"must be at least 1, got {count}", column="--count")
    if not 0 <= slack < 1:
        raise InputError(f"must be in [0, 1), got {slack:g}", column="--slack")
    unknown = [s for s in toward if s not in instance.sub_areas]
    if unknown:
        raise InputError(f"unknown sub-area {unknown[0]!r}", column="--toward")
    return tuple(dict.fromkeys(toward))


def _diversify(m: AllocationModel, used: set[str], toward: tuple[str, ...]) -> None:
    """Replace the search objective: capital in unused deals, plus capital in ``toward``."""
    if hasattr(m, "diversity"):
        m.del_component(m.diversity)

    def weight(p: int) -> float:
        c = m.pairs.candidates[p]
        return (c.id not in used) + TOWARD_WEIGHT * (c.sub_area_id in toward)

    m.diversity = pyo.Objective(
        expr=amount(m, range(len(m.pairs.items)), weight), sense=pyo.maximize
    )


def alternatives(
    instance: Instance,
    mandate: Mandate,
    *,
    count: int = 3,
    slack: float = 0.01,
    toward: Sequence[str] = (),
    time_limit: float | None = None,
    gap: float | None = None,
    log: TextIO | None = None,
    progress: Progress | None = None,
) -> Alternatives:
    """The optimum and ``count`` plans within ``slack`` of it, each as different as possible.

    ``toward`` lists sub-area ids whose capital the alternatives also maximise. Time limit and
    gap apply to each solve. Same inputs, same alternatives.
    """
    check_mandate(mandate, instance)
    toward = _checked(instance, count, slack, toward)
    optimum = solve(instance, mandate, time_limit=time_limit, gap=gap, log=log)
    if progress:
        progress(1, count + 1)
    if not optimum.found or optimum.objective is None:
        return Alternatives(slack=slack, toward=toward, optimum=optimum)
    floor = optimum.objective - slack * abs(optimum.objective)
    settings = settings_for(mandate, time_limit, max(DIVERSITY_GAP, gap or 0.0))
    started = time.perf_counter()
    m = build_model(instance, mandate, ticket_block=True)
    m.objective_floor = pyo.Constraint(expr=m.objective.expr >= floor)
    m.objective.deactivate()
    build_seconds = time.perf_counter() - started
    used = {i.id for i in optimum.investments}
    plans: list[Plan] = []
    for k in range(count):
        _diversify(m, used, toward)
        outcome = run_matrix(m, settings, log)
        outcome = dataclasses.replace(outcome, bound=optimum.bound)
        plan = finish(
            m,
            instance,
            mandate,
            outcome,
            build_seconds,
            diagnosis_request(mandate, time_limit, gap),
            settings,
        )
        build_seconds = 0.0  # the model is built once, for the first alternative
        if progress:
            progress(k + 2, count + 1)
        if not plan.found:
            break
        plans.append(plan.model_copy(update={"status": Status.FEASIBLE}))
        used |= {i.id for i in plan.investments}
    return Alternatives(
        slack=slack, toward=toward, floor=floor, optimum=optimum, plans=tuple(plans)
    )


__all__ = ["alternatives"]
