"""Budget and deployment: ``Σ w ≤ budget``; ``Σ w ≥ min_deployment · budget``.

With ``recycling`` the budget row is left to the recycling family, whose last row is the budget
plus the recycled proceeds.
"""

from __future__ import annotations

from allocator.formulation.core import Pairs
from allocator.formulation.limits import Family, LimitRow, add_limits
from allocator.formulation.model import AllocationModel
from allocator.inputs.mandate import Mandate


def add_budget(m: AllocationModel, pairs: Pairs, mandate: Mandate) -> None:
    """Total commitment within the budget, and at least the minimum deployment."""
    if mandate.recycling is None:
        row = LimitRow("total", "budget", mandate.budget, "max", m.committed, "amount")
        add_limits(m, "budget", [row])
    if mandate.min_deployment is not None:
        row = LimitRow(
            "total",
            "min_deployment",
            mandate.min_deployment,
            "min",
            m.committed,
            "share",
            m.budget_usd_m,
        )
        add_limits(m, "min_deployment", [row])


BUDGET = Family(
    "budget",
    add_budget,
    reads=("budget", "min_deployment", "recycling"),
    doc="`Σ w ≤ budget` (without `recycling`); `Σ w ≥ min_deployment · budget`",
    keys="`budget`, `min_deployment`",
)
