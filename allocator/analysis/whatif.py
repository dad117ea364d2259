"""Named what-ifs: mandate edits solved one after another in one warm Session, side by side."""

from __future__ import annotations

import pandas as pd

from allocator.analysis.variants import (
    Progress,
    Variant,
    failed_row,
    solve_in_turn,
    summary_row,
    whole_numbers,
)
from allocator.errors import InputError
from allocator.inputs.instance import Instance
from allocator.inputs.mandate import Mandate
from allocator.results.plan import Plan
from allocator.solving.session import Session


def run_whatifs(
    instance: Instance,
    mandate: Mandate,
    variants: list[Variant],
    *,
    time_limit: float | None = None,
    gap: float | None = None,
    progress: Progress | None = None,
) -> tuple[pd.DataFrame, dict[str, Plan]]:
    """Solve the base and every variant in one warm Session; a table and the plans by name.

    A variant whose edit is invalid, or whose solve fails, is a ``failed`` row with its
    ``error``; the others are solved all the same."""
    edited: list[Mandate | None | Exception] = [None]
    for variant in variants:
        try:
            edited.append(variant.apply(mandate, instance))
        except InputError as err:
            edited.append(err)
    solved = solve_in_turn(
        Session(instance, mandate), edited, time_limit=time_limit, gap=gap, progress=progress
    )
    names = ["base", *(v.name for v in variants)]
    results = dict(zip(names, solved, strict=True))
    base = results["base"]
    if isinstance(base, Exception):
        raise base
    plans = {name: plan for name, plan in results.items() if isinstance(plan, Plan)}
    pillars = list(instance.pillars)
    rows = [
        failed_row(name, result)
        if isinstance(result, Exception)
        else summary_row(name, result, base if name != "base" else None, pillars) | {"error": None}
        for name, result in results.items()
    ]
    return whole_numbers(pd.DataFrame(rows)), plans
