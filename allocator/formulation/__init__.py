"""The Pyomo formulation: ``build_model`` calls each constraint family in a fixed order.

A new family is one module with ``add_<family>(m, pairs, mandate)`` and one line in FAMILIES.
"""

from __future__ import annotations

from collections.abc import Callable

import pyomo.environ as pyo

from allocator.formulation.attributes import add_attribute_limits
from allocator.formulation.budget import add_budget
from allocator.formulation.core import Limit, Pairs, add_exclusions, add_variables, without_gc
from allocator.formulation.cvar import add_cvar
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

Family = Callable[[pyo.ConcreteModel, Pairs, Mandate], None]

FAMILIES: tuple[Family, ...] = (
    add_exclusions,
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
    add_cvar,
    add_objective,
)


def build_model(
    instance: Instance, mandate: Mandate, *, ticket_block: bool = False
) -> pyo.ConcreteModel:
    """The full mixed-integer program for an instance under a mandate.

    ``ticket_block`` keeps the ticket rows as arrays for a matrix hand-off (see ``tickets``).
    """
    with without_gc():
        pairs = Pairs.build(instance, mandate)
        m = pyo.ConcreteModel(name=f"{instance.name}/{mandate.name}")
        m.pairs = pairs
        m.ticket_block = ticket_block
        m.family_components, m.family_limits = {}, {}
        add_variables(m, pairs)
        for family in FAMILIES:
            _add_family(m, family, pairs, mandate)
    return m


def _add_family(m: pyo.ConcreteModel, family: Family, pairs: Pairs, mandate: Mandate) -> None:
    """Run one family and remember which components and limit rows it added."""
    before, first_limit = set(m.component_map()), len(m.limits)
    family(m, pairs, mandate)
    m.family_components[family.__name__] = [n for n in m.component_map() if n not in before]
    m.family_limits[family.__name__] = m.limits[first_limit:]


def rebuild_families(
    m: pyo.ConcreteModel, instance: Instance, mandate: Mandate, families: set[str]
) -> None:
    """Bring a built model to a new instance and mandate of the same structure elsewhere.

    The named families are deleted and added again; every other limit gets its new value in
    its mutable parameter, as do the budget and the objective weights.
    """
    pairs = m.pairs
    by_id = instance.by_id
    pairs.instance, pairs.mandate = instance, mandate
    pairs.candidates = [by_id[c.id] for c in pairs.candidates]
    with without_gc():
        for family in FAMILIES:
            name = family.__name__
            if name in families:
                for component in m.family_components.pop(name):
                    m.del_component(component)
                _add_family(m, family, pairs, mandate)
    m.limits = [row for f in FAMILIES for row in m.family_limits[f.__name__]]
    m.budget_usd_m.set_value(mandate.budget)
    m.strategic_weight.set_value(mandate.objective.strategic_weight)
    m.return_weight.set_value(mandate.objective.return_weight)
    for limit in m.limits:
        limit.value.set_value(mandate.value_at(limit.key))


__all__ = ["FAMILIES", "Limit", "Pairs", "build_model", "rebuild_families", "strategic_rate"]
