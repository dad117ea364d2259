"""Lead time: impact year ``t + lead_time_j``.

``max_lead_time`` is enforced by bounding longer candidates' ``z`` to 0 (see core).
``impact_by``: capital whose impact is online by a year, at least a share of the basis (or an
amount). ``sub_area_deadlines``: the same within one sub-area.
"""

from __future__ import annotations

import pyomo.environ as pyo

from allocator.formulation.core import Pairs, add_limits, amount, basis
from allocator.mandate import ImpactBy, Mandate


def _minimums(rule: ImpactBy, key: str, share_of: object) -> list[tuple[str, float, object]]:
    """(key, mandate value, factor) for each minimum the rule sets."""
    found = []
    if rule.min_share is not None:
        found.append((f"{key}.min_share", rule.min_share, share_of))
    if rule.min_amount is not None:
        found.append((f"{key}.min_amount", rule.min_amount, None))
    return found


def add_impact_by(m: pyo.ConcreteModel, pairs: Pairs, mandate: Mandate) -> None:
    """Impact-by shares (index: rule position and kind) and sub-area deadlines."""
    lead = mandate.lead_time
    share_of = basis(m, mandate)
    rows = []
    for n, rule in enumerate(lead.impact_by):
        online = [p for p in range(len(pairs.items)) if pairs.impact_year(p) <= rule.year]
        for key, value, factor in _minimums(rule, f"lead_time.impact_by.{n}", share_of):
            rows.append(((n, key.rsplit(".", 1)[1]), key, value, "min", amount(m, online), factor))
    add_limits(m, "impact_by", rows)
    rows = []
    for sid, rule in lead.sub_area_deadlines.items():
        online = [
            p
            for p in range(len(pairs.items))
            if pairs.candidates[p].sub_area_id == sid and pairs.impact_year(p) <= rule.year
        ]
        for key, value, factor in _minimums(rule, f"lead_time.sub_area_deadlines.{sid}", share_of):
            rows.append(
                ((sid, key.rsplit(".", 1)[1]), key, value, "min", amount(m, online), factor)
            )
    add_limits(m, "sub_area_deadline", rows)
