"""Shared test cases: the known-answer family cases and their infeasible twins, and random
small instances with their enumerated optima. Test modules import these; none imports another.

The family base pipeline (return-only objective, fixed tickets, all in 2026 unless a case says):
a: s1/p1, $50, r 1.0 · b: s2/p1, $40, r 0.5 · c: s3/p2, $30, r 0.8, p 0.4, lead 5
d: s3/p2, $20, r 0.3
With no limits the optimum takes all four: 50 + 20 + 24 + 6 = 100.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import numpy as np
from helpers import cand


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
    # a may wait a year: under a 2026 cap of 100 it moves to 2027 and all four fit
    (
        "commit max year map",
        {"a": {"years": (2026, 2027)}},
        {"pacing": {"commit_max": {2026: 100}}},
        "abcd",
        100,
    ),
    ("commit min", {"d": {"r": -0.2}}, {"pacing": {"commit_min": {2026: 140}}}, "abcd", 90),
    # a (2026, multiple 1.6, hold 1) returns 80 in 2027, which nets against b, c, d called then
    (
        "net max",
        {
            "a": {"r": 0.6},
            **{k: {"years": (2027, 2027)} for k in "bd"},
            "c": {"years": (2027, 2027)},
        },
        {"pacing": {"net_max": {2027: 0}}},
        "abc",
        74,
    ),
    # a's 100 back in 2027 lets half of it (50) fund 2028 commitments above the budget of 60
    (
        "recycling",
        {k: {"years": (2028, 2028)} for k in "bcd"},
        {"budget": 60, "recycling": {"share": 0.5}},
        "acd",
        80,
    ),
    # proceeds fund only later years: 2027's proceeds cannot fund 2027 commitments
    (
        "recycling waits a year",
        {k: {"years": (2027, 2027)} for k in "bcd"},
        {"budget": 60, "recycling": {"share": 0.5}},
        "a",
        50,
    ),
    (
        "recycling until",
        {k: {"years": (2028, 2028)} for k in "bcd"},
        {"budget": 60, "recycling": {"share": 0.5, "until": 2026}},
        "a",
        50,
    ),
]


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
    ("commit max", {}, {"pacing": {"commit_max": {2026: 10}}, "force_in": ["d"]}),
    ("commit min", {}, {"pacing": {"commit_min": {2027: 1}}}),  # nothing may start in 2027
    ("net max", {}, {"pacing": {"net_max": {2026: 10}}, "force_in": ["a"]}),
    (
        "recycling",
        {"b": {"years": (2027, 2027)}},
        {"budget": 60, "recycling": {"share": 0.5}, "force_in": ["a", "b"]},
    ),
]


ROWS = (("p1", "s1", 5.0), ("p1", "s2", 3.0), ("p2", "s3", 4.0), ("p2", "s4", 1.0))
SCHEDULES = ((1.0,), (0.5, 0.5), (0.2, 0.3, 0.5))


def random_case(seed: int) -> tuple[list, dict[str, Any]]:
    """Candidates and a mandate drawn from ``seed``; limits chosen at random from every family."""
    rng = random.Random(seed)
    n = rng.randint(6, 12)
    candidates = []
    for j in range(n):
        candidates.append(
            cand(
                f"c{j}",
                sub_area=rng.choice(["s1", "s2", "s3", "s4"]),
                ticket=rng.choice([10, 20, 30, 40, 50]),
                r=round(rng.uniform(-0.3, 1.5), 3),
                p=round(rng.uniform(0, 0.7), 3),
                lead=rng.randint(0, 9),
                impact=rng.choice([1.0, 1.0, 1.5]),
                call_schedule=rng.choice(SCHEDULES),
                group="g" if j == 0 else rng.choice(["", "", "g"]),
                attributes={"seats": rng.randint(0, 2)},
            )
        )
    for j in range(n):
        if rng.random() < 0.15:
            other = f"c{rng.randrange(n)}"
            if other != f"c{j}":
                key = rng.choice(["requires", "excludes"])
                candidates[j] = candidates[j].model_copy(update={key: (other,)})
    budget = rng.choice([80, 120, 160, 200])
    mandate: dict[str, Any] = {
        "budget": budget,
        "objective": {
            "strategic_weight": rng.choice([0.0, 1.0, 2.0]),
            "return_weight": rng.choice([0.5, 1.0]),
        },
        "solver": {"mip_gap": 0},
    }
    options = {
        "min_deployment": lambda: rng.choice([0.3, 0.5]),
        "pacing": lambda: {
            "annual_max": rng.choice([40, 60, 90]),
            "annual_min": rng.choice([0, 10]),
        },
        "pillars": lambda: {"p1": {"max_share": rng.choice([0.3, 0.5]), "min_count": 1}},
        "sub_areas": lambda: {"default": {"max_amount": 70}, "s1": {"max_amount": 90}},
        "deals": lambda: {"max_total": rng.randint(2, 5)},
        "groups": lambda: {"g": {"max_count": 1}},
        "risk": lambda: {
            "max_expected_loss_share": 0.15,
            "high_risk_threshold": 0.4,
            "max_high_risk_share": 0.25,
        },
        "lead_time": lambda: {"max_lead_time": 8, "impact_by": [{"year": 2030, "min_share": 0.2}]},
        "limits": lambda: [{"name": "seats", "attribute": "seats", "per": "deal", "max": 5}],
        "share_basis": lambda: "deployed",
    }
    for key, make in options.items():
        if rng.random() < 0.45:
            mandate[key] = make()
    return candidates, mandate


def enumerate_optimum(candidates: list, mandate: dict[str, Any]) -> float | None:
    """Best objective over all feasible subsets (all start in 2026), or None if none is feasible."""
    n = len(candidates)
    x = np.array(list(itertools.product([0, 1], repeat=n)), dtype=float)
    ticket = np.array([c.ticket_max for c in candidates])
    amounts = x * ticket
    committed = amounts.sum(axis=1)
    budget = mandate["budget"]
    basis = (
        committed if mandate.get("share_basis") == "deployed" else np.full(len(x), float(budget))
    )
    ok = committed <= budget + 1e-9
    ok &= committed >= mandate.get("min_deployment", 0) * budget - 1e-9
    if "pacing" in mandate:
        called = np.zeros((len(x), 3))
        for j, c in enumerate(candidates):
            for k, f in enumerate(c.call_schedule):
                called[:, k] += f * amounts[:, j]
        ok &= (called <= mandate["pacing"]["annual_max"] + 1e-9).all(axis=1)
        # annual_min applies to every horizon year (2026-2035): calls end by 2028
        if mandate["pacing"]["annual_min"] > 0:
            ok &= False
    pillar = np.array([c.sub_area_id in ("s1", "s2") for c in candidates])
    if "pillars" in mandate:
        lim = mandate["pillars"]["p1"]
        ok &= amounts[:, pillar].sum(axis=1) <= lim["max_share"] * basis + 1e-9
        ok &= x[:, pillar].sum(axis=1) >= lim["min_count"]
    if "sub_areas" in mandate:
        for s in ("s1", "s2", "s3", "s4"):
            cap = 90 if s == "s1" else 70
            members = np.array([c.sub_area_id == s for c in candidates])
            ok &= amounts[:, members].sum(axis=1) <= cap + 1e-9
    if "deals" in mandate:
        ok &= x.sum(axis=1) <= mandate["deals"]["max_total"]
    if "groups" in mandate:
        members = np.array([c.group == "g" for c in candidates])
        ok &= x[:, members].sum(axis=1) <= 1
    p = np.array([c.loss_probability for c in candidates])
    if "risk" in mandate:
        ok &= amounts @ p <= 0.15 * basis + 1e-9
        ok &= amounts[:, p >= 0.4].sum(axis=1) <= 0.25 * basis + 1e-9
    lead = np.array([c.lead_time for c in candidates])
    if "lead_time" in mandate:
        ok &= x[:, lead > 8].sum(axis=1) == 0
        ok &= amounts[:, 2026 + lead <= 2030].sum(axis=1) >= 0.2 * basis - 1e-9
    if "limits" in mandate:
        ok &= x @ np.array([c.attributes["seats"] for c in candidates]) <= 5
    index = {c.id: j for j, c in enumerate(candidates)}
    for j, c in enumerate(candidates):
        for i in c.requires:
            ok &= x[:, j] <= x[:, index[i]]
        for i in c.excludes:
            ok &= x[:, j] + x[:, index[i]] <= 1
    if not ok.any():
        return None
    gap = {s: g for _, s, g in ROWS}
    value_horizon, start = 2045, 2026
    strategic = np.array(
        [
            gap[c.sub_area_id]
            * c.impact
            * max(0, value_horizon - (start + c.lead_time))
            / (5 * (value_horizon - start))
            for c in candidates
        ]
    )
    weights = mandate["objective"]
    per_dollar = weights["strategic_weight"] * strategic + weights["return_weight"] * np.array(
        [c.expected_net_return for c in candidates]
    )
    return float((amounts @ per_dollar)[ok].max())
