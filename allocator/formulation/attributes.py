"""Generic attribute limits: ``per: deal`` sums the attribute over chosen deals (``Σ a_j·z``);
``per: dollar`` weights it by the amount (``Σ a_j·w``)."""

from __future__ import annotations

import pyomo.environ as pyo

from allocator.formulation.core import Pairs, add_limits, amount, count
from allocator.mandate import Mandate


def add_attribute_limits(m: pyo.ConcreteModel, pairs: Pairs, mandate: Mandate) -> None:
    """One row per limit and bound; index (limit position, max|min)."""
    rows = []
    everything = range(len(pairs.items))
    for n, lim in enumerate(mandate.limits):

        def weight(p: int, attribute: str = lim.attribute) -> float:
            return pairs.candidates[p].attributes.get(attribute, 0.0)

        measure = count if lim.per == "deal" else amount
        for bound, sense in (("max", "max"), ("min", "min")):
            value = getattr(lim, bound)
            if value is not None:
                lhs = measure(m, everything, weight)
                rows.append(((n, bound), f"limits.{n}.{bound}", value, sense, lhs, None))
    add_limits(m, "attribute_limit", rows)
