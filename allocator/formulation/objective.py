"""The two-term objective (maximised), each term an Expression reported separately.

- strategic value = ``Σ gap_score·impact·w·max(0, VH − (t + lead_time)) / (5·(VH − start))``
  with VH the value horizon.
  Scale: 1.0 per $M is a top-gap (5), impact-1 investment whose capacity is online from the
  horizon start through the value horizon; so strategic value is in "$M of ideal strategic
  capital" and comparable with money.
- expected net return = ``Σ ((1 − p)·expected_multiple − 1)·w`` in $M; with
  ``objective.discount_rate`` r it is the present value at the horizon start of expected
  proceeds minus calls, ``Σ [Σ_y proceeds_j,t(y)·(1 + r)^−(y − start) − Σ_y calls_j,t(y)·(1 +
  r)^−(y − start)]·w[j,t]``, so the value of a commitment depends on its start year. A
  candidate's ``value_by_start`` replaces the rate for the years it lists.

Weights are mutable parameters so that a what-if can change them in place. With loss
scenarios, ``objective.cvar_weight`` subtracts that multiple of CVaR (see ``cvar``).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from allocator.formulation.core import Pairs
from allocator.formulation.expressions import pair_sum
from allocator.formulation.limits import Family
from allocator.formulation.model import AllocationModel
from allocator.inputs.instance import Candidate
from allocator.inputs.mandate import Mandate


def strategic_rate(c: Candidate, gap_score: float, start_year: int, mandate: Mandate) -> float:
    """Strategic value per $M committed to ``c`` in ``start_year``."""
    value_horizon = mandate.effective_value_horizon
    operating = max(0.0, value_horizon - (start_year + c.lead_time))
    return gap_score * c.impact * operating / (5.0 * (value_horizon - mandate.horizon.start))


def return_rate(c: Candidate, start_year: int, mandate: Mandate) -> float:
    """Return-term value per $M committed to ``c`` in ``start_year``.

    The candidate's ``value_by_start`` for that year if listed; else, with a discount rate, the
    present value at the horizon start of its expected proceeds minus its calls; else the
    undiscounted expected net return ``(1 − p)·multiple − 1``.
    """
    given = c.value_by_start.get(start_year)
    if given is not None:
        return given
    rate = mandate.objective.discount_rate
    if rate is None:
        return c.expected_net_return
    return c.present_value(start_year, rate, mandate.horizon.start)


def strategic_rates(pairs: Pairs, mandate: Mandate) -> np.ndarray:
    """``strategic_rate`` of every pair, computed with arrays."""
    gap = {sid: s.gap_score for sid, s in pairs.instance.sub_areas.items()}
    weight = pairs.per_pair(lambda c: gap[c.sub_area_id] * c.impact)
    lead = pairs.per_pair(lambda c: c.lead_time)
    value_horizon = mandate.effective_value_horizon
    operating = np.maximum(0.0, value_horizon - (pairs.years + lead))
    return weight * operating / (5.0 * (value_horizon - mandate.horizon.start))


def return_rates(pairs: Pairs, mandate: Mandate) -> np.ndarray:
    """``return_rate`` of every pair: per candidate unless a discount rate or a value by start
    year makes it depend on the start year."""
    if mandate.objective.discount_rate is None and not any(
        c.value_by_start for c in pairs.instance.candidates
    ):
        return pairs.per_pair(lambda c: c.expected_net_return)
    return np.array(
        [
            return_rate(c, t, mandate)
            for (_, t), c in zip(pairs.items, pairs.candidates, strict=True)
        ],
        dtype=float,
    )


def add_objective(m: AllocationModel, pairs: Pairs, mandate: Mandate) -> None:
    """Strategic and return Expressions, weight Params, and the maximised Objective."""
    m.strategic = pyo.Expression(
        expr=pair_sum(m, "w", range(len(pairs.items)), strategic_rates(pairs, mandate))
    )
    m.expected_return = pyo.Expression(
        expr=pair_sum(m, "w", range(len(pairs.items)), return_rates(pairs, mandate))
    )
    m.strategic_weight = pyo.Param(initialize=mandate.objective.strategic_weight, mutable=True)
    m.return_weight = pyo.Param(initialize=mandate.objective.return_weight, mutable=True)
    value = m.strategic_weight * m.strategic + m.return_weight * m.expected_return
    if mandate.objective.cvar_weight and hasattr(m, "cvar"):
        value = value - mandate.objective.cvar_weight * m.cvar
    m.objective = pyo.Objective(expr=value, sense=pyo.maximize)


OBJECTIVE = Family(
    "objective",
    add_objective,
    reads=("objective", "value_horizon", "risk.cvar"),
    fields=(
        "lead_time",
        "loss_probability",
        "expected_multiple",
        "impact",
        "call_schedule",
        "hold",
        "distribution_schedule",
        "value_by_start",
    ),
    taxonomy=("gap_score",),
    scenarios=True,
    uses=("cvar",),
    doc="below",
    keys="`objective.*`, `value_horizon`",
)
