"""What time value costs: the NPV objective, net-cash rows and recycling rows, side by side.

For the reference instance under the baseline and for generated instances under their own
mandates, the same problem is solved one-shot (``allocator.solve``, one HiGHS thread) with

- nothing added (the undiscounted return term),
- ``objective.discount_rate: 0.10`` (the NPV return term: new coefficients, same rows),
- ``pacing.net_max`` at 80 % of the mandate's annual call cap (one row per horizon year),
- ``recycling: {share: 0.5}`` (one row per horizon year, replacing the budget row),
- all three together,

and the table gives the rows of the model, build and HiGHS seconds (best of ``--repeats``), the
status and the objective. The NPV objective changes coefficients only, so its model is the
same size; its solve time differs only as far as a different optimum is harder or easier to
prove. Prints a Markdown table; asserts nothing.

``--chance S`` also measures what an exact chance constraint on P(portfolio multiple < 1) would
cost on sri-2025 with S sampled scenarios (a prototype built here, not a mandate key): one
binary ``b_s`` per scenario, ``Σ_j L[s,j]·x_j ≤ budget·b_s`` (a net loss forces ``b_s = 1``;
the budget bounds any net loss, so the big-M is valid and the row exact) and
``Σ_s π_s·b_s ≤ limit``, at half the unconstrained plan's P(< 1×).

    python benchmarks/timevalue.py [--sizes 1000] [--repeats 2] [--time-limit 60] [--chance 200]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import pyomo.environ as pyo

import allocator
from allocator.formulation import build_model
from allocator.formulation.expressions import linear
from allocator.inputs.mandate import year_limits
from allocator.solving.matrix import run_matrix
from allocator.solving.settings import settings_for
from allocator.synthetic.generate import generate
from allocator.synthetic.sampling import sample_scenarios


def variants(mandate: allocator.Mandate) -> dict[str, dict[str, Any]]:
    """The edits compared, named; the net-cash cap is 80 % of the annual call cap."""
    calls = year_limits(mandate.pacing.annual_max, mandate.years)
    cap = 0.8 * min(calls.values()) if calls else 0.1 * mandate.budget
    net = {"pacing.net_max": round(cap, 2)}
    npv = {"objective.discount_rate": 0.10}
    recycling = {"recycling": {"share": 0.5}}
    return {
        "undiscounted": {},
        "NPV at 10 %": npv,
        "net_max rows": net,
        "recycling rows": recycling,
        "all three": {**npv, **net, **recycling},
    }


def rows(instance: allocator.Instance, mandate: allocator.Mandate) -> int:
    """Constraint rows of the built model (ticket rows included)."""
    model = build_model(instance, mandate)
    return sum(1 for _ in model.component_data_objects(pyo.Constraint, active=True))


def measure(
    instance: allocator.Instance, mandate: allocator.Mandate, repeats: int, time_limit: float
) -> tuple[float, float, allocator.Plan]:
    """Best-of-``repeats`` build and HiGHS seconds of one-shot solves, and the last plan."""
    build = solve = float("inf")
    plan = None
    for _ in range(repeats):
        started = time.perf_counter()
        plan = allocator.solve(instance, mandate, time_limit=time_limit)
        wall = time.perf_counter() - started
        build = min(build, wall - plan.solver.seconds)
        solve = min(solve, plan.solver.seconds)
    assert plan is not None
    return build, solve, plan


def cases(sizes: list[int]) -> list[tuple[str, allocator.Instance, allocator.Mandate]]:
    """sri-2025 under the baseline, and generated instances under their own mandates."""
    found = [
        (
            "sri-2025",
            allocator.load_instance(allocator.bundled("instances/sri-2025")),
            allocator.load_mandate(allocator.bundled("models/baseline.yaml")),
        )
    ]
    for size in sizes:
        instance, mandate = generate(candidates=size, seed=0)
        found.append((f"generated {size:,}", instance, mandate))
    return found


def chance_constrained(
    instance: allocator.Instance, mandate: allocator.Mandate, limit: float, time_limit: float
) -> tuple[str, float, float | None]:
    """HiGHS status, seconds and P(multiple < 1) with P(multiple < 1) ≤ ``limit`` added."""
    m = build_model(instance, mandate, ticket_block=True)
    scenarios = instance.scenarios
    assert scenarios is not None
    by_candidate = m.pairs.by_candidate
    ids = [c.id for c in instance.candidates]
    count = len(scenarios.names)
    m.CHANCE = pyo.RangeSet(0, count - 1)
    m.below_one = pyo.Var(m.CHANCE, domain=pyo.Binary)
    loss = np.asarray(scenarios.loss, dtype=float)

    def net_loss(m: Any, s: int) -> Any:
        terms = [
            (loss[s, j], m.w_list[p])
            for j, cid in enumerate(ids)
            for p in by_candidate.get(cid, ())
        ]
        return linear(m, terms) <= mandate.budget * m.below_one[s]

    m.chance_rows = pyo.Constraint(m.CHANCE, rule=net_loss)
    probability = np.asarray(scenarios.probability, dtype=float)
    m.chance_limit = pyo.Constraint(
        expr=sum(float(probability[s]) * m.below_one[s] for s in range(count)) <= limit
    )
    outcome = run_matrix(m, settings_for(mandate, time_limit, None), None)
    if not outcome.has_solution:
        return outcome.status.name, outcome.run_seconds, None
    amounts = {cid: sum(m.w_list[p].value or 0.0 for p in by_candidate.get(cid, ())) for cid in ids}
    x = np.array([amounts[cid] for cid in ids])
    below = float(probability @ ((loss @ x) > 1e-6))
    return outcome.status.name, outcome.run_seconds, below


def chance_table(count: int, time_limit: float) -> None:
    """The chance constraint against the same problem without it."""
    instance = allocator.load_instance(allocator.bundled("instances/sri-2025"))
    instance = instance.with_scenarios(sample_scenarios(instance, count, seed=1))
    mandate = allocator.load_mandate(allocator.bundled("models/baseline.yaml"))
    mandate = mandate.with_changes({"solver.threads": 1})
    free = allocator.solve(instance, mandate, time_limit=time_limit)
    assert free.metrics.outcomes is not None
    share = free.metrics.outcomes["p_multiple_below_1"] or 0.0
    status, seconds, below = chance_constrained(instance, mandate, share / 2, time_limit)
    print(f"\nChance constraint on P(multiple < 1), sri-2025 baseline, {count} scenarios:\n")
    print("| model | HiGHS s | status | P(multiple < 1) |\n|---|---:|---|---:|")
    print(f"| without | {free.solver.seconds:.2f} | {free.status.value} | {share:.3f} |")
    shown = "-" if below is None else f"{below:.3f}"
    print(f"| P(< 1×) ≤ {share / 2:.3f} | {seconds:.2f} | {status} | {shown} |")


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--chance", type=int, default=0, help="scenarios for the chance test")
    args = parser.parse_args()
    print(
        "| instance | variant | rows | build s | HiGHS s | status | gap | objective | IRR |\n"
        "|---|---|---:|---:|---:|---|---:|---:|---:|"
    )
    for label, instance, base in cases(args.sizes):
        base = base.with_changes({"solver.threads": 1})
        for name, edits in variants(base).items():
            mandate = base.with_changes(edits) if edits else base
            build, solve, plan = measure(instance, mandate, args.repeats, args.time_limit)
            irr = "-" if plan.metrics.irr is None else f"{plan.metrics.irr:.1%}"
            objective = "-" if plan.objective is None else f"{plan.objective:,.1f}"
            gap = "-" if plan.gap is None else f"{plan.gap:.3%}"
            print(
                f"| {label} | {name} | {rows(instance, mandate):,} | {build:.2f} | {solve:.2f} | "
                f"{plan.status.value} | {gap} | {objective} | {irr} |",
                flush=True,
            )
    print(
        "\nrows: active constraint rows of the Pyomo model; build s: wall time of allocator.solve "
        "less HiGHS's run time (build, hand-off, plan); HiGHS s: the solver's run time."
    )
    if args.chance:
        chance_table(args.chance, args.time_limit)


if __name__ == "__main__":
    main()
