"""The one-shot hand-off: the model compiled once by Pyomo's standard-form compiler and passed
to HiGHS as a sparse matrix, several times faster than a per-constraint hand-off."""

from __future__ import annotations

import io
import time
from typing import Any, TextIO

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.common.tee import TeeStream, capture_output
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from allocator.formulation import AllocationModel, without_gc
from allocator.formulation.tickets import TicketRows
from allocator.inputs.mandate import SolverSettings
from allocator.solving.arrays import Arrays
from allocator.solving.outcome import FEASIBLE_SOLUTION, Outcome
from allocator.solving.settings import apply_options


def matrix_lp(model: AllocationModel) -> tuple[Arrays, list[Any]]:
    """The model as a HiGHS LP/MIP in column-wise sparse form, and its Pyomo columns."""
    repn = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
    columns = list(repn.columns)
    matrix = repn.A.tocsr()
    rhs = np.asarray(repn.rhs, dtype=float)
    sense = np.array([s for _, s in repn.rows], dtype=int)
    cost = np.asarray(repn.c.toarray()[0], dtype=float)
    if model.ticket_rows is not None:
        block, block_rhs, block_sense = _ticket_block(model, model.ticket_rows, columns)
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
        maximize=repn.objectives[0].sense == pyo.maximize,
    )
    return lp, columns


def _ticket_block(
    model: AllocationModel, rows: TicketRows, columns: list[Any]
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


def run_matrix(model: AllocationModel, settings: SolverSettings, log: TextIO | None) -> Outcome:
    """Solve once, handing the model to HiGHS as a sparse matrix."""
    started = time.perf_counter()
    with without_gc():
        lp, columns = matrix_lp(model)
    buffer = io.StringIO()
    with capture_output(TeeStream(buffer, *([log] if log else [])), capture_fd=True):
        highs = highspy.Highs()  # the first one in a process prints a banner on fd 1
        apply_options(highs, settings)
        lp.pass_to(highs)
        run_started = time.perf_counter()
        highs.run()
    finished = time.perf_counter()
    info = highs.getInfo()
    has_solution = info.primal_solution_status == FEASIBLE_SOLUTION
    if has_solution:
        for var, value in zip(columns, highs.getSolution().col_value, strict=True):
            var.set_value(value, skip_validation=True)
    return Outcome(
        status=highs.getModelStatus(),
        has_solution=has_solution,
        bound=info.mip_dual_bound if info.mip_node_count >= 0 else info.objective_function_value,
        nodes=max(0, int(info.mip_node_count)),
        log=buffer.getvalue(),
        hand_off_seconds=run_started - started,
        run_seconds=finished - run_started,
        method="matrix",
    )
