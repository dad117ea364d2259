"""Tickets, once-only: ``ticket_min·z ≤ w ≤ ticket_max·z``; ``Σ_t z[j,t] ≤ 1`` (=1 if forced)."""

from __future__ import annotations

import pyomo.environ as pyo

from allocator.formulation.core import Pairs, count
from allocator.mandate import Mandate


def add_tickets(m: pyo.ConcreteModel, pairs: Pairs, mandate: Mandate) -> None:
    """Amount within the ticket range when chosen, else zero; also sets the upper bound of w."""
    low = {pair: c.ticket_min for pair, c in zip(pairs.items, pairs.candidates, strict=True)}
    high = {pair: c.ticket_max for pair, c in zip(pairs.items, pairs.candidates, strict=True)}
    for w, c in zip(m.w_list, pairs.candidates, strict=True):
        w.setub(c.ticket_max)
    m.ticket_max = pyo.Constraint(m.PAIRS, rule=lambda m, j, t: m.w[j, t] <= high[j, t] * m.z[j, t])
    fixed = [pair for pair in pairs.items if low[pair] == high[pair]]
    ranged = [pair for pair in pairs.items if low[pair] > 0 and low[pair] != high[pair]]
    m.ticket_fixed = pyo.Constraint(fixed, rule=lambda m, j, t: m.w[j, t] >= high[j, t] * m.z[j, t])
    m.ticket_min = pyo.Constraint(ranged, rule=lambda m, j, t: m.w[j, t] >= low[j, t] * m.z[j, t])


def add_once_only(m: pyo.ConcreteModel, pairs: Pairs, mandate: Mandate) -> None:
    """Each candidate is committed at most once, exactly once if in ``force_in``."""
    by_candidate = pairs.group(lambda p: pairs.items[p][0])
    forced = set(mandate.force_in)
    rows = {cid: count(m, by_candidate.get(cid, ())) for cid in sorted(forced)}
    m.force_in = pyo.Constraint(list(rows), rule=lambda m, cid: rows[cid] == 1)
    several = [
        cid for cid, positions in by_candidate.items() if len(positions) > 1 and cid not in forced
    ]
    m.once_only = pyo.Constraint(several, rule=lambda m, cid: count(m, by_candidate[cid]) <= 1)
