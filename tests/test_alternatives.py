"""Near-optimal alternatives: known answers on tiny instances, the objective floor, steering,
determinism, the JSON round trip and the command line."""

from __future__ import annotations

import json

import pytest
from helpers import cand, chosen, instance, invoke, write_case

import allocator
from allocator.errors import InputError
from allocator.inputs.mandate import Mandate

# one deal of 10 out of four: a (objective 5.0) is best, then b (4.9), c (4.6), d (4.0)
PICK_ONE = [
    cand("a", "s1", ticket=10, r=0.50),
    cand("b", "s2", ticket=10, r=0.49),
    cand("c", "s3", ticket=10, r=0.46),
    cand("d", "s1", ticket=10, r=0.40),
]
ONE_DEAL = {
    "budget": 10,
    "deals": {"max_total": 1},
    "objective": {"strategic_weight": 0},
    "solver": {"mip_gap": 0},
}


def mandate(**changes: object) -> Mandate:
    return Mandate.model_validate({**ONE_DEAL, **changes})


def test_alternatives_are_the_next_best_different_plans():
    found = allocator.alternatives(instance(PICK_ONE), mandate(), count=2, slack=0.05)
    assert chosen(found.optimum) == {"a"}
    # floor 0.95 × 5.0 = 4.75: only b (4.9) is new and good enough; then nothing new is
    assert found.floor == pytest.approx(4.75)
    assert chosen(found.plans[0]) == {"b"}
    assert chosen(found.plans[1]) in ({"a"}, {"b"})
    frame = found.to_frame()
    assert list(frame["name"]) == ["optimum", "alternative 1", "alternative 2"]
    assert list(frame["cost"][:2]) == pytest.approx([0.0, 0.1])
    assert list(frame["cost_share"][:2]) == pytest.approx([0.0, 0.02])
    assert list(frame["moved"][:2]) == pytest.approx([0.0, 10.0])
    assert frame["changes"][1] == "+s2 10; −s1 10"


def test_every_alternative_keeps_the_objective_floor_and_reports_its_gap():
    found = allocator.alternatives(instance(PICK_ONE), mandate(), count=3, slack=0.05)
    best = found.optimum.objective
    for plan in found.plans:
        assert plan.objective >= (1 - 0.05) * best - 1e-6
        assert plan.status == allocator.Status.FEASIBLE
        assert plan.bound == found.optimum.bound  # the optimum's bound holds for every plan
        assert plan.gap == pytest.approx((plan.bound - plan.objective) / plan.objective, abs=1e-6)
        assert plan.solver.method == "matrix"
    assert chosen(found.plans[0]) == {"b"}


def test_a_tight_slack_leaves_only_the_optimum():
    found = allocator.alternatives(instance(PICK_ONE), mandate(), count=1, slack=0.01)
    assert [chosen(p) for p in found.plans] == [{"a"}]
    assert found.to_frame()["changes"][1] == "same allocation by sub-area"


def test_toward_steers_the_moved_capital():
    # floor 0.9 × 5.0 = 4.5: b and c both qualify and move as much; toward s3 makes it c
    found = allocator.alternatives(instance(PICK_ONE), mandate(), count=1, slack=0.1, toward=["s3"])
    assert [chosen(p) for p in found.plans] == [{"c"}]
    assert list(found.to_frame()["toward"]) == pytest.approx([0.0, 10.0])


def test_alternatives_keep_every_limit():
    # two deals of 10 under a pillar cap: the alternatives must keep the cap and the deal count
    cands = [*PICK_ONE, cand("e", "s3", ticket=10, r=0.47)]
    limits = mandate(
        budget=20, deals={"max_total": 2}, pillars={"p2": {"max_share": 0.5}}
    )  # s3 is in pillar p2
    found = allocator.alternatives(instance(cands), limits, count=3, slack=0.1)
    for plan in found.plans:  # the independent checker has also seen each (conftest)
        assert plan.metrics.deals <= 2
        assert plan.totals.by_pillar.get("p2", 0.0) <= 10 + 1e-6


def test_same_inputs_same_alternatives():
    runs = [
        allocator.alternatives(instance(PICK_ONE), mandate(), count=3, slack=0.1) for _ in range(2)
    ]
    first, second = ([p.investments for p in r.plans] for r in runs)
    assert first == second


def test_json_round_trip_keeps_every_plan():
    found = allocator.alternatives(instance(PICK_ONE), mandate(), count=2, slack=0.05)
    data = json.loads(found.to_json())
    assert set(data) == {"slack", "toward", "floor", "optimum", "plans", "summary"}
    assert [row["name"] for row in data["summary"]] == ["optimum", "alternative 1", "alternative 2"]
    assert allocator.Alternatives.from_json(found.to_json()) == found


def test_an_infeasible_mandate_has_no_alternatives():
    found = allocator.alternatives(instance(PICK_ONE), mandate(deals={"min_total": 2}), count=2)
    assert found.optimum.status == allocator.Status.INFEASIBLE
    assert found.optimum.diagnosis is not None
    assert found.plans == ()


@pytest.mark.parametrize(
    ("options", "column"),
    [
        ({"count": 0}, "--count"),
        ({"slack": 1.0}, "--slack"),
        ({"slack": -0.1}, "--slack"),
        ({"toward": ["nowhere"]}, "--toward"),
    ],
)
def test_bad_options_are_one_input_error(options, column):
    with pytest.raises(InputError) as err:
        allocator.alternatives(instance(PICK_ONE), mandate(), **options)
    assert err.value.column == column


@pytest.fixture
def case(tmp_path):
    return write_case(tmp_path, instance(PICK_ONE), ONE_DEAL)


def test_cli_writes_json_by_suffix_and_a_table(case, tmp_path):
    folder, mandate_file = case
    out = tmp_path / "alts.json"
    args = ["alternatives", folder, "-m", mandate_file, "--count", "2", "--slack", "0.05"]
    invoke([*args, "--toward", "s3, s2", "-o", out], exit_code=0)
    found = allocator.Alternatives.from_json(out.read_text())
    assert found.toward == ("s3", "s2") and len(found.plans) == 2
    table = invoke(args, exit_code=0).stdout
    assert "alternative 2" in table and "cost" in table
    csv = invoke([*args, "--format", "csv"], exit_code=0).stdout
    assert csv.splitlines()[0].startswith("name,objective,cost,cost_share")


def test_cli_bad_input_is_one_line_and_no_file(case, tmp_path):
    folder, mandate_file = case
    out = tmp_path / "alts.json"
    result = invoke(
        ["alternatives", folder, "-m", mandate_file, "--toward", "mars", "-o", out], exit_code=2
    )
    assert result.stderr == "error: --toward: unknown sub-area 'mars'\n"
    assert not out.exists()


def test_cli_infeasible_mandate_exits_1(tmp_path):
    folder, mandate_file = write_case(
        tmp_path, instance(PICK_ONE), {**ONE_DEAL, "deals": {"min_total": 2}}
    )
    result = invoke(["alternatives", folder, "-m", mandate_file], exit_code=1)
    assert "infeasible" in result.stdout
