"""Binding limits in the committee's words: what the limit is, and what it costs at the margin.

A marginal value (``Binding.dual``, from ``allocator.marginal_values``) is objective gained per
unit of the limit's value: per $M for amounts, per 1.0 of a share (shown per percentage
point), per deal for counts, per attribute unit for attribute limits.
"""

from __future__ import annotations

from dataclasses import dataclass

from allocator.inputs.instance import Instance
from allocator.inputs.mandate import Mandate
from allocator.report.markup import dollars, number, percent
from allocator.results.plan import Binding

LIMIT_WORDS = {  # the last part of a pillar or sub-area key
    "max_share": "maximum share",
    "min_share": "minimum share",
    "max_amount": "maximum amount",
    "min_amount": "minimum amount",
    "max_count": "maximum number of deals",
    "min_count": "minimum number of deals",
}


@dataclass(frozen=True)
class Wording:
    """A limit described: its name with its value, and the unit its marginal value is per."""

    name: str
    unit: str  # "$M", "percentage point", "deal", or an attribute's name
    per_unit: float  # the marginal value's unit in the limit's own units (0.01 of a share)


def _value(kind: str, limit: float) -> str:
    if kind.endswith("share"):
        return percent(limit, 0 if round(limit * 100, 6).is_integer() else 1)
    if kind.endswith("count"):
        return f"{limit:g} deals"
    return dollars(limit)


def _unit(kind: str) -> tuple[str, float]:
    if kind.endswith("share"):
        return "percentage point", 0.01
    if kind.endswith("count"):
        return "deal", 1.0
    return "$M", 1.0


def describe(binding: Binding, instance: Instance, mandate: Mandate) -> Wording:
    """The limit behind a binding row, in words, with the unit of its marginal value."""
    parts = binding.key.split(".")
    head, limit = parts[0], binding.limit
    if head == "budget":
        return Wording(f"the budget ({dollars(limit)})", "$M", 1.0)
    if head == "min_deployment":
        return Wording(
            f"the minimum deployment ({percent(limit, 0)} of the budget)", "percentage point", 0.01
        )
    if head == "pacing" and len(parts) == 3:
        what = {
            "annual_max": f"the {parts[2]} call cap",
            "annual_min": f"the {parts[2]} call floor",
            "cumulative_max": f"the cap on capital called up to {parts[2]}",
        }[parts[1]]
        return Wording(f"{what} ({dollars(limit)})", "$M", 1.0)
    if head in ("pillars", "sub_areas") and len(parts) == 3 and parts[2] in LIMIT_WORDS:
        names = (
            instance.pillars
            if head == "pillars"
            else {s: a.sub_area for s, a in instance.sub_areas.items()}
        )
        owner = names.get(parts[1], parts[1])
        unit, per = _unit(parts[2])
        return Wording(f"{owner}'s {LIMIT_WORDS[parts[2]]} ({_value(parts[2], limit)})", unit, per)
    if head == "deals":
        year = binding.constraint.partition("[")[2].rstrip("]")  # the year the cap binds in
        what = {
            "max_per_year": f"the cap of {limit:g} new deals a year (in {year})",
            "max_total": f"the cap of {limit:g} deals in all",
            "min_total": f"the floor of {limit:g} deals in all",
        }.get(parts[-1], binding.key)
        return Wording(what, "deal", 1.0)
    if head == "groups" and len(parts) == 3:
        bound = "at most" if parts[2] == "max_count" else "at least"
        return Wording(f"{bound} {limit:g} of group {parts[1]}", "deal", 1.0)
    if head == "risk":
        what = {
            "max_expected_loss_share": "the expected-loss cap",
            "max_high_risk_share": "the cap on high-risk capital",
        }.get(parts[-1], "the CVaR cap")
        basis = f"of the {mandate.share_basis}" if mandate.share_basis == "budget" else "committed"
        return Wording(f"{what} ({percent(limit, 0)} {basis})", "percentage point", 0.01)
    if head == "lead_time" and len(parts) >= 3:
        rule = (
            mandate.lead_time.impact_by[int(parts[2])]
            if parts[1] == "impact_by"
            else mandate.lead_time.sub_area_deadlines[parts[2]]
        )
        unit, per = _unit(parts[-1])
        scope = "" if parts[1] == "impact_by" else f" in {parts[2]}"
        return Wording(
            f"the rule that {_value(parts[-1], limit)}{scope} be online by {rule.year}", unit, per
        )
    if head == "limits" and len(parts) == 3:
        attribute = mandate.limits[int(parts[1])]
        bound = "cap" if parts[2] == "max" else "floor"
        return Wording(f"the {attribute.name} {bound} ({limit:g})", attribute.attribute, 1.0)
    return Wording(f"{binding.key} ({limit:g})", "unit", 1.0)


def marginal_text(binding: Binding, words: Wording) -> str:
    """The marginal value in words: ``0.90 of objective per $M``."""
    if words.unit == "deal":
        return "none per unit (a count: it shapes which deals are chosen)"
    if binding.dual is None:
        return "not computed"
    value = binding.dual * words.per_unit
    if abs(value) < 5e-3:
        return "nothing at the margin"
    return f"{number(value)} of objective per {words.unit}"


def sentence(binding: Binding, instance: Instance, mandate: Mandate) -> str:
    """``The 2028 call cap ($1,500M) costs 0.90 of objective per $M.``"""
    words = describe(binding, instance, mandate)
    name = words.name[0].upper() + words.name[1:]
    if words.unit == "deal":
        return f"{name} binds: it shapes which deals are chosen, not their amounts."
    if binding.dual is None:
        return f"{name} binds; its marginal value was not computed."
    return f"{name} costs {marginal_text(binding, words)}."
