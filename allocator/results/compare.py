"""Differences between two plans: investments added, removed and resized; totals and metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from allocator.results.plan import Plan

_FROZEN = ConfigDict(frozen=True)
TOTALS = ("by_pillar", "by_sub_area", "by_year_committed", "by_year_called")


class Change(BaseModel):
    """One investment that differs: its amount and start year in the base and in the other plan."""

    model_config = _FROZEN
    id: str
    name: str
    change: str  # added | removed | resized | moved
    base_amount: float
    amount: float
    base_year: int | None
    year: int | None


class Delta(BaseModel):
    """A number in the base plan and in the other plan."""

    model_config = _FROZEN
    group: str
    key: str
    base: float
    value: float

    @property
    def change(self) -> float:
        """value − base."""
        return self.value - self.base


class Comparison(BaseModel):
    """How ``plan`` differs from ``base``."""

    model_config = _FROZEN
    base: str
    plan: str
    investments: tuple[Change, ...]
    totals: tuple[Delta, ...]
    metrics: tuple[Delta, ...]
    significant: bool | None = None  # the objective changed by more than the MIP gaps leave open

    def of(self, change: str) -> list[Change]:
        """Investments of one kind of change (added, removed, resized, moved)."""
        return [c for c in self.investments if c.change == change]

    def to_frame(self) -> pd.DataFrame:
        """Investment changes, one row each (years as whole numbers, empty where absent)."""
        frame = pd.DataFrame(
            [c.model_dump() for c in self.investments], columns=list(Change.model_fields)
        )
        return frame.astype({"base_year": "Int64", "year": "Int64"})

    def totals_frame(self) -> pd.DataFrame:
        """Totals and metrics side by side with their change."""
        rows = [{**d.model_dump(), "change": d.change} for d in (*self.metrics, *self.totals)]
        return pd.DataFrame(rows, columns=["group", "key", "base", "value", "change"])

    def long_frame(self) -> pd.DataFrame:
        """Everything in one table, as ``compare --format csv`` writes it: metrics, totals and
        one row per investment that changed (``kind``: added, removed, resized, moved);
        ``significant`` on the objective's row says whether its change exceeds the MIP gaps."""
        numbers = self.totals_frame().assign(kind="", base_year=pd.NA, year=pd.NA)
        numbers["significant"] = [
            self.significant if (g, k) == ("metric", "objective") else pd.NA
            for g, k in zip(numbers["group"], numbers["key"], strict=True)
        ]
        changes = pd.DataFrame(
            [
                {
                    "group": "investment",
                    "key": c.id,
                    "kind": c.change,
                    "base": c.base_amount,
                    "value": c.amount,
                    "change": c.amount - c.base_amount,
                    "base_year": c.base_year,
                    "year": c.year,
                    "significant": pd.NA,
                }
                for c in self.investments
            ],
            columns=list(numbers.columns),
        )
        frame = pd.concat([numbers, changes], ignore_index=True) if len(changes) else numbers
        columns = ["group", "key", "kind", "base", "value", "change", "base_year", "year"]
        return frame[[*columns, "significant"]].astype({"base_year": "Int64", "year": "Int64"})


def significant_change(base: Plan, plan: Plan) -> bool | None:
    """Whether two plans' objectives differ by more than their MIP gaps leave open.

    Each plan's optimum lies between its objective and its bound, so the true difference lies
    in ``[objective − base.bound, bound − base.objective]`` (maximising); a difference is
    significant only when that interval excludes 0. None when either plan has no objective.
    """
    values = (plan.objective, plan.bound, base.objective, base.bound)
    if any(v is None for v in values):
        return None
    objective, bound, base_objective, base_bound = (float(v) for v in values)  # type: ignore[arg-type]
    low, high = objective - base_bound, bound - base_objective
    tolerance = 1e-9 * max(1.0, abs(objective), abs(base_objective))
    return low > tolerance or high < -tolerance


def _kind(base_amount: float, amount: float, base_year: int | None, year: int | None) -> str | None:
    if base_year is None:
        return "added"
    if year is None:
        return "removed"
    if abs(amount - base_amount) > 1e-6:
        return "resized"
    return "moved" if year != base_year else None


def _changes(base: Plan, plan: Plan) -> list[Change]:
    before = {i.id: i for i in base.investments}
    after = {i.id: i for i in plan.investments}
    changes = []
    for cid in sorted(before.keys() | after.keys()):
        a, b = before.get(cid), after.get(cid)
        base_amount, amount = (a.amount if a else 0.0), (b.amount if b else 0.0)
        base_year, year = (a.start_year if a else None), (b.start_year if b else None)
        kind = _kind(base_amount, amount, base_year, year)
        if kind:
            name = (a or b).name  # type: ignore[union-attr]
            changes.append(
                Change(
                    id=cid,
                    name=name,
                    change=kind,
                    base_amount=base_amount,
                    amount=amount,
                    base_year=base_year,
                    year=year,
                )
            )
    return changes


def _metric_values(plan: Plan) -> dict[str, float]:
    return {
        "objective": plan.objective or 0.0,
        "strategic": plan.objective_terms.strategic,
        "return": plan.objective_terms.return_,
        "committed": plan.totals.committed,
        "deals": float(plan.metrics.deals),
        "expected_loss": plan.metrics.expected_loss,
        "high_risk_share": plan.metrics.high_risk_share,
        "tvpi": plan.metrics.tvpi or 0.0,
        "irr": plan.metrics.irr or 0.0,
    }


def compare(plan: Plan, base: Plan) -> Comparison:
    """How ``plan`` differs from ``base``."""
    totals = []
    for group in TOTALS:
        a, b = getattr(base.totals, group), getattr(plan.totals, group)
        for key in sorted(a.keys() | b.keys()):
            totals.append(Delta(group=group, key=key, base=a.get(key, 0.0), value=b.get(key, 0.0)))
    before, after = _metric_values(base), _metric_values(plan)
    metrics = [Delta(group="metric", key=k, base=before[k], value=after[k]) for k in before]
    return Comparison(
        base=f"{base.instance}/{base.mandate}",
        plan=f"{plan.instance}/{plan.mandate}",
        investments=tuple(_changes(base, plan)),
        totals=tuple(totals),
        metrics=tuple(metrics),
        significant=significant_change(base, plan),
    )
