"""Limit rows and family records: how each constraint family says what it adds and reads.

A limit row is one bound of the mandate in the model: ``lhs ≤ value·factor`` (sense ``max``)
or ``lhs ≥ value·factor`` (``min``), with ``value`` held in a mutable parameter so that a what-if
changes it in place. Each row keeps its dotted mandate key and what it measures, so binding
limits, marginal values and repairs speak the mandate's language.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import pyomo.environ as pyo

from allocator.formulation.expressions import evaluate

if TYPE_CHECKING:
    from allocator.formulation.core import Pairs
    from allocator.formulation.model import AllocationModel
    from allocator.inputs.mandate import Mandate

Sense = Literal["max", "min"]
Measure = Literal["share", "amount", "count", "attribute"]
MEASURES: tuple[Measure, ...] = ("share", "amount", "count", "attribute")


class LimitRow(NamedTuple):
    """A limit row to add: ``lhs`` against ``value`` (× ``factor`` for a share of a basis)."""

    at: Hashable  # index of the row in its component
    key: str  # dotted mandate path, e.g. "pillars.cyber.max_share"
    value: float  # the mandate's value for the key
    sense: Sense
    lhs: Any  # the limited quantity, a linear expression
    measure: Measure  # what ``value`` counts: a share of the basis, $M, deals, attribute units
    factor: Any = None  # d rhs / d value: the basis for a share, else None (1)


@dataclass(frozen=True)
class Limit:
    """One limit row of the model, in the mandate's language."""

    constraint: str  # component[index], e.g. "pillar_max_share[cyber]"
    key: str  # dotted mandate path, e.g. "pillars.cyber.max_share"
    sense: Sense
    measure: Measure
    component: str
    index: Hashable
    lhs: Any = field(compare=False, repr=False)  # the limited quantity
    rhs: Any = field(compare=False, repr=False)  # the bound: value parameter × factor
    value: Any = field(compare=False, repr=False)  # the mutable parameter holding the limit
    factor: Any = field(compare=False, repr=False)  # d rhs / d limit: 1, the budget or committed

    @property
    def limit(self) -> float:
        """The mandate's current value for the key (what-ifs change it in place)."""
        return float(pyo.value(self.value))

    @property
    def factor_value(self) -> float:
        """Right-hand side per unit of the limit value (the basis for a share), at loaded values."""
        return 1.0 if self.factor is None else float(pyo.value(self.factor))

    def sides(self) -> tuple[float, float]:
        """(lhs, rhs) at the loaded solution; linear sides are summed without a tree walk."""
        return evaluate(self.lhs), evaluate(self.rhs)

    def row(self, m: AllocationModel) -> Any:
        """The Pyomo constraint data of this row."""
        return getattr(m, self.component)[self.index]


def add_limits(m: AllocationModel, component: str, rows: list[LimitRow]) -> None:
    """Add one indexed constraint of limit rows and record each row in ``m.limits``.

    Each row's value is held in the mutable parameter ``<component>_value[index]``. Nothing is
    added when there are no rows.
    """
    if not rows:
        return
    values = pyo.Param([r.at for r in rows], mutable=True, initialize={r.at: r.value for r in rows})
    m.add_component(f"{component}_value", values)
    bodies = {}
    for r in rows:
        rhs = values[r.at] * r.factor if r.factor is not None else values[r.at]
        bodies[r.at] = r.lhs <= rhs if r.sense == "max" else r.lhs >= rhs
        label = f"{component}[{_label(r.at)}]"
        m.limits.append(
            Limit(
                label,
                r.key,
                r.sense,
                r.measure,
                component,
                r.at,
                r.lhs,
                rhs,
                values[r.at],
                r.factor,
            )
        )
    m.add_component(component, pyo.Constraint(list(bodies), rule=lambda _m, *i: bodies[_index(i)]))


def _label(index: Hashable) -> str:
    return ",".join(map(str, index)) if isinstance(index, tuple) else str(index)


def _index(parts: tuple[Any, ...]) -> Hashable:
    return parts[0] if len(parts) == 1 else parts


AddFamily = Callable[["AllocationModel", "Pairs", "Mandate"], None]


@dataclass(frozen=True)
class Family:
    """A constraint family: its ``add`` function and everything of the inputs it reads.

    A what-if rebuilds exactly the families that read what it changed (``rebuild``); an edit
    that no family claims and that is not declared inert rebuilds the whole model.
    """

    name: str
    add: AddFamily
    reads: tuple[str, ...] = ()  # mandate paths: a section, or a key within one
    fields: tuple[str, ...] = ()  # candidate fields (``attributes`` for attribute columns)
    taxonomy: tuple[str, ...] = ()  # sub-area fields
    scenarios: bool = False  # reads the instance's loss scenarios
    uses: tuple[str, ...] = ()  # families whose components its expressions use
    doc: str = ""  # the rows it adds, for the model documentation
    keys: str = ""  # the mandate keys its rows report, for the model documentation

    def claims(self, path: str) -> bool:
        """Whether an edit at a dotted mandate path reaches what this family reads."""
        return any(
            path == read or path.startswith(read + ".") or read.startswith(path + ".")
            for read in self.reads
        )
