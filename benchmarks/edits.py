"""Seeded random what-if edits drawn from every family of mandate keys and instance fields.

Each draw picks a family uniformly (budget, deployment, pacing, deals, pillars, sub-areas,
share basis, risk, lead time, attribute limits, groups, objective weights, value horizon,
force in/out, and the candidate fields tickets, lead times, risk, multiples, impact, call
schedules), then a key of that family and a realistic magnitude relative to the base mandate
or to the base plan (a cap set 5–30 % below what the plan uses, a floor above it, a weight
halved or doubled...). Edits that the mandate's validation rejects are drawn again. Nothing is
chosen by hand: the same seed gives the same edits.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allocator import InputError, Instance, Mandate, Plan


@dataclass(frozen=True)
class Edit:
    """One what-if: a label, mandate changes (dotted keys) and candidate changes."""

    family: str
    label: str
    mandate: dict[str, Any]
    candidates: dict[str, dict[str, Any]]

    def apply(self, instance: Instance, mandate: Mandate) -> tuple[Instance, Mandate]:
        """The edited instance and mandate (validated)."""
        edited = mandate.with_changes(self.mandate) if self.mandate else mandate
        if self.candidates:
            instance = instance.with_candidate_changes(self.candidates)
        return instance, edited


@dataclass(frozen=True)
class Base:
    """What edits are drawn relative to."""

    instance: Instance
    mandate: Mandate
    plan: Plan

    def committed(self, level: str, ident: str) -> float:
        totals = self.plan.totals.by_pillar if level == "pillars" else self.plan.totals.by_sub_area
        return totals.get(ident, 0.0)

    def deals(self, level: str, ident: str) -> int:
        key = "pillar_id" if level == "pillars" else "sub_area_id"
        return sum(1 for i in self.plan.investments if getattr(i, key) == ident)

    def basis(self) -> float:
        if self.mandate.share_basis == "budget":
            return self.mandate.budget
        return self.plan.totals.committed


Draw = Callable[[Base, random.Random], tuple[str, dict[str, Any], dict[str, dict[str, Any]]]]


def _below(value: float, rng: random.Random) -> float:
    return value * rng.uniform(0.7, 0.95)


def _above(value: float, rng: random.Random) -> float:
    return value * rng.uniform(1.05, 1.3)


def budget(b: Base, rng: random.Random) -> tuple[str, dict[str, Any], dict]:
    factor = rng.uniform(0.7, 1.1)
    return f"budget x{factor:.2f}", {"budget": round(b.mandate.budget * factor)}, {}


def deployment(b: Base, rng: random.Random) -> tuple[str, dict[str, Any], dict]:
    share = round(rng.uniform(0.8, 1.0), 3)
    return f"min_deployment {share}", {"min_deployment": share}, {}


def pacing(b: Base, rng: random.Random) -> tuple[str, dict[str, Any], dict]:
    years = b.mandate.years
    called = {int(y): v for y, v in b.plan.totals.by_year_called.items()}
    kind = rng.choice(["annual_max", "annual_max_year", "annual_min", "cumulative_max"])
    year = rng.choice(years)
    if kind == "annual_max":
        top = max(called.get(y, 0.0) for y in years)
        value = round(_below(top, rng))
        return f"pacing.annual_max {value}", {"pacing.annual_max": value}, {}
    if kind == "annual_max_year":
        value = round(_below(max(called.get(year, 0.0), 1.0), rng))
        return f"pacing.annual_max.{year} {value}", {f"pacing.annual_max.{year}": value}, {}
    if kind == "annual_min":
        value = round(rng.uniform(0.2, 0.8) * max(called.get(year, 0.0), 1.0))
        return f"pacing.annual_min.{year} {value}", {f"pacing.annual_min.{year}": value}, {}
    cumulative = sum(called.get(y, 0.0) for y in years if y <= year)
    value = round(_below(max(cumulative, 1.0), rng))
    return f"pacing.cumulative_max.{year} {value}", {f"pacing.cumulative_max.{year}": value}, {}


def deals(b: Base, rng: random.Random) -> tuple[str, dict[str, Any], dict]:
    count = b.plan.metrics.deals
    per_year = max(sum(1 for i in b.plan.investments if i.start_year == y) for y in b.mandate.years)
    kind = rng.choice(["max_per_year", "max_total", "min_total"])
    if kind == "max_per_year":
        value = max(1, round(_below(per_year, rng)))
    elif kind == "max_total":
        value = max(1, round(_below(count, rng)))
    else:
        value = round(_above(count, rng)) + 1
    return f"deals.{kind} {value}", {f"deals.{kind}": value}, {}


def _level(b: Base, rng: random.Random, level: str) -> tuple[str, dict[str, Any], dict]:
    ids = list(b.instance.pillars) if level == "pillars" else list(b.instance.sub_areas)
    ident = rng.choice(ids)
    kind = rng.choice(["max_share", "min_share", "max_amount", "min_amount", "max_count"])
    committed, count = b.committed(level, ident), b.deals(level, ident)
    if kind == "max_share":
        value = round(_below(committed, rng) / b.basis(), 4)
    elif kind == "min_share":
        value = round(min(1.0, _above(max(committed, 0.02 * b.basis()), rng) / b.basis()), 4)
    elif kind == "max_amount":
        value = round(_below(committed, rng))
    elif kind == "min_amount":
        value = round(_above(max(committed, 50.0), rng))
    else:
        value = max(0, count - rng.randint(1, 2))
    key = f"{level}.{ident}.{kind}"
    return f"{key} {value}", {key: value}, {}


def pillars(b: Base, rng: random.Random) -> tuple[str, dict[str, Any], dict]:
    return _level(b, rng, "pillars")


def sub_areas(b: Base, rng: random.Random) -> tuple[str, dict[str, Any], dict]:
    if rng.random() < 0.25 and "default" in b.mandate.sub_areas:
        share = b.mandate.sub_areas["default"].max_share or 0.1
        value = round(share * rng.uniform(0.6, 0.95), 4)
        return f"sub_areas.default.max_share {value}", {"sub_areas.default.max_share": value}, {}
    return _level(b, rng, "sub_areas")


def share_basis(b: Base, rng: random.Random) -> tuple[str, dict[str, Any], dict]:
    other = "deployed" if b.mandate.share_basis == "budget" else "budget"
    return f"share_basis {other}", {"share_basis": other}, {}


def risk(b: Base, rng: random.Random) -> tuple[str, dict[str, Any], dict]:
    kind = rng.choice(["expected_loss", "threshold", "high_risk"])
    if kind == "expected_loss":
        used = b.plan.metrics.expected_loss / b.basis()
        value = round(_below(used, rng), 4)
        return f"risk.max_expected_loss_share {value}", {"risk.max_expected_loss_share": value}, {}
    if kind == "threshold":
        value = round(rng.uniform(0.25, 0.5), 3)
        return f"risk.high_risk_threshold {value}", {"risk.high_risk_threshold": value}, {}
    value = round(_below(max(b.plan.metrics.high_risk_share, 0.05), rng), 4)
    return f"risk.max_high_risk_share {value}", {"risk.max_high_risk_share": value}, {}


def lead_time(b: Base, rng: random.Random) -> tuple[str, dict[str, Any], dict]:
    kind = rng.choice(["max_lead_time", "impact_by", "deadline"])
    if kind == "max_lead_time":
        longest = max(i.impact_year - i.start_year for i in b.plan.investments)
        value = round(max(1.0, longest - rng.choice([0.0, 1.0, 2.0])), 1)
        return f"lead_time.max_lead_time {value}", {"lead_time.max_lead_time": value}, {}
    if kind == "impact_by":
        year = rng.choice(b.mandate.years[2:])
        online = b.plan.metrics.impact_by.get(str(year), 0.0)
        value = round(min(1.0, _above(max(online, 0.05), rng)), 4)
        rules = [r.model_dump(exclude_none=True) for r in b.mandate.lead_time.impact_by]
        rules.append({"year": year, "min_share": value})
        return f"lead_time.impact_by +{year}:{value}", {"lead_time.impact_by": rules}, {}
    sub_area = rng.choice([i.sub_area_id for i in b.plan.investments])
    year = rng.choice(b.mandate.years[3:])
    value = round(b.committed("sub_areas", sub_area) * rng.uniform(0.3, 0.9))
    key = f"lead_time.sub_area_deadlines.{sub_area}"
    return f"{key} {year}:{value}", {key: {"year": year, "min_amount": value}}, {}


def attribute_limits(b: Base, rng: random.Random) -> tuple[str, dict[str, Any], dict]:
    if b.mandate.limits:
        n = rng.randrange(len(b.mandate.limits))
        limit = b.mandate.limits[n]
        bound = "max" if limit.max is not None else "min"
        current = getattr(limit, bound)
        value = round(
            current * (rng.uniform(0.7, 0.95) if bound == "max" else rng.uniform(1.05, 1.2)), 2
        )
        return f"limits.{n}.{bound} {value}", {f"limits.{n}.{bound}": value}, {}
    attribute = rng.choice(list(b.instance.attributes))
    by_id = b.instance.by_id
    used = sum(by_id[i.id].attributes.get(attribute, 0.0) for i in b.plan.investments)
    value = round(_below(max(used, 1.0), rng), 2)
    limit = {"name": attribute, "attribute": attribute, "per": "deal", "max": value}
    return f"limits +{attribute} max {value}", {"limits": [limit]}, {}


def groups(b: Base, rng: random.Random) -> tuple[str, dict[str, Any], dict]:
    labels = sorted({c.group for c in b.instance.candidates if c.group})
    if not labels:
        return objective(b, rng)
    label = rng.choice(labels)
    key = f"groups.{label}.max_count"
    chosen = {i.id for i in b.plan.investments}
    members = sum(1 for c in b.instance.candidates if c.group == label and c.id in chosen)
    value = max(0, members - 1) if members else 0
    return f"{key} {value}", {key: value}, {}


def objective(b: Base, rng: random.Random) -> tuple[str, dict[str, Any], dict]:
    key = rng.choice(["objective.strategic_weight", "objective.return_weight"])
    value = round(rng.choice([0.5, 0.75, 1.5, 2.0]) * b.mandate.value_at(key), 3)
    return f"{key} {value}", {key: value}, {}


def value_horizon(b: Base, rng: random.Random) -> tuple[str, dict[str, Any], dict]:
    value = b.mandate.effective_value_horizon + rng.choice([-5, -3, 3, 5])
    return f"value_horizon {value}", {"value_horizon": value}, {}


def force(b: Base, rng: random.Random) -> tuple[str, dict[str, Any], dict]:
    chosen = sorted({i.id for i in b.plan.investments} - set(b.mandate.force_in))
    others = sorted(set(b.instance.by_id) - {i.id for i in b.plan.investments})
    if rng.random() < 0.5 and chosen:
        cid = rng.choice(chosen)
        return f"force_out {cid}", {"force_out": [*b.mandate.force_out, cid]}, {}
    cid = rng.choice(others)
    return f"force_in {cid}", {"force_in": [*b.mandate.force_in, cid]}, {}


def candidate(b: Base, rng: random.Random) -> tuple[str, dict[str, Any], dict]:
    chosen = [i.id for i in b.plan.investments]
    cid = rng.choice(chosen if rng.random() < 0.7 else list(b.instance.by_id))
    c = b.instance.by_id[cid]
    kind = rng.choice(["ticket", "lead_time", "loss", "multiple", "impact", "schedule"])
    if kind == "ticket":
        high = round(c.ticket_max * rng.uniform(0.6, 1.3), 1)
        change = {"ticket_max": high, "ticket_min": min(c.ticket_min, high)}
    elif kind == "lead_time":
        change = {"lead_time": max(0.0, c.lead_time + rng.choice([-2, -1, 1, 2, 3]))}
    elif kind == "loss":
        change = {
            "loss_probability": round(
                min(0.95, max(0.0, c.loss_probability + rng.choice([-0.1, -0.05, 0.05, 0.1]))), 3
            )
        }
    elif kind == "multiple":
        change = {"expected_multiple": round(c.expected_multiple * rng.uniform(0.7, 1.2), 3)}
    elif kind == "impact":
        change = {"impact": round(c.impact * rng.choice([0.5, 0.75, 1.5, 2.0]), 3)}
    else:
        change = {
            "call_schedule": rng.choice([(1.0,), (0.5, 0.5), (0.3, 0.4, 0.3), (0.2, 0.3, 0.5)])
        }
    label = f"{cid}: " + ", ".join(f"{k} {v}" for k, v in change.items())
    return label, {}, {cid: change}


FAMILIES: dict[str, Draw] = {
    "budget": budget,
    "deployment": deployment,
    "pacing": pacing,
    "deals": deals,
    "pillars": pillars,
    "sub_areas": sub_areas,
    "share_basis": share_basis,
    "risk": risk,
    "lead_time": lead_time,
    "attribute_limits": attribute_limits,
    "groups": groups,
    "objective": objective,
    "value_horizon": value_horizon,
    "force": force,
    "candidate": candidate,
}


def random_edits(base: Base, count: int, seed: int) -> list[Edit]:
    """``count`` valid edits, families drawn uniformly (in turn from a shuffled cycle so every
    family appears), keys and magnitudes at random."""
    rng = random.Random(seed)
    names = list(FAMILIES)
    edits: list[Edit] = []
    order: list[str] = []
    while len(edits) < count:
        if not order:
            order = rng.sample(names, len(names))
        family = order.pop()
        for _ in range(20):  # a draw the mandate rejects is drawn again
            label, mandate, candidates = FAMILIES[family](base, rng)
            edit = Edit(family, label, mandate, candidates)
            try:
                edit.apply(base.instance, base.mandate)
            except InputError:
                continue
            edits.append(edit)
            break
    return edits
