"""The Pyomo formulation: ``build_model`` calls each constraint family in a fixed order.

A new family is one module with ``add_<family>(m, pairs, mandate)`` and one line in FAMILIES.
"""

from __future__ import annotations

import pyomo.environ as pyo

from allocator.formulation.attributes import add_attribute_limits
from allocator.formulation.budget import add_budget
from allocator.formulation.core import Limit, Pairs, add_variables
from allocator.formulation.deals import add_deals, add_groups
from allocator.formulation.lead_time import add_impact_by
from allocator.formulation.objective import add_objective, strategic_rate
from allocator.formulation.pacing import add_pacing
from allocator.formulation.portfolio import add_portfolio
from allocator.formulation.relations import add_excludes, add_requires
from allocator.formulation.risk import add_risk
from allocator.formulation.tickets import add_once_only, add_tickets
from allocator.instance import Instance
from allocator.mandate import Mandate

FAMILIES = (
    add_tickets,
    add_once_only,
    add_budget,
    add_pacing,
    add_portfolio,
    add_deals,
    add_groups,
    add_requires,
    add_excludes,
    add_risk,
    add_impact_by,
    add_attribute_limits,
    add_objective,
)


def build_model(instance: Instance, mandate: Mandate) -> pyo.ConcreteModel:
    """The full mixed-integer program for an instance under a mandate."""
    pairs = Pairs.build(instance, mandate)
    m = pyo.ConcreteModel(name=f"{instance.name}/{mandate.name}")
    m.pairs = pairs
    add_variables(m, pairs)
    for family in FAMILIES:
        family(m, pairs, mandate)
    return m


__all__ = ["FAMILIES", "Limit", "Pairs", "build_model", "strategic_rate"]
