"""The HiGHS interface: mandate settings, MIP starts, and two ways to hand a model over.

``run_persistent`` uses Pyomo's persistent HiGHS interface, which a Session keeps alive so that
what-if edits reach HiGHS in place. ``run_matrix`` compiles the model once with Pyomo's
standard-form compiler and passes the sparse matrix to HiGHS, the faster path for one solve.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from typing import Any, TextIO

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.common.tee import TeeStream, capture_output
from pyomo.contrib.solver.common.results import TerminationCondition as TC
from pyomo.contrib.solver.solvers.highs import Highs
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from allocator.formulation.core import without_gc
from allocator.formulation.objective import objective_weights
from allocator.mandate import Mandate, SolverSettings
from allocator.status import SolverError


class WarmHighs(Highs):
    """Pyomo's persistent HiGHS interface that passes the current variable values as a MIP start.

    Pyomo's interface has no MIP-start option, so the start is set on the underlying
    ``highspy.Highs`` object just before it runs. It also records when the run begins, so that
    hand-off and solve time can be told apart.
    """

    warm_start = False
    run_started = 0.0

    def __init__(self, **kwds: Any) -> None:
        super().__init__(**kwds)
        updates = self.config.auto_updates
        updates.check_for_new_or_removed_params = False  # HiGHS holds no parameters itself
        updates.update_parameters = False  # ``pass_values`` does it, objective only if needed
        self._passed_weights: tuple[float, ...] | None = None

    def _remove_variables(self, variables: list[Any]) -> None:
        """Pyomo calls this after every removal of constraints, mostly with no variables, and
        each call renumbers every column: skip the empty ones."""
        if variables:
            super()._remove_variables(variables)

    def pass_values(self, weights: tuple[float, ...]) -> None:
        """Pass new values of mutable parameters: those of every row and bound, and those of
        the objective only when its weights changed (it holds one expression per variable)."""
        for helpers in self._mutable_helpers.values():
            for helper in helpers:
                helper.update()
        for _var, helper in self._mutable_bounds.values():
            helper.update()
        if weights != self._passed_weights:
            self._mutable_objective.update()
        self._passed_weights = weights

    def _solve(self) -> Any:
        match_thread_scheduler(self._active_config.threads)
        if self.warm_start:
            self._set_mip_start()
        self.run_started = time.perf_counter()
        return super()._solve()

    def _set_mip_start(self) -> None:
        """The loaded values, clipped to the current bounds, as a start HiGHS repairs or drops."""
        values = [0.0] * self._solver_model.getNumCol()
        for var_id, column in self._pyomo_var_to_solver_var_map.items():
            var = self._vars[var_id][0]
            value = var.value if var.value is not None else 0.0
            upper = var.ub if var.ub is not None else value
            values[column] = min(max(value, var.lb or 0.0), upper)
        start = highspy.HighsSolution()
        start.col_value = values
        start.value_valid = True
        self._solver_model.setOptionValue("output_flag", False)  # no warning on an infeasible start
        self._solver_model.setSolution(start)
        self._solver_model.setOptionValue("output_flag", True)


_scheduler_threads: list[int | None] = []  # thread count of this process's HiGHS scheduler


def match_thread_scheduler(threads: int | None) -> None:
    """HiGHS keeps one thread scheduler per process; a solve asking for a different thread
    count fails unless the scheduler is reset first."""
    if _scheduler_threads and _scheduler_threads[0] != threads:
        highspy.Highs.resetGlobalScheduler(True)
    _scheduler_threads[:] = [threads]


def solver_settings(
    mandate: Mandate, time_limit: float | None, gap: float | None
) -> SolverSettings:
    """The mandate's solver settings with command-line overrides applied (and validated)."""
    changes = {k: v for k, v in (("time_limit", time_limit), ("mip_gap", gap)) if v is not None}
    if not changes:
        return mandate.solver
    return mandate.with_changes({f"solver.{k}": v for k, v in changes.items()}).solver


def configure(solver: Highs, settings: SolverSettings) -> None:
    """Apply time limit, gap, threads and seed; the HiGHS log is captured, never printed."""
    config = solver.config
    config.time_limit = settings.time_limit
    config.rel_gap = settings.mip_gap
    config.threads = settings.threads or None
    config.solver_options = {"random_seed": settings.seed}
    config.load_solutions = False
    config.raise_exception_on_nonoptimal_result = False


def new_solver(settings: SolverSettings) -> WarmHighs:
    """A configured solver."""
    solver = WarmHighs()
    configure(solver, settings)
    return solver


@dataclass(frozen=True)
class Outcome:
    """What a HiGHS run left: how it ended, the dual bound, nodes, its log and its timings.

    When ``has_solution`` is true the solution is loaded into the Pyomo variables.
    """

    termination: TC
    has_solution: bool
    bound: float | None
    nodes: int
    log: str
    hand_off_seconds: float
    run_seconds: float


# edits reach HiGHS through ``sync``; the solve itself looks for none
_SYNCED = {
    "check_for_new_or_removed_constraints": False,
    "check_for_new_or_removed_vars": False,
    "check_for_new_or_removed_params": False,
    "check_for_new_objective": False,
    "update_constraints": False,
    "update_vars": False,
    "update_parameters": False,
    "update_named_expressions": False,
    "update_objective": False,
}


def sync(solver: WarmHighs, model: pyo.ConcreteModel, *, rebuilt: bool = True) -> float:
    """Pass the model to HiGHS (the first time) or its edits since the last run; seconds.

    ``rebuilt`` False says that no component was added, deleted or re-bounded since, so only
    parameter values are passed (Pyomo's scan of the whole model for changes is skipped).
    """
    started = time.perf_counter()
    weights = objective_weights(model)
    # HiGHS warns on fd 1 about some in-place edits (a coefficient set to 0): to the log only
    with without_gc(), capture_output(TeeStream(*solver.config.tee), capture_fd=True):
        if solver._model is not model:
            solver.set_instance(model)
            solver._passed_weights = weights
        else:
            if rebuilt:
                solver.update()
            solver.pass_values(weights)
    return time.perf_counter() - started


def run_persistent(solver: WarmHighs, model: pyo.ConcreteModel, hand_off_seconds: float) -> Outcome:
    """Solve through the persistent interface, whose model ``sync`` has brought up to date."""
    started = time.perf_counter()
    with without_gc():
        results = solver.solve(model, auto_updates=_SYNCED)
    finished = time.perf_counter()
    has_solution = results.incumbent_objective is not None
    if has_solution:
        results.solution_loader.load_vars()
    return Outcome(
        termination=results.termination_condition,
        has_solution=has_solution,
        bound=results.objective_bound,
        nodes=max(0, int(getattr(results.extra_info, "mip_node_count", 0) or 0)),
        log=results.solver_log,
        hand_off_seconds=hand_off_seconds + solver.run_started - started,
        run_seconds=finished - solver.run_started,
    )


# HiGHS model status -> Pyomo termination condition, as Pyomo's own HiGHS interface maps them
_TERMINATION = {
    "kOptimal": TC.convergenceCriteriaSatisfied,
    "kInfeasible": TC.provenInfeasible,
    "kUnboundedOrInfeasible": TC.infeasibleOrUnbounded,
    "kUnbounded": TC.unbounded,
    "kTimeLimit": TC.maxTimeLimit,
    "kIterationLimit": TC.iterationLimit,
    "kSolutionLimit": TC.iterationLimit,
    "kObjectiveBound": TC.objectiveLimit,
    "kObjectiveTarget": TC.objectiveLimit,
    "kInterrupt": TC.interrupted,
}


@dataclass(frozen=True)
class Arrays:
    """A model as arrays, passed to HiGHS in one call: ``row_lower ≤ A·x ≤ row_upper``,
    ``col_lower ≤ x ≤ col_upper``, objective ``cost·x + offset`` (``matrix`` CSR or CSC)."""

    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    matrix: sp.csr_matrix | sp.csc_matrix
    integer: np.ndarray  # bool per column
    offset: float = 0.0
    maximize: bool = True

    @classmethod
    def read(cls, highs: highspy.Highs) -> Arrays:
        """The model a HiGHS object holds."""
        lp = highs.getLp()
        parts = (np.asarray(lp.a_matrix_.value_), np.asarray(lp.a_matrix_.index_))
        start, shape = np.asarray(lp.a_matrix_.start_), (lp.num_row_, lp.num_col_)
        rowwise = lp.a_matrix_.format_ == highspy.MatrixFormat.kRowwise
        matrix = (sp.csr_matrix if rowwise else sp.csc_matrix)((*parts, start), shape=shape)
        kinds = np.array(lp.integrality_, dtype=object)
        return cls(
            cost=np.asarray(lp.col_cost_, dtype=float),
            col_lower=np.asarray(lp.col_lower_, dtype=float),
            col_upper=np.asarray(lp.col_upper_, dtype=float),
            row_lower=np.asarray(lp.row_lower_, dtype=float),
            row_upper=np.asarray(lp.row_upper_, dtype=float),
            matrix=matrix,
            integer=kinds == highspy.HighsVarType.kInteger
            if len(kinds)
            else np.zeros(lp.num_col_, dtype=bool),
            offset=float(lp.offset_),
            maximize=lp.sense_ == highspy.ObjSense.kMaximize,
        )

    def pass_to(self, highs: highspy.Highs, *, relaxed: bool = False) -> None:
        """Pass the model (its LP relaxation with ``relaxed``) to a HiGHS object."""
        matrix = self.matrix
        rowwise = matrix.format == "csr"
        kind = highspy.MatrixFormat.kRowwise if rowwise else highspy.MatrixFormat.kColwise
        sense = highspy.ObjSense.kMaximize if self.maximize else highspy.ObjSense.kMinimize
        integer = np.zeros(len(self.cost), dtype=np.int32)
        if not relaxed:
            integer[self.integer] = 1
        status = highs.passModel(
            len(self.cost),
            len(self.row_lower),
            matrix.nnz,
            int(kind),
            int(sense),
            self.offset,
            self.cost,
            self.col_lower,
            self.col_upper,
            self.row_lower,
            self.row_upper,
            matrix.indptr.astype(np.int32),
            matrix.indices.astype(np.int32),
            matrix.data.astype(float),
            integer,
        )
        if status == highspy.HighsStatus.kError:
            raise SolverError("HiGHS refused the model it was passed")


def _matrix_lp(model: pyo.ConcreteModel) -> tuple[Arrays, list[Any]]:
    """The model as a HiGHS LP/MIP in column-wise sparse form, and its Pyomo columns."""
    repn = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
    columns = list(repn.columns)
    matrix = repn.A.tocsr()
    rhs = np.asarray(repn.rhs, dtype=float)
    sense = np.array([s for _, s in repn.rows], dtype=int)
    cost = np.asarray(repn.c.toarray()[0], dtype=float)
    rows = getattr(model, "ticket_rows", None)
    if rows is not None:
        block, block_rhs, block_sense = _ticket_block(model, rows, columns)
        cost = np.concatenate([cost, np.zeros(len(columns) - len(cost))])
        widened = sp.hstack(
            [matrix, sp.csr_matrix((matrix.shape[0], len(columns) - matrix.shape[1]))]
        )
        matrix = sp.vstack([widened, block])
        rhs, sense = np.concatenate([rhs, block_rhs]), np.concatenate([sense, block_sense])
    lp = Arrays(
        cost=cost,
        col_lower=np.array([-highspy.kHighsInf if v.lb is None else v.lb for v in columns], float),
        col_upper=np.array([highspy.kHighsInf if v.ub is None else v.ub for v in columns], float),
        row_lower=np.where(sense == 1, -highspy.kHighsInf, rhs),
        row_upper=np.where(sense == -1, highspy.kHighsInf, rhs),
        matrix=sp.csc_matrix(matrix),
        integer=np.array([v.is_integer() for v in columns], dtype=bool),
        offset=float(repn.c_offset[0]),
    )
    return lp, columns


def _ticket_block(
    model: pyo.ConcreteModel, rows: Any, columns: list[Any]
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """The ticket rows as one sparse block; columns the compiler did not meet are appended."""
    position = {id(v): k for k, v in enumerate(columns)}
    for var in (*model.w_list, *model.z_list):
        if id(var) not in position:
            position[id(var)] = len(columns)
            columns.append(var)
    w = np.fromiter((position[id(v)] for v in model.w_list), dtype=np.int64)
    z = np.fromiter((position[id(v)] for v in model.z_list), dtype=np.int64)
    low, high = rows.low, rows.high
    ranged = np.flatnonzero((low > 0) & (low != high))
    pairs, lower = np.arange(len(w)), len(w) + np.arange(len(ranged))
    count = len(w) + len(ranged)
    row = np.concatenate([pairs, pairs, lower, lower])
    col = np.concatenate([w, z, w[ranged], z[ranged]])
    data = np.concatenate([np.ones(len(w)), -high, np.ones(len(ranged)), -low[ranged]])
    block = sp.csr_matrix((data, (row, col)), shape=(count, len(columns)))
    sense = np.concatenate([np.where(low == high, 0, 1), np.full(len(ranged), -1)])
    return block, np.zeros(count), sense


def run_matrix(model: pyo.ConcreteModel, settings: SolverSettings, log: TextIO | None) -> Outcome:
    """Solve once, handing the model to HiGHS as a sparse matrix (Pyomo's standard-form compiler
    is several times faster than the persistent interface's per-constraint hand-off)."""
    started = time.perf_counter()
    with without_gc():
        lp, columns = _matrix_lp(model)
    buffer = io.StringIO()
    with capture_output(TeeStream(buffer, *([log] if log else [])), capture_fd=True):
        highs = highspy.Highs()  # the first one in a process prints a banner on fd 1
        match_thread_scheduler(settings.threads or None)
        apply_options(highs, settings)
        lp.pass_to(highs)
        run_started = time.perf_counter()
        highs.run()
    finished = time.perf_counter()
    info = highs.getInfo()
    has_solution = info.primal_solution_status == 2
    if has_solution:
        for var, value in zip(columns, highs.getSolution().col_value, strict=True):
            var.set_value(value, skip_validation=True)
    status = highs.getModelStatus().name
    return Outcome(
        termination=_TERMINATION.get(status, TC.error if "Error" in status else TC.unknown),
        has_solution=has_solution,
        bound=info.mip_dual_bound if info.mip_node_count >= 0 else info.objective_function_value,
        nodes=max(0, int(info.mip_node_count)),
        log=buffer.getvalue(),
        hand_off_seconds=run_started - started,
        run_seconds=finished - run_started,
    )


def apply_options(highs: highspy.Highs, settings: SolverSettings) -> None:
    """Time limit, gap, seed and threads of the mandate on a highspy object."""
    options: dict[str, Any] = {
        "log_to_console": True,
        "time_limit": settings.time_limit,
        "mip_rel_gap": settings.mip_gap,
        "random_seed": settings.seed,
    }
    if settings.threads:
        options["threads"] = settings.threads
    for name, value in options.items():
        highs.setOptionValue(name, value)
