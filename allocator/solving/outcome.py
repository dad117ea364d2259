"""How a HiGHS run ended: one table from HiGHS's model status to the Plan's ``Status``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import highspy

from allocator.errors import SolverError
from allocator.results.status import Status

HighsStatus = highspy.HighsModelStatus
# ``Highs.getInfo().primal_solution_status`` when a feasible solution is held
FEASIBLE_SOLUTION = int(highspy.SolutionStatus.kSolutionStatusFeasible)


class Ending(Enum):
    """What a model status says about the run: proven, stopped at a limit, or failed."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    LIMIT = "limit"  # stopped by a limit or an interrupt: feasible if there is an incumbent
    ERROR = "error"  # stopped by an error: a plan only if HiGHS still holds one


# every member of highspy.HighsModelStatus (a test checks none is missing)
ENDINGS: dict[HighsStatus, Ending] = {
    HighsStatus.kOptimal: Ending.OPTIMAL,
    HighsStatus.kModelEmpty: Ending.OPTIMAL,
    HighsStatus.kInfeasible: Ending.INFEASIBLE,
    # every variable is bounded, so "infeasible or unbounded" can only be infeasible
    HighsStatus.kUnboundedOrInfeasible: Ending.INFEASIBLE,
    HighsStatus.kTimeLimit: Ending.LIMIT,
    HighsStatus.kIterationLimit: Ending.LIMIT,
    HighsStatus.kSolutionLimit: Ending.LIMIT,
    HighsStatus.kObjectiveBound: Ending.LIMIT,
    HighsStatus.kObjectiveTarget: Ending.LIMIT,
    HighsStatus.kMemoryLimit: Ending.LIMIT,
    HighsStatus.kInterrupt: Ending.LIMIT,
    HighsStatus.kHighsInterrupt: Ending.LIMIT,  # type: ignore[attr-defined]
    HighsStatus.kUnbounded: Ending.ERROR,  # cannot happen with bounded variables
    HighsStatus.kNotset: Ending.ERROR,
    HighsStatus.kLoadError: Ending.ERROR,
    HighsStatus.kModelError: Ending.ERROR,
    HighsStatus.kPresolveError: Ending.ERROR,
    HighsStatus.kSolveError: Ending.ERROR,
    HighsStatus.kPostsolveError: Ending.ERROR,
    HighsStatus.kUnknown: Ending.ERROR,
}


@dataclass(frozen=True)
class Outcome:
    """What a HiGHS run left: how it ended, the dual bound, nodes, its log and its timings.

    When ``has_solution`` is true the solution is loaded into the Pyomo variables. ``method``
    says which path produced it (``SolverInfo.method``).
    """

    status: HighsStatus
    has_solution: bool
    bound: float | None
    nodes: int
    log: str
    hand_off_seconds: float
    run_seconds: float
    method: str


def status_of(outcome: Outcome) -> Status:
    """The Plan's status of a run; a run that failed without a plan raises SolverError."""
    ending = ENDINGS.get(outcome.status, Ending.ERROR)
    if ending is Ending.OPTIMAL:
        return Status.OPTIMAL
    if ending is Ending.INFEASIBLE:
        return Status.INFEASIBLE
    if outcome.has_solution:
        return Status.FEASIBLE
    if ending is Ending.ERROR:
        lines = [line.strip() for line in outcome.log.splitlines()]
        errors = [line for line in lines if line.startswith("ERROR")]
        raise SolverError(
            f"HiGHS stopped ({outcome.status.name}): {errors[0] if errors else 'no detail'}"
        )
    return Status.NO_SOLUTION
