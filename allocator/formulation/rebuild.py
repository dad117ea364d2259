"""What a what-if edit rebuilds, derived from the families' records, and the rebuild itself.

A number that is a limit's value, the budget or an objective weight changes in place (mutable
parameters); any other edit rebuilds the families that read it (``Family.reads``, ``fields``,
``taxonomy``, ``scenarios``), and those whose expressions use a rebuilt family's components.
An edit of the structure (horizon, candidate ids, sub-areas, start windows), or of anything no
family claims and that is not declared inert, rebuilds the whole model, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from allocator.formulation import FAMILIES, AllocationModel, add_family, without_gc
from allocator.inputs.instance import Candidate, Instance, SubArea
from allocator.inputs.mandate import Mandate

# numbers changed in place: mandate key -> the model's mutable parameter
IN_PLACE = {
    "budget": "budget_usd_m",
    "objective.strategic_weight": "strategic_weight",
    "objective.return_weight": "return_weight",
}
# mandate paths that change the whole model, and those no family reads
STRUCTURAL_KEYS = ("horizon",)
INERT_KEYS = ("name", "description", "solver")
# candidate and sub-area fields that change the pairs or their grouping, and inert ones
STRUCTURAL_FIELDS = ("id", "sub_area_id", "earliest_start", "latest_start")
# multiple_sigma shapes sampled scenarios only; the model reads the scenarios, not the column
INERT_FIELDS = ("name", "source", "notes", "multiple_sigma")
STRUCTURAL_TAXONOMY = ("pillar_id", "sub_area_id")
INERT_TAXONOMY = ("pillar", "sub_area", "status", "source", "description")


@dataclass(frozen=True)
class Rebuild:
    """The families an edit rebuilds in place, or why the whole model is rebuilt."""

    families: frozenset[str] = frozenset()
    full: str | None = None  # the reason for a full rebuild, if one is needed

    def __or__(self, other: Rebuild) -> Rebuild:
        return Rebuild(self.families | other.families, self.full or other.full)


def _within(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith(p + ".") for p in prefixes)


def _numeric(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _in_place(path: str, old: object, new: object, limit_keys: set[str]) -> bool:
    if not (_numeric(old) and _numeric(new)):
        return False
    return path in IN_PLACE or any(k == path or k.startswith(path + ".") for k in limit_keys)


def _with_users(names: set[str]) -> frozenset[str]:
    """The families, with every family whose expressions use one of them."""
    names = set(names)
    for family in FAMILIES:
        if names & set(family.uses):
            names.add(family.name)
    return frozenset(names)


def mandate_rebuild(old: Mandate, new: Mandate, limit_keys: set[str]) -> Rebuild:
    """What a mandate edit rebuilds."""
    before, after = old.flat(), new.flat()
    names: set[str] = set()
    for path in sorted(before.keys() | after.keys()):
        old_value, new_value = before.get(path), after.get(path)
        if old_value == new_value or _in_place(path, old_value, new_value, limit_keys):
            continue
        if _within(path, STRUCTURAL_KEYS):
            return Rebuild(full=f"{path} changes the model's structure")
        if _within(path, INERT_KEYS):
            continue
        readers = {f.name for f in FAMILIES if f.claims(path)}
        if not readers:
            return Rebuild(full=f"no constraint family claims {path}")
        names |= readers
    return Rebuild(_with_users(names))


def _changed_fields(before: object, after: object, fields: list[str]) -> list[str]:
    return [f for f in fields if getattr(before, f) != getattr(after, f)]


def instance_rebuild(old: Instance, new: Instance) -> Rebuild:
    """What an instance edit rebuilds."""
    if [c.id for c in old.candidates] != [c.id for c in new.candidates]:
        return Rebuild(full="the candidate list changed")
    if [s.sub_area_id for s in old.taxonomy] != [s.sub_area_id for s in new.taxonomy]:
        return Rebuild(full="the taxonomy changed")
    names: set[str] = set()
    if old.scenarios is not new.scenarios:
        names |= {f.name for f in FAMILIES if f.scenarios}
    edits = [
        (field, "taxonomy", STRUCTURAL_TAXONOMY, INERT_TAXONOMY)
        for before, after in zip(old.taxonomy, new.taxonomy, strict=True)
        for field in _changed_fields(before, after, list(SubArea.model_fields))
    ] + [
        (field, "fields", STRUCTURAL_FIELDS, INERT_FIELDS)
        for before, after in zip(old.candidates, new.candidates, strict=True)
        if before != after
        for field in _changed_fields(before, after, list(Candidate.model_fields))
    ]
    for field, kind, structural, inert in edits:
        if field in structural:
            return Rebuild(full=f"{field} changes the model's structure")
        if field in inert:
            continue
        readers = {f.name for f in FAMILIES if field in getattr(f, kind)}
        if not readers:
            return Rebuild(full=f"no constraint family claims the field {field}")
        names |= readers
    return Rebuild(_with_users(names))


def changed_families(
    old_instance: Instance,
    old_mandate: Mandate,
    new_instance: Instance,
    new_mandate: Mandate,
    limit_keys: set[str],
) -> Rebuild:
    """What an edit of either input rebuilds."""
    return instance_rebuild(old_instance, new_instance) | mandate_rebuild(
        old_mandate, new_mandate, limit_keys
    )


def rebuild_families(
    m: AllocationModel, instance: Instance, mandate: Mandate, families: frozenset[str]
) -> None:
    """Bring a built model to a new instance and mandate of the same structure.

    The named families are deleted and added again; every other limit gets its new value in
    its mutable parameter, as do the budget and the objective weights (``IN_PLACE``).
    """
    m.pairs = m.pairs.with_inputs(instance, mandate)
    with without_gc():
        for family in FAMILIES:
            if family.name in families:
                for component in m.family_components.pop(family.name):
                    m.del_component(component)
                for registered in m.family_terms.pop(family.name):
                    m.pair_terms.pop(registered, None)
                add_family(m, family)
    m.limits = [row for f in FAMILIES for row in m.family_limits[f.name]]
    for key, parameter in IN_PLACE.items():
        getattr(m, parameter).set_value(mandate.value_at(key))
    for limit in m.limits:
        limit.value.set_value(mandate.value_at(limit.key))
