"""Totals and metrics of a set of investments, recomputed from the instance and the mandate.

Amounts are reported at full precision. Sums are exact (``math.fsum``) and cleaned of float
artefacts (12 significant digits, far beyond the data's); a total that exceeds a limit it keeps
by no more than the solver's tolerance is reported at the limit, so that no reported total ever
exceeds a limit the plan keeps (the solver meets rows to about 1e-9 relative).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np

from allocator.inputs.instance import Instance
from allocator.inputs.mandate import Mandate, year_limits
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
from allocator.results.plan import CashFlow, Investment, Metrics, Totals

SIGNIFICANT_DIGITS = 12
LIMIT_TOLERANCE = 1e-6  # relative: a total this close beyond a limit it keeps is at the limit


def clean(value: float) -> float:
    """A derived number without float artefacts (0.6000000000000001 -> 0.6)."""
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}") if math.isfinite(value) else value


def within(value: float, limits: Iterable[tuple[float | None, str]]) -> float:
    """The value, or the limit it meets when it passes it by no more than the tolerance."""
    for limit, sense in limits:
        if limit is None:
            continue
        slack = LIMIT_TOLERANCE * max(1.0, abs(limit))
        if sense == "max" and limit < value <= limit + slack:
            value = limit
        elif sense == "min" and limit - slack <= value < limit:
            value = limit
    return value


def _total(values: Iterable[float]) -> float:
    return clean(math.fsum(values))


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
        "cvar": clean(cvar),
        "var": clean(var),
        "mean": clean(float(probability @ losses)),
    }


def cash_flow_rows(flows: list[YearFlow]) -> tuple[CashFlow, ...]:
    """The plan's cash-flow table, at full precision without float artefacts."""
    return tuple(
        CashFlow(
            year=f.year,
            called=clean(f.called),
            distributed=clean(f.distributed),
            net=clean(f.net),
            cumulative_net=clean(f.cumulative_net),
            nav=clean(f.nav),
        )
        for f in flows
    )


def _maybe_clean(value: float | None) -> float | None:
    return None if value is None else clean(value)


def _amount_limits(limits: Any, basis: float) -> list[tuple[float | None, str]]:
    """A pillar's or sub-area's caps and floors on its amount, shares turned into $M."""
    if limits is None:
        return []
    return [
        (limits.max_amount, "max"),
        (_share_of(limits.max_share, basis), "max"),
        (limits.min_amount, "min"),
        (_share_of(limits.min_share, basis), "min"),
    ]


def summarise(
    investments: list[Investment], instance: Instance, mandate: Mandate
) -> tuple[Totals, Metrics, tuple[CashFlow, ...]]:
    """Totals, metrics and cash flows of a set of investments, from the instance's data."""
    by_id = instance.by_id
    by_pillar: dict[str, list[float]] = {p: [] for p in instance.pillars}
    by_sub_area: dict[str, list[float]] = {s: [] for s in instance.sub_areas}
    committed_in: dict[int, list[float]] = defaultdict(list)
    called_in: dict[int, list[float]] = defaultdict(list)
    threshold = mandate.risk.high_risk_threshold
    for inv in investments:
        by_pillar[inv.pillar_id].append(inv.amount)
        by_sub_area[inv.sub_area_id].append(inv.amount)
        committed_in[inv.start_year].append(inv.amount)
        for year, fraction in by_id[inv.id].calls(inv.start_year):
            called_in[year].append(fraction * inv.amount)
    budget = mandate.budget
    deployment = None if mandate.min_deployment is None else mandate.min_deployment * budget
    committed = within(
        _total(i.amount for i in investments), [(budget, "max"), (deployment, "min")]
    )
    basis = budget if mandate.share_basis == "budget" else committed
    pillars = mandate.pillars
    subs = mandate.sub_area_limits(list(instance.sub_areas))
    caps = year_limits(mandate.pacing.annual_max, mandate.years)
    floors = year_limits(mandate.pacing.annual_min, mandate.years)
    risk = mandate.risk
    expected_loss = within(
        _total(by_id[i.id].loss_probability * i.amount for i in investments),
        [(_share_of(risk.max_expected_loss_share, basis), "max")],
    )
    high_risk = _total(i.amount for i in investments if by_id[i.id].loss_probability >= threshold)
    cvar = tail_risk(investments, instance, mandate.cvar_alpha)
    if cvar is not None and risk.cvar is not None:
        cvar["cvar"] = within(cvar["cvar"], [(_share_of(risk.cvar.max_share, basis), "max")])
    rules = {rule.year: rule.min_share for rule in mandate.lead_time.impact_by}
    years = sorted(set(mandate.years) | set(rules))
    impact_by = {
        y: within(
            clean(math.fsum(i.amount for i in investments if i.impact_year <= y) / basis),
            [(rules.get(y), "min")],
        )
        if basis
        else 0.0
        for y in years
    }
    totals = Totals(
        committed=committed,
        by_pillar={
            p: within(_total(v), _amount_limits(pillars.get(p), basis))
            for p, v in by_pillar.items()
        },
        by_sub_area={
            s: within(_total(v), _amount_limits(subs.get(s), basis)) for s, v in by_sub_area.items()
        },
        by_year_committed={str(y): _total(v) for y, v in sorted(committed_in.items())},
        by_year_called={
            str(y): within(_total(v), [(caps.get(y), "max"), (floors.get(y), "min")])
            for y, v in sorted(called_in.items())
        },
    )
    flows = yearly_flows(
        (holding_of(by_id[i.id], i.start_year, i.amount) for i in investments),
        mandate.horizon.start,
    )
    metrics = Metrics(
        deals=len(investments),
        expected_loss=expected_loss,
        high_risk_share=within(clean(high_risk / basis), [(risk.max_high_risk_share, "max")])
        if basis
        else 0.0,
        cvar=cvar,
        impact_by={str(y): v for y, v in impact_by.items()},
        tvpi=_maybe_clean(tvpi(flows)),
        dpi={str(y): clean(v) for y, v in sorted(dpi_by_year(flows).items())},
        irr=_maybe_clean(irr([f.net for f in flows])),
        payback_year=payback_year(flows),
        outcomes=outcomes(investments, instance, mandate.objective.discount_rate),
    )
    return totals, metrics, cash_flow_rows(flows)


def _share_of(share: float | None, basis: float) -> float | None:
    return None if share is None else share * basis
