"""Marginal values: what one more unit of a limit is worth, over which range, checked by re-solves.

The chosen investments are fixed and the linear program of their amounts is solved. Each
mandate key gets a column of its own, fixed at the key's value, entering every row whose
right-hand side the key moves (``d rhs / d key``: 1 for amounts and counts, the budget for a
share of the budget, the share for the budget itself). The reduced cost of that column is then
the **total derivative** of the objective with respect to the key, through every row it
enters: the budget through its own row, every share measured against it and
``min_deployment``; ``sub_areas.default.max_share`` through every sub-area that takes the
default; a scalar ``pacing.annual_max`` through every year. HiGHS's ranging of the column's
bound is the range of the key's value over which that derivative holds (the LP basis stays
optimal). A share of the deployed capital (``share_basis: deployed``) is a coefficient, not a
right-hand side: its derivative is the row's dual times the committed capital, without a range.

Values are reported per unit of **relaxation**: raising a cap (``max_*``, ``budget``, pacing
caps), lowering a floor (``min_*``). With the choices fixed, a limit on counts alone is worth 0;
``verify_marginal_values`` re-solves the full model (choices free) with each key relaxed and
tightened by a step, which is what a committee's question "what if it were 100 more" means.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from allocator.errors import InputError
from allocator.formulation import AllocationModel, Limit, build_model
from allocator.formulation.limits import Measure, Sense
from allocator.inputs.instance import Instance
from allocator.inputs.mandate import Mandate
from allocator.results.compare import significant_change
from allocator.results.plan import Binding, MarginalValue, Plan
from allocator.solving.arrays import Arrays
from allocator.solving.matrix import matrix_form, with_fixed_choices
from allocator.solving.session import Session
from allocator.solving.settings import quiet_highs

BUDGET = "budget"


@dataclass
class _Key:
    """A mandate key as a column of the fixed-choice LP."""

    value: float
    sense: Sense
    measure: Measure
    # d bound / d key of each LP row it moves (± d rhs / d key, by the row's orientation)
    rows: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    # rows where the key is a coefficient (a share of the deployed capital), and orientation
    deployed: list[tuple[int, float]] = field(default_factory=list)


def _is_budget_factor(limit: Limit) -> bool:
    return getattr(limit.factor, "local_name", None) == "budget_usd_m"


def _keys(m: AllocationModel, mandate: Mandate, row_of: dict[int, int]) -> dict[str, _Key]:
    """Every key a limit row reads, with the rows it moves: its own key, the key its value
    comes from (``Mandate.source_key``) and, for rows measured against the budget, the
    budget."""
    keys: dict[str, _Key] = {}
    for limit in m.limits:
        row = limit.row(m)
        r = row_of[id(row)]
        # the row as HiGHS holds it: ``lhs − rhs ≤ 0``, or ``rhs − lhs ≤ 0`` for a floor
        # (Pyomo writes ``lhs ≥ rhs`` as ``rhs ≤ lhs``): its bound moves with ±rhs
        orientation = 1.0 if row.expr.args[0] is limit.lhs else -1.0
        names = dict.fromkeys((limit.key, mandate.source_key(limit.key)))
        for name in names:
            key = keys.setdefault(
                name, _Key(float(mandate.value_at(name)), limit.sense, limit.measure)
            )
            if limit.factor is None or _is_budget_factor(limit):
                key.rows[r] += orientation * limit.factor_value
            else:
                key.deployed.append((r, orientation))
        if _is_budget_factor(limit):
            budget = keys.setdefault(BUDGET, _Key(mandate.budget, "max", "amount"))
            budget.rows[r] += orientation * limit.limit
    return keys


def _with_key_columns(lp: Arrays, keys: dict[str, _Key]) -> Arrays:
    """The LP with one fixed column per key, entering each row it moves with
    ``−d bound / d key`` and the row's bounds moved by as much, so that the LP itself is
    unchanged and the column's reduced cost is the key's total derivative."""
    names = list(keys)
    shift = np.zeros(len(lp.row_lower))
    rows, cols, data = [], [], []
    for c, name in enumerate(names):
        key = keys[name]
        for r, slope in key.rows.items():
            rows.append(r)
            cols.append(c)
            data.append(-slope)
            shift[r] += slope * key.value
    extra = sp.csc_matrix((data, (rows, cols)), shape=(len(lp.row_lower), len(names)))
    values = np.array([keys[n].value for n in names], dtype=float)
    return lp.with_matrix(
        sp.hstack([sp.csc_matrix(lp.matrix), extra], format="csc"),
        cost=np.concatenate([lp.cost, np.zeros(len(names))]),
        col_lower=np.concatenate([lp.col_lower, values]),
        col_upper=np.concatenate([lp.col_upper, values]),
        row_lower=np.where(np.isfinite(lp.row_lower), lp.row_lower - shift, lp.row_lower),
        row_upper=np.where(np.isfinite(lp.row_upper), lp.row_upper - shift, lp.row_upper),
        integer=np.concatenate([lp.integer, np.zeros(len(names), dtype=bool)]),
    )


def _choices(m: AllocationModel, plan: Plan) -> list[float]:
    chosen = {(i.id, i.start_year) for i in plan.investments}
    return [1.0 if pair in chosen else 0.0 for pair in m.pairs.items]


def _bound(value: float) -> float | None:
    return None if not np.isfinite(value) or abs(value) >= highspy.kHighsInf else float(value)


def marginal_values(instance: Instance, mandate: Mandate, plan: Plan) -> tuple[Binding, ...]:
    """The plan's binding limits with ``dual`` set to the objective gained per unit of
    relaxation of the row's key (its total derivative, choices fixed)."""
    values = {v.key: v for v in key_marginal_values(instance, mandate, plan)}
    return tuple(
        b.model_copy(update={"dual": values[b.key].dual}) if b.key in values else b
        for b in plan.binding
    )


def key_marginal_values(
    instance: Instance, mandate: Mandate, plan: Plan
) -> tuple[MarginalValue, ...]:
    """The marginal value of every key with a binding row (and of the budget): per unit of
    relaxation, with the range of the key over which it holds (choices fixed)."""
    if not plan.found:
        return ()
    m = build_model(instance, mandate, ticket_block=True)
    form = matrix_form(m)
    row_of = {id(con): r for r, con in enumerate(form.rows) if con is not None}
    keys = _keys(m, mandate, row_of)
    binding = {b.key for b in plan.binding}
    wanted = [
        k
        for k in keys
        if k == BUDGET or k in binding or any(mandate.source_key(b) == k for b in binding)
    ]
    fixed = with_fixed_choices(form, m, _choices(m, plan))
    lp = _with_key_columns(fixed, {k: keys[k] for k in wanted})
    highs = quiet_highs()
    lp.pass_to(highs, relaxed=True)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return ()
    solution = highs.getSolution()
    col_dual, row_dual = np.asarray(solution.col_dual), np.asarray(solution.row_dual)
    _status, ranging = highs.getRanging()
    first = len(form.lp.cost)
    w_columns = {id(w) for w in m.w_list}
    committed = float(
        sum(
            v
            for var, v in zip(form.columns, solution.col_value, strict=False)
            if id(var) in w_columns
        )
    )
    found = []
    for c, name in enumerate(wanted):
        key = keys[name]
        derivative = float(col_dual[first + c]) + committed * float(
            sum(orientation * row_dual[r] for r, orientation in key.deployed)
        )
        ranged = not key.deployed
        low = _bound(ranging.col_bound_dn.value_[first + c]) if ranged else None
        high = _bound(ranging.col_bound_up.value_[first + c]) if ranged else None
        found.append(
            MarginalValue(
                key=name,
                value=key.value,
                sense=key.sense,
                measure=key.measure,
                rows=len(key.rows) + len(key.deployed),
                dual=derivative if key.sense == "max" else -derivative,
                valid_from=low if ranged else None,
                valid_to=high if ranged else None,
            )
        )
    return tuple(sorted(found, key=lambda v: (-abs(v.dual), v.key)))


def default_step(value: MarginalValue) -> float:
    """The step a marginal value is verified with: a point of share, one deal or attribute
    unit, and 1 % of an amount (at least $1M)."""
    if value.measure == "share":
        return 0.01
    if value.measure == "count":
        return 1.0
    return max(1.0, round(abs(value.value) * 0.01, 2))


def verify_marginal_values(
    instance: Instance,
    mandate: Mandate,
    values: tuple[MarginalValue, ...],
    *,
    step: float | None = None,
    time_limit: float | None = None,
    gap: float | None = None,
) -> tuple[MarginalValue, ...]:
    """Each marginal value checked by re-solving the full model (choices free) with the key
    relaxed and tightened by a step, in one warm Session: objective gained per unit when
    relaxed, lost per unit when tightened, and whether each change exceeds what the MIP gaps
    of the two plans leave open."""
    session = Session(instance, mandate)
    base = session.solve(time_limit=time_limit, gap=gap)
    checked = []
    for value in values:
        delta = step if step is not None else default_step(value)
        direction = 1.0 if value.sense == "max" else -1.0
        update: dict[str, Any] = {"delta": delta}
        for name, sign in (("relaxed", 1.0), ("tightened", -1.0)):
            target = value.value + sign * direction * delta
            if target < 0 or (value.measure == "share" and target > 1):
                continue
            try:
                edited = mandate.with_changes({value.key: target})
            except InputError:  # a step the mandate cannot take (min above max) is not verified
                continue
            plan = session.solve(edited, time_limit=time_limit, gap=gap)
            if not (plan.found and base.found):
                continue
            change = (plan.objective or 0.0) - (base.objective or 0.0)
            update[f"per_unit_{name}"] = sign * change / delta
            update[f"significant_{name}"] = significant_change(base, plan)
        checked.append(value.model_copy(update=update))
    return tuple(checked)
