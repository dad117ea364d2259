"""Tiny known-answer cases, one or more per constraint family, each with an infeasible twin.

The base pipeline (return-only objective, fixed tickets, all in 2026 unless a case says):
a: s1/p1, $50, r 1.0 · b: s2/p1, $40, r 0.5 · c: s3/p2, $30, r 0.8, p 0.4, lead 5
d: s3/p2, $20, r 0.3
With no limits the optimum takes all four: 50 + 20 + 24 + 6 = 100.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import cand, chosen, instance, solve_checked

from allocator import Status


def base(**changes: dict[str, Any]) -> list:
    """The base candidates, with per-candidate keyword changes."""
    spec = {
        "a": {"sub_area": "s1", "ticket": 50, "r": 1.0, "attributes": {"seats": 1, "units": 1}},
        "b": {"sub_area": "s2", "ticket": 40, "r": 0.5, "attributes": {"seats": 1, "units": 1}},
        "c": {
            "sub_area": "s3",
            "ticket": 30,
            "r": 0.8,
            "p": 0.4,
            "lead": 5,
            "attributes": {"seats": 1, "units": 1},
        },
        "d": {"sub_area": "s3", "ticket": 20, "r": 0.3, "attributes": {"seats": 0, "units": 1}},
    }
    return [cand(cid, **{**kw, **changes.get(cid, {})}) for cid, kw in spec.items()]


def mandate(**keys: Any) -> dict[str, Any]:
    """A return-only mandate with a large budget, plus the given keys."""
    return {
        "budget": 1000,
        "objective": {"strategic_weight": 0, "return_weight": 1},
        "solver": {"mip_gap": 0},
        **keys,
    }


# name, candidate changes, mandate keys, expected chosen ids, expected objective
FEASIBLE = [
    ("no limits", {}, {}, "abcd", 100),
    ("budget", {}, {"budget": 100}, "acd", 80),
    ("min deployment", {"d": {"r": -0.1}}, {"budget": 100, "min_deployment": 1.0}, "acd", 72),
    ("pillar max share", {}, {"pillars": {"p2": {"max_share": 0.04}}}, "abc", 94),
    ("pillar max count", {}, {"pillars": {"p1": {"max_count": 1}}}, "acd", 80),
    ("pillar min amount", {"d": {"r": -0.2}}, {"pillars": {"p2": {"min_amount": 50}}}, "abcd", 90),
    (
        "sub-area default and override",
        {},
        {"sub_areas": {"default": {"max_amount": 45}, "s1": {"max_amount": 60}}},
        "abc",
        94,
    ),
    ("sub-area min count", {"d": {"r": -0.2}}, {"sub_areas": {"s3": {"min_count": 2}}}, "abcd", 90),
    ("deals max total", {}, {"deals": {"max_total": 2}}, "ac", 74),
    ("deals min total", {"d": {"r": -0.2}}, {"deals": {"min_total": 4}}, "abcd", 90),
    (
        "group max count",
        {"a": {"group": "g"}, "b": {"group": "g"}},
        {"groups": {"g": {"max_count": 1}}},
        "acd",
        80,
    ),
    ("excludes", {"a": {"excludes": ("c",)}}, {}, "abd", 76),
    ("requires", {"a": {"requires": ("b",)}, "b": {"r": -0.1}}, {}, "abcd", 76),
    ("force out", {}, {"force_out": ["a"]}, "bcd", 50),
    ("force in", {"d": {"r": -0.5}}, {"force_in": ["d"]}, "abcd", 84),
    ("expected loss", {}, {"risk": {"max_expected_loss_share": 0.01}}, "abd", 76),
    (
        "high risk",
        {},
        {"risk": {"high_risk_threshold": 0.35, "max_high_risk_share": 0.02}},
        "abd",
        76,
    ),
    ("max lead time", {}, {"lead_time": {"max_lead_time": 3}}, "abd", 76),
    (
        "impact by",
        {"b": {"r": -0.1}},
        {"lead_time": {"impact_by": [{"year": 2027, "min_amount": 90}]}},
        "abcd",
        76,
    ),
    (
        "impact by share",
        {"b": {"r": -0.1}},
        {"lead_time": {"impact_by": [{"year": 2027, "min_share": 0.09}]}},
        "abcd",
        76,
    ),
    (
        "sub-area deadline",
        {"d": {"r": -0.2, "lead": 3}},
        {"lead_time": {"sub_area_deadlines": {"s3": {"year": 2031, "min_amount": 50}}}},
        "abcd",
        90,
    ),
    (
        "attribute per deal",
        {},
        {"limits": [{"name": "seats", "attribute": "seats", "per": "deal", "max": 2}]},
        "acd",
        80,
    ),
    (
        "attribute per dollar",
        {},
        {"limits": [{"name": "u", "attribute": "units", "per": "dollar", "max": 80}]},
        "ac",
        74,
    ),
    (
        "deployed share basis",
        {},
        {"share_basis": "deployed", "pillars": {"p1": {"max_share": 0.5}}},
        "acd",
        80,
    ),
    ("ticket range", {"a": {"ticket": (10, 50)}}, {"budget": 35}, "a", 35),
]


@pytest.mark.parametrize(
    ("name", "changes", "keys", "ids", "objective"), FEASIBLE, ids=[f[0] for f in FEASIBLE]
)
def test_known_optimum(tmp_path, name, changes, keys, ids, objective):
    plan = solve_checked(tmp_path, instance(base(**changes)), mandate(**keys))
    assert plan.status == Status.OPTIMAL
    assert chosen(plan) == set(ids)
    assert plan.objective == pytest.approx(objective, abs=1e-6)


# name, candidate changes, mandate keys: each cannot be met
INFEASIBLE = [
    ("budget vs min deployment", {}, {"budget": 65, "min_deployment": 0.99}),
    ("pillar min amount", {}, {"pillars": {"p2": {"min_amount": 60}}}),
    ("pillar min share", {}, {"pillars": {"p2": {"min_share": 0.9}}, "budget": 100}),
    ("sub-area min count", {}, {"sub_areas": {"s2": {"min_count": 2}}}),
    (
        "sub-area with no candidate",
        {},
        {"sub_areas": {"s2": {"min_amount": 1}}, "force_out": ["b"]},
    ),
    ("deals min total", {}, {"deals": {"min_total": 5}}),
    ("deals per year", {}, {"deals": {"max_per_year": 1}, "force_in": ["a", "b"]}),
    ("group min count", {"a": {"group": "g"}}, {"groups": {"g": {"min_count": 2}}}),
    ("excludes", {"a": {"excludes": ("c",)}}, {"force_in": ["a", "c"]}),
    ("requires", {"a": {"requires": ("d",)}, "d": {"years": (2028, 2028)}}, {"force_in": ["a"]}),
    ("expected loss", {}, {"risk": {"max_expected_loss_share": 0.01}, "force_in": ["c"]}),
    ("high risk", {}, {"risk": {"max_high_risk_share": 0.02}, "force_in": ["c"]}),
    ("max lead time", {}, {"lead_time": {"max_lead_time": 3}, "force_in": ["c"]}),
    ("impact by", {}, {"lead_time": {"impact_by": [{"year": 2027, "min_amount": 111}]}}),
    (
        "sub-area deadline",
        {"d": {"lead": 5}},
        {"lead_time": {"sub_area_deadlines": {"s3": {"year": 2028, "min_amount": 10}}}},
    ),
    (
        "attribute min",
        {},
        {"limits": [{"name": "seats", "attribute": "seats", "per": "deal", "min": 4}]},
    ),
    ("annual min", {}, {"pacing": {"annual_min": 500}}),
    ("annual max", {}, {"pacing": {"annual_max": 10}, "force_in": ["d"]}),
    ("cumulative max", {}, {"pacing": {"cumulative_max": {2027: 10}}, "force_in": ["d"]}),
]


@pytest.mark.parametrize(("name", "changes", "keys"), INFEASIBLE, ids=[f[0] for f in INFEASIBLE])
def test_infeasible_twin(tmp_path, name, changes, keys):
    plan = solve_checked(tmp_path, instance(base(**changes)), mandate(**keys))
    assert plan.status == Status.INFEASIBLE
    assert plan.investments == ()


def test_requires_waits_for_the_required_commitment(tmp_path):
    """a may start 2026-2027 but requires d, which can only start 2027: a starts 2027."""
    changes = {"a": {"requires": ("d",), "years": (2026, 2027)}, "d": {"years": (2027, 2027)}}
    plan = solve_checked(tmp_path, instance(base(**changes)), mandate())
    years = {i.id: i.start_year for i in plan.investments}
    assert years["a"] == 2027 and years["d"] == 2027


def test_pacing_moves_a_commitment_to_a_later_year(tmp_path):
    """a calls half its 50 in each of two years; with 45 a year it cannot start beside b's 40."""
    changes = {"a": {"years": (2026, 2027), "call_schedule": (0.5, 0.5)}}
    plan = solve_checked(
        tmp_path,
        instance(base(**changes)),
        mandate(pacing={"annual_max": 45}, force_out=["c", "d"]),
    )
    years = {i.id: i.start_year for i in plan.investments}
    assert years == {"a": 2027, "b": 2026}
    assert plan.totals.by_year_called == {"2026": 40.0, "2027": 25.0, "2028": 25.0}


def test_annual_max_year_map_limits_only_listed_years(tmp_path):
    changes = {"a": {"years": (2026, 2027)}}
    plan = solve_checked(
        tmp_path, instance(base(**changes)), mandate(pacing={"annual_max": {2026: 100}})
    )
    assert {i.id: i.start_year for i in plan.investments}["a"] in (2026, 2027)
    assert plan.totals.by_year_called.get("2026", 0) <= 100


def test_strategic_value_prefers_early_impact(tmp_path):
    """With the strategic term only, the same candidate is worth more committed earlier."""
    inst = instance([cand("a", years=(2026, 2030), lead=2, r=0.0)])
    plan = solve_checked(tmp_path, inst, {"budget": 100, "objective": {"return_weight": 0}})
    (only,) = plan.investments
    assert only.start_year == 2026
    # gap 5, impact 1, value horizon 2045 (2035 + 10): 10 * (2045 - 2028) / (5 * (2045 - 2026))
    assert plan.objective_terms.strategic == pytest.approx(10 * 5 * 17 / (5 * 19))


def test_binding_reports_mandate_keys(tmp_path):
    plan = solve_checked(tmp_path, instance(base()), mandate(pillars={"p2": {"max_share": 0.05}}))
    keys = {b.key: b for b in plan.binding}
    assert "pillars.p2.max_share" in keys
    assert keys["pillars.p2.max_share"].limit == 0.05
    assert keys["pillars.p2.max_share"].slack == 0
