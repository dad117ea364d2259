"""Named what-ifs: mandate edits solved one after another in one warm Session, side by side."""

from __future__ import annotations

import pandas as pd

from allocator.analysis.variants import Progress, Variant, solve_in_turn, summary_row
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
    """Solve the base and every variant in one warm Session; a table and the plans by name."""
    edited = [v.apply(mandate) for v in variants]  # every edit is valid before solving
    solved = solve_in_turn(
        Session(instance, mandate),
        [None, *edited],
        time_limit=time_limit,
        gap=gap,
        progress=progress,
    )
    plans = dict(zip(["base", *(v.name for v in variants)], solved, strict=True))
    pillars = list(instance.pillars)
    rows = [
        summary_row(name, plan, plans["base"] if name != "base" else None, pillars)
        for name, plan in plans.items()
    ]
    return pd.DataFrame(rows), plans
