"""Tail risk by the Rockafellar–Uryasev linearisation of CVaR over loss scenarios.

With ``x_j = Σ_t w[j,t]`` (the amount committed to candidate j) and ``L[s,j]`` its loss fraction
in scenario s of probability ``π_s``:

    loss_s = Σ_j L[s,j]·x_j,   u_s ≥ loss_s − η,   u_s ≥ 0,
    CVaR_α = η + Σ_s π_s·u_s / (1 − α).

``risk.cvar.max_share`` limits ``CVaR_α ≤ max_share · basis``; ``objective.cvar_weight``
subtracts ``cvar_weight · CVaR_α`` from the objective. The dense scenario block is built row by
row from numpy non-zeros straight into LinearExpressions over the aggregated ``x`` (one term per
candidate with a non-zero loss fraction, not per candidate-year). A loss fraction is
``1 − realised multiple``, negative for a gain, so the tail is of the portfolio's net loss;
total-loss scenarios (0/1) give bare variables, the fastest construction Pyomo offers.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from allocator.formulation.core import Pairs
from allocator.formulation.expressions import basis, linear
from allocator.formulation.limits import Family, LimitRow, add_limits
from allocator.formulation.model import AllocationModel
from allocator.inputs.mandate import Mandate


def needs_cvar(mandate: Mandate) -> bool:
    """True when the mandate limits or penalises CVaR."""
    limited = mandate.risk.cvar is not None and mandate.risk.cvar.max_share is not None
    return limited or mandate.objective.cvar_weight > 0


def add_cvar(m: AllocationModel, pairs: Pairs, mandate: Mandate) -> None:
    """Aggregated amounts x, scenario excess u, VaR η, the CVaR expression and its limit."""
    scenarios = pairs.instance.scenarios
    if scenarios is None or not needs_cvar(mandate):
        return
    ids = [c.id for c in pairs.instance.candidates]
    by_candidate = pairs.by_candidate
    m.CANDIDATES = pyo.Set(initialize=ids, ordered=True)
    m.cvar_amount = pyo.Var(m.CANDIDATES, domain=pyo.NonNegativeReals)
    m.cvar_amount_sum = pyo.Constraint(
        m.CANDIDATES,
        rule=lambda m, cid: (
            m.cvar_amount[cid] == sum(m.w_list[p] for p in by_candidate.get(cid, []))
        ),
    )
    count = len(scenarios.names)
    m.SCENARIOS = pyo.RangeSet(0, count - 1)
    m.cvar_var = pyo.Var(domain=pyo.Reals)  # η: at the optimum, VaR_α of the portfolio loss
    m.cvar_excess = pyo.Var(m.SCENARIOS, domain=pyo.NonNegativeReals)
    amounts = [m.cvar_amount[cid] for cid in ids]
    loss = np.asarray(scenarios.loss, dtype=float)

    def excess_rule(m: AllocationModel, s: int) -> object:
        nonzero = np.flatnonzero(loss[s])
        terms = zip(loss[s, nonzero].tolist(), [amounts[j] for j in nonzero], strict=True)
        scenario_loss = linear(m, terms)
        return m.cvar_excess[s] >= scenario_loss - m.cvar_var

    m.cvar_excess_rows = pyo.Constraint(m.SCENARIOS, rule=excess_rule)
    tail = 1.0 / (1.0 - mandate.cvar_alpha)
    m.cvar = pyo.Expression(
        expr=m.cvar_var
        + LinearExpression(
            constant=0,
            linear_coefs=(np.asarray(scenarios.probability, dtype=float) * tail).tolist(),
            linear_vars=[m.cvar_excess[s] for s in range(count)],
        )
    )
    cvar = mandate.risk.cvar
    if cvar is not None and cvar.max_share is not None:
        row = LimitRow(
            "total",
            "risk.cvar.max_share",
            cvar.max_share,
            "max",
            m.cvar,
            "share",
            basis(m, mandate),
        )
        add_limits(m, "cvar_limit", [row])


CVAR = Family(
    "cvar",
    add_cvar,
    reads=("risk.cvar", "objective.cvar_weight", "share_basis"),
    scenarios=True,
    doc="Rockafellar–Uryasev (below)",
    keys="`risk.cvar.max_share`",
)
