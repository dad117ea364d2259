"""Random small instances (≤ 12 candidates, one start year, fixed tickets, a mix of limits):
the solver's optimum equals the optimum found by enumerating every subset with numpy."""

from __future__ import annotations

import itertools
import random
from typing import Any

import numpy as np
import pytest
from helpers import cand, instance, solve_checked

from allocator import Status

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


@pytest.mark.parametrize("seed", range(40))
def test_solver_matches_enumeration(tmp_path, seed):
    candidates, mandate = random_case(seed)
    plan = solve_checked(tmp_path, instance(candidates, ROWS), mandate)
    best = enumerate_optimum(candidates, mandate)
    if best is None:
        assert plan.status == Status.INFEASIBLE
    else:
        assert plan.status == Status.OPTIMAL
        assert plan.objective == pytest.approx(best, rel=1e-7, abs=1e-6)


def test_cases_cover_feasible_and_infeasible():
    """The seeds exercise both outcomes, so neither branch of the test above is dead."""
    outcomes = {enumerate_optimum(*random_case(seed)) is None for seed in range(40)}
    assert outcomes == {True, False}
