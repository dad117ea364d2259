"""Shared option decorators so that every command spells its flags the same way.

Input paths may name bundled inputs (``-m defense-first``, ``allocator whatif ten-questions``);
output paths are checked when the options are read, before any solving, so that a typo in
``-o`` never costs a long solve.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from allocator.errors import InputError
from allocator.inputs.instance import Instance
from allocator.inputs.load import load_instance
from allocator.inputs.mandate import Mandate, check_mandate, load_mandate, outside_horizon
from allocator.inputs.paths import parse_value
from allocator.resources import DEFAULT_INSTANCE, DEFAULT_MANDATE, bundled, bundled_names, named

FORMATS = click.Choice(["table", "json", "csv"])


def writable_file(_ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """An output file whose folder exists and can be written, checked before any work."""
    if value is None:
        return None
    option = "/".join(param.opts)
    if value.is_dir():
        raise InputError("is a folder, not a file", file=str(value), column=option)
    folder = value.parent
    if not folder.is_dir():
        raise InputError("output folder does not exist", file=str(value), column=option)
    if not os.access(folder, os.W_OK):
        raise InputError("output folder is not writable", file=str(value), column=option)
    return value


def _seconds(_ctx: click.Context, _param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise InputError(
            f"must be a number of seconds above 0 (got {value:g})", column="--time-limit"
        )
    return value


def _gap(_ctx: click.Context, _param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not 0 <= value <= 1:
        raise InputError(f"must be a relative gap from 0 to 1 (got {value:g})", column="--gap")
    return value


def instance_argument(func: Callable[..., Any]) -> Callable[..., Any]:
    """Optional INSTANCE folder (or a bundled instance's name); the bundled sri-2025 when absent."""
    return click.argument("instance", required=False, type=click.Path(path_type=Path))(func)


def mandate_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``-m/--mandate``: a mandate file or a bundled mandate's name; defaults to the instance's
    mandate.yaml, else baseline."""
    return click.option(
        "-m",
        "--mandate",
        type=click.Path(path_type=Path),
        help=(
            "Mandate YAML, or the name of a bundled one (`allocator list`); default: "
            "INSTANCE/mandate.yaml if present, else baseline."
        ),
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
    """``--format table|json|csv`` and ``-o/--output PATH`` (checked before any work); without
    ``--format`` the format follows the file's suffix, so ``-o plan.json`` writes JSON."""

    @functools.wraps(func)
    def command(*args: Any, fmt: str | None, output: Path | None, **kwargs: Any) -> Any:
        return func(*args, fmt=output_format(fmt, output), output=output, **kwargs)

    command = click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path),
        callback=writable_file,
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
    func = click.option(
        "--gap", type=float, callback=_gap, help="Relative MIP gap (overrides the mandate)."
    )(func)
    return click.option(
        "--time-limit",
        type=float,
        callback=_seconds,
        help="Solver time limit in seconds (overrides the mandate).",
    )(func)


def diagnosis_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--keep KEY`` and ``--relax KEY``: what the diagnosis of an infeasible mandate may touch."""
    func = click.option(
        "--relax",
        multiple=True,
        metavar="KEY",
        help="Diagnose in terms of this key only (repeatable; a section covers its keys).",
    )(func)
    return click.option(
        "--keep",
        multiple=True,
        metavar="KEY",
        help="A limit the diagnosis must not relax (repeatable; a section covers its keys).",
    )(func)


def progress_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--progress/--no-progress``: live on a terminal, plain lines otherwise."""
    return click.option(
        "--progress/--no-progress",
        default=None,
        help="Progress on stderr (default: when stderr is a terminal; plain lines otherwise).",
    )(func)


def _not_found(path: Path, kind: str, what: str) -> InputError:
    names = ", ".join(bundled_names(kind)) or "none"
    return InputError(f"{what} not found (bundled {kind}s: {names})", file=str(path))


def resolve_instance(instance: Path | None) -> Path:
    """The instance folder: as given, a bundled instance of that name, or the default."""
    if instance is None:
        return bundled(DEFAULT_INSTANCE)
    found = named(instance, "instance")
    if not found.is_dir():
        raise _not_found(instance, "instance", "instance folder")
    return found


def resolve_file(path: Path, kind: str) -> Path:
    """A mandate or what-if file: as given, or the bundled one of that name."""
    found = named(path, kind)
    if not found.is_file():
        raise _not_found(path, kind, "file")
    return found


def resolve_paths(instance: Path | None, mandate: Path | None) -> tuple[Path, Path]:
    """Instance and mandate paths with the documented defaults and bundled names."""
    instance_path = resolve_instance(instance)
    if mandate is None:
        own = instance_path / "mandate.yaml"
        return instance_path, own if own.is_file() else bundled(DEFAULT_MANDATE)
    return instance_path, resolve_file(mandate, "mandate")


def parse_sets(sets: tuple[str, ...]) -> dict[str, Any]:
    """``KEY=VALUE`` strings -> {dotted key: YAML value}."""
    changes = {}
    for item in sets:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"expected KEY=VALUE, got {item!r}", column="--set")
        try:
            changes[key.strip()] = parse_value(text)
        except InputError as err:
            raise InputError(err.problem, column=f"--set {key.strip()}") from None
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
    changes: dict[str, Any] = field(default_factory=dict)  # the dotted edits, as applied


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
        problem = Problem(
            inst, mand, instance_path, mandate_path, edited, scenarios, dict(mand.edits)
        )
        return func(*args, problem=problem, **kwargs)

    decorated: Callable[..., Any] = command
    for decorator in (scenarios_option, edit_options, mandate_option, instance_argument):
        decorated = decorator(decorated)
    return decorated


def _option_of(
    column: str | None, changes: dict[str, Any], set_keys: frozenset[str]
) -> tuple[str, str | None]:
    """The command-line option an error in the edited mandate comes from, and its key."""
    for key in changes:
        if column and (key == column or key.startswith(column + ".") or column.startswith(key)):
            option = f"--set {key}" if key in set_keys else "--" + key.replace("_", "-")
            return option, key
    return "--set " + ", ".join(changes), None


def load_inputs(
    instance: Path | None,
    mandate: Path | None,
    sets: tuple[str, ...] = (),
    force_in: tuple[str, ...] = (),
    force_out: tuple[str, ...] = (),
    scenarios: Path | None = None,
) -> tuple[Instance, Mandate]:
    """Load, edit and cross-check the instance and mandate a command works on.

    An error in the files names the file; an error the edits bring names the option."""
    instance_path, mandate_path = resolve_paths(instance, mandate)
    inst = load_instance(instance_path, scenarios)
    mand = load_mandate(mandate_path)
    check_mandate(mand, inst, file=mandate_path.name)
    changes = parse_sets(sets)
    set_keys = frozenset(changes)
    if force_in:
        changes["force_in"] = [*mand.force_in, *force_in]
    if force_out:
        changes["force_out"] = [*mand.force_out, *force_out]
    if changes:
        try:
            mand = mand.with_changes(changes)
            check_mandate(mand, inst, file="")
        except InputError as err:
            where, key = _option_of(err.column, changes, set_keys)
            shown = err.column and not (
                key is not None and (key == err.column or key.startswith(err.column + "."))
            )
            problem = f"{err.column}: {err.problem}" if shown else err.problem
            raise InputError(problem, column=where) from None
    for line in outside_horizon(mand, inst):
        click.echo(f"warning: {line}", err=True)
    return inst, mand
