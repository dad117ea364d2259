"""The warm shortcut of a Session: an LP bound, a plan near the previous one, a certificate.

Certified plans are checked against cold solves (reference instance) and against enumeration
(random small instances): the bound must hold and the plan must be within the gap of the true
optimum. The checker in conftest recomputes every limit of every plan from the files.
"""

from __future__ import annotations

import numpy as np
import pytest
from cases import ROWS, enumerate_optimum, random_case
from helpers import instance

import allocator
from allocator import Mandate, Session, Status
from allocator.solving.settings import Deadline
from allocator.solving.shortcut import WIDENINGS, Snapshot, fixed_choices, neighbourhood, relax


@pytest.fixture(scope="module")
def reference() -> tuple[allocator.Instance, Mandate]:
    inst = allocator.load_instance(allocator.bundled("instances/sri-2025"))
    return inst, allocator.load_mandate(allocator.bundled("models/baseline.yaml"))


def _largest(plan: allocator.Plan) -> str:
    return max(plan.investments, key=lambda i: i.amount).id


def test_reference_what_ifs_are_certified_and_agree_with_cold_solves(reference):
    inst, mandate = reference
    session = Session(inst, mandate)
    base = session.solve()
    edits = {
        "defense cap": {"pillars.defense-aerospace.max_share": 0.25},
        "annual cap": {"pacing.annual_max": 1200},
        "expected loss": {"risk.max_expected_loss_share": 0.2},
        "without the largest": {"force_out": [_largest(base)]},
        "high-risk threshold": {"risk.high_risk_threshold": 0.3},
    }
    certified, plans = 0, {}
    for name, changes in edits.items():
        edited = mandate.with_changes(changes)
        warm = session.solve(edited)
        cold = allocator.solve(inst, edited)
        assert warm.status == cold.status == Status.OPTIMAL, name
        tolerance = 2 * edited.solver.mip_gap * abs(cold.objective)
        assert warm.objective == pytest.approx(cold.objective, abs=tolerance), name
        assert warm.objective <= warm.bound and warm.gap <= edited.solver.mip_gap, name
        certified += warm.solver.method == "certified"
        plans[name] = warm
    assert certified >= 3  # the shortcut carries most what-ifs on the reference instance
    assert _largest(base) not in {i.id for i in plans["without the largest"].investments}


GAP = 0.05  # loose enough that the LP bound certifies many of the random cases


def _what_if(seed: int) -> tuple[allocator.Plan, list, dict]:
    """A random case solved warm: first with only its budget, then with all its limits."""
    candidates, edited = random_case(seed)
    edited["solver"] = {"mip_gap": GAP}
    loose = {k: edited[k] for k in ("budget", "objective", "solver")}
    session = Session(instance(candidates, ROWS), Mandate.model_validate(loose))
    session.solve()
    return session.solve(Mandate.model_validate(edited)), candidates, edited


@pytest.mark.parametrize("seed", range(16))
def test_certified_plans_are_within_the_gap_of_the_enumerated_optimum(seed):
    plan, candidates, edited = _what_if(seed)
    best = enumerate_optimum(candidates, edited)
    if best is None:
        assert plan.status == Status.INFEASIBLE
        return
    assert plan.status == Status.OPTIMAL
    assert plan.bound >= best - 1e-6 >= plan.objective - 2e-6
    assert best - plan.objective <= GAP * abs(plan.objective) + 1e-6


def test_enumerated_cases_exercise_the_shortcut():
    """Some of the cases above are certified by the shortcut, some go on to HiGHS."""
    outcomes = set()
    for seed in range(16):
        plan, _, _ = _what_if(seed)
        if plan.found:
            outcomes.add(plan.solver.method)
    assert outcomes == {"certified", "persistent"}


def test_the_same_what_ifs_give_the_same_plans(reference):
    inst, mandate = reference
    edits = [{"budget": 8000}, {"deals.max_per_year": 8}, {"sub_areas.default.max_share": 0.06}]

    def walk() -> list[dict]:
        session = Session(inst, mandate)
        session.solve()
        plans = [session.solve(mandate.with_changes(e)).to_dict() for e in edits]
        for plan in plans:
            plan.pop("solver")
        return plans

    assert walk() == walk()


def test_snapshot_checks_plans_and_restrictions(reference):
    inst, mandate = reference
    session = Session(inst, mandate)
    session.solve()
    live, _ = session.sync()
    s = Snapshot.take(live, session.model)
    planned = live.values()
    assert s.violation(planned) <= 1e-6
    assert s.objective(planned) == pytest.approx(session.plan.objective, rel=1e-6)
    over = planned.copy()
    over[s.pairs.w] = s.model.col_upper[s.pairs.w]  # every ticket at its maximum
    assert s.violation(over) > 1e-3
    relaxation = relax(s)
    assert relaxation.optimal and relaxation.objective >= session.plan.objective - 1e-6
    assert s.gap(relaxation.objective, session.plan.objective) >= 0
    assert s.gap(session.plan.objective, relaxation.objective) <= 0
    nothing = np.flatnonzero(np.isin(np.arange(len(s.model.cost)), s.pairs.z, invert=True))
    nothing = nothing[np.isin(nothing, s.pairs.w, invert=True)]
    assert s.restricted(nothing) is None  # min_deployment cannot hold without any candidate


def test_a_barred_choice_is_never_fixed(reference):
    """The previous plan's largest deal, forced out, is left free even where the guiding LP
    solution still agrees with the previous plan (here: the previous LP itself)."""
    inst, mandate = reference
    session = Session(inst, mandate)
    base = session.solve()
    largest = _largest(base)
    live, _ = session.sync()
    guide = relax(Snapshot.take(live, session.model))
    assert guide.optimal
    session.apply(mandate.with_changes({"force_out": [largest]}), inst)
    live, _ = session.sync()
    s = Snapshot.take(live, session.model)
    previous = np.array([round(z.value or 0.0) for z in session.model.z_list], dtype=float)
    barred = [p for p, (cid, _) in enumerate(session.model.pairs.items) if cid == largest]
    assert previous[barred].any()  # the previous plan chose it
    for widen in WIDENINGS:  # never fixed at the previous plan's 1
        fixed = fixed_choices(s, guide, previous, widen)
        assert not (fixed & (previous == 1))[barred].any()
    # with the edited model's own LP as the guide, as ``resolve`` does, a plan is found
    found = neighbourhood(s, relax(s), previous, mandate.solver, Deadline(float("inf")))
    assert found is not None and s.violation(found.values) <= 1e-6
    assert not found.values[s.pairs.z[barred]].any()


def test_edits_print_nothing(reference, capfd):
    """HiGHS warns on file descriptor 1 when an in-place edit sets a coefficient to 0 (shares of
    the amount deployed); a what-if must keep stdout for the requested output only."""
    inst, mandate = reference
    deployed = mandate.with_changes({"share_basis": "deployed"})
    session = Session(inst, deployed)
    session.solve()
    capfd.readouterr()
    assert session.solve(deployed.with_changes({"budget": 9000})).found
    out, err = capfd.readouterr()
    assert out == "" and err == ""
