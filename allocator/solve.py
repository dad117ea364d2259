"""solve() and Session: build the model once, hand it to HiGHS through Pyomo, re-solve what-ifs.

A Session keeps the Pyomo model and a persistent HiGHS interface alive. A what-if edit changes
limit values and the budget in place (mutable parameters), rebuilds only the constraint
families whose structure changed, and passes the previous plan to HiGHS as a MIP start.
"""

from __future__ import annotations

import time
from typing import Any

import highspy
from pyomo.contrib.solver.solvers.highs import Highs

from allocator.extract import extract_plan
from allocator.formulation import build_model, rebuild_families
from allocator.instance import Instance
from allocator.mandate import Mandate, SolverSettings, check_mandate
from allocator.plan import Plan, SolverInfo
from allocator.status import status_of
from allocator.whatif import changed_families


class WarmHighs(Highs):
    """Pyomo's persistent HiGHS interface that passes the current variable values as a MIP start.

    Pyomo's interface has no MIP-start option, so the start is set on the underlying
    ``highspy.Highs`` object just before it runs. It also records when the run begins, so that
    hand-off and solve time can be told apart.
    """

    warm_start = False
    run_started = 0.0

    def _solve(self) -> Any:
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


class Session:
    """A model and a persistent HiGHS solver kept alive for fast what-if re-solves.

    >>> session = Session(instance, mandate)
    >>> base = session.solve()
    >>> tighter = session.solve(mandate.with_changes({"pillars.energy.max_share": 0.2}))
    """

    def __init__(self, instance: Instance, mandate: Mandate, *, warm_start: bool = True) -> None:
        check_mandate(mandate, instance)
        self.instance, self.mandate = instance, mandate
        self.warm_start = warm_start
        self._pending_seconds = 0.0
        self._build(instance, mandate)
        self.plan: Plan | None = None

    def _build(self, instance: Instance, mandate: Mandate) -> None:
        started = time.perf_counter()
        self.model = build_model(instance, mandate)
        self.solver = WarmHighs()
        self._pending_seconds += time.perf_counter() - started

    def solve(
        self,
        mandate: Mandate | None = None,
        *,
        instance: Instance | None = None,
        time_limit: float | None = None,
        gap: float | None = None,
    ) -> Plan:
        """Solve, after applying an edited mandate and/or instance if given."""
        if mandate is not None or instance is not None:
            self.apply(mandate or self.mandate, instance or self.instance)
        settings = solver_settings(self.mandate, time_limit, gap)
        configure(self.solver, settings)
        self.solver.warm_start = self.warm_start and self.plan is not None and self.plan.found
        started = time.perf_counter()
        results = self.solver.solve(self.model)
        finished = time.perf_counter()
        has_solution = results.incumbent_objective is not None
        if has_solution:
            results.solution_loader.load_vars()
        info = SolverInfo(
            seconds=round(finished - self.solver.run_started, 3),
            build_seconds=round(self._pending_seconds + self.solver.run_started - started, 3),
            nodes=max(0, int(getattr(results.extra_info, "mip_node_count", 0) or 0)),
        )
        self._pending_seconds = 0.0
        status = status_of(results.termination_condition, has_solution)
        self.plan = extract_plan(
            self.model, self.instance, self.mandate, status, results.objective_bound, info
        )
        return self.plan

    def update(self, changes: dict[str, Any] | None = None, **keys: Any) -> Plan:
        """Apply dotted-path mandate edits (``a__b=1`` means ``a.b``) and re-solve."""
        edits = dict(changes or {}) | {k.replace("__", "."): v for k, v in keys.items()}
        return self.solve(self.mandate.with_changes(edits))

    def apply(self, mandate: Mandate, instance: Instance) -> None:
        """Bring the model to a new mandate and instance, in place where the structure allows."""
        check_mandate(mandate, instance)
        started = time.perf_counter()
        limit_keys = {limit.key for limit in self.model.limits}
        families = changed_families(self.instance, self.mandate, instance, mandate, limit_keys)
        self.instance, self.mandate = instance, mandate
        if families is None:
            self._pending_seconds = 0.0
            self._build(instance, mandate)
            self.plan = None
            return
        rebuild_families(self.model, instance, mandate, families)
        self._pending_seconds += time.perf_counter() - started


def solve(
    instance: Instance,
    mandate: Mandate,
    *,
    time_limit: float | None = None,
    gap: float | None = None,
) -> Plan:
    """Solve ``instance`` under ``mandate``; time limit and gap override the mandate's."""
    return Session(instance, mandate).solve(time_limit=time_limit, gap=gap)


__all__ = ["Session", "solve"]
