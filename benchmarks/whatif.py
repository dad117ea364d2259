"""What-if re-solves: a warm Session versus a cold build + solve, measured side by side.

For sri-2025 and generated instances of 1,000 and 5,000 candidates, ten typical edits are
applied one after another in one Session (in place where the structure allows, previous plan
as MIP start); each edited mandate is also solved cold with ``allocator.solve`` (new model,
matrix hand-off, no start).
Prints the time of each, their ratio, the median ratio, whether the objectives agree within
the mandate's gap, and whether the warm re-solve was certified by the LP bound without a
branch-and-bound of the full model (``allocator.solving.shortcut``) or went on to HiGHS.

    python benchmarks/whatif.py [--sizes 1000 5000] [--time-limit 60]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import allocator
from allocator import Mandate, Plan, Session
from allocator.synthetic.generate import generate

Edit = tuple[str, Callable[[Mandate, Plan], dict[str, Any]]]


def _largest(plan: Plan) -> list[str]:
    return [max(plan.investments, key=lambda i: i.amount).id]


EDITS: list[Edit] = [
    ("defense max share 0.25", lambda m, p: {"pillars.defense-aerospace.max_share": 0.25}),
    (
        "annual cap -20%",
        lambda m, p: {"pacing.annual_max": round(_scalar(m.pacing.annual_max) * 0.8)},
    ),
    ("budget -20%", lambda m, p: {"budget": round(m.budget * 0.8)}),
    (
        "expected loss -0.05",
        lambda m, p: {"risk.max_expected_loss_share": m.risk.max_expected_loss_share - 0.05},
    ),
    ("strategic weight 2", lambda m, p: {"objective.strategic_weight": 2.0}),
    (
        "deals per year -40%",
        lambda m, p: {"deals.max_per_year": max(1, round(m.deals.max_per_year * 0.6))},
    ),
    ("sub-area cap 0.06", lambda m, p: {"sub_areas.default.max_share": 0.06}),
    (
        "impact-by +0.1",
        lambda m, p: {"lead_time.impact_by.0.min_share": m.lead_time.impact_by[0].min_share + 0.1},
    ),
    ("drop largest deal", lambda m, p: {"force_out": [*m.force_out, *_largest(p)]}),
    ("high-risk threshold 0.3", lambda m, p: {"risk.high_risk_threshold": 0.3}),
]


def _scalar(value: Any) -> float:
    return value if isinstance(value, int | float) else min(value.values())


def _timed(solve: Callable[..., Plan], *args: Any) -> tuple[Plan, float]:
    started = time.perf_counter()
    plan = solve(*args)
    return plan, time.perf_counter() - started


def _cold(instance: allocator.Instance, mandate: Mandate) -> Plan:
    return allocator.solve(instance, mandate)


def run(
    name: str, instance: allocator.Instance, mandate: Mandate, time_limit: float
) -> list[float]:
    """Print one table for an instance; return the warm/cold ratios."""
    mandate = mandate.with_changes({"solver.time_limit": time_limit})
    session = Session(instance, mandate)
    base, seconds = _timed(session.solve)
    print(
        f"\n### {name}: {len(instance.candidates)} candidates, "
        f"base solve {seconds:.2f} s ({base.status.value})\n"
    )
    print(
        "| edit | warm s | cold s | warm/cold | warm objective | cold objective | agree "
        "| certified warm |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---|")
    ratios = []
    for label, make in EDITS:
        edited = mandate.with_changes(make(mandate, base))
        warm, warm_s = _timed(session.solve, edited)
        cold, cold_s = _timed(_cold, instance, edited)
        gap = edited.solver.mip_gap
        agree = (
            warm.found
            and cold.found
            and abs(warm.objective - cold.objective) <= 2 * gap * abs(cold.objective) + 1e-6
        )
        ratios.append(warm_s / cold_s)
        print(
            f"| {label} | {warm_s:.2f} | {cold_s:.2f} | {warm_s / cold_s:.2f} | "
            f"{warm.objective or 0:,.1f} | {cold.objective or 0:,.1f} | "
            f"{'yes' if agree else 'NO'} | {'yes' if warm.solver.method == 'certified' else 'no'} |"
        )
    print(f"\nmedian warm/cold: **{statistics.median(ratios):.2f}**")
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}, {platform.machine()}, "
        f"allocator {allocator.__name__}, {time.strftime('%Y-%m-%d')}"
    )
    instances = [
        (
            "sri-2025 baseline",
            allocator.load_instance(allocator.bundled("instances/sri-2025")),
            allocator.load_mandate(allocator.bundled("models/baseline.yaml")),
        )
    ]
    instances += [(f"generated {n}", *generate(candidates=n, seed=1)) for n in args.sizes]
    medians = {
        name: statistics.median(run(name, inst, m, args.time_limit)) for name, inst, m in instances
    }
    print("\n| instance | median warm/cold |\n|---|---:|")
    for name, median in medians.items():
        print(f"| {name} | {median:.2f} |")


if __name__ == "__main__":
    main()
