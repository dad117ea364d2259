"""Pillar and sub-area limits: min/max share, amount and count of committed capital.

Shares are measured against ``share_basis`` (the budget, or the total committed).
``sub_areas.default`` applies to every sub-area; a sub-area's own entry overrides it key by key.
"""

from __future__ import annotations

from collections.abc import Hashable

from allocator.formulation.core import Pairs
from allocator.formulation.expressions import amount, basis, count
from allocator.formulation.limits import Family, LimitRow, add_limits
from allocator.formulation.model import AllocationModel
from allocator.inputs.mandate import SHARE_LIMIT_KINDS, Mandate, ShareLimits


def add_share_limits(
    m: AllocationModel,
    mandate: Mandate,
    level: str,
    limits: dict[str, ShareLimits],
    groups: dict[Hashable, list[int]],
) -> None:
    """Limits of one level (``pillar`` or ``sub_area``) over the positions of each id."""
    section = "pillars" if level == "pillar" else "sub_areas"
    share_of = basis(m, mandate)
    for name, sense, measure in SHARE_LIMIT_KINDS:
        rows = []
        for ident, lim in limits.items():
            value = getattr(lim, name)
            if value is None:
                continue
            positions = groups.get(ident, [])
            lhs = amount(m, positions) if measure == "amount" else count(m, positions)
            key = f"{section}.{ident}.{name}"
            if name.endswith("share"):
                rows.append(LimitRow(ident, key, value, sense, lhs, "share", share_of))
            else:
                rows.append(LimitRow(ident, key, value, sense, lhs, measure))
        add_limits(m, f"{level}_{name}", rows)


def add_shares(m: AllocationModel, pairs: Pairs, mandate: Mandate) -> None:
    """Pillar limits then sub-area limits (with the ``default`` rule)."""
    if mandate.pillars:
        add_share_limits(
            m, mandate, "pillar", mandate.pillars, pairs.group(lambda p: pairs.pillar[p])
        )
    sub_limits = mandate.sub_area_limits(list(pairs.instance.sub_areas))
    if sub_limits:
        by_sub_area = pairs.group(lambda p: pairs.candidates[p].sub_area_id)
        add_share_limits(m, mandate, "sub_area", sub_limits, by_sub_area)


SHARES = Family(
    "shares",
    add_shares,
    reads=("pillars", "sub_areas", "share_basis"),
    doc=(
        "per pillar and sub-area: amount `≤/≥ share · basis`, `≤/≥ amount`, count of deals "
        "`≤/≥ count`; `sub_areas.default` applies to all, a sub-area's own entry overrides it "
        "key by key"
    ),
    keys="`pillars.<id>.<limit>`, `sub_areas.<id>.<limit>`",
)
