"""How the shipped mandates' plans differ: by pillar, by year, risk, objective terms and time.

python benchmarks/mandates.py
"""

from __future__ import annotations

from pathlib import Path

import allocator


def main() -> None:
    instance = allocator.load_instance(allocator.bundled("instances/sri-2025"))
    plans = {
        path.stem: allocator.solve(instance, allocator.load_mandate(path))
        for path in sorted(Path(allocator.bundled("models")).glob("*.yaml"))
    }
    pillars = list(instance.pillars)
    print(
        "| mandate | status | strategic | return | committed | "
        + " | ".join(pillars)
        + " | deals | expected loss | high-risk | s |"
    )
    print("|---|---|" + "---:|" * (len(pillars) + 7))
    for name, plan in plans.items():
        by_pillar = " | ".join(f"{plan.totals.by_pillar.get(p, 0):,.0f}" for p in pillars)
        seconds = plan.solver.build_seconds + plan.solver.seconds
        print(
            f"| {name} | {plan.status.value} | {plan.objective_terms.strategic:,.0f} | "
            f"{plan.objective_terms.return_:,.0f} | {plan.totals.committed:,.0f} | {by_pillar} | "
            f"{plan.metrics.deals} | {plan.metrics.expected_loss:,.0f} | "
            f"{plan.metrics.high_risk_share:.1%} | {seconds:.1f} |"
        )
    years = sorted({y for plan in plans.values() for y in plan.totals.by_year_committed})
    print("\nCommitted by year ($M):\n")
    print("| mandate | " + " | ".join(years) + " |\n|---|" + "---:|" * len(years))
    for name, plan in plans.items():
        row = " | ".join(f"{plan.totals.by_year_committed.get(y, 0):,.0f}" for y in years)
        print(f"| {name} | {row} |")


if __name__ == "__main__":
    main()
