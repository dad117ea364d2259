"""Why each deal is in or out: the cost of forcing a chosen deal out, or an unchosen one in.

The cost of a counterfactual is ``OPT − OPT'`` (the optimum now, and with the deal forced). Two
cheap bounds come first, for every candidate:

- *at least* ``objective − LP'``: the plan's objective is at most OPT, and the LP relaxation of
  the forced model bounds OPT' (one warm dual-simplex re-solve of the LP per deal);
- *at most* ``bound − F'``: the plan's bound is at least OPT, and ``F'`` is a plan of the forced
  model found near the current one (a small MIP in which only the chosen deals, and the forced
  one, may be chosen).

``verify`` re-solves the forced model in full (a what-if in one warm Session): the cost from the
plan to the better of the re-solved and the nearby plan, and whether the re-solve's bound proves
the deal is worth something.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace

import highspy
import numpy as np

from allocator.errors import InputError
from allocator.formulation import build_model
from allocator.inputs.instance import Instance
from allocator.inputs.mandate import Mandate, SolverSettings
from allocator.results.plan import DealRationale, Plan
from allocator.results.status import Status
from allocator.solving.matrix import matrix_form
from allocator.solving.outcome import FEASIBLE_SOLUTION
from allocator.solving.session import Session
from allocator.solving.settings import quiet_highs, settings_for

NEARBY_NODES = 200  # branch-and-bound nodes allowed to each nearby plan's small MIP


def rationale(
    instance: Instance,
    mandate: Mandate,
    plan: Plan,
    *,
    verify: bool | Iterable[str] = False,
    time_limit: float | None = None,
    gap: float | None = None,
) -> tuple[DealRationale, ...]:
    """For every candidate, the bounds on the cost of forcing it out (if chosen) or in (if not);
    ``verify`` (True, or some ids) re-solves those counterfactuals in full."""
    if not plan.found or plan.objective is None or plan.bound is None:
        return ()
    bounds = _Bounds(instance, mandate, plan, settings_for(mandate, time_limit, gap))
    found = [bounds.of(c.id) for c in instance.candidates]
    wanted = {r.id for r in found} if verify is True else set(verify or ())
    unknown = sorted(wanted - set(instance.by_id))
    if unknown:
        raise InputError(f"unknown candidate id {unknown[0]!r}", column="verify")
    if wanted:
        found = _verified(instance, mandate, plan, found, wanted, bounds.nearby, time_limit, gap)
    return tuple(found)


class _Bounds:
    """The model's LP relaxation kept in one HiGHS object, re-solved warm for each deal."""

    def __init__(
        self, instance: Instance, mandate: Mandate, plan: Plan, settings: SolverSettings
    ) -> None:
        self.instance, self.mandate, self.plan, self.settings = instance, mandate, plan, settings
        m = build_model(instance, mandate, ticket_block=True)
        form = matrix_form(m)
        self.lp = form.lp
        column = {id(v): k for k, v in enumerate(form.columns)}
        row = {id(con): r for r, con in enumerate(form.rows) if con is not None}
        self.z = np.array([column[id(v)] for v in m.z_list], dtype=np.int32)
        self.pairs = m.pairs
        chosen = {(i.id, i.start_year) for i in plan.investments}
        self.chosen = np.array([pair in chosen for pair in m.pairs.items], dtype=bool)
        self.once = {cid: row[id(m.once_only[cid])] for cid in m.once_only}
        self.nearby: dict[str, float] = {}  # objective of the nearby plan of each counterfactual
        self.highs = quiet_highs()
        self.lp.pass_to(self.highs, relaxed=True)
        self.highs.run()

    def of(self, cid: str) -> DealRationale:
        """The bounds for one candidate."""
        positions = self.pairs.by_candidate.get(cid, [])
        investment = next((i for i in self.plan.investments if i.id == cid), None)
        chosen = investment is not None
        reason = self._impossible(cid, positions, chosen)
        common = {
            "id": cid,
            "chosen": chosen,
            "amount": investment.amount if investment else 0.0,
        }
        if reason:
            return DealRationale(**common, feasible=False, note=reason)
        objective, bound = float(self.plan.objective or 0.0), float(self.plan.bound or 0.0)
        relaxed = self._forced_lp(cid, positions, chosen)
        if relaxed is None:
            return DealRationale(**common, feasible=False, note="the forced mandate is infeasible")
        nearby = self._nearby(positions, chosen)
        if nearby is not None:
            self.nearby[cid] = nearby
        return DealRationale(
            **common,
            cost_at_least=max(0.0, objective - relaxed),
            cost_at_most=None if nearby is None else max(0.0, bound - nearby),
        )

    def _impossible(self, cid: str, positions: list[int], chosen: bool) -> str | None:
        if chosen and cid in self.mandate.force_in:
            return "forced in by the mandate"
        if chosen:
            return None
        if cid in self.mandate.force_out:
            return "forced out by the mandate"
        if not positions:
            return "its start window lies outside the horizon"
        if all(self.lp.col_upper[self.z[p]] <= 0 for p in positions):
            return "its lead time exceeds lead_time.max_lead_time"
        return None

    def _forced_lp(self, cid: str, positions: list[int], chosen: bool) -> float | None:
        """The LP bound with the deal forced out (chosen) or in (not chosen); None: infeasible."""
        h, columns = self.highs, self.z[positions]
        lower, upper = self.lp.col_lower[columns], self.lp.col_upper[columns]
        if chosen:
            h.changeColsBounds(len(columns), columns, lower, np.zeros(len(columns)))
        elif cid in self.once:
            h.changeRowBounds(self.once[cid], 1.0, 1.0)
        else:
            h.changeColsBounds(len(columns), columns, np.ones(len(columns)), upper)
        h.run()
        optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        value = float(h.getInfo().objective_function_value) if optimal else None
        if chosen or cid not in self.once:
            h.changeColsBounds(len(columns), columns, lower, upper)
        else:
            h.changeRowBounds(self.once[cid], -highspy.kHighsInf, 1.0)
        return value

    def _nearby(self, positions: list[int], chosen: bool) -> float | None:
        """The best plan in which only the plan's deals (less the one forced out, or plus the
        one forced in) may be chosen; None if none is found within the node limit."""
        allowed = self.chosen.copy()
        allowed[positions] = not chosen
        upper = self.lp.col_upper.copy()
        upper[self.z[~allowed]] = 0.0
        lower = self.lp.col_lower.copy()
        if not chosen and len(positions) == 1:
            lower[self.z[positions]] = 1.0
        highs = quiet_highs()
        replace(self.lp, col_lower=lower, col_upper=upper).pass_to(highs)
        cid = self.pairs.items[positions[0]][0]
        if not chosen and cid in self.once:
            highs.changeRowBounds(self.once[cid], 1.0, 1.0)
        highs.setOptionValue("mip_max_nodes", NEARBY_NODES)
        highs.setOptionValue("mip_rel_gap", self.settings.mip_gap)
        highs.setOptionValue("time_limit", self.settings.time_limit)
        highs.run()
        if highs.getInfo().primal_solution_status != FEASIBLE_SOLUTION:
            return None
        return float(highs.getInfo().objective_function_value)


def _verified(
    instance: Instance,
    mandate: Mandate,
    plan: Plan,
    found: list[DealRationale],
    wanted: set[str],
    nearby: dict[str, float],
    time_limit: float | None,
    gap: float | None,
) -> list[DealRationale]:
    """The wanted counterfactuals re-solved in full, in one warm Session. The cost is measured
    from the plan, to the better of the re-solved plan and the nearby one; it is significant
    when the re-solve's bound is below the plan (the deal is proven to be worth something)."""
    session = Session(instance, mandate)
    session.solve(time_limit=time_limit, gap=gap)
    objective = float(plan.objective or 0.0)
    checked = []
    for deal in found:
        if deal.id not in wanted or not deal.feasible:
            checked.append(deal)
            continue
        key = "force_out" if deal.chosen else "force_in"
        edited = mandate.with_changes({key: [*getattr(mandate, key), deal.id]})
        forced = session.solve(edited, time_limit=time_limit, gap=gap)
        if not forced.found:
            update: dict[str, object] = {
                "feasible": forced.status != Status.INFEASIBLE,
                "verified": True,
            }
            checked.append(deal.model_copy(update=update))
            continue
        best = max(float(forced.objective or 0.0), nearby.get(deal.id, -math.inf))
        bound = float(forced.bound or best)
        tolerance = 1e-9 * max(1.0, abs(objective))
        update = {
            "cost": max(0.0, objective - best),
            "significant": objective - bound > tolerance,
            "verified": True,
        }
        checked.append(deal.model_copy(update=update))
    return checked
