"""Generic attribute limits: ``per: deal`` sums the attribute over chosen deals (``Σ a_j·z``);
``per: dollar`` weights it by the amount (``Σ a_j·w``)."""

from __future__ import annotations

from allocator.formulation.core import Pairs
from allocator.formulation.expressions import amount, count
from allocator.formulation.limits import Family, LimitRow, add_limits
from allocator.formulation.model import AllocationModel
from allocator.inputs.mandate import Mandate


def add_attribute_limits(m: AllocationModel, pairs: Pairs, mandate: Mandate) -> None:
    """One row per limit and bound; index (limit position, max|min)."""
    rows = []
    everything = range(len(pairs.items))
    for n, lim in enumerate(mandate.limits):

        def weight(p: int, attribute: str = lim.attribute) -> float:
            return pairs.candidates[p].attributes.get(attribute, 0.0)

        measure = count if lim.per == "deal" else amount
        for bound in ("max", "min"):
            value = getattr(lim, bound)
            if value is not None:
                lhs = measure(m, everything, weight)
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
