"""Time correlated-failure scenarios at scale: sampling, and the CSV round trip.

Run with ``python benchmarks/scenarios.py``. Prints a table (best of REPEATS wall-clock seconds,
size of the result, peak traced memory of one extra run); asserts nothing.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from allocator.inputs.instance import Candidate, Instance, InstanceMeta, SubArea
from allocator.inputs.scenario_file import load_scenarios, save_scenarios
from allocator.synthetic.sampling import sample_scenarios

REPEATS = 3
PILLARS, SUB_AREAS = 4, 27  # the shape of the reference taxonomy
MB = 1e6


def synthetic(candidates: int, seed: int = 0) -> Instance:
    """An instance shaped like sri-2025; only sub-areas and loss probabilities matter here."""
    rng = np.random.default_rng(seed)
    taxonomy = tuple(
        SubArea(
            pillar_id=f"p{i % PILLARS}",
            pillar=f"Pillar {i % PILLARS}",
            sub_area_id=f"a{i}",
            sub_area=f"Sub-area {i}",
            gap_score=3,
            status="placeholder",
        )
        for i in range(SUB_AREAS)
    )
    rows = tuple(
        Candidate(
            id=f"c{j}",
            name=f"Candidate {j}",
            sub_area_id=f"a{rng.integers(SUB_AREAS)}",
            ticket_min=10,
            ticket_max=100,
            earliest_start=2026,
            latest_start=2030,
            lead_time=2,
            loss_probability=float(rng.uniform(0.02, 0.6)),
            expected_multiple=2.5,
        )
        for j in range(candidates)
    )
    return Instance(
        meta=InstanceMeta(name=f"synthetic-{candidates}"), taxonomy=taxonomy, candidates=rows
    )


def timed(action: Callable[[], object]) -> tuple[float, float, object]:
    """Best-of-REPEATS seconds, then peak traced MB of one more run (kept apart from the timing)."""
    best, result = float("inf"), None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    return best, peak, result


def row(case: str, seconds: float, result_mb: float, peak_mb: float) -> None:
    """One line of the table."""
    print(f"{case:<28}{seconds:>9.2f}{result_mb:>11.1f}{peak_mb:>9.1f}")


def main() -> None:
    """Measure and print the three cases."""
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs"
    )
    print(f"{'case (scenarios x candidates)':<28}{'seconds':>9}{'result MB':>11}{'peak MB':>9}")
    for count, candidates in ((1_000, 1_000), (5_000, 5_000)):
        inst = synthetic(candidates)
        seconds, peak, sampled = timed(lambda i=inst, s=count: sample_scenarios(i, s, seed=1))
        row(f"sample {count:,} x {candidates:,}", seconds, sampled.loss.nbytes / MB, peak)
    inst = synthetic(1_000)
    sampled = sample_scenarios(inst, 5_000, seed=1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenarios.csv"
        seconds, peak, _ = timed(lambda: save_scenarios(sampled, inst, path))
        row("save 5,000 x 1,000", seconds, path.stat().st_size / MB, peak)
        seconds, peak, loaded = timed(lambda: load_scenarios(path, inst))
        row("load 5,000 x 1,000", seconds, loaded.loss.nbytes / MB, peak)
    print("result MB: the loss array in memory; for save, the CSV file. peak MB: tracemalloc.")


if __name__ == "__main__":
    main()
