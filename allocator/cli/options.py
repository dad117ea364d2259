"""Shared option decorators so that every command spells its flags the same way."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from allocator.errors import InputError
from allocator.inputs.instance import Instance
from allocator.inputs.load import load_instance
from allocator.inputs.mandate import Mandate, check_mandate, load_mandate
from allocator.inputs.paths import parse_value
from allocator.resources import DEFAULT_INSTANCE, DEFAULT_MANDATE, bundled

FORMATS = click.Choice(["table", "json", "csv"])


def instance_argument(func: Callable[..., Any]) -> Callable[..., Any]:
    """Optional INSTANCE folder; the bundled sri-2025 when absent."""
    return click.argument("instance", required=False, type=click.Path(path_type=Path))(func)


def mandate_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``-m/--mandate``: a mandate file; defaults to the instance's mandate.yaml, else baseline."""
    return click.option(
        "-m",
        "--mandate",
        type=click.Path(path_type=Path),
        help="Mandate YAML (default: INSTANCE/mandate.yaml if present, else models/baseline.yaml).",
    )(func)


def edit_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--set KEY=VALUE``, ``--force-in ID`` and ``--force-out ID``, each repeatable."""
    for decorator in reversed(
        (
            click.option(
                "--set",
                "sets",
                multiple=True,
                metavar="KEY=VALUE",
                help="Edit a mandate key by dotted path.",
            ),
            click.option(
                "--force-in", multiple=True, metavar="ID", help="Candidate that must be chosen."
            ),
            click.option(
                "--force-out",
                multiple=True,
                metavar="ID",
                help="Candidate that must not be chosen.",
            ),
        )
    ):
        func = decorator(func)
    return func


def output_format(fmt: str | None, output: Path | None) -> str:
    """The format asked for, else the output file's suffix (``.json``, ``.csv``), else table."""
    if fmt is not None:
        return fmt
    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    return suffix if suffix in ("json", "csv") else "table"


def output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--format table|json|csv`` and ``-o/--output PATH``; without ``--format`` the format
    follows the file's suffix, so ``-o plan.json`` writes JSON."""

    @functools.wraps(func)
    def command(*args: Any, fmt: str | None, output: Path | None, **kwargs: Any) -> Any:
        return func(*args, fmt=output_format(fmt, output), output=output, **kwargs)

    command = click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path),
        help="Write to this file instead of stdout.",
    )(command)
    return click.option(
        "--format",
        "fmt",
        type=FORMATS,
        default=None,
        help="Output format [default: from the -o suffix (.json, .csv), else table].",
    )(command)


def scenarios_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--scenarios PATH``: loss scenarios for CVaR (default: INSTANCE/scenarios.csv)."""
    return click.option(
        "--scenarios",
        type=click.Path(path_type=Path),
        help="Loss scenarios CSV for CVaR (default: INSTANCE/scenarios.csv if present).",
    )(func)


def solver_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--time-limit S`` and ``--gap G``, overriding the mandate's solver settings."""
    func = click.option("--gap", type=float, help="Relative MIP gap (overrides the mandate).")(func)
    return click.option(
        "--time-limit", type=float, help="Solver time limit in seconds (overrides the mandate)."
    )(func)


def resolve_paths(instance: Path | None, mandate: Path | None) -> tuple[Path, Path]:
    """Instance and mandate paths with the documented defaults."""
    instance_path = instance or bundled(DEFAULT_INSTANCE)
    if mandate is None:
        own = instance_path / "mandate.yaml"
        mandate = own if own.is_file() else bundled(DEFAULT_MANDATE)
    return instance_path, mandate


def parse_sets(sets: tuple[str, ...]) -> dict[str, Any]:
    """``KEY=VALUE`` strings -> {dotted key: YAML value}."""
    changes = {}
    for item in sets:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"expected KEY=VALUE, got {item!r}", column="--set")
        changes[key.strip()] = parse_value(text)
    return changes


@dataclass(frozen=True)
class Problem:
    """What a command works on: the loaded instance and (edited) mandate, and their files."""

    instance: Instance
    mandate: Mandate
    instance_path: Path
    mandate_path: Path
    edited: bool  # --set, --force-in or --force-out changed the mandate file's content
    scenarios: Path | None


def problem_inputs(func: Callable[..., Any]) -> Callable[..., Any]:
    """INSTANCE, -m, --set, --force-in/out and --scenarios, loaded into one ``problem``."""

    @functools.wraps(func)
    def command(
        *args: Any,
        instance: Path | None,
        mandate: Path | None,
        sets: tuple[str, ...],
        force_in: tuple[str, ...],
        force_out: tuple[str, ...],
        scenarios: Path | None,
        **kwargs: Any,
    ) -> Any:
        instance_path, mandate_path = resolve_paths(instance, mandate)
        inst, mand = load_inputs(instance_path, mandate_path, sets, force_in, force_out, scenarios)
        edited = bool(sets or force_in or force_out)
        problem = Problem(inst, mand, instance_path, mandate_path, edited, scenarios)
        return func(*args, problem=problem, **kwargs)

    decorated: Callable[..., Any] = command
    for decorator in (scenarios_option, edit_options, mandate_option, instance_argument):
        decorated = decorator(decorated)
    return decorated


def load_inputs(
    instance: Path | None,
    mandate: Path | None,
    sets: tuple[str, ...] = (),
    force_in: tuple[str, ...] = (),
    force_out: tuple[str, ...] = (),
    scenarios: Path | None = None,
) -> tuple[Instance, Mandate]:
    """Load, edit and cross-check the instance and mandate a command works on."""
    instance_path, mandate_path = resolve_paths(instance, mandate)
    inst = load_instance(instance_path, scenarios)
    mand = load_mandate(mandate_path)
    changes = parse_sets(sets)
    if force_in:
        changes["force_in"] = [*mand.force_in, *force_in]
    if force_out:
        changes["force_out"] = [*mand.force_out, *force_out]
    if changes:
        mand = mand.with_changes(changes)
    check_mandate(mand, inst, file=mandate_path.name)
    return inst, mand
