"""Sweep throughput: the same 16 variants on 1 and on 2 Dask workers, measured in one run.

Each worker is a process with one HiGHS thread. Cluster start-up is excluded: each cluster is
started first and the sweep is timed on it through its scheduler address.

    python benchmarks/sweep.py [--candidates 400] [--variants 16]
"""

from __future__ import annotations

import argparse
import time

from dask.distributed import LocalCluster

from allocator.analysis.sweep import sweep
from allocator.analysis.variants import Variant
from allocator.synthetic.generate import generate


def variants(count: int) -> list[Variant]:
    """A grid over the expected-loss cap and the defense share."""
    caps = [0.18, 0.2, 0.22, 0.24, 0.26, 0.28, 0.3, 0.32]
    shares = [0.3, 0.4]
    grid = [(c, s) for s in shares for c in caps][:count]
    return [
        Variant(
            name=f"loss {c}, defense {s}",
            set={"risk.max_expected_loss_share": c, "pillars.defense-aerospace.max_share": s},
        )
        for c, s in grid
    ]


def timed_sweep(instance, mandate, grid, workers: int) -> tuple[float, object]:
    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        started = time.perf_counter()
        table = sweep(instance, mandate, grid, scheduler=cluster.scheduler_address)
        return time.perf_counter() - started, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=400)
    parser.add_argument("--variants", type=int, default=16)
    args = parser.parse_args()
    instance, mandate = generate(candidates=args.candidates, seed=2)
    grid = variants(args.variants)
    one, table_one = timed_sweep(instance, mandate, grid, 1)
    two, table_two = timed_sweep(instance, mandate, grid, 2)
    same = table_one["objective"].round(4).tolist() == table_two["objective"].round(4).tolist()
    print(f"### Sweep: {len(grid)} variants of a {args.candidates}-candidate instance\n")
    print("| workers | seconds | variants/min |\n|---:|---:|---:|")
    print(f"| 1 | {one:.1f} | {60 * len(grid) / one:.1f} |")
    print(f"| 2 | {two:.1f} | {60 * len(grid) / two:.1f} |")
    print(
        f"\nspeed-up 2 vs 1 workers: **{one / two:.2f}x** (target >= 1.7); "
        f"same results: {'yes' if same else 'NO'}"
    )


if __name__ == "__main__":
    main()
