"""Which constraint families a what-if edit forces to rebuild, and which it changes in place.

A number that is a limit's value, the budget or an objective weight changes in place (mutable
parameters); any other edit rebuilds the families that read it. ``None`` means the structure
of the whole model changed (horizon, candidate ids, sub-areas or start windows).
"""

from __future__ import annotations

from allocator.instance import Instance
from allocator.mandate import Mandate

# mandate section (longest prefix wins) -> families that read it
SECTION_FAMILIES: dict[str, tuple[str, ...]] = {
    "name": (),
    "description": (),
    "solver": (),
    "budget": ("add_budget",),
    "min_deployment": ("add_budget",),
    "pacing": ("add_pacing",),
    "pillars": ("add_portfolio",),
    "sub_areas": ("add_portfolio",),
    "share_basis": ("add_budget", "add_portfolio", "add_risk", "add_impact_by", "add_cvar"),
    "deals": ("add_deals",),
    "groups": ("add_groups",),
    "risk.cvar": ("add_cvar", "add_objective"),
    "risk": ("add_risk",),
    "lead_time.max_lead_time": ("add_exclusions",),
    "lead_time": ("add_impact_by",),
    "limits": ("add_attribute_limits",),
    "force_in": ("add_once_only",),
    "force_out": ("add_exclusions",),
    "objective.cvar_weight": ("add_cvar", "add_objective"),
    "objective": ("add_objective",),
    "value_horizon": ("add_objective",),
}

# candidate field -> families that read it; fields not listed change the model's structure
FIELD_FAMILIES: dict[str, tuple[str, ...]] = {
    "name": (),
    "source": (),
    "notes": (),
    "ticket_min": ("add_tickets",),
    "ticket_max": ("add_tickets",),
    "lead_time": ("add_exclusions", "add_impact_by", "add_objective"),
    "loss_probability": ("add_risk", "add_objective"),
    "expected_multiple": ("add_objective",),
    "impact": ("add_objective",),
    "call_schedule": ("add_pacing",),
    "requires": ("add_requires",),
    "excludes": ("add_excludes",),
    "group": ("add_groups",),
    "attributes": ("add_attribute_limits",),
}

IN_PLACE = ("budget", "objective.strategic_weight", "objective.return_weight")


def _section(path: str) -> tuple[str, ...]:
    for prefix in sorted(SECTION_FAMILIES, key=len, reverse=True):
        if path == prefix or path.startswith(prefix + "."):
            return SECTION_FAMILIES[prefix]
    raise KeyError(path)


def _in_place(path: str, old: object, new: object, limit_keys: set[str]) -> bool:
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (old, new))
    if not numeric:
        return False
    return path in IN_PLACE or any(k == path or k.startswith(path + ".") for k in limit_keys)


def mandate_families(old: Mandate, new: Mandate, limit_keys: set[str]) -> set[str] | None:
    """Families to rebuild for a mandate edit; None when the horizon changes."""
    if old.horizon != new.horizon:
        return None
    before, after = old.flat(), new.flat()
    families: set[str] = set()
    for path in before.keys() | after.keys():
        old_value, new_value = before.get(path), after.get(path)
        if old_value != new_value and not _in_place(path, old_value, new_value, limit_keys):
            families.update(_section(path))
    return families


def instance_families(old: Instance, new: Instance) -> set[str] | None:
    """Families to rebuild for an instance edit; None when the structure changes."""
    if [c.id for c in old.candidates] != [c.id for c in new.candidates]:
        return None
    if [s.model_dump(exclude={"gap_score"}) for s in old.taxonomy] != [
        s.model_dump(exclude={"gap_score"}) for s in new.taxonomy
    ]:
        return None
    families = {"add_objective"} if old.taxonomy != new.taxonomy else set()
    if old.scenarios is not new.scenarios:
        families |= {"add_cvar", "add_objective"}
    for before, after in zip(old.candidates, new.candidates, strict=True):
        if before == after:
            continue
        for field in type(before).model_fields:
            if getattr(before, field) != getattr(after, field):
                if field not in FIELD_FAMILIES:
                    return None
                families.update(FIELD_FAMILIES[field])
    return families


def changed_families(
    old_instance: Instance,
    old_mandate: Mandate,
    new_instance: Instance,
    new_mandate: Mandate,
    limit_keys: set[str],
) -> set[str] | None:
    """Families to rebuild for an edit of either input; None for a full rebuild."""
    from_instance = instance_families(old_instance, new_instance)
    from_mandate = mandate_families(old_mandate, new_mandate, limit_keys)
    if from_instance is None or from_mandate is None:
        return None
    return from_instance | from_mandate
