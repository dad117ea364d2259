"""Recycling: a share of the expected proceeds received may fund later commitments.

With ``recycling: {share, until}``, for every horizon year y the commitments made up to and
including y may exceed the budget by ``share`` × the expected proceeds received in the years
before y, up to ``until``:

    Σ_{t ≤ y} Σ_j w[j,t] − share · Σ_{y' < y, y' ≤ until} Σ proceeds_j,t(y')·w[j,t] ≤ budget

Proceeds of a year fund the commitments of the following years. The last horizon year's row
replaces the budget row (``budget`` leaves it out). Each row reports the key ``budget``, so its
marginal value is per $M of budget and a diagnosis relaxes the budget; an edit of ``recycling``
rebuilds the rows.
"""

from __future__ import annotations

from collections import defaultdict

from allocator.formulation.core import Pairs
from allocator.formulation.expressions import pair_sum
from allocator.formulation.limits import Family, LimitRow, add_limits
from allocator.formulation.model import AllocationModel
from allocator.formulation.net_cash import PROCEEDS_FIELDS
from allocator.inputs.instance import Candidate
from allocator.inputs.mandate import Mandate


def add_recycling(m: AllocationModel, pairs: Pairs, mandate: Mandate) -> None:
    """Cumulative commitments within the budget plus the recycled proceeds; index: years."""
    if mandate.recycling is None:
        return
    share, until, years = mandate.recycling.share, mandate.recycling_until, mandate.years
    proceeds = pairs.flows_by_year(Candidate.expected_proceeds, min(until, years[-1] - 1))
    by_year = pairs.group(pairs.year)
    coefficients: dict[int, float] = defaultdict(float)
    rows = []
    for y in years:
        for p, v in proceeds.get(y - 1, ()):  # received in the year before: funds this one
            coefficients[p] -= share * v
        for p in by_year.get(y, ()):
            coefficients[p] += 1.0
        lhs = pair_sum(m, "w", list(coefficients), list(coefficients.values()))
        rows.append(LimitRow(y, "budget", mandate.budget, "max", lhs, "amount"))
    add_limits(m, "recycling_budget", rows)


RECYCLING = Family(
    "recycling",
    add_recycling,
    reads=("recycling",),
    fields=PROCEEDS_FIELDS,
    doc=(
        "for each horizon year y: `Σ_{t ≤ y} w − share · Σ_{y' < y, y' ≤ until} "
        "proceeds(y') ≤ budget`; the last year's row replaces the budget row"
    ),
    keys="`budget` (rows `recycling_budget[<year>]`), edits of `recycling.*` rebuild them",
)
