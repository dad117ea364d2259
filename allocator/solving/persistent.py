"""Pyomo's persistent HiGHS interface, as a Session keeps it alive between what-ifs.

``WarmHighs`` is the one class that touches private members of Pyomo's interface
(``PYOMO_PRIVATE_MEMBERS``; a test checks each still exists, and ``pyproject.toml`` pins Pyomo
below the next minor version): everything else uses its public methods.
"""

from __future__ import annotations

import time
from typing import Any, TextIO

import highspy
import numpy as np
from pyomo.common.tee import TeeStream, capture_output
from pyomo.contrib.solver.solvers.highs import Highs

from allocator.formulation import AllocationModel, without_gc
from allocator.inputs.mandate import SolverSettings
from allocator.solving.outcome import Outcome
from allocator.solving.settings import match_thread_scheduler

PYOMO_PRIVATE_MEMBERS = (
    "_remove_variables",  # overridden: skips Pyomo's calls with no variables
    "_solve",  # overridden: sets the MIP start and records when HiGHS starts
    "_mutable_helpers",  # rows whose coefficients or bounds hold mutable parameters
    "_mutable_bounds",  # variable bounds that hold mutable parameters
    "_mutable_objective",  # objective coefficients that hold mutable parameters
    "_active_config",  # the configuration of the running solve (threads)
    "_solver_model",  # the highspy.Highs object
    "_pyomo_var_to_solver_var_map",  # id(var) -> HiGHS column
    "_vars",  # id(var) -> (var, ...)
    "_model",  # the Pyomo model handed over
)

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

    # ------------------------------------------------------------------ public accessors

    def configure(self, settings: SolverSettings, log: TextIO | None = None) -> None:
        """Time limit, gap, threads and seed; the HiGHS log goes to ``log`` and the outcome."""
        config = self.config
        config.time_limit = settings.time_limit
        config.rel_gap = settings.mip_gap
        config.threads = settings.threads or None
        config.solver_options = {"random_seed": settings.seed}
        config.load_solutions = False
        config.raise_exception_on_nonoptimal_result = False
        config.tee = [log] if log is not None else []

    def set_time_limit(self, seconds: float) -> None:
        """The time limit of the next solve."""
        self.config.time_limit = seconds

    def holds(self, model: AllocationModel) -> bool:
        """Whether this model has been handed to HiGHS."""
        return self._model is model

    @property
    def highs(self) -> highspy.Highs:
        """The highspy object holding the model."""
        return self._solver_model

    def columns_of(self, variables: list[Any]) -> np.ndarray:
        """The HiGHS column of each Pyomo variable."""
        column_of = self._pyomo_var_to_solver_var_map
        return np.fromiter((column_of[id(v)] for v in variables), dtype=np.int64)

    def values(self) -> np.ndarray:
        """The loaded value of every column HiGHS knows, as a full column vector."""
        values = np.zeros(self.highs.getNumCol())
        for var_id, column in self._pyomo_var_to_solver_var_map.items():
            values[column] = self._vars[var_id][0].value or 0.0
        return values

    def load(self, values: np.ndarray) -> None:
        """Set every variable HiGHS knows to its value in a full column vector."""
        for var_id, column in self._pyomo_var_to_solver_var_map.items():
            self._vars[var_id][0].set_value(float(values[column]), skip_validation=True)

    def sync(self, model: AllocationModel, *, rebuilt: bool = True) -> float:
        """Pass the model to HiGHS (the first time) or its edits since the last run; seconds.

        ``rebuilt`` False says that no component was added, deleted or re-bounded since, so
        only parameter values are passed (Pyomo's scan of the whole model is skipped).
        """
        started = time.perf_counter()
        weights = model.objective_weights()
        # HiGHS warns on fd 1 about some in-place edits (a coefficient set to 0): log only
        with without_gc(), capture_output(TeeStream(*self.config.tee), capture_fd=True):
            if not self.holds(model):
                self.set_instance(model)
                self._passed_weights = weights
            else:
                if rebuilt:
                    self.update()
                self._pass_values(weights)
        return time.perf_counter() - started

    def run(self, model: AllocationModel, hand_off_seconds: float) -> Outcome:
        """Solve the model ``sync`` has brought up to date."""
        started = time.perf_counter()
        with without_gc():
            results = self.solve(model, auto_updates=_SYNCED)
        finished = time.perf_counter()
        has_solution = results.incumbent_objective is not None
        if has_solution:
            results.solution_loader.load_vars()
        return Outcome(
            status=self.highs.getModelStatus(),
            has_solution=has_solution,
            bound=results.objective_bound,
            nodes=max(0, int(getattr(results.extra_info, "mip_node_count", 0) or 0)),
            log=results.solver_log,
            hand_off_seconds=hand_off_seconds + self.run_started - started,
            run_seconds=finished - self.run_started,
            method="persistent",
        )

    # ------------------------------------------------------------------ Pyomo internals

    def _remove_variables(self, variables: list[Any]) -> None:
        """Pyomo calls this after every removal of constraints, mostly with no variables, and
        each call renumbers every column: skip the empty ones."""
        if variables:
            super()._remove_variables(variables)

    def _pass_values(self, weights: tuple[float, ...]) -> None:
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


def new_solver(settings: SolverSettings) -> WarmHighs:
    """A configured solver."""
    solver = WarmHighs()
    solver.configure(settings)
    return solver
