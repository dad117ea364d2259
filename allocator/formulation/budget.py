"""Budget and deployment: ``Σ w ≤ budget``; ``Σ w ≥ min_deployment · budget``."""

from __future__ import annotations

import pyomo.environ as pyo

from allocator.formulation.core import Pairs, add_limits
from allocator.mandate import Mandate


def add_budget(m: pyo.ConcreteModel, pairs: Pairs, mandate: Mandate) -> None:
    """Total commitment within the budget, and at least the minimum deployment."""
    rows = [("total", "budget", mandate.budget, "max", m.committed, None)]
    if mandate.min_deployment is not None:
        rows.append(
            ("total", "min_deployment", mandate.min_deployment, "min", m.committed, m.budget_usd_m)
        )
    add_limits(m, "budget", rows[:1])
    add_limits(m, "min_deployment", rows[1:])
