"""Variants of a mandate and the helpers every many-solve analysis shares.

A what-if file is YAML, either a list of ``{name, set, force_in, force_out}`` or a mapping from
name to ``{set, force_in, force_out}``; ``set`` maps dotted mandate keys to values, exactly as
``--set`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from allocator.errors import AllocatorError, InputError
from allocator.inputs.instance import Instance
from allocator.inputs.mandate import Mandate, check_mandate
from allocator.io import input_error, read_yaml
from allocator.results.plan import Plan
from allocator.solving.session import Session


class Variant(BaseModel):
    """One named edit of a mandate."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    name: str
    set_: dict[str, Any] = Field(default_factory=dict, alias="set")
    force_in: tuple[str, ...] = ()
    force_out: tuple[str, ...] = ()

    def apply(self, mandate: Mandate, instance: Instance | None = None) -> Mandate:
        """The mandate with this variant's edits, checked against the instance if given."""
        changes = dict(self.set_)
        if self.force_in:
            changes["force_in"] = [*mandate.force_in, *self.force_in]
        if self.force_out:
            changes["force_out"] = [*mandate.force_out, *self.force_out]
        if not changes:
            return mandate
        try:
            edited = mandate.with_changes(changes)
            if instance is not None:
                check_mandate(edited, instance, file="")
        except InputError as err:
            raise InputError(f"what-if {self.name!r}: {err}") from None
        return edited


def load_variants(path: str | Path) -> list[Variant]:
    """Read a what-if file (a list of variants, or a mapping from name to edits)."""
    file = Path(path)
    data = read_yaml(file)
    if isinstance(data, dict):
        data = [{"name": str(name), **(edits or {})} for name, edits in data.items()]
    if not isinstance(data, list) or not data:
        raise InputError(
            "expected a list of what-ifs or a mapping from name to edits", file=file.name
        )
    variants = []
    for n, item in enumerate(data, start=1):
        try:
            variants.append(Variant.model_validate(item))
        except ValidationError as err:
            problem = input_error(err, file.name)
            raise InputError(problem.problem, file.name, row=n, column=problem.column) from None
    names = [v.name for v in variants]
    duplicate = next((name for name in names if names.count(name) > 1), None)
    if duplicate:
        raise InputError(f"what-if name {duplicate!r} appears twice", file=file.name)
    return variants


def summary_row(name: str, plan: Plan, base: Plan | None, pillars: list[str]) -> dict[str, Any]:
    """A table row: objective terms, committed by pillar, risk, expected TVPI and IRR, changes
    against the base.

    ``change`` is the objective's change against the base and ``significant`` whether it is
    larger than the two plans' MIP gaps leave open (a smaller one is noise of the search, not
    an effect of the edit). ``investments`` maps each chosen id to its amount, for robustness
    tables (kept out of CSV files).
    """
    found = plan.found
    row: dict[str, Any] = {
        "name": name,
        "status": plan.status.value,
        "objective": plan.objective,
        "strategic": plan.objective_terms.strategic if found else None,
        "return": plan.objective_terms.return_ if found else None,
        "committed": plan.totals.committed if found else None,
    }
    for pillar in pillars:
        row[f"committed_{pillar}"] = plan.totals.by_pillar.get(pillar, 0.0) if found else None
    row["deals"] = plan.metrics.deals if found else None
    row["expected_loss"] = plan.metrics.expected_loss if found else None
    row["cvar"] = plan.metrics.cvar["cvar"] if found and plan.metrics.cvar else None
    row["tvpi"] = plan.metrics.tvpi if found else None
    row["irr"] = plan.metrics.irr if found else None
    comparison = plan.compare(base) if base is not None and base.found and found else None
    before = base.objective if base is not None else None
    row["change"] = (plan.objective or 0.0) - (before or 0.0) if comparison else None
    row["significant"] = comparison.significant if comparison else None
    row["added"] = " ".join(c.id for c in comparison.of("added")) if comparison else ""
    row["removed"] = " ".join(c.id for c in comparison.of("removed")) if comparison else ""
    row["seconds"] = round(plan.solver.build_seconds + plan.solver.seconds, 3)
    row["investments"] = {i.id: i.amount for i in plan.investments}
    return row


def whole_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """Counts stay whole numbers in a table with failed rows (empty there, not NaN floats)."""
    return table.astype({"deals": "Int64"}) if "deals" in table else table


Progress = Callable[[int, int], None]  # called with (done, total) as results come in


def failed_row(name: str, error: Exception) -> dict[str, Any]:
    """The table row of a variant that could not be solved, with its error (naming it)."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    if not text.startswith("what-if "):
        text = f"what-if {name!r}: {text}"
    return {"name": name, "status": "failed", "error": text}


def solve_in_turn(
    session: Session,
    mandates: Sequence[Mandate | None | Exception],
    *,
    time_limit: float | None = None,
    gap: float | None = None,
    progress: Progress | None = None,
) -> list[Plan | Exception]:
    """Solve the mandates one after another in a warm Session (None: its current mandate).

    An edit that could not be made (an exception in place of a mandate) or a solve that fails
    is returned as its exception; the Session is started afresh after a failed solve, so one
    failure never loses the others."""
    plans: list[Plan | Exception] = []
    instance, start = session.instance, session.mandate
    for done, mandate in enumerate(mandates, start=1):
        if isinstance(mandate, Exception):
            plans.append(mandate)
        else:
            try:
                plans.append(session.solve(mandate, time_limit=time_limit, gap=gap))
            except (AllocatorError, ValueError, RuntimeError, KeyError) as err:
                plans.append(err)
                session = Session(instance, start)
        if progress:
            progress(done, len(mandates))
    return plans
