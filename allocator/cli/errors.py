"""One handler turns user errors into one line on stderr and the documented exit code."""

from __future__ import annotations

import os
from typing import Any

import click

from allocator.errors import EXIT_INPUT, EXIT_INTERNAL, AllocatorError


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
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as err:  # a bug: still one line, unless ALLOCATOR_DEBUG asks for more
            if os.environ.get("ALLOCATOR_DEBUG"):
                raise
            message = str(err).splitlines()[0] if str(err) else ""
            click.echo(f"error: internal error {type(err).__name__}: {message}", err=True)
            click.echo("(set ALLOCATOR_DEBUG=1 for the traceback, and please report it)", err=True)
            ctx.exit(EXIT_INTERNAL)
