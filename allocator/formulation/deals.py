"""Deal counts and groups: commitments per year and in total; members of a group chosen."""

from __future__ import annotations

from allocator.formulation.core import Pairs
from allocator.formulation.expressions import count
from allocator.formulation.limits import Family, LimitRow, Sense, add_limits
from allocator.formulation.model import AllocationModel
from allocator.inputs.mandate import Mandate


def add_deals(m: AllocationModel, pairs: Pairs, mandate: Mandate) -> None:
    """``deals.max_per_year`` (index: years), ``max_total`` and ``min_total``."""
    deals = mandate.deals
    if deals.max_per_year is not None:
        by_year = pairs.group(pairs.year)
        rows = [
            LimitRow(
                y,
                "deals.max_per_year",
                deals.max_per_year,
                "max",
                count(m, by_year.get(y, [])),
                "count",
            )
            for y in mandate.years
        ]
        add_limits(m, "deals_max_per_year", rows)
    everything = range(len(pairs.items))
    totals: tuple[tuple[str, Sense], ...] = (("max_total", "max"), ("min_total", "min"))
    for name, sense in totals:
        value = getattr(deals, name)
        if value is not None:
            row = LimitRow("total", f"deals.{name}", value, sense, count(m, everything), "count")
            add_limits(m, f"deals_{name}", [row])


def add_groups(m: AllocationModel, pairs: Pairs, mandate: Mandate) -> None:
    """``groups.<label>.max_count`` / ``min_count``: chosen members of the group."""
    if not mandate.groups:
        return
    members = pairs.group(lambda p: pairs.candidates[p].group or None)
    counts: tuple[tuple[str, Sense], ...] = (("max_count", "max"), ("min_count", "min"))
    for name, sense in counts:
        rows = [
            LimitRow(
                label,
                f"groups.{label}.{name}",
                getattr(g, name),
                sense,
                count(m, members.get(label, [])),
                "count",
            )
            for label, g in mandate.groups.items()
            if getattr(g, name) is not None
        ]
        add_limits(m, f"group_{name}", rows)


DEALS = Family(
    "deals",
    add_deals,
    reads=("deals",),
    doc="commitments per year `≤ max_per_year`; in total `≤ max_total`, `≥ min_total`",
    keys="`deals.*`",
)
GROUPS = Family(
    "groups",
    add_groups,
    reads=("groups",),
    fields=("group",),
    doc="group members chosen `≤ max_count`, `≥ min_count`",
    keys="`groups.<label>.*`",
)
