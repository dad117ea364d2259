"""What-if re-solves on random edits: a warm Session versus a cold build + solve, side by side.

For sri-2025 and generated instances (1,000 and 5,000 candidates by default), seeded random
edits are drawn from every family of mandate keys and instance fields (``edits.py``; none is
chosen by hand) and applied in turn in one Session, each to the base mandate and instance (in
place where the structure allows, previous plan as MIP start); each edited problem is also
solved cold with ``allocator.solve`` (new model, matrix hand-off, no start). Prints per edit
the time of each, their ratio, whether the objectives agree within the mandate's gap and how
the warm plan was obtained (``solver.method``); then the distribution of warm/cold ratios
(median, p90, worst) per instance and per family.

    python benchmarks/whatif.py [--sizes 1000 5000] [--edits 30 30 20] [--seed 7]
                                [--time-limit 60]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from edits import Base, random_edits  # noqa: E402

import allocator  # noqa: E402
from allocator import Mandate, Plan, Session  # noqa: E402
from allocator.synthetic.generate import generate  # noqa: E402


def _agree(warm: Plan, cold: Plan, gap: float) -> bool:
    if warm.found != cold.found:
        return False
    if not warm.found:
        return warm.status == cold.status
    return abs(warm.objective - cold.objective) <= 2 * gap * abs(cold.objective) + 1e-6


def quantile(values: list[float], q: float) -> float:
    """The q-quantile by linear interpolation (q in [0, 1])."""
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def run(
    name: str,
    instance: allocator.Instance,
    mandate: Mandate,
    count: int,
    seed: int,
    time_limit: float,
) -> list[tuple[str, float]]:
    """Print one table for an instance; return (family, warm/cold) per edit."""
    mandate = mandate.with_changes({"solver.time_limit": time_limit})
    started = time.perf_counter()
    session = Session(instance, mandate)
    base = session.solve()
    print(
        f"\n### {name}: {len(instance.candidates)} candidates, base solve "
        f"{time.perf_counter() - started:.2f} s ({base.status.value}), {count} random edits "
        f"(seed {seed})\n"
    )
    print("| edit | family | warm s | cold s | warm/cold | agree | warm method |")
    print("|---|---|---:|---:|---:|---|---|")
    results = []
    for edit in random_edits(Base(instance, mandate, base), count, seed):
        edited_instance, edited = edit.apply(instance, mandate)
        started = time.perf_counter()
        warm = session.solve(edited, instance=edited_instance)
        warm_s = time.perf_counter() - started
        started = time.perf_counter()
        cold = allocator.solve(edited_instance, edited)
        cold_s = time.perf_counter() - started
        agree = _agree(warm, cold, edited.solver.mip_gap)
        ratio = warm_s / cold_s
        results.append((edit.family, ratio))
        method = warm.solver.method or warm.status.value
        print(
            f"| {edit.label} | {edit.family} | {warm_s:.2f} | {cold_s:.2f} | {ratio:.2f} | "
            f"{'yes' if agree else 'NO'} | {method} |",
            flush=True,
        )
    ratios = [r for _, r in results]
    print(
        f"\nwarm/cold: median **{statistics.median(ratios):.2f}**, "
        f"p90 **{quantile(ratios, 0.9):.2f}**, worst **{max(ratios):.2f}**"
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--edits", type=int, nargs="*", default=[30, 30, 20])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {platform.machine()}, {time.strftime('%Y-%m-%d')}")
    instances = [
        (
            "sri-2025 baseline",
            allocator.load_instance(allocator.bundled("instances/sri-2025")),
            allocator.load_mandate(allocator.bundled("models/baseline.yaml")),
        )
    ]
    instances += [(f"generated {n}", *generate(candidates=n, seed=1)) for n in args.sizes]
    counts = args.edits + [args.edits[-1]] * (len(instances) - len(args.edits))
    summary, by_family = {}, defaultdict(list)
    for (name, inst, mandate), count in zip(instances, counts, strict=False):
        results = run(name, inst, mandate, count, args.seed, args.time_limit)
        summary[name] = [r for _, r in results]
        for family, ratio in results:
            by_family[family].append(ratio)
    print("\n| instance | edits | median warm/cold | p90 | worst |\n|---|---:|---:|---:|---:|")
    for name, ratios in summary.items():
        print(
            f"| {name} | {len(ratios)} | {statistics.median(ratios):.2f} | "
            f"{quantile(ratios, 0.9):.2f} | {max(ratios):.2f} |"
        )
    print("\n| family | edits | median warm/cold | worst |\n|---|---:|---:|---:|")
    for family, ratios in sorted(by_family.items()):
        print(f"| {family} | {len(ratios)} | {statistics.median(ratios):.2f} | {max(ratios):.2f} |")
    print("\nTargets: median <= 0.25 and p90 <= 0.6 on each instance.")


if __name__ == "__main__":
    main()
