"""Warm re-solves: certify a plan near the previous one against an LP bound before branching.

After an edit, a cold HiGHS run presolves the whole model, solves the root LP, separates cuts
and runs its heuristics until an incumbent closes the gap. A what-if is usually close to the
previous plan, so a Session first tries a shortcut that proves what HiGHS would prove:

1. **Bound.** The LP relaxation of the edited model projected onto the amounts
   (``allocator.projection``: a tenth of the rows, a valid bound), solved by HiGHS's dual
   simplex from the Session's HiGHS model as arrays (no presolve: here it costs more than it
   saves).
   Its optimum bounds every plan.
2. **Neighbourhood.** A sub-MIP in which ``z`` keeps the previous plan's value wherever the LP
   solution agrees with it (RINS); if its plan is not within the gap, a wider one that also
   frees the pairs the LP finds cheapest to bring in (``fixed_choices``). The pairs fixed at 0
   and the rows they empty are left out. HiGHS solves it at the mandate's gap within a node
   limit; its solution is a plan of the full model, checked against every row and bound.
3. **Certificate.** If that plan is within the mandate's relative gap of the bound, it is
   optimal at that gap and is returned without branching on the full model. Otherwise it is
   loaded as the MIP start of a full HiGHS solve, which then needs only to close the gap.

Only the arrays of the Session's HiGHS model are read (and the ticket ranges of the pairs), so
the shortcut holds for every constraint family, including ones added later.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, Protocol, TextIO

import highspy
import numpy as np
import scipy.sparse as sp

from allocator.formulation import AllocationModel
from allocator.inputs.mandate import SolverSettings
from allocator.solving.arrays import Arrays
from allocator.solving.outcome import FEASIBLE_SOLUTION, HighsStatus, Outcome
from allocator.solving.projected_lp import PairColumns, project
from allocator.solving.settings import Deadline, apply_options, quiet_highs

INTEGRAL = 1e-6  # an LP value this close to the previous plan's 0 or 1 agrees with it
HOLDS = 1e-9  # a row left out of the neighbourhood must hold at zero within this
FEASIBLE = 1e-6  # largest violation (relative to the row's size, at least 1) a plan may show
NEIGHBOURHOOD_NODES = 1000  # branch-and-bound nodes allowed to the neighbourhood sub-MIP
WIDENINGS = (0, 2)  # pairs freed by reduced cost, per pair RINS frees: RINS first, then wider
CERTIFIED = "optimal within the gap without branching on the full model"  # the log says so


class HeldModel(Protocol):
    """A model held by a HiGHS object, with its Pyomo variables (``live.LiveModel``)."""

    highs: highspy.Highs

    def columns_of(self, variables: list[Any]) -> np.ndarray: ...

    def load(self, values: np.ndarray) -> None: ...


@dataclass(frozen=True)
class Snapshot:
    """The Session's HiGHS model as arrays, and where each (candidate, year) pair's ``z`` and
    ``w`` columns are."""

    model: Arrays
    pairs: PairColumns

    @classmethod
    def take(cls, solver: HeldModel, model: AllocationModel) -> Snapshot:
        """Read the model HiGHS holds (after the edits are passed)."""
        candidates = model.pairs.candidates
        return cls(
            model=Arrays.read(solver.highs),
            pairs=PairColumns(
                z=solver.columns_of(model.z_list),
                w=solver.columns_of(model.w_list),
                low=np.array([c.ticket_min for c in candidates], dtype=float),
                high=np.array([c.ticket_max for c in candidates], dtype=float),
            ),
        )

    def objective(self, values: np.ndarray) -> float:
        """Objective value of a full column vector."""
        return float(self.model.cost @ values) + self.model.offset

    @property
    def sense(self) -> float:
        """+1 when maximising, -1 when minimising: ``sense × objective`` is better when larger."""
        return 1.0 if self.model.maximize else -1.0

    def gap(self, bound: float, objective: float) -> float:
        """Relative gap as HiGHS measures it, negative when the objective passes the bound."""
        return self.sense * (bound - objective) / max(abs(objective), 1e-9)

    def within(self, bound: float, objective: float, tolerance: float) -> bool:
        """Whether a plan's objective is proven within the relative tolerance by the bound."""
        return 0 <= self.gap(bound, objective) <= tolerance

    def violation(self, values: np.ndarray) -> float:
        """Largest violation of a bound, a row or integrality by a full column vector, each
        relative to the size of the limit it breaks (at least 1)."""
        a = self.model
        activity = a.matrix @ values
        parts = [
            _beyond(a.col_lower, values),
            _beyond(values, a.col_upper),
            _beyond(a.row_lower, activity),
            _beyond(activity, a.row_upper),
            np.abs(values - np.round(values)) * a.integer,
        ]
        return max(0.0, *(float(np.max(p, initial=0.0)) for p in parts))

    def restricted(self, keep: np.ndarray) -> Arrays | None:
        """The model on the kept columns, the others at zero and the rows they leave empty
        dropped; None when one of those rows does not hold at zero."""
        a = self.model
        matrix = sp.csr_matrix(a.matrix)[:, keep]
        touched = np.diff(matrix.indptr) > 0
        empty = ~touched
        if np.any(a.row_lower[empty] > HOLDS) or np.any(a.row_upper[empty] < -HOLDS):
            return None
        return a.with_matrix(
            matrix[touched],
            cost=a.cost[keep],
            col_lower=a.col_lower[keep],
            col_upper=a.col_upper[keep],
            row_lower=a.row_lower[touched],
            row_upper=a.row_upper[touched],
            integer=a.integer[keep],
        )


@dataclass(frozen=True)
class LinearRelaxation:
    """How HiGHS ended the LP relaxation, and its optimum and solution when it found them."""

    status: HighsStatus
    objective: float
    values: np.ndarray  # full column vector
    reduced: np.ndarray  # reduced costs, full column vector (0 for a projected-out z)
    iterations: int

    @property
    def optimal(self) -> bool:
        """Only an optimal LP value bounds the MIP."""
        return self.status == HighsStatus.kOptimal


def relax(s: Snapshot, deadline: Deadline | None = None) -> LinearRelaxation:
    """The LP relaxation projected onto the amounts (``projected_lp``; the full one when it
    cannot be projected), solved by the deadline if HiGHS can. Its solution is lifted back to
    every column of the model."""
    projection = project(s.model, s.pairs)
    highs = quiet_highs()
    highs.setOptionValue("presolve", "off")
    if deadline is not None:
        highs.setOptionValue("time_limit", deadline.left())
    (projection.lp if projection else s.model).pass_to(highs, relaxed=True)
    highs.run()
    info, solution, width = highs.getInfo(), highs.getSolution(), len(s.model.cost)
    values, reduced = np.asarray(solution.col_value), np.asarray(solution.col_dual)
    return LinearRelaxation(
        status=highs.getModelStatus(),
        objective=info.objective_function_value,
        values=projection.lift(values, s.pairs, width) if projection else values,
        reduced=projection.spread(reduced, width) if projection else reduced,
        iterations=int(info.simplex_iteration_count),
    )


@dataclass(frozen=True)
class Incumbent:
    """A plan of the full model found in the neighbourhood."""

    objective: float
    values: np.ndarray  # full column vector
    nodes: int
    free: int  # pairs whose z the neighbourhood left free


def fixed_choices(
    s: Snapshot, relaxation: LinearRelaxation, previous: np.ndarray, widen: int
) -> np.ndarray:
    """Pairs whose ``z`` the neighbourhood fixes at the previous plan's value: RINS fixes those
    where the LP solution agrees with the previous plan (and the edit still allows its choice);
    of the pairs that leaves out of the plan, the ones the LP finds cheapest to bring in
    (reduced cost of ``z`` plus a full ticket's of ``w``) are freed too, ``widen`` for each pair
    RINS frees."""
    z_lower, z_upper = s.model.col_lower[s.pairs.z], s.model.col_upper[s.pairs.z]
    fixed = np.abs(relaxation.values[s.pairs.z] - previous) <= INTEGRAL
    fixed &= (previous >= z_lower) & (previous <= z_upper)  # an edit may have barred a choice
    d = relaxation.reduced
    price = s.sense * (d[s.pairs.z] + s.pairs.high * d[s.pairs.w])
    outside = np.flatnonzero(fixed & (previous == 0) & (z_upper > 0))
    nearest = outside[np.argsort(-price[outside], kind="stable")]
    fixed[nearest[: widen * int((~fixed).sum())]] = False
    return fixed


def neighbourhood(
    s: Snapshot,
    relaxation: LinearRelaxation,
    previous: np.ndarray,
    settings: SolverSettings,
    deadline: Deadline,
    widen: int = 0,
) -> Incumbent | None:
    """The best plan with the ``fixed_choices`` of the previous plan (0/1 per pair), found by a
    sub-MIP without the pairs fixed out; None when it finds none by the deadline."""
    fixed = fixed_choices(s, relaxation, previous, widen)
    keep = np.ones(len(s.model.cost), dtype=bool)
    out = fixed & (previous == 0)
    keep[s.pairs.z[out]] = keep[s.pairs.w[out]] = False
    keep_columns = np.flatnonzero(keep)
    sub = s.restricted(keep_columns)
    if sub is None:
        return None
    ones = np.searchsorted(keep_columns, s.pairs.z[fixed & (previous == 1)]).astype(np.int32)
    highs = quiet_highs()
    apply_options(highs, settings, deadline)  # leaves the output of ``quiet_highs`` off
    highs.setOptionValue("mip_max_nodes", NEIGHBOURHOOD_NODES)
    sub.pass_to(highs)
    highs.changeColsBounds(len(ones), ones, np.ones(len(ones)), np.ones(len(ones)))
    highs.run()
    info = highs.getInfo()
    if info.primal_solution_status != FEASIBLE_SOLUTION:
        return None
    values = np.zeros(len(s.model.cost))
    values[keep_columns] = highs.getSolution().col_value
    return Incumbent(
        objective=s.objective(values),
        values=values,
        nodes=max(0, int(info.mip_node_count)),
        free=int((~fixed).sum()),
    )


def _beyond(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """How far ``low`` exceeds ``high`` where both are finite, relative to the limit's size."""
    finite = (np.abs(low) < highspy.kHighsInf) & (np.abs(high) < highspy.kHighsInf)
    size = np.maximum(1.0, np.minimum(np.abs(low), np.abs(high)))
    return np.where(finite, (low - high) / np.where(finite, size, 1.0), 0.0)


def resolve(
    solver: HeldModel,
    model: AllocationModel,
    settings: SolverSettings,
    deadline: Deadline,
    log: TextIO | None,
    snapshot: Snapshot | None = None,
) -> Outcome | None:
    """The certified plan of the edited model, loaded into its variables; or None, with the best
    plan found (if any) loaded as the MIP start, when HiGHS must branch on the full model.

    ``solver`` is the Session's HiGHS model with the edit passed and the previous
    plan still loaded in the model's variables; ``snapshot``, if given, its arrays.
    """
    started = time.perf_counter()
    s = snapshot or Snapshot.take(solver, model)
    previous = np.array([round(z.value or 0.0) for z in model.z_list], dtype=float)
    notes = Notes(log)
    relaxation = relax(s, deadline)
    if not relaxation.optimal:
        notes.add(f"LP relaxation: {relaxation.status.name}; full solve")
        return None
    notes.add(f"LP bound {relaxation.objective:.6f} ({relaxation.iterations} iterations)")
    incumbent = _search(s, relaxation, previous, settings, deadline, notes)
    if incumbent is None:
        notes.add("no plan in the neighbourhood of the previous one; full solve")
        return None
    solver.load(incumbent.values)
    if not s.within(relaxation.objective, incumbent.objective, settings.mip_gap):
        notes.add("gap outside the tolerance; full solve from the best plan found")
        return None
    notes.add(CERTIFIED)
    return Outcome(
        status=HighsStatus.kOptimal,
        has_solution=True,
        bound=relaxation.objective,
        nodes=incumbent.nodes,
        log=notes.text,
        hand_off_seconds=0.0,
        run_seconds=time.perf_counter() - started,
        method="certified",
    )


def _search(
    s: Snapshot,
    relaxation: LinearRelaxation,
    previous: np.ndarray,
    settings: SolverSettings,
    deadline: Deadline,
    notes: Notes,
) -> Incumbent | None:
    """Neighbourhoods of the previous plan, narrow then wider (``WIDENINGS``), until a plan is
    within the gap of the bound; the best plan found that keeps every row."""
    best = None
    for widen in WIDENINGS:
        found = neighbourhood(s, relaxation, previous, settings, deadline, widen)
        if found is None:
            continue
        if s.violation(found.values) > FEASIBLE:
            notes.add("a neighbourhood's plan breaks a row of the model; left out")
            continue
        gap = s.gap(relaxation.objective, found.objective)
        notes.add(
            f"plan {found.objective:.6f} near the previous one ({found.free} of "
            f"{len(s.pairs.z)} choices free, {found.nodes} nodes), gap {gap:.4%} "
            f"(tolerance {settings.mip_gap:.4%})"
        )
        if best is None or s.sense * (found.objective - best.objective) > 0:
            best = found
        if s.within(relaxation.objective, best.objective, settings.mip_gap):
            break
    return best


@dataclass(frozen=True)
class KnownPlan:
    """A plan found earlier in a Session: ``z`` and ``w`` of each (candidate, year) pair."""

    z: np.ndarray
    w: np.ndarray

    @classmethod
    def of(cls, model: AllocationModel) -> KnownPlan:
        """The plan loaded in the model's variables."""
        return cls(
            z=np.array([round(v.value or 0.0) for v in model.z_list], dtype=float),
            w=np.array([max(0.0, v.value or 0.0) for v in model.w_list], dtype=float),
        )


def still_feasible(s: Snapshot, known: KnownPlan) -> Incumbent | None:
    """The known plan as a plan of the edited model, if it still keeps every row: its choices
    and amounts fixed, the other columns (CVaR's) solved for by an LP; None if it breaks one."""
    a = s.model
    lower, upper = a.col_lower.copy(), a.col_upper.copy()
    for columns, values in ((s.pairs.z, known.z), (s.pairs.w, known.w)):
        if np.any(values < lower[columns] - FEASIBLE) or np.any(values > upper[columns] + FEASIBLE):
            return None
        lower[columns] = upper[columns] = values
    highs = quiet_highs()
    replace(a, col_lower=lower, col_upper=upper).pass_to(highs, relaxed=True)
    highs.run()
    if highs.getModelStatus() != HighsStatus.kOptimal:
        return None
    values = np.asarray(highs.getSolution().col_value, dtype=float)
    if s.violation(values) > FEASIBLE:
        return None
    return Incumbent(objective=s.objective(values), values=values, nodes=0, free=0)


def best_known(s: Snapshot, known: list[KnownPlan]) -> Incumbent | None:
    """The best of the known plans that the edited model still admits."""
    found = [plan for plan in (still_feasible(s, k) for k in known) if plan is not None]
    return max(found, key=lambda plan: s.sense * plan.objective, default=None)


class Notes:
    """The shortcut's log lines, written as they come to a live log if there is one."""

    def __init__(self, log: TextIO | None) -> None:
        self.log, self.text = log, ""

    def add(self, line: str) -> None:
        """One line, prefixed so that it reads apart from HiGHS's own log."""
        entry = f"warm start: {line}\n"
        self.text += entry
        if self.log is not None:
            self.log.write(entry)


__all__ = ["CERTIFIED", "KnownPlan", "Snapshot", "best_known", "resolve"]
