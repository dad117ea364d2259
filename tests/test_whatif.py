"""What-ifs: warm Session re-solves equal cold solves; compare, marginal values, diagnosis."""

from __future__ import annotations

import json

import pytest
import yaml
from cases import FEASIBLE, INFEASIBLE, ROWS, base, mandate, random_case
from helpers import cand, chosen, instance, invoke, solve_checked, write_case

import allocator
from allocator import Mandate, Session, Status
from allocator.analysis.frontier import frontier
from allocator.analysis.variants import Variant
from allocator.analysis.whatif import run_whatifs
from allocator.check import check_plan
from allocator.solving.explain import marginal_values


def test_session_walks_through_every_family_case():
    """One Session, edited case after case (in place or by rebuilding families), always right."""
    inst = instance(base())
    session = Session(inst, Mandate.model_validate(mandate()))
    for name, changes, keys, ids, objective in FEASIBLE:
        if changes:
            continue  # instance edits are covered below
        plan = session.solve(Mandate.model_validate(mandate(**keys)))
        assert plan.status == Status.OPTIMAL, name
        assert chosen(plan) == set(ids), name
        assert plan.objective == pytest.approx(objective, abs=1e-6), name


@pytest.mark.parametrize("seed", range(12))
def test_warm_resolve_equals_cold_solve(seed):
    candidates, edited = random_case(seed)
    inst = instance(candidates, ROWS)
    loose = {"budget": edited["budget"], "objective": edited["objective"], "solver": {"mip_gap": 0}}
    session = Session(inst, Mandate.model_validate(loose))
    session.solve()
    warm = session.solve(Mandate.model_validate(edited))
    cold = allocator.solve(inst, Mandate.model_validate(edited))
    assert warm.status == cold.status
    if cold.found:
        assert warm.objective == pytest.approx(cold.objective, rel=1e-7, abs=1e-6)


def test_numeric_edits_change_the_model_in_place():
    inst = instance(base())
    session = Session(inst, Mandate.model_validate(mandate(pillars={"p2": {"max_share": 0.04}})))
    session.solve()
    row = session.model.pillar_max_share
    plan = session.update({"pillars.p2.max_share": 0.5, "budget": 100})
    assert session.model.pillar_max_share is row
    assert plan.objective == pytest.approx(80)  # a, c, d within a budget of 100
    session.update(pillars__p2__max_share=0.01)
    assert session.model.pillar_max_share is row
    assert chosen(session.plan) == {"a", "b"}


def test_structural_edit_rebuilds_only_its_family():
    inst = instance(base())
    session = Session(inst, Mandate.model_validate(mandate(pillars={"p2": {"max_share": 0.5}})))
    session.solve()
    once, pillars = session.model.once_only, session.model.pillar_max_share
    session.update({"lead_time": {"impact_by": [{"year": 2027, "min_amount": 90}]}})
    assert session.model.once_only is once and session.model.pillar_max_share is pillars
    assert hasattr(session.model, "impact_by")
    assert session.last_rebuild.families == {"impact_by"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ticket_max", 25.0),
        ("lead_time", 9.0),
        ("loss_probability", 0.5),
        ("expected_multiple", 0.5),
    ],
)
def test_instance_edits_equal_a_cold_solve(field, value):
    inst = instance(base(a={"ticket": (10, 50)}))
    edited_mandate = Mandate.model_validate(
        mandate(budget=90, risk={"max_expected_loss_share": 0.2}, lead_time={"max_lead_time": 8})
    )
    session = Session(inst, edited_mandate)
    session.solve()
    edited = inst.with_candidate_changes({"a": {field: value}})
    warm = session.solve(instance=edited)
    cold = allocator.solve(edited, edited_mandate)
    assert warm.objective == pytest.approx(cold.objective, abs=1e-6)
    assert chosen(warm) == chosen(cold)


def test_compare_reports_known_differences(tmp_path):
    inst = instance(base())
    before = solve_checked(tmp_path / "a", inst, mandate(budget=100))  # a, c, d
    after = solve_checked(tmp_path / "b", inst, mandate(budget=100, force_out=["c"]))  # a, b
    comparison = after.compare(before)
    assert {c.id for c in comparison.of("added")} == {"b"}
    assert {c.id for c in comparison.of("removed")} == {"c", "d"}
    deltas = {(d.group, d.key): d.change for d in comparison.totals + comparison.metrics}
    assert deltas[("by_pillar", "p1")] == pytest.approx(40)
    assert deltas[("by_pillar", "p2")] == pytest.approx(-50)
    assert deltas[("metric", "objective")] == pytest.approx(70 - 80)
    assert deltas[("metric", "deals")] == -1


def test_marginal_value_of_the_budget_equals_the_return_rate():
    """a takes any amount 10..50 at r = 1.0: one more $M of budget is worth exactly 1.0."""
    inst = instance([cand("a", ticket=(10, 50), r=1.0), cand("b", "s3", ticket=40, r=0.2)])
    limits = Mandate.model_validate(mandate(budget=35, pillars={"p2": {"max_amount": 0}}))
    plan = allocator.solve(inst, limits)
    values = {b.key: b.dual for b in marginal_values(inst, limits, plan)}
    assert values["budget"] == pytest.approx(1.0)


@pytest.mark.parametrize(("name", "changes", "keys"), INFEASIBLE, ids=[f[0] for f in INFEASIBLE])
def test_diagnosis_relaxations_make_the_mandate_feasible(tmp_path, name, changes, keys):
    inst = instance(base(**changes))
    plan = solve_checked(tmp_path, inst, mandate(**keys))
    assert plan.status == Status.INFEASIBLE and plan.diagnosis is not None
    relaxations = plan.diagnosis.relaxations
    if not relaxations:  # forced-in candidates conflict through hard relations
        assert "even with every limit relaxed" in plan.diagnosis.message
        return
    relaxed = Mandate.model_validate(mandate(**keys)).with_changes(
        {r.key: r.to for r in relaxations}
    )
    assert allocator.solve(inst, relaxed).found
    for r in relaxations:  # none can be dropped
        others = {x.key: x.to for x in relaxations if x is not r}
        partial = Mandate.model_validate(mandate(**keys)).with_changes(others) if others else None
        if partial is not None:
            assert not allocator.solve(inst, partial).found


def test_whatif_compare_and_explain_commands(tmp_path):
    inst = instance(base())
    folder, mandate_file = write_case(tmp_path, inst, mandate(budget=100))
    edits = tmp_path / "whatifs.yaml"
    edits.write_text(
        yaml.safe_dump({"no c": {"force_out": ["c"]}, "rich": {"set": {"budget": 200}}})
    )
    result = invoke(["whatif", folder, edits, "-m", mandate_file, "--format", "json"], 0)
    summary = {row["name"]: row for row in json.loads(result.stdout)["summary"]}
    assert summary["no c"]["removed"] == "c d" and summary["no c"]["added"] == "b"
    assert summary["rich"]["objective"] == pytest.approx(100)
    table = invoke(["whatif", folder, edits, "-m", mandate_file], 0).stdout
    assert "no c" in table and "rich" in table
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    invoke(["solve", folder, "-m", mandate_file, "--format", "json", "-o", a], 0)
    invoke(
        ["solve", folder, "-m", mandate_file, "--force-out", "c", "--format", "json", "-o", b], 0
    )
    assert check_plan(json.loads(b.read_text()), folder, mandate(budget=100, force_out=["c"])).ok
    diff = json.loads(invoke(["compare", a, b, "--format", "json"], 0).stdout)
    assert {c["id"] for c in diff["investments"] if c["change"] == "removed"} == {"c", "d"}
    assert "Investments added" in invoke(["compare", a, b], 0).stdout
    explained = invoke(["explain", folder, "-m", mandate_file], 0).stdout
    assert "marginal value" in explained
    infeasible = invoke(
        ["explain", folder, "-m", mandate_file, "--set", "min_deployment=1", "--set", "budget=65"],
        1,
    ).stdout
    assert "Diagnosis" in infeasible
    out = invoke(
        ["solve", folder, "-m", mandate_file, "--set", "deals.min_total=5", "--format", "json"], 1
    )
    assert json.loads(out.stdout)["diagnosis"]["relaxations"] == [
        {"key": "deals.min_total", "from": 5.0, "to": 3.0}
    ]


def test_bad_whatif_file(tmp_path):
    inst = instance(base())
    folder, mandate_file = write_case(tmp_path, inst, mandate())
    edits = tmp_path / "w.yaml"
    edits.write_text(yaml.safe_dump([{"name": "x", "sett": {"budget": 5}}]))
    result = invoke(["whatif", folder, edits, "-m", mandate_file], 2)
    assert "w.yaml row 1, sett: unknown key" in result.stderr
    edits.write_text(yaml.safe_dump([{"name": "x", "set": {"budget": -5}}]))
    assert "what-if 'x'" in invoke(["whatif", folder, edits, "-m", mandate_file], 2).stderr


def test_binding_reports_the_edited_limit_value():
    inst = instance(base())
    session = Session(inst, Mandate.model_validate(mandate(pillars={"p2": {"max_share": 0.5}})))
    session.solve()
    plan = session.update({"pillars.p2.max_share": 0.05})
    limits = {b.key: b.limit for b in plan.binding}
    assert limits["pillars.p2.max_share"] == pytest.approx(0.05)


def test_what_ifs_and_frontiers_report_progress():
    inst = instance(base())
    limits = Mandate.model_validate(mandate(budget=100))
    calls: list[tuple[int, int]] = []
    variants = [Variant(name="no c", force_out=("c",)), Variant(name="rich", set={"budget": 200})]
    run_whatifs(inst, limits, variants, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
    calls.clear()
    frontier(inst, limits, "budget", 50, 100, 3, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
