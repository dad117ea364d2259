"""Warm re-solves: certify a plan near the previous one against the LP bound before branching.

After an edit, a cold HiGHS run presolves the whole model, solves the root LP, separates cuts
and runs its heuristics until an incumbent closes the gap. A what-if is usually close to the
previous plan, so a Session first tries a shortcut that proves what HiGHS would prove:

1. **Bound.** The LP relaxation of the edited model, solved by HiGHS's dual simplex straight
   from the persistent model's arrays (no presolve: on these models it costs more than it
   saves). Its optimum bounds every plan.
2. **Neighbourhood.** RINS: a sub-MIP in which ``z`` is fixed wherever the previous plan and the
   LP solution agree, with the pairs fixed at 0 and their rows left out, solved by HiGHS at the
   mandate's gap within a node limit. Its solution is a plan of the full model.
3. **Certificate.** If that plan is within the mandate's relative gap of the LP bound, it is
   optimal at that gap and is returned without branching on the full model. Otherwise it is
   loaded as the MIP start of a full HiGHS solve, which then needs only to close the gap.

Only the arrays of the persistent HiGHS model are read, so the shortcut holds for every
constraint family, including ones added later.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any, TextIO

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.contrib.solver.common.results import TerminationCondition as TC

from allocator.highs import Arrays, Outcome, apply_options, match_thread_scheduler
from allocator.mandate import SolverSettings

INTEGRAL = 1e-6  # an LP value this close to the previous plan's 0 or 1 agrees with it
HOLDS = 1e-9  # a row left out of the neighbourhood must hold at zero within this
FEASIBLE = 1e-6  # largest violation (relative to the row's size, at least 1) a plan may show
NEIGHBOURHOOD_NODES = 1000  # branch-and-bound nodes allowed to the neighbourhood sub-MIP
CERTIFIED = "optimal within the gap without branching on the full model"  # the log says so


@dataclass(frozen=True)
class Snapshot:
    """The persistent HiGHS model as arrays, and where the pairs' ``z`` and ``w`` columns are."""

    model: Arrays
    pair_z: np.ndarray  # column of z of each (candidate, year) pair
    pair_w: np.ndarray  # column of w of each pair

    @classmethod
    def take(cls, solver: Any, model: pyo.ConcreteModel) -> Snapshot:
        """Read the model a persistent HiGHS interface holds (after its edits are passed)."""
        column_of = solver._pyomo_var_to_solver_var_map
        return cls(
            model=Arrays.read(solver._solver_model),
            pair_z=np.fromiter((column_of[id(v)] for v in model.z_list), dtype=np.int64),
            pair_w=np.fromiter((column_of[id(v)] for v in model.w_list), dtype=np.int64),
        )

    def objective(self, values: np.ndarray) -> float:
        """Objective value of a full column vector."""
        return float(self.model.cost @ values) + self.model.offset

    def gap(self, bound: float, objective: float) -> float:
        """Relative gap as HiGHS measures it, negative when the objective passes the bound."""
        sign = 1.0 if self.model.maximize else -1.0
        return sign * (bound - objective) / max(abs(objective), 1e-9)

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
        return dataclasses.replace(
            a,
            cost=a.cost[keep],
            col_lower=a.col_lower[keep],
            col_upper=a.col_upper[keep],
            row_lower=a.row_lower[touched],
            row_upper=a.row_upper[touched],
            matrix=matrix[touched],
            integer=a.integer[keep],
        )


@dataclass(frozen=True)
class Relaxation:
    """How HiGHS ended the LP relaxation, and its optimum and solution when it found them."""

    status: str  # HiGHS's model status, e.g. "Optimal", "Time limit reached"
    objective: float
    values: np.ndarray
    iterations: int

    @property
    def optimal(self) -> bool:
        """Only an optimal LP value bounds the MIP."""
        return self.status == "Optimal"


def relax(s: Snapshot, deadline: float = float("inf")) -> Relaxation:
    """The LP relaxation of the whole model, solved by the deadline (a ``time.perf_counter``
    value) if HiGHS can."""
    highs = _quiet()
    highs.setOptionValue("presolve", "off")
    highs.setOptionValue("time_limit", max(deadline - time.perf_counter(), 0.01))
    s.model.pass_to(highs, relaxed=True)
    highs.run()
    info = highs.getInfo()
    return Relaxation(
        status=highs.modelStatusToString(highs.getModelStatus()),
        objective=info.objective_function_value,
        values=np.asarray(highs.getSolution().col_value),
        iterations=int(info.simplex_iteration_count),
    )


@dataclass(frozen=True)
class Incumbent:
    """A plan of the full model found in the neighbourhood."""

    objective: float
    values: np.ndarray  # full column vector
    nodes: int
    free: int  # pairs whose z the neighbourhood left free


def neighbourhood(
    s: Snapshot,
    relaxation: Relaxation,
    previous: np.ndarray,
    settings: SolverSettings,
    deadline: float,
) -> Incumbent | None:
    """RINS around the previous plan (0/1 per pair) guided by an LP solution; None when the
    sub-MIP finds no plan by the deadline (a ``time.perf_counter`` value)."""
    z_lower, z_upper = s.model.col_lower[s.pair_z], s.model.col_upper[s.pair_z]
    agree = np.abs(relaxation.values[s.pair_z] - previous) <= INTEGRAL
    agree &= (previous >= z_lower) & (previous <= z_upper)  # an edit may have barred a choice
    keep = np.ones(len(s.model.cost), dtype=bool)
    out = agree & (previous == 0)
    keep[s.pair_z[out]] = keep[s.pair_w[out]] = False
    keep_columns = np.flatnonzero(keep)
    sub = s.restricted(keep_columns)
    if sub is None:
        return None
    fixed = np.searchsorted(keep_columns, s.pair_z[agree & (previous == 1)]).astype(np.int32)
    highs = _quiet()
    match_thread_scheduler(settings.threads or None)
    apply_options(highs, settings)
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", max(deadline - time.perf_counter(), 0.01))
    highs.setOptionValue("mip_max_nodes", NEIGHBOURHOOD_NODES)
    sub.pass_to(highs)
    ones = np.ones(len(fixed))
    highs.changeColsBounds(len(fixed), fixed, ones, ones)
    highs.run()
    info = highs.getInfo()
    if info.primal_solution_status != 2:
        return None
    values = np.zeros(len(s.model.cost))
    values[keep_columns] = highs.getSolution().col_value
    return Incumbent(
        objective=s.objective(values),
        values=values,
        nodes=max(0, int(info.mip_node_count)),
        free=int((~agree).sum()),
    )


def _beyond(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """How far ``low`` exceeds ``high`` where both are finite, relative to the limit's size."""
    finite = (np.abs(low) < highspy.kHighsInf) & (np.abs(high) < highspy.kHighsInf)
    size = np.maximum(1.0, np.minimum(np.abs(low), np.abs(high)))
    return np.where(finite, (low - high) / np.where(finite, size, 1.0), 0.0)


def _quiet() -> highspy.Highs:
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    return highs


def resolve(
    solver: Any, model: pyo.ConcreteModel, settings: SolverSettings, log: TextIO | None
) -> Outcome | None:
    """The certified plan of the edited model, loaded into its variables; or None, with the best
    plan found (if any) loaded as the MIP start, when HiGHS must branch on the full model.

    ``solver`` is the Session's persistent interface with the edit passed and the previous
    plan still loaded in the model's variables.
    """
    started = time.perf_counter()
    deadline = started + settings.time_limit
    s = Snapshot.take(solver, model)
    previous = np.array([round(z.value or 0.0) for z in model.z_list], dtype=float)
    notes = Notes(log)
    relaxation = relax(s, deadline)
    if not relaxation.optimal:
        notes.add(f"LP relaxation: {relaxation.status.lower()}; full solve")
        return None
    notes.add(f"LP bound {relaxation.objective:.6f} ({relaxation.iterations} iterations)")
    incumbent = neighbourhood(s, relaxation, previous, settings, deadline)
    if incumbent is None:
        notes.add("no plan in the neighbourhood of the previous one; full solve")
        return None
    if s.violation(incumbent.values) > FEASIBLE:
        notes.add("the neighbourhood's plan breaks a row of the model; full solve")
        return None
    _load(solver, incumbent.values)
    gap = s.gap(relaxation.objective, incumbent.objective)
    notes.add(
        f"plan {incumbent.objective:.6f} near the previous one ({incumbent.free} of "
        f"{len(s.pair_z)} choices free, {incumbent.nodes} nodes), gap {gap:.4%} "
        f"(tolerance {settings.mip_gap:.4%})"
    )
    if not 0 <= gap <= settings.mip_gap:
        notes.add("gap outside the tolerance; full solve from this plan")
        return None
    notes.add(CERTIFIED)
    return Outcome(
        termination=TC.convergenceCriteriaSatisfied,
        has_solution=True,
        bound=relaxation.objective,
        nodes=incumbent.nodes,
        log=notes.text,
        hand_off_seconds=0.0,
        run_seconds=time.perf_counter() - started,
    )


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


def _load(solver: Any, values: np.ndarray) -> None:
    """Set every variable HiGHS knows to its value in a full column vector."""
    for var_id, column in solver._pyomo_var_to_solver_var_map.items():
        solver._vars[var_id][0].set_value(float(values[column]), skip_validation=True)


__all__ = ["CERTIFIED", "resolve"]
