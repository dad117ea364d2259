"""Relations between candidates.

``requires: [i]`` lets j start in year t only if i is committed in t or earlier:
``z[j,t] ≤ Σ_{t' ≤ t} z[i,t']``. ``excludes: [i]`` means never both: ``Σ z[j,·] + Σ z[i,·] ≤ 1``.
"""

from __future__ import annotations

import pyomo.environ as pyo

from allocator.formulation.core import Pairs
from allocator.formulation.expressions import count
from allocator.formulation.limits import Family
from allocator.formulation.model import AllocationModel
from allocator.inputs.mandate import Mandate


def add_requires(m: AllocationModel, pairs: Pairs, mandate: Mandate) -> None:
    """One row per (pair of j, required i); index (j, t, i)."""
    by_candidate = pairs.by_candidate
    rows = {}
    for p, ((j, t), c) in enumerate(zip(pairs.items, pairs.candidates, strict=True)):
        for i in c.requires:
            earlier = [q for q in by_candidate.get(i, []) if pairs.year(q) <= t]
            rows[j, t, i] = (p, earlier)
    m.requires = pyo.Constraint(
        list(rows), rule=lambda m, j, t, i: m.z_list[rows[j, t, i][0]] <= count(m, rows[j, t, i][1])
    )


def add_excludes(m: AllocationModel, pairs: Pairs, mandate: Mandate) -> None:
    """One row per unordered excluded pair {j, i}, both with allowed years."""
    by_candidate = pairs.by_candidate
    couples = sorted(
        {tuple(sorted((c.id, i))) for c in pairs.instance.candidates for i in c.excludes}
    )
    couples = [(a, b) for a, b in couples if a in by_candidate and b in by_candidate]
    m.excludes = pyo.Constraint(
        couples, rule=lambda m, a, b: count(m, by_candidate[a] + by_candidate[b]) <= 1
    )


REQUIRES = Family(
    "requires",
    add_requires,
    fields=("requires",),
    doc="`z[j,t] ≤ Σ_{t' ≤ t} z[i,t']` for each `i` in `requires` of `j`",
    keys="candidate column `requires`",
)
EXCLUDES = Family(
    "excludes",
    add_excludes,
    fields=("excludes",),
    doc="`Σ z[j,·] + Σ z[i,·] ≤ 1` for each `i` in `excludes` of `j`",
    keys="candidate column `excludes`",
)
