"""The requested output: stdout, or a file written atomically."""

from __future__ import annotations

from pathlib import Path

import click

from allocator.io import write_atomic


def emit(text: str, output: Path | None) -> None:
    """The requested output: to ``output`` if given, else to stdout."""
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        write_atomic(output, text)
