"""Robustness of a selection across variants: which candidates are chosen almost always.

From any sweep or frontier table (a row per variant with an ``investments`` map), every
candidate gets the share of solved variants that select it and its mean amount, and a class:
``core`` (selected in at least ``core`` of them: commit now), ``contingent`` (sometimes: depends
on the assumptions varied) or ``never``.
"""

from __future__ import annotations

import pandas as pd

from allocator.inputs.instance import Instance

SOLVED = ("optimal", "feasible")


def robustness(results: pd.DataFrame, instance: Instance, core: float = 0.9) -> pd.DataFrame:
    """One row per candidate: selected share, mean amount, class; most robust first."""
    solved = results[results["status"].isin(SOLVED)]
    count = len(solved)
    chosen: dict[str, int] = {}
    total: dict[str, float] = {}
    for amounts in solved["investments"]:
        for cid, amount in amounts.items():
            chosen[cid] = chosen.get(cid, 0) + 1
            total[cid] = total.get(cid, 0.0) + amount
    rows = []
    for c in instance.candidates:
        share = chosen.get(c.id, 0) / count if count else 0.0
        kind = "core" if share >= core and count else ("contingent" if share > 0 else "never")
        rows.append(
            {
                "id": c.id,
                "name": c.name,
                "pillar_id": instance.pillar_of(c),
                "sub_area_id": c.sub_area_id,
                "selected_share": round(share, 6),
                "mean_amount": round(total.get(c.id, 0.0) / count, 6) if count else 0.0,
                "class": kind,
            }
        )
    frame = pd.DataFrame(rows)
    order = {"core": 0, "contingent": 1, "never": 2}
    return frame.sort_values(
        ["class", "selected_share", "mean_amount", "id"],
        key=lambda col: col.map(order) if col.name == "class" else col,
        ascending=[True, False, False, True],
    ).reset_index(drop=True)
