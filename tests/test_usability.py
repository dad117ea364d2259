"""What a new analyst hit, each as a test: the trial's commands give right answers and clear
errors. Small instances where the point is a rule; the reference instance where the point is
the trial's own command."""

from __future__ import annotations

import json
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

import numpy as np
import pandas as pd
import pytest
import yaml
from cases import base, mandate
from helpers import cand, instance, invoke, write_case
from pydantic import BaseModel

import allocator
from allocator.errors import InputError
from allocator.inputs.mandate import Mandate
from allocator.inputs.scenarios import Scenarios
from allocator.results.status import Status
from allocator.solving.rationale import rationale
from allocator.solving.settings import settings_for

REFERENCE = allocator.bundled("instances/sri-2025")


# --------------------------------------------------------------------------- what-ifs


def test_the_trials_what_ifs_answer_and_one_failure_loses_nothing(tmp_path):
    """Limits added for sub-areas the base does not list once crashed (KeyError 'max_share')
    and lost the file's other answers; a base plan that keeps an edit was beaten by a worse
    re-solve (min_deployment 1.0: −5.1; max_lead_time 7: −1.3)."""
    whatifs = tmp_path / "whatifs.yaml"
    whatifs.write_text(
        yaml.safe_dump(
            {
                "nuclear floor": {"set": {"sub_areas.nuclear.min_amount": 500}},
                "quantum deals": {"set": {"sub_areas.quantum.min_count": 2}},
                "full deployment": {"set": {"min_deployment": 1.0}},
                "lead cap 7": {"set": {"lead_time.max_lead_time": 7}},
                "typo": {"set": {"budgte": 5}},
                "unknown deal": {"force_in": ["nope"]},
            }
        )
    )
    result = invoke(["whatif", whatifs, "--format", "json"], 2)
    rows = {row["name"]: row for row in json.loads(result.stdout)["summary"]}
    assert len(rows) == 7
    for name in ("nuclear floor", "quantum deals", "full deployment", "lead cap 7"):
        assert rows[name]["status"] == "optimal", name
    nuclear = json.loads(result.stdout)["plans"]["nuclear floor"]
    assert nuclear["totals"]["by_sub_area"]["nuclear"] >= 500 - 1e-6
    base_objective = rows["base"]["objective"]
    for name in ("full deployment", "lead cap 7"):  # the base plan keeps both edits
        assert rows[name]["objective"] >= base_objective - 1e-9, name
        assert rows[name]["significant"] is False, name
    assert rows["typo"]["status"] == "failed"
    assert rows["typo"]["error"] == "what-if 'typo': budgte: unknown key"
    assert rows["unknown deal"]["error"] == (
        "what-if 'unknown deal': force_in: unknown candidate id 'nope'"
    )
    assert result.stderr.splitlines() == [
        "error: what-if 'typo': budgte: unknown key",
        "error: what-if 'unknown deal': force_in: unknown candidate id 'nope'",
    ]
    inst = allocator.load_instance(REFERENCE)
    session = allocator.Session(
        inst, allocator.load_mandate(allocator.bundled("models/baseline.yaml"))
    )
    session.solve()
    plan = session.solve(session.mandate.with_changes({"sub_areas.nuclear.min_amount": 500}))
    assert plan.objective == pytest.approx(rows["nuclear floor"]["objective"], rel=2e-3)


def _toy() -> allocator.Instance:
    """The family base pipeline with groups and three loss scenarios, for every key."""
    inst = instance(base(a={"group": "g"}, b={"group": "g"}))
    loss = np.array([[0, 0, 1, 0], [1, 0, 0, 1], [0, 1, 1, 0]], dtype=float)
    return inst.with_scenarios(Scenarios(("x", "y", "z"), np.full(3, 1 / 3), loss))


# every key of a mandate, added to a Session whose base has none of the optional ones
ADDED_KEYS: list[tuple[str, Any]] = [
    ("budget", 90),
    ("min_deployment", 0.5),
    ("horizon.start", 2025),
    ("horizon.years", 5),
    ("value_horizon", 2040),
    ("pacing.annual_max", 60),
    ("pacing.annual_min", {2026: 50}),
    ("pacing.cumulative_max", {2026: 80}),
    ("pacing.commit_max", {2026: 80}),
    ("pacing.commit_min", {2026: 30}),
    ("pacing.net_max", {2026: 60}),
    ("recycling", {"share": 0.5, "until": 2030}),
    ("deals.max_per_year", 2),
    ("deals.max_total", 2),
    ("deals.min_total", 4),
    *[
        (f"{section}.{ident}.{name}", value)
        for section, ident in (("pillars", "p2"), ("sub_areas", "s3"), ("sub_areas", "default"))
        for name, value in (
            ("min_share", 0.02),
            ("max_share", 0.03),
            ("min_amount", 25),
            ("max_amount", 25),
            ("min_count", 2),
            ("max_count", 1),
        )
    ],
    ("share_basis", "deployed"),
    ("risk.max_expected_loss_share", 0.05),
    ("risk.high_risk_threshold", 0.3),
    ("risk.max_high_risk_share", 0.1),
    ("risk.cvar", {"alpha": 0.6, "max_share": 0.04}),
    ("lead_time.max_lead_time", 3),
    ("lead_time.impact_by", [{"year": 2030, "min_share": 0.06, "min_amount": 10}]),
    ("lead_time.sub_area_deadlines", {"s3": {"year": 2030, "min_amount": 30}}),
    ("limits", [{"name": "seats", "attribute": "seats", "per": "deal", "max": 2, "min": 1}]),
    ("groups.g.max_count", 1),
    ("groups.g.min_count", 2),
    ("force_in", ["d"]),
    ("force_out", ["a"]),
    ("objective.strategic_weight", 1.0),
    ("objective.return_weight", 2.0),
    ("objective.cvar_weight", 0.5),
    ("objective.discount_rate", 0.1),
    ("solver.time_limit", 30),
    ("solver.mip_gap", 0.0001),
    ("solver.threads", 1),
    ("solver.seed", 3),
    ("name", "renamed"),
    ("description", "a what-if"),
]


def _leaves(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every leaf key of a section model, ``<id>`` for map keys and ``<n>`` for positions."""
    leaves = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        target = info.annotation
        if get_origin(target) in (Union, UnionType):  # ``X | None``: the X
            target = next(a for a in get_args(target) if a is not type(None))
        origin = get_origin(target)
        args = get_args(target)
        if isinstance(target, type) and issubclass(target, BaseModel):
            leaves += _leaves(target, path + ".")
        elif origin is dict and isinstance(args[1], type) and issubclass(args[1], BaseModel):
            leaves += _leaves(args[1], path + ".<id>.")
        elif origin is tuple and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            leaves += _leaves(args[0], path + ".<n>.")
        else:
            leaves.append(path)
    return leaves


def _pattern(key: str) -> str:
    parts = key.split(".")
    if parts[0] in ("pillars", "sub_areas", "groups") and len(parts) > 1:
        parts[1] = "<id>"
    return ".".join(parts)


def test_every_mandate_key_is_in_the_added_keys():
    covered = [_pattern(k) for k, _ in ADDED_KEYS]
    for leaf in _leaves(Mandate):
        assert any(leaf == c or leaf.startswith(c + ".") for c in covered), leaf


@pytest.mark.parametrize(("key", "value"), ADDED_KEYS, ids=[k for k, _ in ADDED_KEYS])
def test_every_mandate_key_added_in_a_session_equals_a_cold_solve(key, value):
    inst = _toy()
    start = Mandate.model_validate(mandate(budget=120))
    session = allocator.Session(inst, start)
    session.solve()
    edited = start.with_changes({key: value})
    warm = session.solve(edited)
    cold = allocator.solve(inst, edited)
    assert warm.status == cold.status
    if cold.found:
        gap = max(edited.solver.mip_gap, 1e-9)
        assert warm.objective == pytest.approx(cold.objective, rel=gap, abs=1e-6)
        assert warm.provenance.edits == {key: value}


# --------------------------------------------------------------------------- provenance


def test_a_plan_says_what_produced_it_and_check_applies_it(tmp_path):
    """After five edits the plan still said only "baseline", and check found four violations."""
    sets = [
        "budget=9000",
        "pacing.annual_max.2027=1200",
        "pillars.energy.max_share=0.3",
        "sub_areas.ai.max_share=0.05",
        "deals.max_total=60",
    ]
    args = [a for s in sets for a in ("--set", s)] + ["--force-out", "anthropic-series-g"]
    out = tmp_path / "plan.json"
    invoke(["solve", *args, "--time-limit", "50", "--format", "json", "-o", out], 0)
    plan = json.loads(out.read_text())
    assert plan["mandate"] == "baseline"
    assert plan["provenance"] == {
        "edits": {
            "budget": 9000,
            "pacing.annual_max.2027": 1200,
            "pillars.energy.max_share": 0.3,
            "sub_areas.ai.max_share": 0.05,
            "deals.max_total": 60,
            "force_out": ["anthropic-series-g"],
        },
        "scenarios": None,
        "time_limit": 50.0,
        "gap": 0.001,
    }
    assert invoke(["check", out], 0).stdout == "ok: every limit holds\n"
    assert "violation" in invoke(["check", out, "--ignore-edits"], 1).stdout
    table = allocator.Plan.from_json(out.read_text())
    from allocator.cli.render import plan_title

    assert plan_title(table).startswith("Plan: sri-2025 under baseline (edited: 6 changes: budget")


def test_session_plans_record_their_edits():
    inst = instance(base())
    start = Mandate.model_validate(mandate(budget=100))
    session = allocator.Session(inst, start)
    assert session.solve().provenance.edits == {}
    edited = start.with_changes({"budget": 90}).with_changes({"deals.max_total": 2})
    assert session.solve(edited).provenance.edits == {"budget": 90, "deals.max_total": 2}


# --------------------------------------------------------------------------- numbers


def test_no_reported_total_exceeds_a_limit_it_keeps():
    """Three sub-areas capped at a third of a budget of 2 each take 2/3: amounts rounded to six
    decimals summed to 2.000001, above the budget and each cap."""
    inst = instance(
        [cand(c, s, ticket=(0, 1), r=0.5) for c, s in (("a", "s1"), ("b", "s2"), ("c", "s3"))]
    )
    cap = 2 / 3
    limits = Mandate.model_validate(mandate(budget=2, sub_areas={"default": {"max_amount": cap}}))
    plan = allocator.solve(inst, limits)
    assert plan.totals.committed <= 2.0
    assert all(v <= cap for v in plan.totals.by_sub_area.values())
    assert [i.amount for i in plan.investments] == [cap, cap, cap]  # full precision
    back = allocator.Plan.from_json(plan.to_json())
    assert [i.amount for i in back.investments] == [cap, cap, cap]
    assert back.investments[0].expected_return == 0.5  # no float artefact
    assert isinstance(back.investments[0].impact_year, int)
    assert plan.totals.by_sub_area == {"s1": cap, "s2": cap, "s3": cap}  # every sub-area


def test_per_dollar_fields_carry_their_unit_in_the_schema():
    schema = allocator.Plan.model_json_schema(by_alias=True)
    investment = schema["$defs"]["Investment"]["properties"]
    assert investment["expected_return"]["unit"] == "USD per USD committed"
    assert investment["impact_year"]["type"] == "integer"


# --------------------------------------------------------------------------- errors


def test_a_sweep_whose_variants_all_fail_exits_2(tmp_path):
    folder, mandate_file = write_case(tmp_path, instance(base()), mandate(budget=100))
    grid = tmp_path / "grid.yaml"
    grid.write_text(yaml.safe_dump({"grid": {"budjet": [1, 2]}}))
    result = invoke(
        ["sweep", folder, grid, "-m", mandate_file, "--workers", "0", "--format", "csv"], 2
    )
    table = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert list(table["name"]) == ["budjet=1", "budjet=2"] and set(table["status"]) == {"failed"}
    assert "what-if 'budjet=1': budjet: unknown key" in result.stderr


def test_output_paths_are_checked_before_any_solving(tmp_path, monkeypatch):
    import allocator.cli.commands as commands

    monkeypatch.setattr(commands, "solve_plan", lambda *a, **k: pytest.fail("solved first"))
    folder, mandate_file = write_case(tmp_path, instance(base()), mandate())
    for command in (["solve"], ["explain"]):
        result = invoke([*command, folder, "-m", mandate_file, "-o", tmp_path / "no" / "p.json"], 2)
        assert (
            result.stderr
            == f"error: {tmp_path / 'no' / 'p.json'}, -o/--output: output folder does not exist\n"
        )
    invoke(
        [
            "frontier",
            folder,
            "-m",
            mandate_file,
            "--vary",
            "budget",
            "--from",
            "1",
            "--to",
            "2",
            "--plot",
            tmp_path / "no" / "f.html",
        ],
        2,
    )


def test_a_candidate_outside_the_horizon_is_warned_about(tmp_path):
    inst = instance([*base(), cand("late", "s1", years=(2040, 2042))])
    folder, mandate_file = write_case(tmp_path, inst, mandate())
    result = invoke(["validate", folder, "-m", mandate_file], 0)
    assert result.stderr == (
        "warning: candidates.csv, late: start window 2040-2042 lies outside the horizon "
        "2026-2035, so it can never be chosen\n"
    )


def test_api_errors_speak_the_apis_words():
    limits = Mandate.model_validate(mandate())
    with pytest.raises(InputError) as edit:
        limits.with_changes({"budgte": 5})
    assert str(edit.value) == "budgte: unknown key"
    with pytest.raises(InputError) as setting:
        settings_for(limits, time_limit=-1)
    assert str(setting.value) == "time_limit: Input should be greater than 0"


# --------------------------------------------------------------------------- bundled inputs


def test_bundled_inputs_have_names_and_are_never_written(tmp_path):
    listed = invoke(["list"], 0).stdout
    for name in ("sri-2025", "baseline", "defense-first", "ten-questions"):
        assert name in listed
    assert invoke(["validate", "sri-2025", "-m", "defense-first"], 0).stdout.endswith("valid\n")
    missing = invoke(["validate", "-m", "defence-first"], 2).stderr
    assert "defence-first: file not found (bundled mandates: baseline, defense-first" in missing
    before = sorted(p.name for p in Path(REFERENCE).iterdir())
    refused = invoke(["scenarios", "--count", "5"], 2).stderr
    assert "sri-2025 is a bundled instance and is not written to: give -o PATH" in refused
    assert sorted(p.name for p in Path(REFERENCE).iterdir()) == before
    out = tmp_path / "s.csv"
    invoke(["scenarios", "--count", "5", "-o", out], 0)
    assert out.is_file()


def test_generate_refuses_a_folder_that_is_not_empty(tmp_path):
    target = tmp_path / "gen"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    assert (
        "not empty (--force writes into it)"
        in invoke(["generate", "--candidates", "5", "-o", target], 2).stderr
    )
    invoke(["generate", "--candidates", "5", "-o", target, "--force"], 0)
    assert (target / "candidates.csv").is_file() and (target / "keep.txt").is_file()


def test_what_if_progress_comes_as_plain_lines(tmp_path):
    folder, mandate_file = write_case(tmp_path, instance(base()), mandate(budget=100))
    whatifs = tmp_path / "w.yaml"
    whatifs.write_text(yaml.safe_dump({"rich": {"set": {"budget": 200}}}))
    result = invoke(
        ["whatif", folder, whatifs, "-m", mandate_file, "--progress", "--format", "csv"], 0
    )
    assert [line.split(" (")[0] for line in result.stderr.splitlines()] == [
        "what-ifs: 1/2",
        "what-ifs: 2/2",
    ]


# --------------------------------------------------------------------------- committee outputs


def test_the_plan_table_shows_what_a_committee_asks(tmp_path):
    inst = _toy()
    keys = mandate(
        budget=100,
        pacing={"annual_max": 100},
        lead_time={"impact_by": [{"year": 2030, "min_share": 0.5}]},
        risk={"cvar": {"alpha": 0.6}},
        sub_areas={"s2": {"max_amount": 0}},
    )
    folder, mandate_file = write_case(tmp_path, inst, keys)
    from allocator.inputs.scenario_file import save_scenarios

    save_scenarios(inst.scenarios, inst, folder / "scenarios.csv")
    table = invoke(["solve", folder, "-m", mandate_file], 0).stdout
    assert "CVaR 60% of the scenario loss ($M)" in table
    assert "Committed by sub-area" in table and "│ s2       │  0.0 │" in table
    assert "Capital by year" in table and "2027 (after the horizon)" not in table
    assert "Impact online by" in table


def test_result_tables_keep_names_and_flat_cells(tmp_path):
    folder, mandate_file = write_case(tmp_path, instance(base()), mandate(budget=100))
    grid = tmp_path / "grid.yaml"
    grid.write_text(yaml.safe_dump({"variants": [{"name": "poorer", "set": {"budget": 60}}]}))
    swept = invoke(["sweep", folder, grid, "-m", mandate_file, "--workers", "0"], 0).stdout
    assert "poorer" in swept
    plot = tmp_path / "f.html"
    front = invoke(
        [
            "frontier",
            folder,
            "-m",
            mandate_file,
            "--vary",
            "budget",
            "--from",
            "60",
            "--to",
            "100",
            "--points",
            "3",
            "--format",
            "csv",
            "--plot",
            plot,
        ],
        0,
    ).stdout
    assert "{" not in front and "significant" in front.splitlines()[0]
    assert '"yaxis3"' in plot.read_text()  # one panel per series, not one shared axis
    whatifs = tmp_path / "w.yaml"
    whatifs.write_text(yaml.safe_dump({"no c": {"force_out": ["c"]}}))
    assert (
        "{"
        not in invoke(["whatif", folder, whatifs, "-m", mandate_file, "--format", "csv"], 0).stdout
    )
    header = invoke(
        ["explain", folder, "-m", mandate_file, "--format", "csv"], 0
    ).stdout.splitlines()[0]
    assert header.startswith("key,value,sense,measure,rows,dual,valid_from,valid_to")


def test_compare_shows_whole_years_and_writes_every_change(tmp_path):
    folder, mandate_file = write_case(tmp_path, instance(base()), mandate(budget=100))
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    invoke(["solve", folder, "-m", mandate_file, "--format", "json", "-o", a], 0)
    invoke(
        ["solve", folder, "-m", mandate_file, "--force-out", "c", "--format", "json", "-o", b], 0
    )
    table = invoke(["compare", a, b], 0).stdout
    assert "2026" in table and "2,026" not in table
    assert "larger than the two plans' MIP gaps" in table
    rows = pd.read_csv(
        pd.io.common.StringIO(invoke(["compare", a, b, "--format", "csv"], 0).stdout)
    )
    changes = rows[rows["group"] == "investment"].set_index("key")
    assert changes.loc["c", "kind"] == "removed" and changes.loc["b", "kind"] == "added"
    assert changes.loc["b", "year"] == 2026
    objective = rows[(rows["group"] == "metric") & (rows["key"] == "objective")]
    assert bool(objective["significant"].iloc[0])


def test_per_deal_rationale_brackets_the_re_solved_cost():
    """budget 100 chooses a, c, d (80). Forcing a out leaves b, c, d: 50, a cost of 30;
    forcing b in is best with a: 70, a cost of 10."""
    inst = instance(base())
    limits = Mandate.model_validate(mandate(budget=100))
    plan = allocator.solve(inst, limits)
    found = {r.id: r for r in rationale(inst, limits, plan, verify=True)}
    for cid, chosen, cost in (("a", True, 30), ("b", False, 10)):
        r = found[cid]
        assert r.chosen is chosen and r.verified and r.cost == pytest.approx(cost)
        assert r.cost_at_least <= cost + 1e-9 and (
            r.cost_at_most is None or cost <= r.cost_at_most + 1e-9
        )
        assert r.significant
    explained = invoke_explain_rationale(inst, limits)
    assert {r["id"] for r in explained["rationale"]} == {"a", "b", "c", "d"}


def invoke_explain_rationale(inst: allocator.Instance, limits: Mandate) -> dict[str, Any]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        instance_dir, mandate_file = write_case(
            Path(folder), inst, limits.model_dump(mode="json", exclude_none=True)
        )
        out = invoke(
            ["explain", instance_dir, "-m", mandate_file, "--rationale", "--format", "json"], 0
        )
    return json.loads(out.stdout)


def test_a_deal_that_cannot_be_forced_says_why():
    inst = instance([*base(), cand("late", "s1", years=(2040, 2040))])
    limits = Mandate.model_validate(
        mandate(budget=100, force_out=["b"], lead_time={"max_lead_time": 3})
    )
    plan = allocator.solve(inst, limits)
    notes = {r.id: r.note for r in rationale(inst, limits, plan) if not r.feasible}
    assert notes == {
        "b": "forced out by the mandate",
        "c": "its lead time exceeds lead_time.max_lead_time",
        "late": "its start window lies outside the horizon",
    }
    assert plan.status == Status.OPTIMAL
