"""The LP relaxation projected onto the amounts bounds the full LP relaxation (and so the MIP),
on random instances with ranged tickets (some starting at 0), several start years, count
floors, requires/excludes and forced-in candidates: every way a ``z`` enters a row."""

from __future__ import annotations

import random
from typing import Any

import highspy
import numpy as np
import pytest
from helpers import cand, instance

import allocator
from allocator import Mandate, Session
from allocator.solving.arrays import Arrays
from allocator.solving.projected_lp import project
from allocator.solving.shortcut import Snapshot

ROWS = (("p1", "s1", 5.0), ("p1", "s2", 3.0), ("p2", "s3", 4.0))


def ranged_case(seed: int) -> tuple[list, dict[str, Any]]:
    """Candidates with ticket ranges over three start years, and limits on counts both ways."""
    rng = random.Random(seed)
    n = rng.randint(5, 9)
    candidates = []
    for j in range(n):
        low = rng.choice([0, 5, 10, 20])
        candidates.append(
            cand(
                f"c{j}",
                sub_area=rng.choice(["s1", "s2", "s3"]),
                ticket=(low, max(5, low + rng.choice([0, 10, 30]))),
                r=round(rng.uniform(-0.2, 1.2), 3),
                years=(2026, 2028),
                lead=rng.randint(0, 6),
                attributes={"seats": rng.choice([-1, 0, 1, 2])},
            )
        )
    first, second = candidates[0].id, candidates[1].id
    candidates[2] = candidates[2].model_copy(update={"requires": (first,)})
    candidates[3] = candidates[3].model_copy(update={"excludes": (second,)})
    mandate = {
        "budget": rng.choice([60, 100, 150]),
        "objective": {"strategic_weight": rng.choice([0.0, 1.0]), "return_weight": 1.0},
        "deals": {"max_per_year": rng.randint(1, 3), "min_total": rng.randint(0, 3)},
        "pillars": {"p2": {"min_count": rng.randint(0, 2), "max_count": 3}},
        "limits": [{"name": "seats", "attribute": "seats", "per": "deal", "min": -1, "max": 4}],
        "force_in": [first] if rng.random() < 0.5 else [],
        "solver": {"mip_gap": 0},
    }
    return candidates, mandate


def lp_value(model: Arrays) -> tuple[str, float]:
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    model.pass_to(highs, relaxed=True)
    highs.run()
    status = highs.modelStatusToString(highs.getModelStatus())
    return status, highs.getInfo().objective_function_value


def snapshot(inst: allocator.Instance, mandate: Mandate) -> Snapshot:
    session = Session(inst, mandate)
    live, _ = session.sync()
    return Snapshot.take(live, session.model)


@pytest.mark.parametrize("seed", range(30))
def test_projection_bounds_the_lp_and_the_mip(seed):
    candidates, limits = ranged_case(seed)
    inst, mandate = instance(candidates, ROWS), Mandate.model_validate(limits)
    s = snapshot(inst, mandate)
    projection = project(s.model, s.pairs)
    full_status, full = lp_value(s.model)
    status, bound = lp_value(projection.lp)
    if full_status != "Optimal":
        return  # an infeasible LP: the MIP is infeasible too, nothing to bound
    assert status == "Optimal"
    assert bound >= full - 1e-6 * max(1.0, abs(full))
    plan = allocator.solve(inst, mandate)
    if plan.found:
        assert bound >= plan.objective - 1e-6 * max(1.0, abs(plan.objective))


def test_ranged_cases_are_feasible_and_lose_something():
    """The cases above include feasible MIPs, and some whose projection is strictly weaker, so
    both the bound and the substitutions of z by w/low and by its upper bound are exercised."""
    feasible, weaker = 0, 0
    for seed in range(30):
        candidates, limits = ranged_case(seed)
        s = snapshot(instance(candidates, ROWS), Mandate.model_validate(limits))
        full_status, full = lp_value(s.model)
        if full_status == "Optimal":
            feasible += 1
            weaker += lp_value(project(s.model, s.pairs).lp)[1] > full + 1e-6
    assert feasible >= 10 and weaker >= 1


def test_projection_is_exact_on_the_reference_and_lifts_z():
    inst = allocator.load_instance(allocator.bundled("instances/sri-2025"))
    s = snapshot(inst, allocator.load_mandate(allocator.bundled("models/baseline.yaml")))
    projection = project(s.model, s.pairs)
    assert len(projection.lp.row_lower) < len(s.model.row_lower) / 5
    _, full = lp_value(s.model)
    _, bound = lp_value(projection.lp)
    assert bound == pytest.approx(full, rel=1e-6)
    amounts = np.linspace(0, 1, len(projection.columns))
    lifted = projection.lift(amounts, s.pairs, len(s.model.cost))
    assert np.allclose(lifted[s.pairs.z] * s.pairs.high, lifted[s.pairs.w])


def test_a_cost_on_a_choice_is_not_projected():
    inst = allocator.load_instance(allocator.bundled("instances/sri-2025"))
    s = snapshot(inst, allocator.load_mandate(allocator.bundled("models/baseline.yaml")))
    cost = s.model.cost.copy()
    cost[s.pairs.z[0]] = 1.0
    with_cost = Arrays(**{**s.model.__dict__, "cost": cost})
    assert project(with_cost, s.pairs) is None
