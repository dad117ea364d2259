"""Diagnoses that repair and marginal values that hold: every relaxation a diagnosis reports is
applied and solved, and every marginal value is checked against re-solves."""

from __future__ import annotations

import json
import random

import pytest
from cases import base, mandate, random_case
from helpers import cand, instance, invoke

import allocator
from allocator.errors import InputError
from allocator.inputs.mandate import Mandate
from allocator.results.status import Status
from allocator.solving.explain import key_marginal_values, verify_marginal_values


def _repaired(inst, limits: Mandate, diagnosis) -> allocator.Plan:
    """The plan of the mandate with every relaxation applied, as ``--set KEY=TO`` would."""
    return allocator.solve(inst, limits.with_changes({r.key: r.to for r in diagnosis.relaxations}))


def _ranged() -> list:
    return [
        cand("a", "s1", ticket=(10, 100), r=1.0),
        cand("b", "s2", ticket=(10, 100), r=0.6),
        cand("c", "s3", ticket=(10, 100), r=0.2),
    ]


@pytest.mark.parametrize("basis", ["budget", "deployed"])
def test_min_shares_above_the_whole_repair_in_one_application(basis):
    """Floors of 60 % and 50 % need 110 % of the basis. Raising the budget cannot help (shares of
    the budget grow with it) and the diagnosis once proposed exactly that, again and again."""
    inst = instance(_ranged())
    limits = Mandate.model_validate(
        mandate(
            budget=100,
            min_deployment=0.5,
            share_basis=basis,
            pillars={"p1": {"min_share": 0.6}, "p2": {"min_share": 0.5}},
        )
    )
    plan = allocator.solve(inst, limits)
    assert plan.status == Status.INFEASIBLE and plan.diagnosis is not None
    assert plan.diagnosis.verified
    assert {r.key for r in plan.diagnosis.relaxations} <= {
        "pillars.p1.min_share",
        "pillars.p2.min_share",
    }
    assert _repaired(inst, limits, plan.diagnosis).found
    only_budget = allocator.diagnose(inst, limits, relax=("budget",))
    assert not only_budget.relaxations and "relaxing only budget" in only_budget.message


@pytest.mark.parametrize("basis", ["budget", "deployed"])
def test_relaxing_the_budget_moves_every_share_measured_against_it(basis):
    """A forced-in deal of 60 over a budget of 50, a 50 % cap on its pillar: the budget must
    rise to 60, and the share cap with it only when the cap is a share of the budget."""
    inst = instance([cand("a", "s1", ticket=60, r=1.0), cand("c", "s3", ticket=(0, 100), r=0.1)])
    limits = Mandate.model_validate(
        mandate(
            budget=50,
            share_basis=basis,
            force_in=["a"],
            min_deployment=0.9,
            pillars={"p1": {"max_share": 0.5}},
        )
    )
    found = allocator.diagnose(inst, limits)
    assert found.verified
    assert _repaired(inst, limits, found).found


def _tightened(seed: int) -> tuple[list, dict]:
    """A random case made infeasible more often than not: floors and caps drawn at random."""
    candidates, keys = random_case(seed)
    rng = random.Random(1000 + seed)
    keys["min_deployment"] = rng.choice([0.8, 0.95, 1.0])
    keys["pillars"] = {
        "p1": {"min_share": rng.choice([0.3, 0.6]), "max_share": rng.choice([0.6, 0.7])},
        "p2": {"min_share": rng.choice([0.3, 0.5])},
    }
    keys["deals"] = {"min_total": rng.randint(3, 7), "max_total": rng.randint(4, 8)}
    if rng.random() < 0.5:
        keys["lead_time"] = {"max_lead_time": rng.randint(0, 4)}
        keys["force_in"] = [rng.choice(candidates).id]
    keys["share_basis"] = rng.choice(["budget", "deployed"])
    if keys["deals"]["min_total"] > keys["deals"]["max_total"]:
        keys["deals"]["min_total"] = keys["deals"]["max_total"]
    return candidates, keys


@pytest.mark.parametrize("seed", range(24))
def test_every_diagnosis_of_a_random_infeasible_mandate_repairs_it(seed):
    candidates, keys = _tightened(seed)
    inst = instance(
        candidates,
        rows=(("p1", "s1", 5.0), ("p1", "s2", 3.0), ("p2", "s3", 4.0), ("p2", "s4", 1.0)),
    )
    limits = Mandate.model_validate(keys)
    plan = allocator.solve(inst, limits)
    if plan.status != Status.INFEASIBLE:
        return
    assert plan.diagnosis is not None
    if plan.diagnosis.conflicting:
        return
    assert plan.diagnosis.verified, plan.diagnosis.message
    assert _repaired(inst, limits, plan.diagnosis).found, plan.diagnosis.message


def test_a_forced_in_deal_over_the_lead_time_cap_is_repaired_by_raising_the_cap():
    """The cap is a limit like any other; it was once reported as beyond repair."""
    inst = instance(base())
    limits = Mandate.model_validate(mandate(lead_time={"max_lead_time": 3}, force_in=["c"]))
    found = allocator.diagnose(inst, limits)
    assert [(r.key, r.from_, r.to) for r in found.relaxations] == [
        ("lead_time.max_lead_time", 3, 5)
    ]
    kept = allocator.diagnose(inst, limits, keep=("lead_time",))
    assert kept.conflicting == ("c",) and "lead time 5 > the kept cap 3" in kept.message


def test_kept_keys_are_not_relaxed_and_a_key_can_be_asked_for():
    inst = instance(base())
    limits = Mandate.model_validate(mandate(budget=65, min_deployment=0.99))
    free = allocator.diagnose(inst, limits)
    assert [r.key for r in free.relaxations] == ["min_deployment"]
    for found in (
        allocator.diagnose(inst, limits, keep=("min_deployment",)),
        allocator.diagnose(inst, limits, relax=("budget",)),
    ):
        assert [(r.key, r.to) for r in found.relaxations] == [("budget", 70)]
        assert _repaired(inst, limits, found).found
    with pytest.raises(InputError, match="'budgte' is not a limit"):
        allocator.diagnose(inst, limits, keep=("budgte",))


def test_hard_conflicts_name_the_candidates_and_the_relation():
    inst = instance(base(a={"excludes": ("c",)}))
    found = allocator.diagnose(inst, Mandate.model_validate(mandate(force_in=["a", "c", "b"])))
    assert found.conflicting == ("a", "c") and "a excludes c" in found.message
    inst = instance(base(a={"requires": ("d",)}, d={"years": (2028, 2028)}))
    found = allocator.diagnose(inst, Mandate.model_validate(mandate(force_in=["a"])))
    assert (
        found.conflicting == ("a",) and "a requires d, which cannot start by 2026" in found.message
    )


def test_the_trials_diagnosis_converges_on_the_reference_instance(tmp_path):
    """Pillar floors of 30 % + 30 % + 30 % with energy's 15 %: 105 % of the budget."""
    floors = [
        f"pillars.{p}.min_share=0.3" for p in ("supply-chain", "defense-aerospace", "frontier-tech")
    ]
    sets = [arg for s in floors for arg in ("--set", s)]
    out = invoke(["explain", *sets, "--format", "json"], 1)
    diagnosis = json.loads(out.stdout)["diagnosis"]
    assert diagnosis["verified"] and "budget" not in {r["key"] for r in diagnosis["relaxations"]}
    repaired = [arg for r in diagnosis["relaxations"] for arg in ("--set", f"{r['key']}={r['to']}")]
    invoke(["solve", *sets, *repaired, "--format", "json", "-o", tmp_path / "plan.json"], 0)


# --------------------------------------------------------------------------- marginal values


def test_the_budgets_marginal_value_counts_every_share_it_moves():
    """a (p1, r 1.0) is capped at half the budget, c (p2, r 0.2) takes the rest: one more $M of
    budget buys 0.5 of a and 0.5 of c, worth 0.6 (the budget row's dual alone says 0.2). It
    holds while both tickets have room: budget 20..200."""
    inst = instance(
        [cand("a", "s1", ticket=(10, 100), r=1.0), cand("c", "s3", ticket=(10, 100), r=0.2)]
    )
    limits = Mandate.model_validate(mandate(budget=100, pillars={"p1": {"max_share": 0.5}}))
    plan = allocator.solve(inst, limits)
    values = {v.key: v for v in key_marginal_values(inst, limits, plan)}
    budget = values["budget"]
    assert budget.dual == pytest.approx(0.6) and budget.rows == 2
    assert (budget.valid_from, budget.valid_to) == (pytest.approx(20), pytest.approx(200))
    share = values["pillars.p1.max_share"]
    assert share.dual == pytest.approx(100 * (1.0 - 0.2)) and share.valid_to == pytest.approx(0.9)
    (checked,) = verify_marginal_values(inst, limits, (budget,))
    assert checked.per_unit_relaxed == pytest.approx(0.6)
    assert checked.per_unit_tightened == pytest.approx(0.6)
    assert checked.significant_relaxed and checked.significant_tightened
    binding = {b.key: b.dual for b in allocator.marginal_values(inst, limits, plan)}
    assert binding["pillars.p1.max_share"] == pytest.approx(80)


def test_a_default_sub_area_limit_is_worth_the_sum_over_the_sub_areas_it_sets():
    inst = instance(_ranged())
    limits = Mandate.model_validate(mandate(budget=1000, sub_areas={"default": {"max_amount": 50}}))
    plan = allocator.solve(inst, limits)
    values = {v.key: v for v in key_marginal_values(inst, limits, plan)}
    assert values["sub_areas.default.max_amount"].dual == pytest.approx(1.0 + 0.6 + 0.2)
    assert values["sub_areas.default.max_amount"].rows == 3
    assert values["sub_areas.s2.max_amount"].dual == pytest.approx(0.6)


def test_a_floor_is_worth_what_lowering_it_gains():
    inst = instance(
        [cand("a", "s1", ticket=(10, 100), r=1.0), cand("c", "s3", ticket=(10, 100), r=0.2)]
    )
    limits = Mandate.model_validate(mandate(budget=100, pillars={"p2": {"min_amount": 40}}))
    plan = allocator.solve(inst, limits)
    values = {v.key: v for v in key_marginal_values(inst, limits, plan)}
    assert values["pillars.p2.min_amount"].dual == pytest.approx(0.8)
    (checked,) = verify_marginal_values(inst, limits, (values["pillars.p2.min_amount"],))
    assert checked.per_unit_relaxed == pytest.approx(0.8)
