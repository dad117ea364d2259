"""Net cash: capital called minus expected distributions in each horizon year.

``net(y) = Σ call_schedule_j[y−t]·w[j,t] − Σ proceeds_j,t(y)·w[j,t]`` where
``proceeds_j,t(y) = (1 − p_j)·expected_multiple_j·distribution_schedule_j[y − t − hold_j]``
(``Candidate.expected_proceeds``); ``pacing.net_max`` bounds it (a number for every year, or a
year map). Distributions are expected values, so the row limits the expected net outflow.
"""

from __future__ import annotations

from collections import defaultdict

from allocator.formulation.core import Pairs
from allocator.formulation.expressions import pair_sum
from allocator.formulation.limits import Family, LimitRow, add_limits
from allocator.formulation.model import AllocationModel
from allocator.inputs.instance import Candidate
from allocator.inputs.mandate import Mandate, year_limits

PROCEEDS_FIELDS = (
    "loss_probability",
    "expected_multiple",
    "hold",
    "lead_time",
    "call_schedule",
    "distribution_schedule",
)


def add_net_cash(m: AllocationModel, pairs: Pairs, mandate: Mandate) -> None:
    """Capital called minus expected distributions ≤ ``pacing.net_max``; index: years."""
    limits = year_limits(mandate.pacing.net_max, mandate.years)
    if not limits:
        return
    last = mandate.years[-1]
    calls = pairs.flows_by_year(Candidate.calls, last)
    proceeds = pairs.flows_by_year(Candidate.expected_proceeds, last)
    rows = []
    for y, value in limits.items():
        coefficients: dict[int, float] = defaultdict(float)
        for p, f in calls.get(y, ()):
            coefficients[p] += f
        for p, v in proceeds.get(y, ()):
            coefficients[p] -= v
        lhs = pair_sum(m, "w", list(coefficients), list(coefficients.values()))
        rows.append(LimitRow(y, f"pacing.net_max.{y}", value, "max", lhs, "amount"))
    add_limits(m, "pacing_net_max", rows)


NET_CASH = Family(
    "net_cash",
    add_net_cash,
    reads=("pacing.net_max",),
    fields=PROCEEDS_FIELDS,
    doc=(
        "`called(y) − Σ proceeds_j,t(y)·w[j,t] ≤ net_max` for horizon years, with expected "
        "proceeds `(1 − p_j)·multiple_j·distribution_schedule_j[y − t − hold_j]`"
    ),
    keys="`pacing.net_max.<year>`",
)
