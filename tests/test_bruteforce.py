"""Random small instances (≤ 12 candidates, one start year, fixed tickets, a mix of limits):
the solver's optimum equals the optimum found by enumerating every subset with numpy."""

from __future__ import annotations

import pytest
from cases import ROWS, enumerate_optimum, random_case
from helpers import instance, solve_checked

from allocator import Status


@pytest.mark.parametrize("seed", range(40))
def test_solver_matches_enumeration(tmp_path, seed):
    candidates, mandate = random_case(seed)
    plan = solve_checked(tmp_path, instance(candidates, ROWS), mandate)
    best = enumerate_optimum(candidates, mandate)
    if best is None:
        assert plan.status == Status.INFEASIBLE
    else:
        assert plan.status == Status.OPTIMAL
        assert plan.objective == pytest.approx(best, rel=1e-7, abs=1e-6)


def test_cases_cover_feasible_and_infeasible():
    """The seeds exercise both outcomes, so neither branch of the test above is dead."""
    outcomes = {enumerate_optimum(*random_case(seed)) is None for seed in range(40)}
    assert outcomes == {True, False}
