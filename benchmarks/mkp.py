"""Solution quality on OR-Library multidimensional knapsacks: allocator versus direct highspy.

Each problem of ``mknapcb1`` (5 x 100) and ``mknapcb4`` (10 x 100) is solved twice in the same
run with the same time limit and a relative MIP gap of 0 (other HiGHS options at their
defaults, threads included):

- allocator: ``allocator.solve`` on ``allocator.orlib.knapsack_instance`` (build, hand-off
  and solve, wall time);
- direct: the MKP as a ``highspy.HighsLp`` with binary columns, ``passModel`` and ``run``
  (build and solve, wall time).

Both objectives are recomputed from the chosen items and checked against the capacities; the
gap to the best-known value (``best-known.csv``) is printed per problem with the means.
Prints markdown; asserts nothing.

    python benchmarks/mkp.py [--instances 0-4] [--time-limit 10] [--data DIR]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import highspy
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _direct import new_highs, quiet_highs  # noqa: E402

import allocator  # noqa: E402
from allocator.synthetic.orlib import Knapsack, knapsack_instance, read_mknap  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "orlib-mknap"
FILES = ("mknapcb1.txt", "mknapcb4.txt")
TARGET_GAP_PP = 0.02  # allocator mean gap to best-known within 0.02 points of direct's
TARGET_SLOWER_S = 1.0  # allocator at most 1 s slower per problem


@dataclass
class Result:
    """One solve: status, objective (recomputed from the items), wall seconds, feasibility, and
    the seconds spent outside the HiGHS run (build, hand-off, reading the solution)."""

    status: str
    objective: float | None
    seconds: float
    feasible: bool
    outside: float


def check(problem: Knapsack, chosen: np.ndarray) -> tuple[float, bool]:
    """Objective and capacity feasibility of a 0/1 item vector, recomputed from the data."""
    load = np.asarray(problem.weight) @ chosen
    feasible = bool(np.all(load <= np.asarray(problem.capacity) + 1e-6))
    return float(np.asarray(problem.profit) @ chosen), feasible


def solve_allocator(problem: Knapsack, time_limit: float) -> Result:
    """``allocator.solve`` with the time limit and gap 0."""
    started = time.perf_counter()
    instance, mandate = knapsack_instance(problem)
    plan = allocator.solve(instance, mandate, time_limit=time_limit, gap=0.0)
    seconds = time.perf_counter() - started
    chosen = np.zeros(len(problem.profit))
    for inv in plan.investments:
        chosen[int(inv.id[1:])] = 1.0 if inv.amount > 0.5 else 0.0
    objective, feasible = check(problem, chosen) if plan.found else (None, False)
    return Result(plan.status.value, objective, seconds, feasible, seconds - plan.solver.seconds)


def knapsack_lp(problem: Knapsack) -> highspy.HighsLp:
    """``max p·x, W x ≤ b, x ∈ {0,1}`` as a row-wise HighsLp."""
    weight = np.asarray(problem.weight, dtype=float)
    m, n = weight.shape
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = np.asarray(problem.profit, dtype=float)
    lp.col_lower_, lp.col_upper_ = np.zeros(n), np.ones(n)
    lp.row_lower_ = np.full(m, -highspy.kHighsInf)
    lp.row_upper_ = np.asarray(problem.capacity, dtype=float)
    rows, cols = np.nonzero(weight)
    a = lp.a_matrix_
    a.format_ = highspy.MatrixFormat.kRowwise
    a.num_col_, a.num_row_ = n, m
    a.start_ = np.searchsorted(rows, np.arange(m + 1)).astype(np.int32)
    a.index_ = cols.astype(np.int32)
    a.value_ = weight[rows, cols]
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    return lp


def solve_direct(problem: Knapsack, time_limit: float) -> Result:
    """highspy with the same time limit and ``mip_rel_gap`` 0."""
    started = time.perf_counter()
    h = new_highs(time_limit, gap=0.0)
    h.passModel(knapsack_lp(problem))
    run_started = time.perf_counter()
    h.run()
    run = time.perf_counter() - run_started
    optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    if h.getInfo().primal_solution_status != highspy.kSolutionStatusFeasible:
        seconds = time.perf_counter() - started
        status = h.modelStatusToString(h.getModelStatus())
        return Result(status, None, seconds, False, seconds - run)
    status = "optimal" if optimal else "feasible"  # the allocator's words
    chosen = (np.asarray(h.getSolution().col_value) > 0.5).astype(float)
    seconds = time.perf_counter() - started
    objective, feasible = check(problem, chosen)
    return Result(status, objective, seconds, feasible, seconds - run)


def best_known(data: Path) -> dict[tuple[str, int], float]:
    """(file, 0-based index) -> best-known value."""
    with open(data / "best-known.csv", newline="") as f:
        return {(r["file"], int(r["index"])): float(r["best_known"]) for r in csv.DictReader(f)}


def gap_pct(best: float, result: Result) -> float:
    """Gap to the best-known value in %, 100 without a solution."""
    return 100.0 if result.objective is None else 100.0 * (best - result.objective) / best


def parse_indices(spec: str) -> list[int]:
    """``0-4``, ``0,3,7`` or ``2``."""
    out: list[int] = []
    for part in spec.split(","):
        low, _, high = part.partition("-")
        out.extend(range(int(low), int(high or low) + 1))
    return out


def run_file(
    data: Path, file: str, indices: list[int], time_limit: float, best: dict
) -> list[tuple[Result, Result, float]]:
    """Solve the chosen problems of one file both ways; print a table row per problem."""
    problems = read_mknap(data / file)
    out = []
    for i in indices:
        problem = problems[i]
        ours = solve_allocator(problem, time_limit)
        theirs = solve_direct(problem, time_limit)
        bk = best[(file, i)]
        out.append((ours, theirs, bk))
        print(
            f"| {file} | {i} | {bk:,.0f} | {_obj(ours)} | {gap_pct(bk, ours):.3f} "
            f"| {ours.seconds:.2f} | {ours.status} | {_obj(theirs)} | {gap_pct(bk, theirs):.3f} "
            f"| {theirs.seconds:.2f} | {theirs.status} |",
            flush=True,
        )
    return out


def _obj(result: Result) -> str:
    if result.objective is None:
        return "-"
    return f"{result.objective:,.0f}" + ("" if result.feasible else " (INFEASIBLE)")


def summarise(label: str, results: list[tuple[Result, Result, float]]) -> None:
    """Mean gaps and times, and the two targets."""
    ours = [gap_pct(bk, a) for a, _, bk in results]
    theirs = [gap_pct(bk, d) for _, d, bk in results]
    slower = [a.seconds - d.seconds for a, d, _ in results]
    diff = statistics.mean(ours) - statistics.mean(theirs)
    print(
        f"| {label} | {len(results)} | {statistics.mean(ours):.3f} | {statistics.mean(theirs):.3f} "
        f"| {diff:+.3f} {'met' if diff <= TARGET_GAP_PP else 'NOT met'} "
        f"| {statistics.mean(a.seconds for a, _, _ in results):.2f} "
        f"| {statistics.mean(d.seconds for _, d, _ in results):.2f} "
        f"| {statistics.mean(slower):+.2f} / {max(slower):+.2f} "
        f"{'met' if max(slower) <= TARGET_SLOWER_S else 'NOT met'} "
        f"| {statistics.mean(a.outside for a, _, _ in results):.3f} / "
        f"{max(a.outside for a, _, _ in results):.3f} "
        f"| {statistics.mean(d.outside for _, d, _ in results):.3f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default="0-4", help="0-based indices: 0-4, 0,3,7")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--files", nargs="+", default=list(FILES))
    parser.add_argument("--data", type=Path, default=DATA, help="OR-Library mknap folder")
    args = parser.parse_args()
    missing = [f for f in (*args.files, "best-known.csv") if not (args.data / f).is_file()]
    if missing:
        sys.exit(f"mkp.py: {', '.join(missing)} not found in {args.data} (use --data DIR)")
    quiet_highs()
    best, indices = best_known(args.data), parse_indices(args.instances)
    print(
        f"Time limit {args.time_limit:g} s, mip_rel_gap 0, default threads; gap to best-known "
        "in %; seconds are wall time of build + solve.\n"
    )
    print(
        "| file | # | best-known | allocator | gap % | s | status | direct | gap % | s | status |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---|")
    everything = {}
    for file in args.files:
        everything[file] = run_file(args.data, file, indices, args.time_limit, best)
    print(
        f"\nTargets: allocator mean gap within {TARGET_GAP_PP} percentage points of direct's; "
        f"allocator at most {TARGET_SLOWER_S:g} s slower per problem. Wall times include the "
        "HiGHS run, which varies run to run when a proof ends near the limit; 'outside HiGHS' "
        "is wall time minus the HiGHS run (build, hand-off, reading the solution).\n"
    )
    print(
        "| set | problems | allocator mean gap % | direct mean gap % | difference (pp) "
        "| allocator mean s | direct mean s | slower: mean / max s "
        "| allocator outside HiGHS: mean / max s | direct outside HiGHS: mean s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for file, results in everything.items():
        summarise(file, results)
    summarise("all", [r for results in everything.values() for r in results])


if __name__ == "__main__":
    main()
