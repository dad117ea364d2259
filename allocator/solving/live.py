"""A Session's HiGHS model, kept in step with its Pyomo model by HiGHS's in-place calls.

The model is compiled once (``compiler``) and passed in one call, as a one-shot solve does.
After a what-if edit (``formulation.rebuild``), only what changed reaches HiGHS:

- the rows of rebuilt families are deleted and their new rows compiled and added
  (``deleteRows``/``addRows``), and so are the columns of variables a rebuilt family deleted or
  added (``deleteCols``/``addCols``);
- rows whose bounds or coefficients hold a mutable parameter (a limit's value, the budget) are
  recompiled when one of those parameters changed: new bounds by ``changeRowsBounds``, new
  coefficients by deleting and adding the row;
- column bounds that moved (forced out, lead-time caps, ticket ranges) by ``changeColsBounds``;
- the objective, when its weights or its family changed, by one ``changeColsCost``.

The rows are kept in HiGHS's order with the family that owns each, so that no Pyomo scan of the
whole model is needed for an edit.
"""

from __future__ import annotations

import io
import time
from typing import Any, TextIO

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.tee import TeeStream, capture_output

from allocator.formulation import AllocationModel, without_gc
from allocator.inputs.mandate import SolverSettings
from allocator.solving.compiler import (
    Columns,
    Compiler,
    RowBlock,
    active_constraints,
    compile_model,
    ticket_block,
)
from allocator.solving.outcome import FEASIBLE_SOLUTION, Outcome
from allocator.solving.settings import Deadline, apply_options, quiet_highs

TICKETS = "tickets"  # the family whose rows are the ticket block


class LiveModel:
    """The HiGHS model of a Session: compiled once, then edited in place."""

    def __init__(self, m: AllocationModel) -> None:
        self.m = m
        compiled = compile_model(m)
        self.columns = compiled.columns
        self.highs = quiet_highs()
        self.row_family: list[str] = []
        self.row_constraint: list[Any] = []
        self.row_parameters: list[tuple[Any, ...]] = []
        self.row_signature: list[tuple[float, ...]] = []
        owner = _component_families(m)
        for block in compiled.blocks:
            self._remember(block, owner)
        compiled.arrays.pass_to(self.highs)
        self.col_lower, self.col_upper = compiled.arrays.col_lower, compiled.arrays.col_upper
        self.objective_parameters = compiled.objective.parameters
        self.objective_signature = _values(self.objective_parameters)

    # ------------------------------------------------------------------ what the shortcut reads

    def columns_of(self, variables: list[Any]) -> np.ndarray:
        """The HiGHS column of each Pyomo variable."""
        position = self.columns.position
        return np.fromiter((position[id(v)] for v in variables), dtype=np.int64)

    def values(self) -> np.ndarray:
        """The loaded value of every column, as a full column vector."""
        return np.array([v.value or 0.0 for v in self.columns.variables], dtype=float)

    def load(self, values: np.ndarray) -> None:
        """Set every variable to its value in a full column vector."""
        for var, value in zip(self.columns.variables, values.tolist(), strict=True):
            var.set_value(value, skip_validation=True)

    # ------------------------------------------------------------------ edits

    def sync(self, rebuilt: frozenset[str]) -> float:
        """Bring HiGHS up to date after the named families were rebuilt and parameters set."""
        started = time.perf_counter()
        with without_gc():
            self._drop_rows([k for k, f in enumerate(self.row_family) if f in rebuilt])
            self._sync_columns()
            compiler = Compiler(self.m, self.columns)
            self._add_rebuilt(compiler, rebuilt)
            self._refresh_parametric(compiler)
            self._sync_bounds()
            signature = _values(self.objective_parameters)
            if "objective" in rebuilt or signature != self.objective_signature:
                objective = compiler.objective()
                self.objective_parameters = objective.parameters
                self.objective_signature = _values(objective.parameters)
                width = len(objective.cost)
                self.highs.changeColsCost(width, np.arange(width, dtype=np.int32), objective.cost)
                self.highs.changeObjectiveOffset(objective.offset)
        return time.perf_counter() - started

    def _remember(self, block: RowBlock, owner: dict[str, str]) -> None:
        for k, constraint in enumerate(block.constraints):
            family = TICKETS if constraint is None else owner[constraint.parent_component().name]
            self.row_family.append(family)
            self.row_constraint.append(constraint)
            self.row_parameters.append(block.parameters[k])
            self.row_signature.append(_values(block.parameters[k]))

    def _add_rows(self, block: RowBlock) -> None:
        if not len(block):
            return
        self.highs.addRows(
            len(block),
            block.lower,
            block.upper,
            len(block.index),
            block.start[:-1].astype(np.int32),
            block.index.astype(np.int32),
            block.value,
        )
        self._remember(block, _component_families(self.m))

    def _drop_rows(self, rows: list[int]) -> None:
        if not rows:
            return
        self.highs.deleteRows(len(rows), np.asarray(rows, dtype=np.int32))
        gone = set(rows)
        for name in ("row_family", "row_constraint", "row_parameters", "row_signature"):
            kept = [x for k, x in enumerate(getattr(self, name)) if k not in gone]
            setattr(self, name, kept)

    def _sync_columns(self) -> None:
        """Delete the columns of deleted variables, add those of new ones."""
        current = Columns.of(self.m)
        alive = set(current.position)
        gone = [k for k, v in enumerate(self.columns.variables) if id(v) not in alive]
        if gone:
            self.highs.deleteCols(len(gone), np.asarray(gone, dtype=np.int32))
            self.col_lower = np.delete(self.col_lower, gone)
            self.col_upper = np.delete(self.col_upper, gone)
        kept = [v for v in self.columns.variables if id(v) in alive]
        known = {id(v) for v in kept}
        new = [v for v in current.variables if id(v) not in known]
        self.columns = Columns(kept + new, {id(v): k for k, v in enumerate(kept + new)})
        if new:
            count = len(new)
            self.highs.addCols(
                count,
                np.zeros(count),
                np.zeros(count),
                np.zeros(count),
                0,
                np.zeros(0, np.int32),
                np.zeros(0, np.int32),
                np.zeros(0),
            )
            self.col_lower = np.concatenate([self.col_lower, np.zeros(count)])
            self.col_upper = np.concatenate([self.col_upper, np.zeros(count)])
            first = len(kept)
            integer = np.array([v.is_integer() for v in new], dtype=np.uint8)
            self.highs.changeColsIntegrality(
                count, np.arange(first, first + count, dtype=np.int32), integer
            )

    def _add_rebuilt(self, compiler: Compiler, rebuilt: frozenset[str]) -> None:
        components = [c for f in rebuilt for c in self.m.family_components.get(f, [])]
        self._add_rows(compiler.rows(active_constraints(self.m, components)))
        if TICKETS in rebuilt and self.m.ticket_rows is not None:
            self._add_rows(ticket_block(self.m.ticket_rows, compiler))

    def _refresh_parametric(self, compiler: Compiler) -> None:
        """Recompile the rows whose parameters changed: new bounds in place, new
        coefficients by replacing the row."""
        moved = [
            k
            for k, parameters in enumerate(self.row_parameters)
            if parameters and _values(parameters) != self.row_signature[k]
        ]
        if not moved:
            return
        fresh = compiler.rows([self.row_constraint[k] for k in moved])
        reshaped = [i for i, k in enumerate(moved) if fresh.parametric_coefs[i]]
        in_place = [i for i, k in enumerate(moved) if not fresh.parametric_coefs[i]]
        if in_place:
            rows = np.asarray([moved[i] for i in in_place], dtype=np.int32)
            self.highs.changeRowsBounds(  # type: ignore[attr-defined]
                len(rows), rows, fresh.lower[in_place], fresh.upper[in_place]
            )
            for i in in_place:
                self.row_signature[moved[i]] = _values(self.row_parameters[moved[i]])
        if reshaped:
            constraints = [self.row_constraint[moved[i]] for i in reshaped]
            self._drop_rows([moved[i] for i in reshaped])
            self._add_rows(compiler.rows(constraints))

    def _sync_bounds(self) -> None:
        lower, upper = self.columns.bounds(self.m)
        changed = np.flatnonzero((self.col_lower != lower) | (self.col_upper != upper))
        if len(changed):
            self.highs.changeColsBounds(
                len(changed), changed.astype(np.int32), lower[changed], upper[changed]
            )
        self.col_lower, self.col_upper = lower, upper

    # ------------------------------------------------------------------ solving

    def run(
        self,
        settings: SolverSettings,
        deadline: Deadline,
        log: TextIO | None,
        hand_off_seconds: float,
        start: bool,
    ) -> Outcome:
        """Solve (from the loaded values as a MIP start if ``start``) and load the solution."""
        buffer = io.StringIO()
        with capture_output(TeeStream(buffer, *([log] if log else [])), capture_fd=True):
            apply_options(self.highs, settings, deadline)
            self.highs.setOptionValue("output_flag", True)
            if start:
                self._set_start()
            run_started = time.perf_counter()
            self.highs.run()
            self.highs.setOptionValue("output_flag", False)
        finished = time.perf_counter()
        info = self.highs.getInfo()
        has_solution = info.primal_solution_status == FEASIBLE_SOLUTION
        if has_solution:
            self.load(np.asarray(self.highs.getSolution().col_value))
        return Outcome(
            status=self.highs.getModelStatus(),
            has_solution=has_solution,
            bound=info.mip_dual_bound
            if info.mip_node_count >= 0
            else info.objective_function_value,
            nodes=max(0, int(info.mip_node_count)),
            log=buffer.getvalue(),
            hand_off_seconds=hand_off_seconds,
            run_seconds=finished - run_started,
            method="persistent",
        )

    def _set_start(self) -> None:
        """The loaded values, clipped to the current bounds, as a start HiGHS repairs or
        drops (quietly: an infeasible start is not worth a warning)."""
        values = np.clip(self.values(), self.col_lower, self.col_upper)
        solution = highspy.HighsSolution()
        solution.col_value = values.tolist()
        solution.value_valid = True
        self.highs.setOptionValue("output_flag", False)
        self.highs.setSolution(solution)
        self.highs.setOptionValue("output_flag", True)


def _values(parameters: Any) -> tuple[float, ...]:
    return tuple(float(pyo.value(p)) for p in parameters)


def _component_families(m: AllocationModel) -> dict[str, str]:
    return {c: family for family, names in m.family_components.items() for c in names}
