"""CVaR over loss scenarios: the reported metric equals an independent recomputation from the
scenario file, the limit holds, and the optimum equals brute force on a small instance."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from helpers import cand, instance, invoke, write_case

import allocator
from allocator import Mandate, Status
from allocator.check import check_plan
from allocator.inputs.scenario_file import save_scenarios
from allocator.synthetic.sampling import sample_scenarios


def pipeline() -> list:
    return [
        cand(f"c{j}", sub, ticket=t, r=r, p=p)
        for j, (sub, t, r, p) in enumerate(
            [
                ("s1", 40, 1.2, 0.4),
                ("s1", 30, 0.9, 0.3),
                ("s2", 50, 0.6, 0.2),
                ("s2", 20, 0.8, 0.35),
                ("s3", 40, 1.5, 0.5),
                ("s3", 30, 0.4, 0.1),
                ("s1", 25, 0.7, 0.25),
                ("s3", 35, 1.0, 0.45),
            ]
        )
    ]


@pytest.fixture
def case(tmp_path):
    inst = instance(pipeline())
    scenarios = sample_scenarios(
        inst, 400, seed=3, pillar_correlation=0.4, sub_area_correlation=0.3
    )
    keys = {
        "budget": 150,
        "objective": {"strategic_weight": 0},
        "solver": {"mip_gap": 0},
        "risk": {"cvar": {"alpha": 0.9, "max_share": 0.35}},
    }
    folder, mandate_file = write_case(tmp_path, inst, keys)
    save_scenarios(scenarios, inst, folder / "scenarios.csv")
    return folder, mandate_file, keys


def portfolio_cvar(folder, plan: allocator.Plan, alpha: float) -> float:
    """CVaR_α straight from the CSV: mean of the worst (1 − α) probability mass of losses."""
    table = pd.read_csv(folder / "scenarios.csv")
    losses = sum(inv.amount * table[inv.id].to_numpy(float) for inv in plan.investments)
    losses = np.sort(np.asarray(losses, dtype=float))[::-1]
    mass = (1 - alpha) * len(losses)  # equal probabilities 1/S
    whole = int(np.floor(mass))
    return float((losses[:whole].sum() + (mass - whole) * losses[whole]) / mass)


def test_cvar_metric_and_limit(case):
    folder, mandate_file, keys = case
    inst = allocator.load_instance(folder)
    assert inst.scenarios is not None  # picked up from the folder
    plan = allocator.solve(inst, allocator.load_mandate(mandate_file))
    assert plan.status == Status.OPTIMAL
    reported = plan.metrics.cvar["cvar"]
    assert reported == pytest.approx(portfolio_cvar(folder, plan, 0.9), rel=1e-6)
    assert reported <= 0.35 * 150 + 1e-6
    assert check_plan(plan.to_dict(), folder, mandate_file).ok
    loose = allocator.solve(
        inst, allocator.load_mandate(mandate_file).with_changes({"risk.cvar.max_share": 1})
    )
    assert loose.metrics.cvar["cvar"] > reported  # the limit bites in this case


def brute_force(inst, mandate: Mandate, loss: np.ndarray) -> float:
    best = -np.inf
    ticket = np.array([c.ticket_max for c in inst.candidates])
    rate = np.array([c.expected_net_return for c in inst.candidates])
    alpha, cap = mandate.risk.cvar.alpha, mandate.risk.cvar.max_share * mandate.budget
    for x in itertools.product([0, 1], repeat=len(ticket)):
        amounts = ticket * np.array(x)
        if amounts.sum() > mandate.budget:
            continue
        losses = loss @ amounts
        cvar = min(eta + np.maximum(losses - eta, 0).mean() / (1 - alpha) for eta in losses)
        if cvar <= cap + 1e-9:
            best = max(best, float(rate @ amounts))
    return best


@pytest.mark.parametrize("cap", [0.15, 0.25, 0.4])
def test_cvar_optimum_equals_brute_force(cap):
    inst = instance(pipeline())
    scenarios = sample_scenarios(
        inst, 60, seed=round(cap * 100), pillar_correlation=0.5, sub_area_correlation=0.3
    )
    inst = inst.with_scenarios(scenarios)
    mandate = Mandate.model_validate(
        {
            "budget": 150,
            "objective": {"strategic_weight": 0},
            "solver": {"mip_gap": 0},
            "risk": {"cvar": {"alpha": 0.8, "max_share": cap}},
        }
    )
    plan = allocator.solve(inst, mandate)
    assert plan.objective == pytest.approx(
        brute_force(inst, mandate, np.asarray(scenarios.loss, float)), abs=1e-6
    )


def test_cvar_weight_trades_return_for_tail_risk(case):
    folder, _, keys = case
    inst = allocator.load_instance(folder)
    base = Mandate.model_validate({**keys, "risk": {"cvar": {"alpha": 0.9}}})
    plain = allocator.solve(inst, base)
    penalised = allocator.solve(inst, base.with_changes({"objective.cvar_weight": 2.0}))
    assert penalised.metrics.cvar["cvar"] < plain.metrics.cvar["cvar"]
    expected = penalised.objective_terms.return_ - 2.0 * penalised.metrics.cvar["cvar"]
    assert penalised.objective == pytest.approx(expected, abs=1e-4)


def test_cvar_needs_scenarios(tmp_path):
    folder, mandate_file = write_case(
        tmp_path, instance(pipeline()), {"budget": 100, "risk": {"cvar": {"max_share": 0.2}}}
    )
    result = invoke(["solve", folder, "-m", mandate_file], exit_code=2)
    assert "risk.cvar: needs loss scenarios" in result.stderr


def test_scenarios_command_and_option(case, tmp_path):
    folder, mandate_file, _ = case
    out = tmp_path / "other.csv"
    invoke(["scenarios", folder, "--count", "50", "--seed", "1", "-o", out], 0)
    assert len(pd.read_csv(out)) == 50
    result = invoke(
        ["solve", folder, "-m", mandate_file, "--scenarios", out, "--format", "json"], 0
    )
    assert result.stdout.count('"cvar"') >= 2
    invoke(["scenarios", folder, "--count", "0", "-o", out], 2)
    invoke(
        [
            "scenarios",
            folder,
            "--pillar-correlation",
            "0.8",
            "--sub-area-correlation",
            "0.5",
            "-o",
            out,
        ],
        2,
    )
