"""Pillar and sub-area limits: min/max share, amount and count of committed capital.

Shares are measured against ``share_basis`` (the budget, or the total committed).
``sub_areas.default`` applies to every sub-area; a sub-area's own entry overrides it key by key.
"""

from __future__ import annotations

from collections.abc import Hashable

import pyomo.environ as pyo

from allocator.formulation.core import Pairs, add_limits, amount, basis, count
from allocator.mandate import SHARE_LIMIT_KINDS, Mandate, ShareLimits


def add_share_limits(
    m: pyo.ConcreteModel,
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
            factor = share_of if name.endswith("share") else None
            rows.append((ident, f"{section}.{ident}.{name}", value, sense, lhs, factor))
        add_limits(m, f"{level}_{name}", rows)


def add_portfolio(m: pyo.ConcreteModel, pairs: Pairs, mandate: Mandate) -> None:
    """Pillar limits then sub-area limits (with the ``default`` rule)."""
    if mandate.pillars:
        add_share_limits(
            m, mandate, "pillar", mandate.pillars, pairs.group(lambda p: pairs.pillar[p])
        )
    sub_limits = mandate.sub_area_limits(list(pairs.instance.sub_areas))
    if sub_limits:
        by_sub_area = pairs.group(lambda p: pairs.candidates[p].sub_area_id)
        add_share_limits(m, mandate, "sub_area", sub_limits, by_sub_area)
