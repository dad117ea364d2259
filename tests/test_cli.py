"""The command line: formats, exit codes, --set edits, check, schema, and the installed script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import cand, instance, invoke, write_case

from allocator.check import check_plan


@pytest.fixture
def case(tmp_path: Path) -> tuple[Path, Path]:
    inst = instance(
        [
            cand("a", "s1", ticket=(10, 50), r=1.0),
            cand("b", "s2", ticket=40, r=0.5),
            cand("c", "s3", ticket=30, r=0.8, p=0.4),
        ]
    )
    mandate = {"budget": 100, "objective": {"strategic_weight": 0}, "solver": {"mip_gap": 0}}
    return write_case(tmp_path, inst, mandate)


def test_json_is_the_only_thing_on_stdout(case):
    folder, mandate = case
    result = invoke(["solve", folder, "-m", mandate, "--format", "json"], exit_code=0)
    plan = json.loads(result.stdout)
    assert plan["status"] == "optimal"
    assert list(plan) == [
        "status",
        "objective",
        "bound",
        "gap",
        "objective_terms",
        "investments",
        "totals",
        "metrics",
        "cash_flows",
        "binding",
        "diagnosis",
        "solver",
        "instance",
        "mandate",
        "provenance",  # keys added since: never renamed, always after the first ones
        "marginal_values",
        "rationale",
    ]
    assert set(plan["objective_terms"]) == {"strategic", "return"}
    assert check_plan(plan, folder, mandate).ok


def test_json_is_deterministic_apart_from_timings(case, tmp_path):
    folder, mandate = case
    outputs = []
    for n in range(2):
        out = tmp_path / f"p{n}.json"
        invoke(["solve", folder, "-m", mandate, "--format", "json", "-o", out], exit_code=0)
        plan = json.loads(out.read_text())
        plan["solver"] = {k: v for k, v in plan["solver"].items() if "seconds" not in k}
        outputs.append(json.dumps(plan))
    assert outputs[0] == outputs[1]


def test_table_and_csv(case, tmp_path):
    folder, mandate = case
    table = invoke(["solve", folder, "-m", mandate], exit_code=0).stdout
    assert "optimal" in table and "Committed by pillar" in table and "Investments by year" in table
    out = tmp_path / "plan.csv"
    invoke(["solve", folder, "-m", mandate, "--format", "csv", "-o", out], exit_code=0)
    rows = out.read_text().splitlines()
    assert rows[0].startswith("id,name,pillar_id,sub_area_id,start_year,amount")
    assert len(rows) == 1 + 3 - 1  # a (50) and c (30) fit the budget of 100 best; b does not


def test_set_force_in_and_force_out(case):
    folder, mandate = case
    plan = json.loads(
        invoke(["solve", folder, "-m", mandate, "--format", "json", "--set", "budget=40"], 0).stdout
    )
    assert plan["totals"]["committed"] == 40
    plan = json.loads(
        invoke(["solve", folder, "-m", mandate, "--format", "json", "--force-in", "b"], 0).stdout
    )
    assert "b" in {i["id"] for i in plan["investments"]}
    plan = json.loads(
        invoke(["solve", folder, "-m", mandate, "--format", "json", "--force-out", "a"], 0).stdout
    )
    assert "a" not in {i["id"] for i in plan["investments"]}


def test_set_reaches_nested_and_year_keys(case):
    folder, mandate = case
    args = [
        "solve",
        folder,
        "-m",
        mandate,
        "--format",
        "json",
        "--set",
        "pillars.p2.max_amount=0",
        "--set",
        "pacing.annual_max.2026=45",
        "--set",
        "risk.max_expected_loss_share=0.5",
    ]
    plan = json.loads(invoke(args, 0).stdout)
    assert plan["totals"]["by_pillar"].get("p2", 0) == 0
    assert plan["totals"]["committed"] == 45
    assert {b["key"] for b in plan["binding"]} >= {
        "pacing.annual_max.2026",
        "pillars.p2.max_amount",
    }


def test_infeasible_exits_1(case):
    folder, mandate = case
    result = invoke(
        [
            "solve",
            folder,
            "-m",
            mandate,
            "--set",
            "min_deployment=1",
            "--set",
            "budget=5",
            "--format",
            "json",
        ],
        exit_code=1,
    )
    assert json.loads(result.stdout)["status"] == "infeasible"


def test_time_limit_without_solution_exits_3(tmp_path):
    """A large, hard knapsack with a tiny time limit ends before HiGHS finds any incumbent."""
    import random

    rng = random.Random(0)
    cands = [
        cand(
            f"c{j}",
            rng.choice(["s1", "s2", "s3"]),
            ticket=rng.randint(10, 99),
            r=rng.random(),
            years=(2026, 2035),
            attributes={"k": rng.randint(1, 9)},
        )
        for j in range(3000)
    ]
    mandate = {
        "budget": 20000,
        "min_deployment": 0.999,
        "deals": {"min_total": 400},
        "limits": [{"name": "k", "attribute": "k", "per": "deal", "max": 2100}],
        "pacing": {"annual_min": 1990, "annual_max": 2000},
    }
    folder, mandate_file = write_case(tmp_path, instance(cands), mandate)
    result = invoke(
        ["solve", folder, "-m", mandate_file, "--time-limit", "0.01", "--format", "json"],
        exit_code=3,
    )
    assert json.loads(result.stdout)["status"] == "no_solution"


def test_validate_and_schema(case):
    folder, mandate = case
    assert invoke(["validate", folder, "-m", mandate], 0).stdout.splitlines()[-1] == "valid"
    for what in ("instance", "mandate", "plan"):
        schema = json.loads(invoke(["schema", what], 0).stdout)
        assert schema["type"] == "object"
    plan_schema = json.loads(invoke(["schema", "plan"], 0).stdout)
    assert "return" in plan_schema["$defs"]["ObjectiveTerms"]["properties"]
    mandate_schema = json.loads(invoke(["schema", "mandate"], 0).stdout)
    assert mandate_schema["additionalProperties"] is False


def test_check_command(case, tmp_path):
    folder, mandate = case
    out = tmp_path / "plan.json"
    invoke(["solve", folder, "-m", mandate, "--format", "json", "-o", out], exit_code=0)
    assert "ok" in invoke(["check", out, folder, "-m", mandate], 0).stdout
    plan = json.loads(out.read_text())
    plan["investments"][0]["amount"] = 1000
    out.write_text(json.dumps(plan))
    result = invoke(["check", out, folder, "-m", mandate], exit_code=1)
    assert "budget" in result.stdout
    out.write_text("{not json")
    invoke(["check", out, folder, "-m", mandate], exit_code=2)


def test_check_of_an_edited_solve(case, tmp_path):
    folder, mandate = case
    out = tmp_path / "plan.json"
    invoke(
        ["solve", folder, "-m", mandate, "--set", "budget=200", "--format", "json", "-o", out], 0
    )
    plan = json.loads(out.read_text())
    assert plan["mandate"] == "mandate" and plan["provenance"]["edits"] == {"budget": 200}
    invoke(["check", out, folder, "-m", mandate], exit_code=0)  # with the edits it records
    ignored = invoke(["check", out, folder, "-m", mandate, "--ignore-edits"], exit_code=1)
    assert "budget" in ignored.stdout  # it breaks the file's budget of 100
    invoke(["check", out, folder, "-m", mandate, "--set", "budget=150"], exit_code=1)


def test_installed_console_script(case):
    """The console script runs as a separate process: JSON alone on stdout, no solver banner."""
    script = shutil.which("allocator", path=str(Path(sys.executable).parent))
    assert script is not None
    folder, mandate = case
    done = subprocess.run(
        [script, "solve", str(folder), "-m", str(mandate), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "optimal"
    assert "HiGHS" not in done.stdout
    bad = subprocess.run(
        [script, "solve", str(folder), "-m", str(mandate), "--set", "budget=-1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


def test_progress_reads_the_highs_log():
    from allocator.cli.progress import SolveProgress

    class Screen:
        def __init__(self):
            self.shown = []

        def update(self, renderable):
            self.shown.append(str(renderable))

    screen = Screen()
    stream = SolveProgress(screen)
    row = (
        " L       0       0         0   0.00%   14634.2    14630.1       0.03%"
        "      822     83     39      3616     3.4s"
    )
    stream.write("Presolving model\n" + row[:40])
    stream.write(row[40:] + "\n")
    assert (
        screen.shown[-1]
        == "HiGHS solving: incumbent 14630.1  bound 14634.2  gap 0.03%  elapsed 3.4s"
    )


def test_forced_progress_keeps_stdout_clean(case):
    folder, mandate = case
    result = invoke(["solve", folder, "-m", mandate, "--format", "json", "--progress"], exit_code=0)
    assert json.loads(result.stdout)["status"] == "optimal"
    # stderr is no terminal here: the progress comes as plain lines (it once said nothing)
    assert "HiGHS presolving: incumbent -" in result.stderr
