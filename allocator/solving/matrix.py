"""The one-shot hand-off: the model compiled once (``compiler``) and passed to HiGHS as one
sparse matrix, several times faster than a per-constraint hand-off."""

from __future__ import annotations

import io
import time
from typing import Any, TextIO

import highspy
from pyomo.common.tee import TeeStream, capture_output

from allocator.formulation import AllocationModel, without_gc
from allocator.inputs.mandate import SolverSettings
from allocator.solving.arrays import Arrays
from allocator.solving.compiler import compile_model
from allocator.solving.outcome import FEASIBLE_SOLUTION, Outcome
from allocator.solving.settings import apply_options


def matrix_lp(model: AllocationModel) -> tuple[Arrays, list[Any]]:
    """The model as a HiGHS LP/MIP in row-wise sparse form, and its Pyomo columns."""
    compiled = compile_model(model)
    return compiled.arrays, compiled.columns.variables


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
