"""Solver outcome -> Status -> exit code, each in one table."""

from __future__ import annotations

from enum import StrEnum

from pyomo.contrib.solver.common.results import TerminationCondition as TC

from allocator.errors import AllocatorError


class Status(StrEnum):
    """Outcome of a solve, as reported in the Plan."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # a limit was reached with an incumbent
    INFEASIBLE = "infeasible"
    NO_SOLUTION = "no_solution"  # a limit was reached without an incumbent


PROVEN = {
    TC.convergenceCriteriaSatisfied: Status.OPTIMAL,
    TC.provenInfeasible: Status.INFEASIBLE,
    # every variable is bounded, so "infeasible or unbounded" can only be infeasible
    TC.infeasibleOrUnbounded: Status.INFEASIBLE,
    TC.locallyInfeasible: Status.INFEASIBLE,
}

EXIT_CODES = {
    Status.OPTIMAL: 0,
    Status.FEASIBLE: 0,
    Status.INFEASIBLE: 1,
    Status.NO_SOLUTION: 3,
}


FAILED = (TC.error, TC.unknown, TC.interrupted)


class SolverError(AllocatorError):
    """HiGHS stopped on an error, not on a limit: there is no plan to report."""

    exit_code = 3


def status_of(termination: TC, has_solution: bool, log: str = "") -> Status:
    """Map a termination condition to a Status; limits decide by whether there is an incumbent."""
    if termination in PROVEN:
        return PROVEN[termination]
    if termination in FAILED and not has_solution:
        errors = [line.strip() for line in log.splitlines() if line.strip().startswith("ERROR")]
        raise SolverError(
            f"HiGHS stopped ({termination.name}): {errors[0] if errors else 'no detail'}"
        )
    return Status.FEASIBLE if has_solution else Status.NO_SOLUTION
