"""Exceptions that carry a user-facing, one-line message, and the exit codes they map to.

The exit codes are spelled here and nowhere else: the CLI, the Plan's status table and every
exception read them from this module.
"""

from __future__ import annotations

from collections.abc import Sequence

EXIT_OK = 0  # a plan was found (optimal, or feasible at a limit)
EXIT_INFEASIBLE = 1  # the mandate is infeasible (for ``check``: the plan breaks a limit)
EXIT_INPUT = 2  # invalid input or usage
EXIT_NO_SOLUTION = 3  # no feasible plan within the limits, or a solver error
EXIT_INTERNAL = 4  # not a user error: a bug to report


class AllocatorError(Exception):
    """Base class of every error the CLI turns into one line and an exit code."""

    exit_code = EXIT_INPUT


# CSV rows are numbered as a spreadsheet shows them: the header is row 1, the first data row 2
FIRST_DATA_ROW = 2
MAX_REPORTED = 10  # bad cells of one file listed in one error, at most


def sheet_row(index: int) -> int:
    """The spreadsheet row of the data row at 0-based ``index``."""
    return index + FIRST_DATA_ROW


Cell = tuple[int | None, str | None, str]  # (row, column, what is wrong)


class InputError(AllocatorError):
    """A file, option or value is invalid: names where (file, row, column) and what is wrong.

    ``InputError.cells`` reports several bad cells of one file on one line."""

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

    @classmethod
    def cells(cls, file: str | None, cells: Sequence[Cell], total: int | None = None) -> InputError:
        """One error listing the bad cells of a file (at most ``MAX_REPORTED`` of ``total``)."""
        total = max(total or len(cells), len(cells))
        if total == 1:
            row, column, message = cells[0]
            return cls(message, file=file, row=row, column=column)
        shown = "; ".join(_place(None, row, column, message) for row, column, message in cells)
        more = f"; and {total - len(cells)} more" if total > len(cells) else ""
        error = cls(f"{total} bad cells: {shown}{more}", file=file)
        error.row, error.column = cells[0][0], cells[0][1]
        return error

    def _format(self) -> str:
        return _place(self.file, self.row, self.column, self.problem)


def _place(file: str | None, row: int | None, column: str | None, problem: str) -> str:
    place = " ".join(p for p in (file, f"row {row}" if row else None) if p)
    place = ", ".join(p for p in (place, column) if p)
    return f"{place}: {problem}" if place else problem


class SolverError(AllocatorError):
    """HiGHS stopped on an error, not on a limit: there is no plan to report."""

    exit_code = EXIT_NO_SOLUTION
