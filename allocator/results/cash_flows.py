"""Cash flows of a set of holdings by calendar year, and the metrics read off them.

One place for the arithmetic of money out and back: each holding contributes its calls, its
expected distributions and the release of its cost (for the NAV at cost) by year; the plan's
table (called, distributed, net, cumulative net = the J-curve, NAV) and its metrics (TVPI, DPI
by year, IRR of the expected net cash flows, payback year) are computed from the sum.

Today a holding is one chosen investment with the candidate's schedules per $ committed
(``holding_of``); actual calls and proceeds (a ledger) or follow-on tranches are holdings too,
built from their own year lists.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from allocator.inputs.instance import Candidate

# IRR search range: rates from -99 % to 10,000 % a year, scanned on a grid for sign changes
IRR_LOW, IRR_HIGH, IRR_POINTS, IRR_STEPS = -0.9999, 100.0, 2001, 60


@dataclass(frozen=True)
class Holding:
    """One position's cash flows by calendar year, in $M.

    ``released`` is the fraction of the position's cost returned in each year (its distribution
    schedule), which writes its NAV at cost down as proceeds come in.
    """

    calls: tuple[tuple[int, float], ...]
    proceeds: tuple[tuple[int, float], ...]
    released: tuple[tuple[int, float], ...]


def holding_of(candidate: Candidate, start_year: int, amount: float) -> Holding:
    """A commitment of ``amount`` to ``candidate`` in ``start_year``, at expected proceeds."""
    return Holding(
        calls=tuple((y, f * amount) for y, f in candidate.calls(start_year)),
        proceeds=tuple((y, v * amount) for y, v in candidate.expected_proceeds(start_year)),
        released=tuple(candidate.distributions(start_year)),
    )


@dataclass(frozen=True)
class YearFlow:
    """One calendar year of a portfolio's cash flows ($M)."""

    year: int
    called: float
    distributed: float
    net: float  # distributed − called
    cumulative_net: float
    nav: float  # capital called and not yet returned, at cost


def yearly_flows(holdings: Iterable[Holding], first_year: int) -> list[YearFlow]:
    """The table by year, from ``first_year`` (or an earlier flow) to the last flow."""
    called: dict[int, float] = defaultdict(float)
    distributed: dict[int, float] = defaultdict(float)
    nav_change: dict[int, float] = defaultdict(float)
    for h in holdings:
        for year, value in h.calls:
            called[year] += value
        for year, value in h.proceeds:
            distributed[year] += value
        # NAV at cost: each call adds its amount; each year of the distribution schedule
        # releases that fraction of the capital called by then (the rest when called later)
        for year, value in h.calls:
            nav_change[year] += value
            for release_year, fraction in h.released:
                nav_change[max(year, release_year)] -= fraction * value
    years = set(called) | set(distributed) | set(nav_change)
    if not years:
        return []
    rows, cumulative, nav = [], 0.0, 0.0
    for year in range(min(first_year, *years), max(years) + 1):
        net = distributed[year] - called[year]
        cumulative += net
        nav += nav_change[year]
        rows.append(YearFlow(year, called[year], distributed[year], net, cumulative, max(0.0, nav)))
    return rows


def npv(net: np.ndarray, rate: float | np.ndarray) -> np.ndarray:
    """Net present value at the first year of flows ``net[k]`` in years k = 0, 1, ..."""
    rates = np.atleast_1d(np.asarray(rate, dtype=float))
    discount = (1.0 + rates)[:, None] ** -np.arange(len(net))[None, :]
    return discount @ net


def irrs(net: np.ndarray) -> np.ndarray:
    """IRR of each row of yearly net flows ``net[s, k]`` (years k = 0, 1, ...).

    The documented rule: the present value is scanned at ``IRR_POINTS`` rates evenly spaced in
    log(1 + r) from −99.99 % to 10,000 %; of the grid cells where it changes sign, the one
    nearest a rate of 0 is refined by bisection. Rows that never change sign get NaN.
    """
    net = np.atleast_2d(np.asarray(net, dtype=float))
    years = np.arange(net.shape[1])
    logs = np.linspace(math.log1p(IRR_LOW), math.log1p(IRR_HIGH), IRR_POINTS)
    values = net @ np.exp(-np.outer(years, logs))  # present value at each grid rate
    positive = values > 0
    change = positive[:, :-1] != positive[:, 1:]
    rates = np.expm1(0.5 * (logs[:-1] + logs[1:]))
    distance = np.where(change, np.abs(rates)[None, :], np.inf)
    cell = distance.argmin(axis=1)
    found = np.isfinite(distance[np.arange(len(net)), cell])
    low, high = logs[cell], logs[cell + 1]
    low_positive = positive[np.arange(len(net)), cell]
    for _ in range(IRR_STEPS):
        middle = 0.5 * (low + high)
        middle_positive = (net * np.exp(-np.outer(middle, years))).sum(axis=1) > 0
        same = middle_positive == low_positive
        low, high = np.where(same, middle, low), np.where(same, high, middle)
    return np.where(found, np.expm1(0.5 * (low + high)), np.nan)


def irr(net: list[float]) -> float | None:
    """Internal rate of return of yearly net cash flows (the rule of ``irrs``); None when the
    flows never change sign or no rate in range solves it."""
    flows = np.asarray(net, dtype=float)
    if not (flows > 0).any() or not (flows < 0).any():
        return None
    rate = float(irrs(flows)[0])
    return None if math.isnan(rate) else rate


def payback_year(rows: list[YearFlow]) -> int | None:
    """The year the cumulative net cash flow turns non-negative for good; None if it ends
    negative or never was."""
    negative = [r.year for r in rows if r.cumulative_net < -1e-9]
    if not negative or rows[-1].cumulative_net < -1e-9:
        return None
    return negative[-1] + 1


def dpi_by_year(rows: list[YearFlow]) -> dict[int, float]:
    """Distributions to paid-in capital, cumulated, for each year with capital called."""
    dpi, called, distributed = {}, 0.0, 0.0
    for r in rows:
        called += r.called
        distributed += r.distributed
        if called > 0:
            dpi[r.year] = distributed / called
    return dpi


def tvpi(rows: list[YearFlow]) -> float | None:
    """Total value to paid-in capital: all expected distributions over all capital called."""
    called = math.fsum(r.called for r in rows)
    return math.fsum(r.distributed for r in rows) / called if called > 0 else None
