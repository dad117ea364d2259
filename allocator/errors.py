"""Exceptions that carry a user-facing, one-line message."""

from __future__ import annotations


class AllocatorError(Exception):
    """Base class of every error the CLI turns into one line and an exit code."""

    exit_code = 2


class InputError(AllocatorError):
    """A file, option or value is invalid: names where (file, row, column) and what is wrong."""

    exit_code = 2

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
