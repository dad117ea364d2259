"""Write ``tests/data/golden.csv``: the optimum of every bundled mandate on ``sri-2025``,
proven to a far tighter gap than the mandates ask, for the tests to assert against.

Run it deliberately, in its own commit that says why the optima changed (new data, a new
family); the tests only read the file.

    python tools/golden.py [--gap 1e-5] [--time-limit 600]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import allocator

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden.csv"


def main() -> None:
    """Solve every bundled mandate tightly and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gap", type=float, default=1e-5)
    parser.add_argument("--time-limit", type=float, default=600.0)
    args = parser.parse_args()
    instance = allocator.load_instance(ROOT / "instances" / "sri-2025")
    rows = []
    for path in sorted((ROOT / "models").glob("*.yaml")):
        mandate = allocator.load_mandate(path)
        plan = allocator.solve(instance, mandate, time_limit=args.time_limit, gap=args.gap)
        found = f"{plan.status.value} {plan.objective} bound {plan.bound} gap {plan.gap}"
        print(f"{path.stem}: {found}")
        rows.append(
            {
                "mandate": path.stem,
                "status": plan.status.value,
                "objective": repr(plan.objective),
                "bound": repr(plan.bound),
                "gap": repr(plan.gap),
            }
        )
    with GOLDEN.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
