"""Sets, decision variables and the helpers every constraint family shares.

``z[j,t]`` (binary) says candidate ``j`` is committed in year ``t``; ``w[j,t]`` is the amount in
USD M. Only allowed (j, t) pairs are indexed: a candidate's start window intersected with the
horizon. Forced-out candidates and those whose lead time exceeds ``lead_time.max_lead_time``
keep their pairs with ``z`` bounded to 0, so a what-if that changes them edits bounds in place.
Aggregates are built from pre-grouped position lists (one pass over the pairs), never by
scanning all pairs per row.

Every limit's value is a mutable parameter (``<component>_value``) and the budget is
``m.budget_usd_m``, so a what-if that changes a number updates right-hand sides in place.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo
from pyomo.core.base.expression import ExpressionData
from pyomo.core.expr.numeric_expr import (
    LinearExpression,
    MonomialTermExpression,
    ProductExpression,
)

from allocator.instance import Candidate, Instance
from allocator.mandate import Mandate


@dataclass(frozen=True)
class Limit:
    """One limit row of the model, in the mandate's language."""

    constraint: str  # component[index], e.g. "pillar_max_share[cyber]"
    key: str  # dotted mandate path, e.g. "pillars.cyber.max_share"
    sense: str  # "max" or "min"
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

    def sides(self) -> tuple[float, float]:
        """(lhs, rhs) at the loaded solution; linear sides are summed without a tree walk."""
        return _evaluate(self.lhs), _evaluate(self.rhs)


def _evaluate(expression: Any) -> float:
    """Value of an expression; a LinearExpression of bare variables and monomials is summed
    directly (several times faster than Pyomo's general evaluation at 50,000 terms), also
    inside a named expression or a product (a share limit's ``value × committed``)."""
    kind = type(expression)
    if kind is LinearExpression:
        total = 0.0
        for term in expression.args:
            if type(term) is MonomialTermExpression:
                coef, var = term.args
                total += coef * (var.value or 0.0)
            else:
                total += term.value or 0.0
        return total
    if kind is ProductExpression:
        left, right = expression.args
        return _evaluate(left) * _evaluate(right)
    if isinstance(expression, ExpressionData):
        return _evaluate(expression.expr)
    return float(pyo.value(expression))


@dataclass
class Pairs:
    """Allowed (candidate, year) pairs and the facts each family groups them by."""

    instance: Instance
    mandate: Mandate
    items: list[tuple[str, int]] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)  # candidate of each pair
    pillar: list[str] = field(default_factory=list)  # pillar id of each pair

    @classmethod
    def build(cls, instance: Instance, mandate: Mandate) -> Pairs:
        """Enumerate the allowed pairs in candidate order, then year order."""
        pairs = cls(instance, mandate)
        start, end = mandate.horizon.start, mandate.horizon.end
        sub_areas = instance.sub_areas
        for c in instance.candidates:
            for t in range(max(c.earliest_start, start), min(c.latest_start, end) + 1):
                pairs.items.append((c.id, t))
                pairs.candidates.append(c)
                pairs.pillar.append(sub_areas[c.sub_area_id].pillar_id)
        return pairs

    def group(self, key: Callable[[int], Hashable | None]) -> dict[Hashable, list[int]]:
        """Positions of the pairs grouped by ``key(position)``; a None key is left out."""
        groups: dict[Hashable, list[int]] = defaultdict(list)
        for p in range(len(self.items)):
            k = key(p)
            if k is not None:
                groups[k].append(p)
        return groups

    def year(self, p: int) -> int:
        """Commitment year of pair ``p``."""
        return self.items[p][1]

    def impact_year(self, p: int) -> float:
        """Year the impact of pair ``p`` is online: start year plus lead time."""
        return self.items[p][1] + self.candidates[p].lead_time


@contextmanager
def without_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building many Pyomo objects.

    The collector rescans the growing model over and over; pausing it halves the build time at
    5,000+ candidates (measured in benchmarks/build.py). It is restored even on error.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def linear(m: pyo.ConcreteModel, terms: Iterable[tuple[float, Any]]) -> Any:
    """A fast linear expression from (coefficient, variable) terms; ``m.zero`` when empty.

    Unit coefficients go in as bare variables, several times faster to build than monomials.

    ``m.zero`` is a variable fixed to 0 by its bounds, so an empty aggregate still makes a
    well-formed row: a positive lower limit on it is reported infeasible by the solver.
    """
    args = [
        var if coef == 1 else MonomialTermExpression((coef, var)) for coef, var in terms if coef
    ]
    if not args:
        return m.zero
    return LinearExpression(args=args)


def amount(
    m: pyo.ConcreteModel, positions: Iterable[int], weight: Callable[[int], float] = None
) -> Any:
    """Σ weight(p) · w[p] over the given pair positions (weight 1 by default)."""
    w = m.w_list
    return linear(m, ((weight(p) if weight else 1.0, w[p]) for p in positions))


def count(
    m: pyo.ConcreteModel, positions: Iterable[int], weight: Callable[[int], float] = None
) -> Any:
    """Σ weight(p) · z[p] over the given pair positions (weight 1 by default)."""
    z = m.z_list
    return linear(m, ((weight(p) if weight else 1.0, z[p]) for p in positions))


def basis(m: pyo.ConcreteModel, mandate: Mandate) -> Any:
    """What shares are measured against: the budget, or the total committed (``deployed``)."""
    return m.budget_usd_m if mandate.share_basis == "budget" else m.committed


def add_limits(
    m: pyo.ConcreteModel,
    component: str,
    rows: list[tuple[Hashable, str, float, str, Any, Any]],
) -> None:
    """Add one indexed constraint of limit rows and record each row in ``m.limits``.

    Each row is ``(index, key, limit, sense, lhs, factor)`` meaning ``lhs <= limit·factor`` for
    sense ``max`` and ``lhs >= limit·factor`` for ``min``, with ``limit`` held in the mutable
    parameter ``<component>_value[index]``. Nothing is added when there are no rows.
    """
    if not rows:
        return
    values = pyo.Param([r[0] for r in rows], mutable=True, initialize={r[0]: r[2] for r in rows})
    m.add_component(f"{component}_value", values)
    bodies = {}
    for index, key, _limit, sense, lhs, factor in rows:
        rhs = values[index] * factor if factor is not None else values[index]
        bodies[index] = lhs <= rhs if sense == "max" else lhs >= rhs
        label = f"{component}[{_label(index)}]"
        m.limits.append(Limit(label, key, sense, component, index, lhs, rhs, values[index], factor))
    m.add_component(component, pyo.Constraint(list(bodies), rule=lambda _m, *i: bodies[_index(i)]))


def _label(index: Hashable) -> str:
    return ",".join(map(str, index)) if isinstance(index, tuple) else str(index)


def _index(parts: tuple[Any, ...]) -> Hashable:
    return parts[0] if len(parts) == 1 else parts


def add_variables(m: pyo.ConcreteModel, pairs: Pairs) -> None:
    """Set PAIRS, variables z (binary) and w (USD M, bounded by the tickets family)."""
    m.PAIRS = pyo.Set(initialize=pairs.items, dimen=2, ordered=True)
    m.z = pyo.Var(m.PAIRS, domain=pyo.Binary)
    m.w = pyo.Var(m.PAIRS, domain=pyo.NonNegativeReals)
    m.zero = pyo.Var(bounds=(0, 0))
    m.z_list = [m.z[pair] for pair in pairs.items]
    m.w_list = [m.w[pair] for pair in pairs.items]
    m.committed = pyo.Expression(expr=amount(m, range(len(pairs.items))))
    m.budget_usd_m = pyo.Param(initialize=pairs.mandate.budget, mutable=True)
    m.limits = []


def add_exclusions(m: pyo.ConcreteModel, pairs: Pairs, mandate: Mandate) -> None:
    """Bound ``z`` to 0 for forced-out candidates and those over ``max_lead_time``; else 0..1."""
    forced_out = set(mandate.force_out)
    max_lead = mandate.lead_time.max_lead_time
    for z, c in zip(m.z_list, pairs.candidates, strict=True):
        excluded = c.id in forced_out or (max_lead is not None and c.lead_time > max_lead)
        z.setub(0 if excluded else 1)
