"""How a solve ended, as the Plan reports it, and the exit code of each outcome."""

from __future__ import annotations

from enum import StrEnum

from allocator.errors import EXIT_INFEASIBLE, EXIT_NO_SOLUTION, EXIT_OK


class Status(StrEnum):
    """Outcome of a solve, as reported in the Plan."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # a limit was reached with an incumbent
    INFEASIBLE = "infeasible"
    NO_SOLUTION = "no_solution"  # a limit was reached without an incumbent

    @property
    def found(self) -> bool:
        """True when the status comes with a plan (optimal or feasible)."""
        return self in (Status.OPTIMAL, Status.FEASIBLE)


EXIT_CODES = {
    Status.OPTIMAL: EXIT_OK,
    Status.FEASIBLE: EXIT_OK,
    Status.INFEASIBLE: EXIT_INFEASIBLE,
    Status.NO_SOLUTION: EXIT_NO_SOLUTION,
}
