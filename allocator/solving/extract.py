"""Solved Pyomo model -> Plan. The only module that reads values out of the model."""

from __future__ import annotations

import math

from allocator.formulation import AllocationModel, Pairs, return_rate, strategic_rate
from allocator.inputs.instance import Instance
from allocator.inputs.mandate import Mandate, SolverSettings
from allocator.results.metrics import clean, summarise
from allocator.results.plan import (
    Binding,
    Investment,
    ObjectiveTerms,
    Plan,
    Provenance,
    SolverInfo,
)
from allocator.results.status import Status

BINDING_TOLERANCE = 1e-6
SNAP_TOLERANCE = 1e-9  # relative: an amount this close to a ticket bound is at the bound


def snapped(value: float, low: float, high: float) -> float:
    """A chosen amount inside its ticket range, and exactly at a bound it meets within the
    solver's tolerance (149.99999999997 is a full ticket of 150). Otherwise the solver's value
    at full precision: rounding it could lift it over a limit it meets exactly."""
    value = min(max(value, low), high)
    for bound in (low, high):
        if abs(value - bound) <= SNAP_TOLERANCE * max(1.0, abs(bound)):
            return bound
    return value


def chosen_investments(m: AllocationModel, pairs: Pairs) -> list[Investment]:
    """Investments whose ``z`` is 1 in the loaded solution, in candidate then year order."""
    mandate = pairs.mandate
    chosen = []
    for p, ((cid, year), c) in enumerate(zip(pairs.items, pairs.candidates, strict=True)):
        if (m.z_list[p].value or 0.0) < 0.5:
            continue
        chosen.append(
            Investment(
                id=cid,
                name=c.name,
                pillar_id=pairs.pillar[p],
                sub_area_id=c.sub_area_id,
                start_year=year,
                amount=snapped(m.w_list[p].value or 0.0, c.ticket_min, c.ticket_max),
                impact_year=math.ceil(clean(year + c.lead_time)),
                loss_probability=c.loss_probability,
                expected_return=clean(c.expected_net_return),
                return_rate=clean(return_rate(c, year, mandate)),
                hold=c.holding_years,
            )
        )
    return chosen


def objective_terms(
    investments: list[Investment], instance: Instance, mandate: Mandate
) -> ObjectiveTerms:
    """Strategic value and the return term of the investments (unweighted)."""
    by_id, gap = instance.by_id, {s: a.gap_score for s, a in instance.sub_areas.items()}
    strategic = sum(
        strategic_rate(by_id[i.id], gap[i.sub_area_id], i.start_year, mandate) * i.amount
        for i in investments
    )
    ret = sum(i.return_rate * i.amount for i in investments)
    return ObjectiveTerms(strategic=clean(strategic), return_=clean(ret))


def binding_limits(m: AllocationModel) -> list[Binding]:
    """Limit rows at their bound (slack within tolerance), in model order."""
    binding = []
    for limit in m.limits:
        lhs, rhs = limit.sides()
        slack = rhs - lhs if limit.sense == "max" else lhs - rhs
        if slack <= BINDING_TOLERANCE * max(1.0, abs(rhs)):
            binding.append(
                Binding(
                    constraint=limit.constraint,
                    key=limit.key,
                    limit=limit.limit,
                    slack=clean(max(0.0, slack)),
                )
            )
    return binding


def extract_plan(
    m: AllocationModel,
    instance: Instance,
    mandate: Mandate,
    status: Status,
    bound: float | None,
    solver: SolverInfo,
    settings: SolverSettings | None = None,
) -> Plan:
    """A Plan from a solved model (investments only when a solution is loaded)."""
    scenarios = instance.scenarios
    provenance = Provenance(
        edits=mandate.edits,
        scenarios=None if scenarios is None else scenarios.source,
        time_limit=None if settings is None else settings.time_limit,
        gap=None if settings is None else settings.mip_gap,
    )
    common = {
        "status": status,
        "solver": solver,
        "instance": instance.name,
        "mandate": mandate.name,
        "provenance": provenance,
    }
    if not status.found:
        return Plan(**common)
    investments = chosen_investments(m, m.pairs)
    totals, metrics, cash_flows = summarise(investments, instance, mandate)
    terms = objective_terms(investments, instance, mandate)
    weights = mandate.objective
    penalty = weights.cvar_weight * metrics.cvar["cvar"] if metrics.cvar else 0.0
    objective = clean(
        weights.strategic_weight * terms.strategic + weights.return_weight * terms.return_ - penalty
    )
    bound = objective if bound is None else clean(max(bound, objective))
    gap = abs(bound - objective) / max(abs(objective), 1e-9)
    return Plan(
        **common,
        objective=objective,
        bound=bound,
        gap=clean(gap),
        objective_terms=terms,
        investments=tuple(investments),
        totals=totals,
        metrics=metrics,
        cash_flows=cash_flows,
        binding=tuple(binding_limits(m)),
    )
