"""The one-shot hand-off: the model compiled once (``compiler``) and passed to HiGHS as one
sparse matrix, several times faster than a per-constraint hand-off."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, replace
from typing import Any, TextIO

import highspy
import numpy as np
from pyomo.common.tee import TeeStream, capture_output

from allocator.formulation import AllocationModel, without_gc
from allocator.inputs.mandate import SolverSettings
from allocator.solving.arrays import Arrays
from allocator.solving.compiler import compile_model
from allocator.solving.outcome import FEASIBLE_SOLUTION, Outcome
from allocator.solving.settings import apply_options


@dataclass(frozen=True)
class MatrixForm:
    """The model as arrays, with the Pyomo variable of each column and the Pyomo constraint
    of each row (None for the ticket rows of a ticket block)."""

    lp: Arrays
    columns: list[Any]
    rows: list[Any]


def matrix_lp(model: AllocationModel) -> tuple[Arrays, list[Any]]:
    """The model as a HiGHS LP/MIP in row-wise sparse form, and its Pyomo columns."""
    compiled = compile_model(model)
    return compiled.arrays, compiled.columns.variables


def matrix_form(model: AllocationModel) -> MatrixForm:
    """The model as arrays, with the Pyomo variable and constraint of each column and row."""
    compiled = compile_model(model)
    rows = [constraint for block in compiled.blocks for constraint in block.constraints]
    return MatrixForm(compiled.arrays, compiled.columns.variables, rows)


def with_fixed_choices(form: MatrixForm, model: AllocationModel, choices: list[float]) -> Arrays:
    """The arrays with every pair's ``z`` fixed at its choice (0 or 1; a 1 the model bars stays
    barred, so the LP is then infeasible)."""
    position = {id(v): k for k, v in enumerate(form.columns)}
    columns = np.fromiter((position[id(z)] for z in model.z_list), dtype=np.int64)
    values = np.asarray(choices, dtype=float)
    lower, upper = form.lp.col_lower.copy(), form.lp.col_upper.copy()
    upper[columns] = np.minimum(values, upper[columns])
    lower[columns] = values
    return replace(form.lp, col_lower=lower, col_upper=upper)


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
