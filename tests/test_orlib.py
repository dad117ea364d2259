"""OR-Library mknap1: each of the 7 problems, mapped to an allocation, reaches its known optimum."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import allocator
from allocator.check import check_plan
from allocator.inputs.instance import save_instance
from allocator.synthetic.orlib import knapsack_instance, read_mknap

PROBLEMS = read_mknap(Path(__file__).parent / "data" / "orlib" / "mknap1.txt")


def test_file_parses_to_seven_problems():
    assert [len(p.profit) for p in PROBLEMS] == [6, 10, 15, 20, 28, 39, 50]
    assert [p.optimum for p in PROBLEMS] == [3800, 8706.1, 4015, 6120, 12400, 10618, 16537]


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_reaches_known_optimum(tmp_path, problem):
    inst, mandate = knapsack_instance(problem)
    plan = allocator.solve(inst, mandate)
    assert plan.status == allocator.Status.OPTIMAL
    assert plan.objective == pytest.approx(problem.optimum, abs=1e-6)
    chosen = [int(i.id[1:]) for i in plan.investments]
    assert sum(problem.profit[j] for j in chosen) == pytest.approx(problem.optimum)
    for row, cap in zip(problem.weight, problem.capacity, strict=True):
        assert sum(row[j] for j in chosen) <= cap
    folder = save_instance(inst, tmp_path / "inst")
    mandate_file = tmp_path / "m.yaml"
    mandate_file.write_text(yaml.safe_dump(mandate.model_dump(mode="json", exclude_none=True)))
    assert check_plan(plan.to_dict(), folder, mandate_file).ok
