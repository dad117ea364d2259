"""Why a plan is what it is: marginal values of binding limits, and repairs of infeasible mandates.

Marginal values are the duals of the LP left when the chosen investments are fixed: how much
the objective would gain per unit of a limit's value (per $M for amounts, per 1.0 of a share,
per deal for counts). Limits on counts alone constrain only the fixed choices and report none.

An infeasible mandate is diagnosed with an elastic copy of the model: every limit row gets a
violation variable, and the total violation, each relative to its right-hand side, is
minimised. At that optimum no violation can be dropped or reduced while the others stay, so the
listed relaxations, applied together, make the mandate feasible and none is superfluous.
"""

from __future__ import annotations

import math
from collections import defaultdict

import pyomo.environ as pyo

from allocator.formulation import AllocationModel, Limit, build_model
from allocator.inputs.instance import Instance
from allocator.inputs.mandate import Mandate, SolverSettings
from allocator.results.plan import Binding, Diagnosis, Plan, Relaxation
from allocator.solving.matrix import run_matrix
from allocator.solving.persistent import new_solver
from allocator.solving.settings import settings_for

VIOLATION_TOLERANCE = 1e-6
# decimal places a relaxed value is rounded (outward) to, by what the limit measures
DIGITS_BY_MEASURE = {"share": 4, "amount": 2, "count": 0, "attribute": 2}


def marginal_values(instance: Instance, mandate: Mandate, plan: Plan) -> tuple[Binding, ...]:
    """The plan's binding limits with ``dual`` set to d objective / d limit value."""
    if not plan.found:
        return plan.binding
    m = build_model(instance, mandate)
    chosen = {(i.id, i.start_year) for i in plan.investments}
    for pair, z in zip(m.pairs.items, m.z_list, strict=True):
        value = 1.0 if pair in chosen else 0.0
        z.domain = pyo.Reals
        z.setlb(value)
        z.setub(value)
    results = new_solver(mandate.solver).solve(m)
    if results.incumbent_objective is None:
        return plan.binding
    rows = {limit.constraint: limit for limit in m.limits}
    duals = results.solution_loader.get_duals([r.row(m) for r in rows.values()])
    marginal = {name: abs(duals[r.row(m)]) * r.factor_value for name, r in rows.items()}
    return tuple(
        b.model_copy(update={"dual": round(marginal[b.constraint], 6)})
        if b.constraint in marginal
        else b
        for b in plan.binding
    )


def _elastic(m: AllocationModel) -> list[tuple[Limit, pyo.Var]]:
    """Replace every limit row by its elastic twin and minimise the relative violation."""
    limits = list(m.limits)
    m.violation = pyo.Var(range(len(limits)), domain=pyo.NonNegativeReals)
    twins = {}
    for k, limit in enumerate(limits):
        limit.row(m).deactivate()
        v = m.violation[k]
        twins[k] = (
            limit.lhs <= limit.rhs + v if limit.sense == "max" else limit.lhs + v >= limit.rhs
        )
    m.elastic = pyo.Constraint(range(len(limits)), rule=lambda _m, k: twins[k])
    m.objective.deactivate()
    budget = float(pyo.value(m.budget_usd_m))
    weights = [
        1.0 / max(1.0, abs(float(limit.limit)) * (1.0 if limit.factor is None else budget))
        for limit in limits
    ]
    m.total_violation = pyo.Objective(
        expr=sum(w * m.violation[k] for k, w in enumerate(weights)), sense=pyo.minimize
    )
    return [(limit, m.violation[k]) for k, limit in enumerate(limits)]


def _relaxed_value(limit: Limit, violation: float) -> float:
    """The limit value that admits the violation, rounded outward (whole numbers for counts)."""
    step = violation / (limit.factor_value or 1.0)
    value = limit.limit + step if limit.sense == "max" else limit.limit - step
    scale = 10 ** DIGITS_BY_MEASURE[limit.measure]
    rounded = (
        math.ceil(value * scale - 1e-9)
        if limit.sense == "max"
        else math.floor(value * scale + 1e-9)
    )
    return max(0.0, rounded / scale)


def diagnose(
    instance: Instance,
    mandate: Mandate,
    time_limit: float | None = None,
    *,
    settings: SolverSettings | None = None,
) -> Diagnosis:
    """The smallest total relaxation of the mandate's limits that makes it feasible.

    It is solved to proven optimality (gap 0) within ``time_limit`` (default: the mandate's),
    or under the caller's ``settings``.
    """
    settings = settings or settings_for(mandate, time_limit, 0.0)
    m = build_model(instance, mandate, ticket_block=True)
    pairs = _elastic(m)
    outcome = run_matrix(m, settings, None)
    if not outcome.has_solution:
        return Diagnosis(
            message=(
                "The mandate is infeasible even with every limit relaxed: the forced-in "
                "candidates, their start windows and their requires/excludes relations conflict."
            )
        )
    needed: dict[str, tuple[float, float]] = defaultdict(lambda: (0.0, 0.0))
    for limit, var in pairs:
        violation = var.value or 0.0
        if violation > VIOLATION_TOLERANCE * max(1.0, abs(float(pyo.value(limit.rhs)))):
            relaxed = _relaxed_value(limit, violation)
            previous = needed.get(limit.key)
            farther = previous is None or abs(relaxed - limit.limit) > abs(
                previous[1] - limit.limit
            )
            if farther:
                needed[limit.key] = (limit.limit, relaxed)
    relaxations = tuple(
        Relaxation.model_validate({"key": key, "from": old, "to": new})
        for key, (old, new) in sorted(needed.items())
    )
    listing = "; ".join(f"{r.key} from {r.from_:g} to {r.to:g}" for r in relaxations)
    return Diagnosis(
        message=(
            f"The mandate is infeasible. Relaxing {len(relaxations)} limit(s) together makes it "
            f"feasible, with the smallest total relative change: {listing}."
        ),
        relaxations=relaxations,
    )
