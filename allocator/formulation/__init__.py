"""The Pyomo formulation: ``build_model`` runs each constraint family in a fixed order.

A new family is one module that ends with its ``Family`` record (what it adds and reads) and
one entry in ``FAMILIES``; what a what-if edit rebuilds is derived from the records.
"""

from __future__ import annotations

from allocator.formulation.attributes import ATTRIBUTES
from allocator.formulation.budget import BUDGET
from allocator.formulation.core import EXCLUSIONS, Pairs, add_variables, without_gc
from allocator.formulation.cvar import CVAR
from allocator.formulation.deals import DEALS, GROUPS
from allocator.formulation.lead_time import IMPACT_BY
from allocator.formulation.limits import Family, Limit
from allocator.formulation.model import AllocationModel
from allocator.formulation.net_cash import NET_CASH
from allocator.formulation.objective import OBJECTIVE, return_rate, strategic_rate
from allocator.formulation.pacing import PACING
from allocator.formulation.recycling import RECYCLING
from allocator.formulation.relations import EXCLUDES, REQUIRES
from allocator.formulation.risk import RISK
from allocator.formulation.shares import SHARES
from allocator.formulation.tickets import ONCE_ONLY, TICKETS
from allocator.inputs.instance import Instance
from allocator.inputs.mandate import Mandate

FAMILIES: tuple[Family, ...] = (
    EXCLUSIONS,
    TICKETS,
    ONCE_ONLY,
    BUDGET,
    RECYCLING,
    PACING,
    NET_CASH,
    SHARES,
    DEALS,
    GROUPS,
    REQUIRES,
    EXCLUDES,
    RISK,
    IMPACT_BY,
    ATTRIBUTES,
    CVAR,
    OBJECTIVE,
)


def build_model(
    instance: Instance, mandate: Mandate, *, ticket_block: bool = False
) -> AllocationModel:
    """The full mixed-integer program for an instance under a mandate.

    ``ticket_block`` keeps the ticket rows as arrays for a matrix hand-off (see ``tickets``).
    """
    with without_gc():
        pairs = Pairs.build(instance, mandate)
        m = AllocationModel(
            pairs, name=f"{instance.name}/{mandate.name}", ticket_block=ticket_block
        )
        add_variables(m, pairs)
        for family in FAMILIES:
            add_family(m, family)
    return m


def add_family(m: AllocationModel, family: Family) -> None:
    """Run one family and remember which components and limit rows it added."""
    before, first_limit = set(m.component_map()), len(m.limits)
    terms_before = set(m.pair_terms)
    family.add(m, m.pairs, m.pairs.mandate)
    m.family_components[family.name] = [n for n in m.component_map() if n not in before]
    m.family_limits[family.name] = m.limits[first_limit:]
    m.family_terms[family.name] = [k for k in m.pair_terms if k not in terms_before]


def family_table() -> str:
    """The Markdown table of the families, their rows and what they read (``docs/model.md``)."""
    lines = ["| family | rows | mandate keys | reads |", "|---|---|---|---|"]
    for f in FAMILIES:
        reads = [f"`{r}`" for r in f.reads] + [f"candidate `{c}`" for c in f.fields]
        reads += [f"taxonomy `{t}`" for t in f.taxonomy] + (["scenarios"] if f.scenarios else [])
        lines.append(f"| `{f.name}` | {f.doc} | {f.keys or '–'} | {', '.join(reads) or '–'} |")
    return "\n".join(lines)


__all__ = [
    "FAMILIES",
    "AllocationModel",
    "Family",
    "Limit",
    "Pairs",
    "add_family",
    "build_model",
    "family_table",
    "return_rate",
    "strategic_rate",
]
