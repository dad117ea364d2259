"""Exceptions that carry a user-facing, one-line message, and the exit codes they map to.

The exit codes are spelled here and nowhere else: the CLI, the Plan's status table and every
exception read them from this module.
"""

from __future__ import annotations

EXIT_OK = 0  # a plan was found (optimal, or feasible at a limit)
EXIT_INFEASIBLE = 1  # the mandate is infeasible (for ``check``: the plan breaks a limit)
EXIT_INPUT = 2  # invalid input or usage
EXIT_NO_SOLUTION = 3  # no feasible plan within the limits, or a solver error
EXIT_INTERNAL = 4  # not a user error: a bug to report


class AllocatorError(Exception):
    """Base class of every error the CLI turns into one line and an exit code."""

    exit_code = EXIT_INPUT


class InputError(AllocatorError):
    """A file, option or value is invalid: names where (file, row, column) and what is wrong."""

    exit_code = EXIT_INPUT

    def __init__(
        self,
        message: str,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file, self.row, self.column, self.problem = file, row, column, message
        super().__init__(self._format())

    def _format(self) -> str:
        place = " ".join(p for p in (self.file, f"row {self.row}" if self.row else None) if p)
        place = ", ".join(p for p in (place, self.column) if p)
        return f"{place}: {self.problem}" if place else self.problem


class SolverError(AllocatorError):
    """HiGHS stopped on an error, not on a limit: there is no plan to report."""

    exit_code = EXIT_NO_SOLUTION
