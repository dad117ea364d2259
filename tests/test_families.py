"""Tiny known-answer cases, one or more per constraint family, each with an infeasible twin.

The base pipeline (return-only objective, fixed tickets, all in 2026 unless a case says):
a: s1/p1, $50, r 1.0 · b: s2/p1, $40, r 0.5 · c: s3/p2, $30, r 0.8, p 0.4, lead 5
d: s3/p2, $20, r 0.3
With no limits the optimum takes all four: 50 + 20 + 24 + 6 = 100.
"""

from __future__ import annotations

import pytest
from cases import FEASIBLE, INFEASIBLE, base, mandate
from helpers import cand, chosen, instance, solve_checked

from allocator import Status


@pytest.mark.parametrize(
    ("name", "changes", "keys", "ids", "objective"), FEASIBLE, ids=[f[0] for f in FEASIBLE]
)
def test_known_optimum(tmp_path, name, changes, keys, ids, objective):
    plan = solve_checked(tmp_path, instance(base(**changes)), mandate(**keys))
    assert plan.status == Status.OPTIMAL
    assert chosen(plan) == set(ids)
    assert plan.objective == pytest.approx(objective, abs=1e-6)


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
    """All four in 2026 would call 140 against a 2026 cap of 100; 2027 has no cap, so a (the
    only one that may wait) moves there and 2026 calls the other three's 90."""
    changes = {"a": {"years": (2026, 2027)}}
    plan = solve_checked(
        tmp_path, instance(base(**changes)), mandate(pacing={"annual_max": {2026: 100}})
    )
    assert {i.id: i.start_year for i in plan.investments} == {
        "a": 2027,
        "b": 2026,
        "c": 2026,
        "d": 2026,
    }
    assert plan.totals.by_year_called == {"2026": 90.0, "2027": 50.0}


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
