"""The one-shot hand-off: the model compiled once (``compiler``) and passed to HiGHS as one
sparse matrix, several times faster than a per-constraint hand-off."""

from __future__ import annotations

import io
import time
from typing import Any, TextIO

import highspy
import numpy as np
from pyomo.common.tee import TeeStream, capture_output

from allocator.formulation import AllocationModel, without_gc
from allocator.formulation.tickets import TicketRows
from allocator.inputs.mandate import SolverSettings
from allocator.solving.arrays import Arrays
from allocator.solving.compiler import (
    INFINITY,
    Columns,
    Compiler,
    RowBlock,
    active_constraints,
    stack,
)
from allocator.solving.outcome import FEASIBLE_SOLUTION, Outcome
from allocator.solving.settings import apply_options


def matrix_lp(model: AllocationModel) -> tuple[Arrays, list[Any]]:
    """The model as a HiGHS LP/MIP in row-wise sparse form, and its Pyomo columns."""
    columns = Columns.of(model)
    compiler = Compiler(model, columns)
    rows = compiler.rows(active_constraints(model))
    cost, offset, maximize = compiler.objective()
    block = [rows]
    if model.ticket_rows is not None:
        block.append(ticket_block(model.ticket_rows, compiler))
    start, index, value, lower, upper = stack(block)
    col_lower, col_upper = columns.bounds(model)
    lp = Arrays(
        cost=cost,
        col_lower=col_lower,
        col_upper=col_upper,
        row_lower=lower,
        row_upper=upper,
        start=start,
        index=index,
        value=value,
        rowwise=True,
        integer=columns.integer(model),
        offset=offset,
        maximize=maximize,
    )
    return lp, columns.variables


def ticket_block(rows: TicketRows, compiler: Compiler) -> RowBlock:
    """The ticket rows as one block: ``w − high·z ≤ 0`` for every pair (``= 0`` where
    ``low == high``), then ``w − low·z ≥ 0`` where ``0 < low < high``."""
    w, z = compiler.pair_columns("w"), compiler.pair_columns("z")
    low, high = rows.low, rows.high
    ranged = np.flatnonzero((low > 0) & (low != high))
    count = len(w) + len(ranged)
    first = np.stack([w, z], axis=1)
    second = np.stack([w[ranged], z[ranged]], axis=1)
    coefs_first = np.stack([np.ones(len(w)), -high], axis=1)
    coefs_second = np.stack([np.ones(len(ranged)), -low[ranged]], axis=1)
    order_first = np.argsort(first, axis=1)  # columns sorted within each row
    order_second = np.argsort(second, axis=1)
    index = np.concatenate(
        [
            np.take_along_axis(first, order_first, 1).ravel(),
            np.take_along_axis(second, order_second, 1).ravel(),
        ]
    )
    value = np.concatenate(
        [
            np.take_along_axis(coefs_first, order_first, 1).ravel(),
            np.take_along_axis(coefs_second, order_second, 1).ravel(),
        ]
    )
    lower = np.concatenate([np.where(low == high, 0.0, -INFINITY), np.zeros(len(ranged))])
    upper = np.concatenate([np.zeros(len(w)), np.full(len(ranged), INFINITY)])
    return RowBlock(
        constraints=[None] * count,
        start=np.arange(0, 2 * count + 1, 2, dtype=np.int64),
        index=index,
        value=value,
        lower=lower,
        upper=upper,
        parametric_bounds=np.zeros(count, bool),
        parametric_coefs=np.zeros(count, bool),
    )


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
