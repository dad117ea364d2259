"""Solver outcome -> Status -> exit code, each in one table."""

from __future__ import annotations

from enum import StrEnum

from pyomo.contrib.solver.common.results import TerminationCondition as TC


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


def status_of(termination: TC, has_solution: bool) -> Status:
    """Map a termination condition to a Status; limits decide by whether there is an incumbent."""
    if termination in PROVEN:
        return PROVEN[termination]
    return Status.FEASIBLE if has_solution else Status.NO_SOLUTION
