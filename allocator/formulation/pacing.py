"""Pacing: capital called in each horizon year, ``called(y) = Σ call_schedule_j[y−t] · w[j,t]``.

``annual_max``/``annual_min`` bound ``called(y)`` (a number for every year, or a year map);
``cumulative_max`` bounds the capital called from the horizon start up to and including a year.
Calls after the horizon are reported, not limited.
"""

from __future__ import annotations

from collections import defaultdict

from allocator.formulation.core import Pairs
from allocator.formulation.expressions import pair_sum
from allocator.formulation.limits import Family, LimitRow, Sense, add_limits
from allocator.formulation.model import AllocationModel
from allocator.inputs.mandate import Mandate, Pacing, year_limits


def called_terms(pairs: Pairs, years: list[int]) -> dict[int, list[tuple[int, float]]]:
    """For each horizon year, the (pair position, fraction called) terms; one pass over pairs."""
    terms: dict[int, list[tuple[int, float]]] = defaultdict(list)
    last = years[-1]
    for p, ((_, t), c) in enumerate(zip(pairs.items, pairs.candidates, strict=True)):
        for year, fraction in c.calls(t):
            if year <= last:
                terms[year].append((p, fraction))
    return terms


def _called(m: AllocationModel, terms: list[tuple[int, float]]) -> object:
    """Capital called by (pair position, fraction) terms."""
    return pair_sum(m, "w", [p for p, _ in terms], [f for _, f in terms])


def add_pacing(m: AllocationModel, pairs: Pairs, mandate: Mandate) -> None:
    """Annual maximum and minimum of capital called, and cumulative caps; index: years."""
    pacing, years = mandate.pacing, mandate.years
    if pacing == Pacing():
        return
    terms = called_terms(pairs, years)
    called = {y: _called(m, terms.get(y, [])) for y in years}
    bounds: tuple[tuple[str, Sense], ...] = (("annual_max", "max"), ("annual_min", "min"))
    for name, sense in bounds:
        limits = year_limits(getattr(pacing, name), years)
        rows = [
            LimitRow(y, f"pacing.{name}.{y}", v, sense, called[y], "amount")
            for y, v in limits.items()
        ]
        add_limits(m, f"pacing_{name}", rows)
    rows = []
    for y, v in year_limits(pacing.cumulative_max, years).items():
        lhs = _called(m, [t for year in years if year <= y for t in terms.get(year, ())])
        rows.append(LimitRow(y, f"pacing.cumulative_max.{y}", v, "max", lhs, "amount"))
    add_limits(m, "pacing_cumulative_max", rows)


PACING = Family(
    "pacing",
    add_pacing,
    reads=("pacing",),
    fields=("call_schedule",),
    doc=(
        "`called(y) = Σ call_schedule_j[y−t]·w[j,t]` for horizon years: `≤ annual_max`, "
        "`≥ annual_min` (a number for every year or a year map); "
        "`Σ_{y ≤ Y} called(y) ≤ cumulative_max[Y]`"
    ),
    keys=("`pacing.annual_max.<year>`, `pacing.annual_min.<year>`, `pacing.cumulative_max.<year>`"),
)
