"""The requested output: plans and tables as JSON, CSV or rich tables, to stdout or to a file
written atomically; and plan files read back."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import BaseModel
from rich.console import Console, Group

from allocator.cli.render import frame_table, plan_renderables
from allocator.errors import InputError
from allocator.io import write_atomic
from allocator.results.plan import Plan


def emit(text: str, output: Path | None) -> None:
    """The requested output: to ``output`` if given, else to stdout."""
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        write_atomic(output, text)


def show(renderables: Iterable[Any], output: Path | None) -> None:
    """Print to the terminal (with colour when it is one) or write plain text to a file."""
    if output is None:
        console = Console()
        console.width = console.width if console.is_terminal else 200
        console.print(Group(*renderables))
        return
    buffer = io.StringIO()
    Console(file=buffer, width=160, no_color=True).print(Group(*renderables))
    write_atomic(output, buffer.getvalue())


def write_plan(plan: Plan, fmt: str, output: Path | None, table: str = "investments") -> None:
    """A plan in the requested format, to stdout or a file; ``table`` is what the CSV holds
    (``investments`` or ``cash_flows``)."""
    if fmt == "json":
        emit(plan.to_json() + "\n", output)
    elif fmt == "csv":
        emit(plan.to_frame(table).to_csv(index=False), output)  # type: ignore[arg-type]
    else:
        show(plan_renderables(plan), output)


Loaded = TypeVar("Loaded", bound=BaseModel)


def load_json(path: Path, model: type[Loaded], what: str) -> Loaded:
    """A JSON file validated as ``model``; every failure one line naming the file."""
    try:
        return model.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(err.strerror or "cannot read", file=str(path)) from None
    except ValueError as err:
        first = str(err).splitlines()
        raise InputError(
            f"not {what} JSON ({first[-1].strip() if first else err})", file=str(path)
        ) from None


def load_plan(path: Path) -> Plan:
    """A plan JSON file, validated."""
    return load_json(path, Plan, "a plan")


def table_csv(table: Any) -> str:
    """A result table as CSV, each variant's investments map as JSON text."""
    if "investments" in table:
        table = table.assign(investments=table["investments"].map(json.dumps, na_action="ignore"))
    return table.to_csv(index=False)


def write_table(table: Any, title: str, fmt: str, output: Path | None) -> None:
    """A result table as JSON records, CSV or a rich table."""
    if fmt == "json":
        emit(table.to_json(orient="records", indent=2) + "\n", output)
    elif fmt == "csv":
        emit(table_csv(table), output)
    else:
        display = table.drop(columns=["investments", "name"], errors="ignore")
        display = display.dropna(axis=1, how="all")  # e.g. CVaR without scenarios
        display = display.rename(columns=lambda c: c.removeprefix("committed_"))
        show([frame_table(display, title)], output)
