"""Outcomes of a plan over its scenarios: portfolio multiple and IRR quantiles, and the chance
of returning less than the capital or less than the hurdle.

A scenario's loss fraction ``L[s,j]`` is what candidate j loses per $ committed, so its realised
multiple is ``1 − L[s,j]`` (0 on a total loss, above 1 for a gain). Proceeds arrive on the
candidate's timing (``hold``, ``distribution_schedule``); calls on its call schedule.
"""

from __future__ import annotations

import numpy as np

from allocator.inputs.instance import Instance
from allocator.results.cash_flows import IRR_HIGH, IRR_LOW, irrs
from allocator.results.plan import Investment

QUANTILES = {"p5": 0.05, "p50": 0.5, "p95": 0.95}
TOTAL_LOSS_IRR = -1.0  # nothing comes back: −100 %


def quantile(values: np.ndarray, probability: np.ndarray, q: float) -> float:
    """The smallest value whose cumulative probability reaches ``q``."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(probability[order])
    position = min(int(np.searchsorted(cumulative, q - 1e-12)), len(order) - 1)
    return float(values[order][position])


def scenario_irrs(net: np.ndarray) -> np.ndarray:
    """IRR of each row of yearly net flows ``net[s, k]`` (the rule of ``cash_flows.irrs``):
    −100 % where nothing comes back, the top of the range where the flows stay ahead of every
    rate, the bottom where they never catch up."""
    rates = irrs(net)
    comes_back = (net > 0).any(axis=1)
    ahead = net.sum(axis=1) > 0  # present value at a rate of 0
    stuck = np.where(ahead, IRR_HIGH, IRR_LOW)
    return np.where(comes_back, np.where(np.isnan(rates), stuck, rates), TOTAL_LOSS_IRR)


def outcomes(
    investments: list[Investment], instance: Instance, hurdle: float | None
) -> dict[str, float | None] | None:
    """Portfolio multiple and IRR quantiles over the scenarios, P(multiple < 1) and, with a
    hurdle, P(IRR < hurdle); None without scenarios or investments."""
    scenarios = instance.scenarios
    if scenarios is None or not investments:
        return None
    by_id = instance.by_id
    position = {c.id: j for j, c in enumerate(instance.candidates)}
    first = min(i.start_year for i in investments)
    last = max(year for i in investments for year, _ in by_id[i.id].distributions(i.start_year))
    last = max(last, max(y for i in investments for y, _ in by_id[i.id].calls(i.start_year)))
    width = last - first + 1
    called = np.zeros(width)
    timing = np.zeros((len(investments), width))  # $ received per unit of realised multiple
    for k, inv in enumerate(investments):
        c = by_id[inv.id]
        for year, f in c.calls(inv.start_year):
            called[year - first] += f * inv.amount
        for year, f in c.distributions(inv.start_year):
            timing[k, year - first] += f * inv.amount
    columns = [position[i.id] for i in investments]
    multiple = 1.0 - np.asarray(scenarios.loss[:, columns], dtype=float)  # S x investments
    amounts = np.array([i.amount for i in investments])
    committed = float(amounts.sum())
    probability = np.asarray(scenarios.probability, dtype=float)
    portfolio = multiple @ amounts / committed if committed > 0 else np.zeros(len(multiple))
    rates = scenario_irrs(multiple @ timing - called[None, :])
    found: dict[str, float | None] = {"multiple_mean": float(probability @ portfolio)}
    found |= {f"multiple_{k}": quantile(portfolio, probability, q) for k, q in QUANTILES.items()}
    found["p_multiple_below_1"] = float(probability @ (portfolio < 1.0 - 1e-12))
    found |= {f"irr_{k}": quantile(rates, probability, q) for k, q in QUANTILES.items()}
    found["hurdle"] = hurdle
    found["p_irr_below_hurdle"] = (
        None if hurdle is None else float(probability @ (rates < hurdle - 1e-12))
    )
    return {k: v if v is None else float(f"{v:.12g}") for k, v in found.items()}
