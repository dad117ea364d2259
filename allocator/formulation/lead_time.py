"""Lead time: impact year ``t + lead_time_j``.

``max_lead_time`` is enforced by bounding longer candidates' ``z`` to 0 (see core).
``impact_by``: capital whose impact is online by a year, at least a share of the basis (or an
amount). ``sub_area_deadlines``: the same within one sub-area.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from allocator.formulation.core import Pairs
from allocator.formulation.expressions import amount, basis
from allocator.formulation.limits import Family, LimitRow, add_limits
from allocator.formulation.model import AllocationModel
from allocator.inputs.mandate import ImpactBy, Mandate


def _minimums(rule: ImpactBy, index: Hashable, key: str, lhs: Any, share_of: Any) -> list[LimitRow]:
    """A row for each minimum the rule sets; index (``index``, kind)."""
    rows = []
    if rule.min_share is not None:
        rows.append(
            LimitRow(
                (index, "min_share"),
                f"{key}.min_share",
                rule.min_share,
                "min",
                lhs,
                "share",
                share_of,
            )
        )
    if rule.min_amount is not None:
        rows.append(
            LimitRow(
                (index, "min_amount"), f"{key}.min_amount", rule.min_amount, "min", lhs, "amount"
            )
        )
    return rows


def add_impact_by(m: AllocationModel, pairs: Pairs, mandate: Mandate) -> None:
    """Impact-by shares (index: rule position and kind) and sub-area deadlines."""
    lead = mandate.lead_time
    share_of = basis(m, mandate)
    everything = range(len(pairs.items))
    rows = []
    for n, rule in enumerate(lead.impact_by):
        online = amount(m, [p for p in everything if pairs.impact_year(p) <= rule.year])
        rows += _minimums(rule, n, f"lead_time.impact_by.{n}", online, share_of)
    add_limits(m, "impact_by", rows)
    rows = []
    for sid, rule in lead.sub_area_deadlines.items():
        positions = [
            p
            for p in everything
            if pairs.candidates[p].sub_area_id == sid and pairs.impact_year(p) <= rule.year
        ]
        key = f"lead_time.sub_area_deadlines.{sid}"
        rows += _minimums(rule, sid, key, amount(m, positions), share_of)
    add_limits(m, "sub_area_deadline", rows)


IMPACT_BY = Family(
    "impact_by",
    add_impact_by,
    reads=("lead_time.impact_by", "lead_time.sub_area_deadlines", "share_basis"),
    fields=("lead_time",),
    doc=(
        "`Σ_{t + lead_j ≤ year} w ≥ min_share · basis` (or `min_amount`); the same within one "
        "sub-area for deadlines"
    ),
    keys="`lead_time.impact_by.<n>.*`, `lead_time.sub_area_deadlines.<id>.*`",
)
