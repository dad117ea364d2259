"""The HiGHS interface: Pyomo's persistent HiGHS solver, with mandate settings and MIP starts."""

from __future__ import annotations

import time
from typing import Any

import highspy
from pyomo.contrib.solver.solvers.highs import Highs

from allocator.mandate import Mandate, SolverSettings


class WarmHighs(Highs):
    """Pyomo's persistent HiGHS interface that passes the current variable values as a MIP start.

    Pyomo's interface has no MIP-start option, so the start is set on the underlying
    ``highspy.Highs`` object just before it runs. It also records when the run begins, so that
    hand-off and solve time can be told apart.
    """

    warm_start = False
    run_started = 0.0

    def _solve(self) -> Any:
        _match_thread_scheduler(self._active_config.threads)
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


def _match_thread_scheduler(threads: int | None) -> None:
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
