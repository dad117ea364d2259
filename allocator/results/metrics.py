"""Totals and metrics of a set of investments, recomputed from the instance and the mandate."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np

from allocator.inputs.instance import Instance
from allocator.inputs.mandate import Mandate
from allocator.results.cash_flows import (
    YearFlow,
    dpi_by_year,
    holding_of,
    irr,
    payback_year,
    tvpi,
    yearly_flows,
)
from allocator.results.outcomes import outcomes
from allocator.results.plan import DIGITS, CashFlow, Investment, Metrics, Totals


def _rounded(values: dict[Any, float]) -> dict[str, float]:
    return {str(k): round(v, DIGITS) for k, v in sorted(values.items(), key=lambda kv: str(kv[0]))}


def scenario_losses(investments: Iterable[Investment], instance: Instance) -> np.ndarray | None:
    """The portfolio loss ($M) in each loss scenario of the instance; None without scenarios."""
    if instance.scenarios is None:
        return None
    position = {c.id: j for j, c in enumerate(instance.candidates)}
    amounts = np.zeros(len(instance.candidates))
    for inv in investments:
        amounts[position[inv.id]] += inv.amount
    return np.asarray(instance.scenarios.loss, dtype=float) @ amounts


def tail_risk(
    investments: list[Investment], instance: Instance, alpha: float
) -> dict[str, float] | None:
    """CVaR_α, VaR_α and the mean of the scenario portfolio loss ($M), if there are scenarios.

    VaR is the smallest loss whose cumulative probability reaches α; CVaR = VaR + E[(L − VaR)+]
    / (1 − α), the value the Rockafellar–Uryasev linearisation attains at its optimum.
    """
    losses = scenario_losses(investments, instance)
    if losses is None or instance.scenarios is None:
        return None
    probability = np.asarray(instance.scenarios.probability, dtype=float)
    order = np.argsort(losses, kind="stable")
    cumulative = np.cumsum(probability[order])
    var = float(losses[order][min(int(np.searchsorted(cumulative, alpha - 1e-12)), len(order) - 1)])
    cvar = var + float(probability @ np.maximum(losses - var, 0.0)) / (1.0 - alpha)
    return {
        "alpha": alpha,
        "cvar": round(cvar, DIGITS),
        "var": round(var, DIGITS),
        "mean": round(float(probability @ losses), DIGITS),
    }


def cash_flow_rows(flows: list[YearFlow]) -> tuple[CashFlow, ...]:
    """The plan's cash-flow table, rounded."""
    return tuple(
        CashFlow(
            year=f.year,
            called=round(f.called, DIGITS),
            distributed=round(f.distributed, DIGITS),
            net=round(f.net, DIGITS),
            cumulative_net=round(f.cumulative_net, DIGITS),
            nav=round(f.nav, DIGITS),
        )
        for f in flows
    )


def _maybe_rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


def summarise(
    investments: list[Investment], instance: Instance, mandate: Mandate
) -> tuple[Totals, Metrics, tuple[CashFlow, ...]]:
    """Totals, metrics and cash flows of a set of investments, from the instance's data."""
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
        for year, fraction in c.calls(inv.start_year):
            called_in[year] += fraction * inv.amount
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
    flows = yearly_flows(
        (holding_of(by_id[i.id], i.start_year, i.amount) for i in investments),
        mandate.horizon.start,
    )
    metrics = Metrics(
        deals=len(investments),
        expected_loss=round(expected_loss, DIGITS),
        high_risk_share=round(high_risk / basis, DIGITS) if basis else 0.0,
        cvar=cvar,
        impact_by=_rounded(impact_by),
        tvpi=_maybe_rounded(tvpi(flows)),
        dpi=_rounded(dpi_by_year(flows)),
        irr=_maybe_rounded(irr([f.net for f in flows])),
        payback_year=payback_year(flows),
        outcomes=outcomes(investments, instance, mandate.objective.discount_rate),
    )
    return totals, metrics, cash_flow_rows(flows)
