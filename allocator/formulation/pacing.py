"""Pacing: capital called and new commitments in each horizon year.

``called(y) = Σ call_schedule_j[y−t] · w[j,t]``: ``annual_max``/``annual_min`` bound it (a number
for every year, or a year map); ``cumulative_max`` bounds the capital called from the horizon
start up to and including a year. Calls after the horizon are reported, not limited.
``committed(y) = Σ_j w[j,y]``: ``commit_max``/``commit_min`` bound the commitments made in a year.
"""

from __future__ import annotations

from pyomo.core.expr.numeric_expr import SumExpression

from allocator.formulation.core import Pairs
from allocator.formulation.expressions import amount, pair_sum
from allocator.formulation.limits import Family, LimitRow, Sense, add_limits
from allocator.formulation.model import AllocationModel
from allocator.inputs.instance import Candidate
from allocator.inputs.mandate import Mandate, year_limits

BOUNDS: tuple[tuple[str, Sense], ...] = (("max", "max"), ("min", "min"))
READS = (
    "pacing.annual_max",
    "pacing.annual_min",
    "pacing.cumulative_max",
    "pacing.commit_max",
    "pacing.commit_min",
)


def called_terms(pairs: Pairs, years: list[int]) -> dict[int, list[tuple[int, float]]]:
    """For each horizon year, the (pair position, fraction called) terms; one pass over pairs."""
    return pairs.flows_by_year(Candidate.calls, last=years[-1])


def _called(m: AllocationModel, terms: list[tuple[int, float]]) -> object:
    """Capital called by (pair position, fraction) terms."""
    return pair_sum(m, "w", [p for p, _ in terms], [f for _, f in terms])


def add_pacing(m: AllocationModel, pairs: Pairs, mandate: Mandate) -> None:
    """Annual maximum and minimum of capital called, cumulative caps, and annual bounds on new
    commitments; index: years."""
    pacing, years = mandate.pacing, mandate.years
    if all(getattr(pacing, key.split(".")[1]) is None for key in READS):
        return
    terms = called_terms(pairs, years)
    called = {y: _called(m, terms.get(y, [])) for y in years}
    for bound, sense in BOUNDS:
        limits = year_limits(getattr(pacing, f"annual_{bound}"), years)
        rows = [
            LimitRow(y, f"pacing.annual_{bound}.{y}", v, sense, called[y], "amount")
            for y, v in limits.items()
        ]
        add_limits(m, f"pacing_annual_{bound}", rows)
    rows = []
    for y, v in year_limits(pacing.cumulative_max, years).items():
        # the sum of the years' called expressions: read as arrays, not rebuilt term by term
        lhs = SumExpression([called[year] for year in years if year <= y])
        rows.append(LimitRow(y, f"pacing.cumulative_max.{y}", v, "max", lhs, "amount"))
    add_limits(m, "pacing_cumulative_max", rows)
    by_year = pairs.group(pairs.year)
    for bound, sense in BOUNDS:
        limits = year_limits(getattr(pacing, f"commit_{bound}"), years)
        rows = [
            LimitRow(
                y, f"pacing.commit_{bound}.{y}", v, sense, amount(m, by_year.get(y, ())), "amount"
            )
            for y, v in limits.items()
        ]
        add_limits(m, f"pacing_commit_{bound}", rows)


PACING = Family(
    "pacing",
    add_pacing,
    reads=READS,
    fields=("call_schedule",),
    doc=(
        "`called(y) = Σ call_schedule_j[y−t]·w[j,t]` for horizon years: `≤ annual_max`, "
        "`≥ annual_min` (a number for every year or a year map); "
        "`Σ_{y ≤ Y} called(y) ≤ cumulative_max[Y]`; commitments made in year y, `Σ_j w[j,y]`: "
        "`≤ commit_max`, `≥ commit_min`"
    ),
    keys=(
        "`pacing.annual_max.<year>`, `pacing.annual_min.<year>`, `pacing.cumulative_max.<year>`, "
        "`pacing.commit_max.<year>`, `pacing.commit_min.<year>`"
    ),
)
