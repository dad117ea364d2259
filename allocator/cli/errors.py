"""One handler turns user errors into one line on stderr and the documented exit code."""

from __future__ import annotations

from typing import Any

import click

from allocator.errors import AllocatorError

EXIT_OK, EXIT_INFEASIBLE, EXIT_INPUT, EXIT_NO_SOLUTION = 0, 1, 2, 3


class AllocatorGroup(click.Group):
    """A click group whose commands report AllocatorError as one line, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; errors become ``error: <line>`` and their exit code."""
        try:
            return super().invoke(ctx)
        except AllocatorError as err:
            for line in str(err).splitlines():
                click.echo(f"error: {line}", err=True)
            ctx.exit(err.exit_code)
        except OSError as err:
            click.echo(f"error: {err.filename or ''}: {err.strerror}".replace(": :", ":"), err=True)
            ctx.exit(EXIT_INPUT)
