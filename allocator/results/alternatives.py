"""Near-optimal alternatives: the optimum and plans within a slack of it, and what each costs.

An investment committee rarely wants only the optimum: plans that are almost as good but
different show which choices the numbers force and which are open. ``summary`` tables, for the
optimum and each alternative, the objective, its cost against the optimum and the capital moved
to other deals, and names the sub-areas that gain and lose most.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, computed_field

from allocator.results.plan import DIGITS, Plan

SHOWN_SHIFTS = 3  # sub-areas named in each direction in the ``changes`` text
SHIFT_TOLERANCE = 0.5  # $M: smaller sub-area changes are rounding, not a choice


def _by_candidate(plan: Plan) -> dict[str, float]:
    amounts: dict[str, float] = defaultdict(float)
    for inv in plan.investments:
        amounts[inv.id] += inv.amount
    return amounts


def capital_moved(plan: Plan, base: Plan) -> float:
    """Capital the plan puts into deals beyond what ``base`` gives them ($M): Σ (a − b)+."""
    before, after = _by_candidate(base), _by_candidate(plan)
    return sum(max(0.0, amount - before.get(cid, 0.0)) for cid, amount in after.items())


def shifts_text(plan: Plan, base: Plan) -> str:
    """The sub-areas that gain and lose most against ``base``: ``+nuclear 450; −ai 300``."""
    before, after = base.totals.by_sub_area, plan.totals.by_sub_area
    change = {s: after.get(s, 0.0) - before.get(s, 0.0) for s in sorted(before.keys() | after)}
    gains = sorted((s for s, d in change.items() if d > SHIFT_TOLERANCE), key=lambda s: -change[s])
    losses = sorted((s for s, d in change.items() if d < -SHIFT_TOLERANCE), key=lambda s: change[s])
    parts = [f"+{s} {change[s]:,.0f}" for s in gains[:SHOWN_SHIFTS]]
    parts += [f"−{s} {-change[s]:,.0f}" for s in losses[:SHOWN_SHIFTS]]
    return "; ".join(parts) or "same allocation by sub-area"


class Alternatives(BaseModel):
    """The optimum and up to ``count`` plans whose objective is at least ``floor``.

    ``floor = optimum − slack·|optimum|``; each alternative maximises the capital in deals that
    neither the optimum nor an earlier alternative uses (plus, with ``toward``, the capital in
    those sub-areas), so each is as different as the slack allows from all before it.
    """

    model_config = ConfigDict(frozen=True)
    slack: float = Field(description="Share of the optimum's objective an alternative may give up.")
    toward: tuple[str, ...] = Field(default=(), description="Sub-areas the alternatives favour.")
    floor: float | None = Field(default=None, description="Least objective of an alternative.")
    optimum: Plan = Field(description="The optimal plan (as `allocator solve` finds it).")
    plans: tuple[Plan, ...] = Field(default=(), description="The alternatives, in order found.")

    @computed_field(  # type: ignore[prop-decorator]  # pydantic's documented form
        description="One row per plan: objective, cost and changes vs the optimum."
    )
    @property
    def summary(self) -> list[dict[str, Any]]:
        """The optimum and each alternative: objective, its cost, and what changes."""
        return self.to_frame().to_dict("records")

    def named(self) -> list[tuple[str, Plan]]:
        """(label, plan) for the optimum and each alternative."""
        return [("optimum", self.optimum)] + [
            (f"alternative {k}", plan) for k, plan in enumerate(self.plans, start=1)
        ]

    def to_frame(self) -> pd.DataFrame:
        """The summary as a DataFrame, one row per plan, the optimum first."""
        best = self.optimum.objective or 0.0
        rows = []
        for label, plan in self.named():
            objective = plan.objective or 0.0
            comparison = plan.compare(self.optimum)
            row: dict[str, Any] = {
                "name": label,
                "objective": objective,
                "cost": round(best - objective, DIGITS),
                "cost_share": round((best - objective) / abs(best), DIGITS) if best else 0.0,
                "strategic": plan.objective_terms.strategic,
                "return": plan.objective_terms.return_,
                "deals": plan.metrics.deals,
                "added": len(comparison.of("added")),
                "removed": len(comparison.of("removed")),
                "moved": round(capital_moved(plan, self.optimum), DIGITS),
            }
            if self.toward:
                by_sub_area = plan.totals.by_sub_area
                row["toward"] = round(sum(by_sub_area.get(s, 0.0) for s in self.toward), DIGITS)
            row["changes"] = "" if plan is self.optimum else shifts_text(plan, self.optimum)
            rows.append(row)
        return pd.DataFrame(rows)

    def to_json(self, indent: int | None = 2) -> str:
        """The alternatives as JSON: every plan with the Plan's keys, and the summary."""
        return self.model_dump_json(by_alias=True, indent=indent)

    @classmethod
    def from_json(cls, text: str) -> Alternatives:
        """Alternatives from their JSON (as written by ``to_json``); the summary is recomputed."""
        return cls.model_validate_json(text)
