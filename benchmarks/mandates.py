"""How the shipped mandates' plans differ: by pillar, by year, risk, objective terms, time
value and solve time.

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
    print("\nTime value of the expected cash flows:\n")
    print(
        "| mandate | TVPI | IRR | payback | DPI 2035 | deepest J-curve | "
        "to proceeds (yrs) | hold ≥ 6 | largest vintage | vintage spread |"
    )
    print("|---|" + "---:|" * 9)
    for name, plan in plans.items():
        print(f"| {name} | {time_value_row(instance, plan)} |")


def time_value_row(instance: allocator.Instance, plan: allocator.Plan) -> str:
    """TVPI, IRR, payback, DPI at the horizon end, the J-curve's trough, the amount-weighted
    years from commitment to the middle of the proceeds, capital held 6+ years before proceeds,
    and the largest and the spread (standard deviation / mean) of the yearly commitments."""
    by_id, m = instance.by_id, plan.metrics
    committed = plan.totals.committed or 1.0
    to_proceeds = sum(
        i.amount * (i.hold + (len(by_id[i.id].distribution_schedule) - 1) / 2)
        for i in plan.investments
    )
    long_dated = sum(i.amount for i in plan.investments if i.hold >= 6)
    vintages = [plan.totals.by_year_committed.get(str(y), 0.0) for y in range(2026, 2036)]
    mean = sum(vintages) / len(vintages)
    spread = (sum((v - mean) ** 2 for v in vintages) / len(vintages)) ** 0.5 / mean
    trough = min(f.cumulative_net for f in plan.cash_flows)
    return (
        f"{m.tvpi:.2f}x | {m.irr:.1%} | {m.payback_year} | {m.dpi.get('2035', 0):.2f}x | "
        f"{trough:,.0f} | {to_proceeds / committed:.2f} | {long_dated:,.0f} | "
        f"{max(vintages):,.0f} | {spread:.2f}"
    )


if __name__ == "__main__":
    main()
