"""Time value, checked against computations that share no code with the model: IRR against
numpy-financial, NPV objectives with commitment, net-cash and recycling limits against
enumeration over start years, a zero discount rate against the undiscounted term, and sampled
outcomes with their right tail. Every plan also goes through the independent checker."""

from __future__ import annotations

import itertools
import json
import math
import random
from typing import Any

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest
from cases import ROWS, base, mandate, random_case
from helpers import TAXONOMY, cand, chosen, instance, invoke, solve_checked, write_case

import allocator
from allocator.results.cash_flows import irr
from allocator.synthetic.sampling import sample_scenarios

START, END, VALUE_HORIZON = 2026, 2035, 2045
GAP = {s: g for _, s, g in TAXONOMY}


def sign_changes(flows: list[float]) -> int:
    signs = [f > 0 for f in flows if f != 0]
    return sum(a != b for a, b in itertools.pairwise(signs))


@pytest.mark.parametrize("seed", range(40))
def test_irr_agrees_with_numpy_financial(seed):
    """Random yearly flows with one change of sign (so exactly one rate solves them)."""
    rng = random.Random(seed)
    out = [-rng.uniform(1, 100) for _ in range(rng.randint(1, 6))]
    back = [rng.choice([0.0, rng.uniform(0, 150)]) for _ in range(rng.randint(1, 12))]
    back[-1] = rng.uniform(1, 150)
    flows = out + [0.0] * rng.randint(0, 4) + back
    assert sign_changes(flows) == 1
    assert irr(flows) == pytest.approx(float(npf.irr(flows)), abs=1e-9)


def test_irr_is_undefined_without_a_change_of_sign():
    assert irr([-10.0, -5.0]) is None and irr([0.0, 3.0]) is None and irr([]) is None


def test_the_plan_irr_is_that_of_its_net_cash_flows(tmp_path):
    """Calls over two years, holds from the lead time, proceeds over three years."""
    changes = {
        "a": {"call_schedule": (0.5, 0.5), "distribution_schedule": (0.2, 0.3, 0.5)},
        "b": {"hold": 4},
        "c": {"distribution_schedule": (0.5, 0.5)},
        "d": {"hold": 3},
    }
    plan = solve_checked(tmp_path, instance(base(**changes)), mandate())
    net = [f.net for f in plan.cash_flows]
    assert sign_changes(net) == 1
    assert plan.metrics.irr == pytest.approx(float(npf.irr(net)), abs=1e-6)
    assert [f.year for f in plan.cash_flows] == list(range(2026, 2026 + len(net)))
    assert plan.cash_flows[-1].cumulative_net == pytest.approx(sum(net), abs=1e-6)
    assert plan.cash_flows[-1].nav == 0.0


@pytest.mark.parametrize("seed", range(8))
def test_a_zero_discount_rate_reproduces_the_undiscounted_return(tmp_path, seed):
    candidates, keys = random_case(seed)
    without = solve_checked(tmp_path / "a", instance(candidates, ROWS), keys)
    discounted = {**keys, "objective": {**keys["objective"], "discount_rate": 0.0}}
    at_zero = solve_checked(tmp_path / "b", instance(candidates, ROWS), discounted)
    assert at_zero.status == without.status
    if without.found:
        assert chosen(at_zero) == chosen(without)
        assert at_zero.objective == pytest.approx(without.objective, abs=1e-9)
        assert at_zero.objective_terms.return_ == pytest.approx(
            without.objective_terms.return_, abs=1e-9
        )


# --------------------------------------------------------------------------- brute force


def hold_of(c: Any) -> int:
    """The documented default: the lead time rounded up, at least the years of the calls."""
    return c.hold if c.hold is not None else max(math.ceil(c.lead_time), len(c.call_schedule))


def flows_of(picks: list[tuple[Any, int]]) -> tuple[dict[int, float], dict[int, float]]:
    """Calls and expected distributions by year, written out from the column definitions."""
    calls: dict[int, float] = {}
    paid: dict[int, float] = {}
    for c, t in picks:
        for k, f in enumerate(c.call_schedule):
            calls[t + k] = calls.get(t + k, 0.0) + f * c.ticket_max
        back = (1 - c.loss_probability) * c.expected_multiple * c.ticket_max
        for k, f in enumerate(c.distribution_schedule):
            year = t + hold_of(c) + k
            paid[year] = paid.get(year, 0.0) + f * back
    return calls, paid


def value(c: Any, t: int, rate: float | None) -> float:
    """Return-term value of a fixed ticket committed in year t (present value at 2026)."""
    if t in c.value_by_start:
        return c.value_by_start[t] * c.ticket_max
    calls, paid = flows_of([(c, t)])
    if rate is None:
        return sum(paid.values()) - sum(calls.values())
    discount = lambda y: (1 + rate) ** (START - y)  # noqa: E731
    return sum(v * discount(y) for y, v in paid.items()) - sum(
        v * discount(y) for y, v in calls.items()
    )


def strategic(c: Any, t: int) -> float:
    operating = max(0, VALUE_HORIZON - (t + c.lead_time))
    return GAP[c.sub_area_id] * c.impact * c.ticket_max * operating / (5 * (VALUE_HORIZON - START))


def feasible(picks: list[tuple[Any, int]], keys: dict[str, Any]) -> bool:
    budget, pacing = keys["budget"], keys.get("pacing", {})
    calls, paid = flows_of(picks)
    committed = {y: sum(c.ticket_max for c, t in picks if t == y) for y in range(START, END + 1)}
    recycling = keys.get("recycling")
    if recycling is None:
        if sum(committed.values()) > budget + 1e-9:
            return False
    else:
        until = recycling.get("until", END)
        for y in range(START, END + 1):
            made = sum(v for t, v in committed.items() if t <= y)
            back = sum(v for t, v in paid.items() if t < y and t <= until)
            if made - recycling["share"] * back > budget + 1e-9:
                return False
    for y, cap in pacing.get("commit_max", {}).items():
        if committed[y] > cap + 1e-9:
            return False
    for y in range(START, END + 1):
        if calls.get(y, 0.0) - paid.get(y, 0.0) > pacing.get("net_max", math.inf) + 1e-9:
            return False
    return True


def enumerate_over_start_years(candidates: list, keys: dict[str, Any]) -> float | None:
    weights, rate = keys["objective"], keys["objective"].get("discount_rate")
    choices = [[None, *range(c.earliest_start, c.latest_start + 1)] for c in candidates]
    best = None
    for choice in itertools.product(*choices):
        picks = [(c, t) for c, t in zip(candidates, choice, strict=True) if t is not None]
        if not feasible(picks, keys):
            continue
        total = sum(
            weights["strategic_weight"] * strategic(c, t) + value(c, t, rate) for c, t in picks
        )
        best = total if best is None else max(best, total)
    return best


def timed_case(seed: int) -> tuple[list, dict[str, Any]]:
    """Four to five fixed-ticket candidates with windows in 2026-2029 and random schedules, a
    discount rate, and at random a commitment cap, a net-cash cap and recycling."""
    rng = random.Random(seed)
    candidates = []
    for j in range(rng.randint(4, 5)):
        first = rng.choice([2026, 2027])
        candidates.append(
            cand(
                f"c{j}",
                sub_area=rng.choice(["s1", "s2", "s3"]),
                ticket=rng.choice([20, 30, 40]),
                r=round(rng.uniform(-0.2, 1.5), 3),
                p=round(rng.uniform(0, 0.5), 3),
                years=(first, first + rng.randint(0, 2)),
                lead=rng.randint(0, 6),
                call_schedule=rng.choice([(1.0,), (0.5, 0.5), (0.2, 0.3, 0.5)]),
                distribution_schedule=rng.choice([(1.0,), (0.4, 0.3, 0.3), (0.5, 0.5)]),
                hold=rng.choice([None, 1, 3, 7]),
                value_by_start={first: 0.9} if rng.random() < 0.15 else {},
            )
        )
    keys: dict[str, Any] = {
        "budget": rng.choice([60, 90, 120]),
        "objective": {
            "strategic_weight": rng.choice([0.0, 1.0]),
            "return_weight": 1.0,
            "discount_rate": rng.choice([0.0, 0.05, 0.1, 0.25]),
        },
        "solver": {"mip_gap": 0},
    }
    if rng.random() < 0.5:
        keys["pacing"] = {"commit_max": {2026: rng.choice([30, 50]), 2027: rng.choice([40, 70])}}
    if rng.random() < 0.5:
        keys.setdefault("pacing", {})["net_max"] = rng.choice([30, 45])
    if rng.random() < 0.5:
        keys["recycling"] = {"share": rng.choice([0.5, 1.0]), "until": rng.choice([2028, 2032])}
    return candidates, keys


@pytest.mark.parametrize("seed", range(24))
def test_npv_objective_with_timing_limits_matches_enumeration(tmp_path, seed):
    candidates, keys = timed_case(seed)
    expected = enumerate_over_start_years(candidates, keys)
    plan = solve_checked(tmp_path, instance(candidates), keys)
    if expected is None:
        assert plan.status == allocator.Status.INFEASIBLE
    else:
        assert plan.status == allocator.Status.OPTIMAL
        assert plan.objective == pytest.approx(expected, abs=1e-6)


def test_seed_cases_exercise_every_timing_limit():
    """The enumerated cases above cover each limit, bound and not."""
    cases = [timed_case(seed)[1] for seed in range(24)]
    assert sum("recycling" in k for k in cases) >= 6
    assert sum("net_max" in k.get("pacing", {}) for k in cases) >= 6
    assert sum("commit_max" in k.get("pacing", {}) for k in cases) >= 6


def test_discounting_values_the_start_year(tmp_path):
    """One candidate (2×, hold 1) that may start 2026-2030: undiscounted it earns 10 whenever
    it starts (the strategic term is off); at 10 % a start in year t is worth
    (20/1.1 − 10)/1.1^(t − 2026), so it starts in 2026 at its present value."""
    row = cand("a", ticket=10, r=1.0, years=(2026, 2030), hold=1)
    keys = {"budget": 100, "objective": {"strategic_weight": 0, "discount_rate": 0.1}}
    plan = solve_checked(tmp_path, instance([row]), keys)
    (only,) = plan.investments
    assert only.start_year == 2026
    assert plan.objective_terms.return_ == pytest.approx(20 / 1.1 - 10, abs=1e-6)
    assert only.return_rate == pytest.approx(2 / 1.1 - 1, abs=1e-9)
    assert only.expected_return == pytest.approx(1.0)  # the undiscounted meaning is kept


def test_value_by_start_prices_a_deferred_option(tmp_path):
    """Worth 0.2 per $ now, but 0.5 per $ if started in 2029 (given directly): it waits."""
    row = cand("a", ticket=10, r=0.2, years=(2026, 2030), value_by_start={2029: 0.5})
    keys = {"budget": 100, "objective": {"strategic_weight": 0}}
    plan = solve_checked(tmp_path, instance([row]), keys)
    (only,) = plan.investments
    assert (only.start_year, only.return_rate) == (2029, 0.5)
    assert plan.objective == pytest.approx(5.0)


# --------------------------------------------------------------------------- outcomes


@pytest.fixture(scope="module")
def venture_book() -> allocator.Instance:
    """Twelve deals at the reference data's stage economics, 2,000 sampled outcomes."""
    stages = [(0.45, 5.0, 1.1, 7), (0.2, 2.6, 0.8, 5), (0.1, 1.8, 0.5, 3)]
    rows = [
        cand(
            f"v{j}",
            sub_area=("s1", "s2", "s3")[j % 3],
            ticket=20,
            r=(1 - p) * m - 1,
            p=p,
            hold=hold,
            multiple_sigma=sigma,
            distribution_schedule=(0.4, 0.3, 0.3),
        )
        for j, (p, m, sigma, hold) in enumerate(stages * 4)
    ]
    inst = instance(rows)
    return inst.with_scenarios(sample_scenarios(inst, 2000, seed=3))


def test_sampled_outcomes_have_a_right_tail_and_a_chance_below_one(venture_book):
    keys = allocator.Mandate.model_validate(
        {"budget": 1000, "objective": {"strategic_weight": 0, "discount_rate": 0.1}}
    )
    plan = allocator.solve(venture_book, keys)
    found = plan.metrics.outcomes
    assert found is not None and plan.metrics.deals == 12
    assert found["multiple_p5"] < found["multiple_p50"] < found["multiple_mean"]
    assert (
        found["multiple_p95"] - found["multiple_p50"] > found["multiple_p50"] - found["multiple_p5"]
    )
    assert 0.0 < found["p_multiple_below_1"] < 0.5
    assert found["irr_p5"] < found["irr_p50"] < found["irr_p95"]
    assert found["hurdle"] == 0.1 and 0 < found["p_irr_below_hurdle"] < 1
    # the scenario mean multiple estimates the expected TVPI
    assert found["multiple_mean"] == pytest.approx(plan.metrics.tvpi, rel=0.05)


def test_cvar_limits_partial_losses_net_of_gains(venture_book):
    """Gains offset losses in a scenario: the tail of the net loss is far below the total-loss
    model's, and a limit on it still binds and holds (the checker recomputes it)."""
    keys = {"budget": 1000, "objective": {"strategic_weight": 0}}
    free = allocator.solve(venture_book, allocator.Mandate.model_validate(keys))
    assert free.metrics.cvar is not None and free.metrics.cvar["mean"] < 0  # expected gain
    limited = {**keys, "risk": {"cvar": {"alpha": 0.95, "max_share": 0.02}}}
    plan = allocator.solve(venture_book, allocator.Mandate.model_validate(limited))
    assert plan.metrics.cvar["cvar"] <= 0.02 * 1000 + 1e-6
    assert plan.metrics.deals < free.metrics.deals
    assert "risk.cvar.max_share" in {b.key for b in plan.binding}


# --------------------------------------------------------------------------- command line


def test_solve_shows_the_j_curve_and_writes_cash_flows_as_csv(tmp_path):
    inst = instance(base(a={"call_schedule": (0.5, 0.5)}, b={"hold": 3}))
    folder, mandate_file = write_case(tmp_path, inst, mandate(objective={"discount_rate": 0.1}))
    table = invoke(["solve", folder, "-m", mandate_file], 0).stdout
    assert "J-curve" in table and "expected IRR" in table and "expected TVPI" in table
    csv = invoke(
        ["solve", folder, "-m", mandate_file, "--format", "csv", "--csv-table", "cash-flows"], 0
    ).stdout
    frame = pd.read_csv(pd.io.common.StringIO(csv))
    assert list(frame.columns) == ["year", "called", "distributed", "net", "cumulative_net", "nav"]
    assert frame["called"].sum() == pytest.approx(140.0)
    plan = json.loads(invoke(["solve", folder, "-m", mandate_file, "--format", "json"], 0).stdout)
    assert [row["year"] for row in plan["cash_flows"]] == frame["year"].tolist()
    assert plan["metrics"]["irr"] is not None and plan["metrics"]["dpi"]


def test_scenarios_command_writes_realised_multiples(tmp_path):
    rows = [cand("a", p=0.3, multiple_sigma=0.8), cand("b", "s2", p=0.2)]
    folder, _ = write_case(tmp_path, instance(rows), {"budget": 100})
    invoke(["scenarios", folder, "--count", "200", "--seed", "1"], 0)
    loss = pd.read_csv(folder / "scenarios.csv")[["a", "b"]]
    assert (loss < 0).any().all() and (loss == 1).any().all() and (loss <= 1).all().all()
    invoke(["scenarios", folder, "--count", "200", "--seed", "1", "--total-loss-only"], 0)
    binary = pd.read_csv(folder / "scenarios.csv")[["a", "b"]]
    assert set(np.unique(binary)) == {0, 1}
    assert ((binary == 1) == (loss == 1)).all().all()


def test_the_model_and_the_checker_pick_the_same_irr_of_flows_with_several_roots():
    """Flows that change sign several times (commitments called after earlier proceeds) have
    several rates of zero present value; both sides take the documented one: the root in the
    grid cell nearest a rate of 0."""
    import numpy as np

    from allocator import check
    from allocator.results.cash_flows import irr
    from allocator.results.outcomes import scenario_irrs

    rng = np.random.default_rng(3)
    rows = []
    for _ in range(200):
        flows = rng.normal(0, 1, size=8)
        flows[0] = -abs(flows[0]) - 0.1
        rows.append(flows)
    rows.append(np.array([-1.0, 2.3, -1.32]))  # roots at 10 % and 20 %: 10 % is nearer 0
    net = np.array(rows[:-1])
    several = sum(int(np.count_nonzero(np.diff(np.sign(np.cumsum(r))) != 0) > 1) for r in net)
    assert several > 20  # the cases exercise flows with more than one sign change
    assert np.allclose(scenario_irrs(net), check._scenario_irr(net), atol=1e-9)
    for flows in rows:
        ours, theirs = irr(list(flows)), check._irr(flows)
        assert (ours is None) == (theirs is None)
        if ours is not None:
            assert abs(ours - theirs) <= 1e-9
    assert irr(rows[-1].tolist()) == pytest.approx(0.10, abs=1e-9)
