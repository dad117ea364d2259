"""Start-up and end to end: command-line wall times beside ``python -c pass`` and beside a direct
highspy script, measured side by side in one run.

1. Start-up: each command (``allocator --help``, ``schema plan``, ``validate``, ``solve --help``,
   ``import allocator``) is run ``--repeat`` times as a fresh process; the median wall time is
   printed with that of ``python -c pass`` and the difference.
2. End to end: a seeded random multidimensional knapsack of ``--items`` items and
   ``--rows`` rows (Chu–Beasley style: weights uniform in 1..1000, capacities a quarter of each
   row's total, profits correlated with the weights) is written as an allocator instance folder
   with its mandate; then ``allocator solve DIR --format json -o plan.json`` and a direct
   script that reads the same files with pandas and PyYAML, builds the MKP with numpy and
   solves it with highspy, both with the same time limit, each run ``--repeat`` times in
   alternation; the medians and their ratio are printed, with both objectives.

    python benchmarks/startup.py [--repeat 5] [--items 5000] [--rows 10] [--time-limit 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
ALLOCATOR = str(Path(sys.executable).with_name("allocator"))

DIRECT = """
import sys, time
import highspy, numpy as np, pandas as pd, yaml
folder, limit = sys.argv[1], float(sys.argv[2])
items = pd.read_csv(folder + "/candidates.csv")
mandate = yaml.safe_load(open(folder + "/mandate.yaml"))
rows = [l["attribute"] for l in mandate["limits"]]
capacity = np.array([l["max"] for l in mandate["limits"]], float)
profit = items["expected_multiple"].to_numpy(float) - 1.0
weights = items[rows].to_numpy(float).T
h = highspy.Highs()
h.setOptionValue("output_flag", False)
h.setOptionValue("time_limit", limit)
h.setOptionValue("mip_rel_gap", 0.0)
n, m = len(profit), len(rows)
a = np.asarray(weights, float)
start = np.arange(0, n * m + 1, n, dtype=np.int32)
index = np.tile(np.arange(n, dtype=np.int32), m)
h.passModel(n, m, n * m, int(highspy.MatrixFormat.kRowwise), int(highspy.ObjSense.kMaximize),
            0.0, profit, np.zeros(n), np.ones(n), np.full(m, -highspy.kHighsInf), capacity,
            start, index, a.ravel(), np.ones(n, dtype=np.int32))
h.run()
print(h.getInfo().objective_function_value)
"""


def wall(command: list[str]) -> float:
    """Seconds of one run of a command as a fresh process (output discarded)."""
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def median_wall(command: list[str], repeat: int) -> float:
    """Median wall time over ``repeat`` runs."""
    return statistics.median(wall(command) for _ in range(repeat))


def startup(repeat: int, folder: Path) -> None:
    """Print the start-up table."""
    baseline = median_wall([PYTHON, "-c", "pass"], repeat)
    commands = {
        "python -c pass": [PYTHON, "-c", "pass"],
        "python -c 'import allocator'": [PYTHON, "-c", "import allocator"],
        "allocator --help": [ALLOCATOR, "--help"],
        "allocator solve --help": [ALLOCATOR, "solve", "--help"],
        "allocator schema plan": [ALLOCATOR, "schema", "plan"],
        "allocator validate (sri-2025)": [ALLOCATOR, "validate"],
        "allocator validate (knapsack)": [ALLOCATOR, "validate", str(folder)],
    }
    print(f"\n### Start-up (median of {repeat} runs each, fresh processes)\n")
    print("| command | wall s | over `python -c pass` s |\n|---|---:|---:|")
    for label, command in commands.items():
        seconds = median_wall(command, repeat)
        print(f"| `{label}` | {seconds:.3f} | {seconds - baseline:+.3f} |")
    print("\nTarget: `--help`, `schema plan` and `validate` at most 0.5 s wall.")


def write_knapsack(folder: Path, items: int, rows: int, seed: int) -> None:
    """A random MKP as an allocator instance folder and mandate (see ``synthetic.orlib``)."""
    rng = np.random.default_rng(seed)
    weight = rng.integers(1, 1001, size=(rows, items)).astype(float)
    capacity = weight.sum(axis=1) / 4
    profit = weight.sum(axis=0) / rows + rng.integers(1, 501, size=items)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "instance.yaml").write_text(
        yaml.safe_dump({"name": f"mkp-{items}x{rows}", "description": "random MKP"})
    )
    (folder / "taxonomy.csv").write_text(
        "pillar_id,pillar,sub_area_id,sub_area,gap_score,status,source\n"
        "all,All,items,Items,1,placeholder,synthetic\n"
    )
    lines = [
        "id,name,sub_area_id,ticket_min,ticket_max,earliest_start,latest_start,lead_time,"
        "loss_probability,expected_multiple," + ",".join(f"r{i}" for i in range(rows))
    ]
    for j in range(items):
        cells = [f"x{j}", f"item {j}", "items", "1", "1", "2026", "2026", "0", "0"]
        cells.append(repr(1.0 + float(profit[j])))
        cells += [f"{weight[i, j]:g}" for i in range(rows)]
        lines.append(",".join(cells))
    (folder / "candidates.csv").write_text("\n".join(lines) + "\n")
    mandate = {
        "name": "mkp",
        "budget": items,
        "horizon": {"start": 2026, "years": 1},
        "objective": {"strategic_weight": 0, "return_weight": 1},
        "limits": [
            {"name": f"row {i}", "attribute": f"r{i}", "per": "deal", "max": float(capacity[i])}
            for i in range(rows)
        ],
        "solver": {"mip_gap": 0, "time_limit": 60},
    }
    (folder / "mandate.yaml").write_text(yaml.safe_dump(mandate, sort_keys=False))


def end_to_end(folder: Path, repeat: int, time_limit: float) -> None:
    """Print the end-to-end table."""
    plan = folder.parent / "plan.json"
    solve = [ALLOCATOR, "solve", str(folder), "--time-limit", str(time_limit)]
    solve += ["--format", "json", "-o", str(plan)]
    direct = [PYTHON, "-c", DIRECT, str(folder), str(time_limit)]
    ours, theirs = [], []
    for _ in range(repeat):
        ours.append(wall(solve))
        theirs.append(wall(direct))
    objective = json.loads(plan.read_text())["objective"]
    run = subprocess.run(direct, check=True, capture_output=True, text=True)
    direct_objective = float(run.stdout.strip().splitlines()[-1])
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"\n### End to end: {folder.name}, time limit {time_limit:g} s, median of {repeat}\n")
    print("| path | wall s | objective |\n|---|---:|---:|")
    print(f"| `allocator solve` | {a:.2f} | {objective:,.1f} |")
    print(f"| direct highspy script (same files) | {b:.2f} | {direct_objective:,.1f} |")
    print(f"\nratio allocator / direct: **{a / b:.2f}** (target at most 1.3)")


def main() -> None:
    """Run both measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=10)
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root) / f"mkp-{args.items}x{args.rows}"
        write_knapsack(folder, args.items, args.rows, args.seed)
        startup(args.repeat, folder)
        end_to_end(folder, args.repeat, args.time_limit)


if __name__ == "__main__":
    main()
