"""The Plan: chosen investments, totals, metrics, objective terms, binding limits, solver facts.

Immutable pydantic models whose JSON keys are the contract. Totals and metrics are computed
from the chosen investments and the instance (``summarise``), never read from the solver.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from allocator.instance import Instance
from allocator.mandate import Mandate
from allocator.status import Status

if TYPE_CHECKING:
    from allocator.compare import Comparison

_FROZEN = ConfigDict(frozen=True, populate_by_name=True)
DIGITS = 6


class Investment(BaseModel):
    """One chosen investment: amount committed in ``start_year``, online in ``impact_year``."""

    model_config = _FROZEN
    id: str
    name: str
    pillar_id: str
    sub_area_id: str
    start_year: int
    amount: float
    impact_year: float
    loss_probability: float
    expected_return: float


class ObjectiveTerms(BaseModel):
    """The two objective terms, before weighting."""

    model_config = _FROZEN
    strategic: float = 0.0
    return_: float = Field(default=0.0, alias="return")


class Totals(BaseModel):
    """Committed capital in total and by pillar, sub-area, year committed and year called."""

    model_config = _FROZEN
    committed: float = 0.0
    by_pillar: dict[str, float] = Field(default_factory=dict)
    by_sub_area: dict[str, float] = Field(default_factory=dict)
    by_year_committed: dict[str, float] = Field(default_factory=dict)
    by_year_called: dict[str, float] = Field(default_factory=dict)


class Metrics(BaseModel):
    """Portfolio metrics; shares are against the mandate's share basis."""

    model_config = _FROZEN
    deals: int = 0
    expected_loss: float = 0.0
    high_risk_share: float = 0.0
    cvar: dict[str, float] | None = None
    impact_by: dict[str, float] = Field(default_factory=dict)


class Binding(BaseModel):
    """A limit at its bound: dotted mandate key, its value, slack and (if known) marginal value."""

    model_config = _FROZEN
    constraint: str
    key: str
    limit: float
    slack: float
    dual: float | None = None


class Relaxation(BaseModel):
    """Change one mandate key from one value to another."""

    model_config = _FROZEN
    key: str
    from_: float | None = Field(alias="from")
    to: float


class Diagnosis(BaseModel):
    """Why a mandate is infeasible and which limits to relax by how much."""

    model_config = _FROZEN
    message: str
    relaxations: tuple[Relaxation, ...] = ()


class SolverInfo(BaseModel):
    """Solver facts: name, solve and build seconds, branch-and-bound nodes."""

    model_config = _FROZEN
    name: str = "highs"
    seconds: float = 0.0
    build_seconds: float = 0.0
    nodes: int = 0


class Plan(BaseModel):
    """The result of a solve. An infeasible solve is a Plan too, with status and diagnosis."""

    model_config = _FROZEN
    status: Status
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    objective_terms: ObjectiveTerms = ObjectiveTerms()
    investments: tuple[Investment, ...] = ()
    totals: Totals = Totals()
    metrics: Metrics = Metrics()
    binding: tuple[Binding, ...] = ()
    diagnosis: Diagnosis | None = None
    solver: SolverInfo = SolverInfo()
    instance: str = ""
    mandate: str = ""

    @property
    def found(self) -> bool:
        """True when the plan holds a solution (optimal or feasible)."""
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)

    def to_frame(self) -> pd.DataFrame:
        """Investments as a DataFrame, one row per investment, in plan order."""
        columns = list(Investment.model_fields)
        return pd.DataFrame([i.model_dump() for i in self.investments], columns=columns)

    def to_dict(self) -> dict[str, Any]:
        """The plan as plain JSON-ready data with the contract's keys."""
        return self.model_dump(mode="json", by_alias=True)

    def to_json(self, indent: int | None = 2) -> str:
        """The plan as JSON with the contract's keys; deterministic apart from timings."""
        return self.model_dump_json(by_alias=True, indent=indent)

    def compare(self, base: Plan) -> Comparison:
        """How this plan differs from ``base``: investments, totals and metrics."""
        from allocator.compare import compare

        return compare(self, base)

    @classmethod
    def from_json(cls, text: str) -> Plan:
        """A plan from its JSON (as written by ``to_json``)."""
        return cls.model_validate_json(text)

    def __repr__(self) -> str:
        objective = "-" if self.objective is None else f"{self.objective:,.2f}"
        return (
            f"Plan(status={self.status.value}, objective={objective}, "
            f"committed={self.totals.committed:,.1f}, deals={self.metrics.deals})"
        )

    __str__ = __repr__


def _rounded(values: dict[Any, float]) -> dict[str, float]:
    return {str(k): round(v, DIGITS) for k, v in sorted(values.items(), key=lambda kv: str(kv[0]))}


def tail_risk(
    investments: list[Investment], instance: Instance, alpha: float
) -> dict[str, float] | None:
    """CVaR_α, VaR_α and the mean of the scenario portfolio loss ($M), if there are scenarios.

    VaR is the smallest loss whose cumulative probability reaches α; CVaR = VaR + E[(L − VaR)+]
    / (1 − α), the value the Rockafellar–Uryasev linearisation attains at its optimum.
    """
    scenarios = instance.scenarios
    if scenarios is None:
        return None
    position = {c.id: j for j, c in enumerate(instance.candidates)}
    amounts = np.zeros(len(instance.candidates))
    for inv in investments:
        amounts[position[inv.id]] += inv.amount
    losses = np.asarray(scenarios.loss, dtype=float) @ amounts
    probability = np.asarray(scenarios.probability, dtype=float)
    order = np.argsort(losses, kind="stable")
    cumulative = np.cumsum(probability[order])
    var = float(losses[order][min(np.searchsorted(cumulative, alpha - 1e-12), len(order) - 1)])
    cvar = var + float(probability @ np.maximum(losses - var, 0.0)) / (1.0 - alpha)
    return {
        "alpha": alpha,
        "cvar": round(cvar, DIGITS),
        "var": round(var, DIGITS),
        "mean": round(float(probability @ losses), DIGITS),
    }


def summarise(
    investments: list[Investment], instance: Instance, mandate: Mandate
) -> tuple[Totals, Metrics]:
    """Totals and metrics of a set of investments, from the instance's data."""
    by_id = instance.by_id
    by_pillar: dict[str, float] = defaultdict(float)
    by_sub_area: dict[str, float] = defaultdict(float)
    committed_in: dict[int, float] = defaultdict(float)
    called_in: dict[int, float] = defaultdict(float)
    committed = expected_loss = high_risk = 0.0
    threshold = mandate.risk.high_risk_threshold
    for inv in investments:
        c = by_id[inv.id]
        committed += inv.amount
        by_pillar[inv.pillar_id] += inv.amount
        by_sub_area[inv.sub_area_id] += inv.amount
        committed_in[inv.start_year] += inv.amount
        for k, fraction in enumerate(c.call_schedule):
            if fraction:
                called_in[inv.start_year + k] += fraction * inv.amount
        expected_loss += c.loss_probability * inv.amount
        high_risk += inv.amount if c.loss_probability >= threshold else 0.0
    basis = mandate.budget if mandate.share_basis == "budget" else committed
    cvar = tail_risk(investments, instance, mandate.cvar_alpha)
    years = sorted(set(mandate.years) | {rule.year for rule in mandate.lead_time.impact_by})
    impact_by = {
        y: sum(i.amount for i in investments if i.impact_year <= y) / basis if basis else 0.0
        for y in years
    }
    totals = Totals(
        committed=round(committed, DIGITS),
        by_pillar=_rounded(by_pillar),
        by_sub_area=_rounded(by_sub_area),
        by_year_committed=_rounded(committed_in),
        by_year_called=_rounded(called_in),
    )
    metrics = Metrics(
        deals=len(investments),
        expected_loss=round(expected_loss, DIGITS),
        high_risk_share=round(high_risk / basis, DIGITS) if basis else 0.0,
        cvar=cvar,
        impact_by=_rounded(impact_by),
    )
    return totals, metrics
