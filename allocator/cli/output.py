"""The requested output: plans and tables as JSON, CSV or rich tables, to stdout or to a file
written atomically; and plan files read back."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import BaseModel
from rich.console import Console, Group
from rich.measure import Measurement

from allocator.cli.render import frame_table, plan_renderables
from allocator.errors import InputError
from allocator.inputs.mandate import Mandate
from allocator.io import write_atomic
from allocator.results.plan import Plan


def emit(text: str, output: Path | None) -> None:
    """The requested output: to ``output`` if given, else to stdout."""
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        write_atomic(output, text)


def _natural_width(console: Console, renderables: list[Any]) -> int:
    """The width at which no table of the output is squeezed (at least 100, at most 400)."""
    tables = [r for r in renderables if not isinstance(r, str)]
    options = console.options.update(max_width=400)
    widths = [Measurement.get(console, options, t).maximum for t in tables]
    return min(400, max([100, *widths]))


def show(renderables: Iterable[Any], output: Path | None) -> None:
    """Print to the terminal (with colour when it is one, at its width) or write plain text,
    wide enough that no table is squeezed, to a pipe or a file."""
    parts = list(renderables)
    if output is None:
        console = Console()
        if not console.is_terminal:
            console.width = _natural_width(console, parts)
        console.print(Group(*parts))
        return
    buffer = io.StringIO()
    console = Console(file=buffer, width=400, no_color=True)
    console.width = _natural_width(console, parts)
    console.print(Group(*parts))
    write_atomic(output, buffer.getvalue())


def write_plan(
    plan: Plan,
    fmt: str,
    output: Path | None,
    table: str = "investments",
    mandate: Mandate | None = None,
) -> None:
    """A plan in the requested format, to stdout or a file; ``table`` is what the CSV holds
    (``investments`` or ``cash_flows``), and the table format shows the mandate's caps beside
    the totals when it is given."""
    if fmt == "json":
        emit(plan.to_json() + "\n", output)
    elif fmt == "csv":
        emit(plan.to_frame(table).to_csv(index=False), output)  # type: ignore[arg-type]
    else:
        show(plan_renderables(plan, mandate), output)


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
    """A result table as CSV: one value per cell (each variant's investment map, kept for
    robustness tables, is left out; ``--format json`` has every plan's investments)."""
    return table.drop(columns=["investments"], errors="ignore").to_csv(index=False)


def write_table(table: Any, title: str, fmt: str, output: Path | None) -> None:
    """A result table as JSON records, CSV or a rich table."""
    if fmt == "json":
        emit(table.to_json(orient="records", indent=2) + "\n", output)
    elif fmt == "csv":
        emit(table_csv(table), output)
    else:
        display = table.drop(columns=["investments"], errors="ignore")
        display = display.dropna(axis=1, how="all")  # e.g. CVaR without scenarios
        display = display.rename(columns=lambda c: c.removeprefix("committed_"))
        show([frame_table(display, title), *table_notes(display)], output)


def table_notes(display: Any) -> list[str]:
    """What a result table's less obvious columns mean."""
    notes = []
    if "significant" in display:
        notes.append(
            "change: objective against the base (a frontier: the previous point); significant: "
            "larger than the two plans' MIP gaps leave open (otherwise noise of the search)"
        )
    return notes
