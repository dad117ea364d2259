"""Generic attribute limits: ``per: deal`` sums the attribute over chosen deals (``Σ a_j·z``);
``per: dollar`` weights it by the amount (``Σ a_j·w``)."""

from __future__ import annotations

from functools import partial

from allocator.formulation.core import Pairs
from allocator.formulation.expressions import pair_sum
from allocator.formulation.limits import Family, LimitRow, add_limits
from allocator.formulation.model import AllocationModel
from allocator.inputs.instance import Candidate
from allocator.inputs.mandate import Mandate


def _attribute(candidate: Candidate, name: str) -> float:
    return candidate.attributes.get(name, 0.0)


def add_attribute_limits(m: AllocationModel, pairs: Pairs, mandate: Mandate) -> None:
    """One row per limit and bound; index (limit position, max|min)."""
    rows = []
    everything = range(len(pairs.items))
    for n, lim in enumerate(mandate.limits):
        weights = pairs.per_pair(partial(_attribute, name=lim.attribute))
        lhs = pair_sum(m, "z" if lim.per == "deal" else "w", everything, weights)
        for bound in ("max", "min"):
            value = getattr(lim, bound)
            if value is not None:
                rows.append(
                    LimitRow((n, bound), f"limits.{n}.{bound}", value, bound, lhs, "attribute")
                )
    add_limits(m, "attribute_limit", rows)


ATTRIBUTES = Family(
    "attributes",
    add_attribute_limits,
    reads=("limits",),
    fields=("attributes",),
    doc="`per: deal`: `Σ a_j·z`; `per: dollar`: `Σ a_j·w`; `≤ max`, `≥ min`",
    keys="`limits.<n>.max`, `limits.<n>.min`",
)
