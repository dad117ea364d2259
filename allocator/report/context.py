"""What a report is made from: a Plan, the instance and mandate it was solved for, and
optionally another plan to compare with and a set of near-optimal alternatives."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from allocator.errors import InputError
from allocator.inputs.instance import Candidate, Instance
from allocator.inputs.mandate import Mandate, ShareLimits
from allocator.results.alternatives import Alternatives
from allocator.results.plan import Plan


@dataclass(frozen=True)
class ReportInputs:
    """The plan to report and everything its sections read."""

    plan: Plan
    instance: Instance
    mandate: Mandate
    compare: Plan | None = None  # the plan compared with (the report's plan is the base)
    compare_label: str = ""
    alternatives: Alternatives | None = None

    def __post_init__(self) -> None:
        """Every plan named must be of this instance: its rows are looked up in it."""
        plans = [("plan", self.plan), ("--compare", self.compare)]
        if self.alternatives is not None:
            plans += [("--alternatives", p) for _, p in self.alternatives.named()]
        known = self.instance.by_id
        for option, plan in plans:
            missing = (
                next((i.id for i in plan.investments if i.id not in known), None) if plan else None
            )
            if missing:
                raise InputError(
                    f"investment {missing!r} is not a candidate of instance {self.instance.name!r}",
                    column=option,
                )

    @property
    def title(self) -> str:
        """``sri-2025 under baseline``."""
        plan = self.plan
        return f"{plan.instance or self.instance.name} under {plan.mandate or self.mandate.name}"

    @functools.cached_property
    def basis(self) -> float:
        """What shares are measured against: the budget, or the total committed."""
        if self.mandate.share_basis == "budget":
            return self.mandate.budget
        return self.plan.totals.committed

    def candidate(self, cid: str) -> Candidate:
        """The instance's candidate of a plan row."""
        return self.instance.by_id[cid]

    def sub_area_name(self, sid: str) -> str:
        """A sub-area's display name."""
        area = self.instance.sub_areas.get(sid)
        return area.sub_area if area else sid

    def pillar_name(self, pid: str) -> str:
        """A pillar's display name."""
        return self.instance.pillars.get(pid, pid)

    @functools.cached_property
    def sub_area_limits(self) -> dict[str, ShareLimits]:
        """The mandate's limits of each sub-area (``default`` applied)."""
        return self.mandate.sub_area_limits(list(self.instance.sub_areas))

    def share_range(self, limits: ShareLimits | None) -> tuple[float | None, float | None]:
        """The allowed share of the basis, from share and amount limits (the tighter one)."""
        if limits is None:
            return None, None
        basis = self.basis or 1.0
        lows = [v for v in (limits.min_share, _over(limits.min_amount, basis)) if v is not None]
        highs = [v for v in (limits.max_share, _over(limits.max_amount, basis)) if v is not None]
        return (max(lows) if lows else None), (min(highs) if highs else None)


def _over(amount: float | None, basis: float) -> float | None:
    return None if amount is None else amount / basis
