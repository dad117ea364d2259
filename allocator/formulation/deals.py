"""Deal counts and groups: commitments per year and in total; members of a group chosen."""

from __future__ import annotations

import pyomo.environ as pyo

from allocator.formulation.core import Pairs, add_limits, count
from allocator.mandate import Mandate


def add_deals(m: pyo.ConcreteModel, pairs: Pairs, mandate: Mandate) -> None:
    """``deals.max_per_year`` (index: years), ``max_total`` and ``min_total``."""
    deals = mandate.deals
    if deals.max_per_year is not None:
        by_year = pairs.group(pairs.year)
        rows = [
            (y, "deals.max_per_year", deals.max_per_year, "max", count(m, by_year.get(y, [])), None)
            for y in mandate.years
        ]
        add_limits(m, "deals_max_per_year", rows)
    everything = range(len(pairs.items))
    for name, sense in (("max_total", "max"), ("min_total", "min")):
        value = getattr(deals, name)
        if value is not None:
            add_limits(
                m,
                f"deals_{name}",
                [("total", f"deals.{name}", value, sense, count(m, everything), None)],
            )


def add_groups(m: pyo.ConcreteModel, pairs: Pairs, mandate: Mandate) -> None:
    """``groups.<label>.max_count`` / ``min_count``: chosen members of the group."""
    if not mandate.groups:
        return
    members = pairs.group(lambda p: pairs.candidates[p].group or None)
    for name, sense in (("max_count", "max"), ("min_count", "min")):
        rows = [
            (
                label,
                f"groups.{label}.{name}",
                getattr(g, name),
                sense,
                count(m, members.get(label, [])),
                None,
            )
            for label, g in mandate.groups.items()
            if getattr(g, name) is not None
        ]
        add_limits(m, f"group_{name}", rows)
