"""Tickets, once-only: ``ticket_min·z ≤ w ≤ ticket_max·z``; ``Σ_t z[j,t] ≤ 1`` (=1 if forced)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from allocator.formulation.core import Pairs
from allocator.formulation.expressions import count
from allocator.formulation.limits import Family
from allocator.formulation.model import AllocationModel
from allocator.inputs.mandate import Mandate


@dataclass(frozen=True)
class TicketRows:
    """The ticket rows as arrays, for a hand-off that builds them as one sparse block.

    Row ``w[p] − high[p]·z[p] ≤ 0`` for every pair (``= 0`` where ``low == high``), and
    ``w[p] − low[p]·z[p] ≥ 0`` where ``0 < low < high``.
    """

    low: np.ndarray
    high: np.ndarray


def add_tickets(m: AllocationModel, pairs: Pairs, mandate: Mandate) -> None:
    """Amount within the ticket range when chosen, else zero; also sets the upper bound of w.

    With ``m.ticket_block`` set, the rows are kept as arrays (``m.ticket_rows``) for the matrix
    hand-off instead of Pyomo constraints: they are most of the model's rows.
    """
    low = np.array([c.ticket_min for c in pairs.candidates], dtype=float)
    high = np.array([c.ticket_max for c in pairs.candidates], dtype=float)
    m.bound_pairs("w", high)
    if m.ticket_block:
        m.ticket_rows = TicketRows(low, high)
        return
    w, z = m.w_list, m.z_list
    fixed = np.flatnonzero(low == high).tolist()
    capped = np.flatnonzero(low != high).tolist()
    ranged = np.flatnonzero((low > 0) & (low != high)).tolist()
    m.ticket_fixed = pyo.Constraint(fixed, rule=lambda m, p: w[p] == high[p] * z[p])
    m.ticket_max = pyo.Constraint(capped, rule=lambda m, p: w[p] <= high[p] * z[p])
    m.ticket_min = pyo.Constraint(ranged, rule=lambda m, p: w[p] >= low[p] * z[p])


def add_once_only(m: AllocationModel, pairs: Pairs, mandate: Mandate) -> None:
    """Each candidate is committed at most once, exactly once if in ``force_in``."""
    by_candidate = pairs.by_candidate
    forced = set(mandate.force_in)
    rows = {cid: count(m, by_candidate.get(cid, ())) for cid in sorted(forced)}
    m.force_in = pyo.Constraint(list(rows), rule=lambda m, cid: rows[cid] == 1)
    several = [
        cid for cid, positions in by_candidate.items() if len(positions) > 1 and cid not in forced
    ]
    m.once_only = pyo.Constraint(several, rule=lambda m, cid: count(m, by_candidate[cid]) <= 1)


TICKETS = Family(
    "tickets",
    add_tickets,
    fields=("ticket_min", "ticket_max"),
    doc="`ticket_min_j·z ≤ w ≤ ticket_max_j·z` (`w = ticket·z` where the two are equal)",
)
ONCE_ONLY = Family(
    "once_only",
    add_once_only,
    reads=("force_in",),
    doc="`Σ_t z[j,t] ≤ 1`; `= 1` if forced in",
    keys="`force_in`",
)
