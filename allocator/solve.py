"""solve(): build the model, hand it to HiGHS through Pyomo, and report a Plan."""

from __future__ import annotations

import time

import pyomo.environ as pyo
from pyomo.contrib.solver.solvers.highs import Highs

from allocator.extract import extract_plan
from allocator.formulation import build_model
from allocator.instance import Instance
from allocator.mandate import Mandate, SolverSettings, check_mandate
from allocator.plan import Plan, SolverInfo
from allocator.status import status_of


def solver_settings(mandate: Mandate, time_limit: float | None, gap: float | None) -> SolverSettings:
    """The mandate's solver settings with command-line overrides applied (and validated)."""
    changes = {k: v for k, v in (("time_limit", time_limit), ("mip_gap", gap)) if v is not None}
    if not changes:
        return mandate.solver
    return mandate.with_changes({f"solver.{k}": v for k, v in changes.items()}).solver


def new_solver(settings: SolverSettings) -> Highs:
    """A Pyomo HiGHS interface configured from the settings; its log is captured, not printed."""
    solver = Highs()
    config = solver.config
    config.time_limit = settings.time_limit
    config.rel_gap = settings.mip_gap
    config.threads = settings.threads or None
    config.solver_options = {"random_seed": settings.seed}
    config.load_solutions = False
    config.raise_exception_on_nonoptimal_result = False
    return solver


def run(
    m: pyo.ConcreteModel,
    solver: Highs,
    instance: Instance,
    mandate: Mandate,
    build_seconds: float,
) -> Plan:
    """Solve a built model with a configured solver and extract the Plan."""
    started = time.perf_counter()
    results = solver.solve(m)
    has_solution = results.incumbent_objective is not None
    if has_solution:
        results.solution_loader.load_vars()
    status = status_of(results.termination_condition, has_solution)
    info = SolverInfo(
        seconds=round(time.perf_counter() - started, 3),
        build_seconds=round(build_seconds, 3),
        nodes=max(0, int(getattr(results.extra_info, "mip_node_count", 0) or 0)),
    )
    return extract_plan(m, instance, mandate, status, results.objective_bound, info)


def solve(
    instance: Instance,
    mandate: Mandate,
    *,
    time_limit: float | None = None,
    gap: float | None = None,
) -> Plan:
    """Solve the allocation of ``instance`` under ``mandate`` (time limit and gap override the mandate)."""
    check_mandate(mandate, instance)
    settings = solver_settings(mandate, time_limit, gap)
    started = time.perf_counter()
    m = build_model(instance, mandate)
    return run(m, new_solver(settings), instance, mandate, time.perf_counter() - started)
