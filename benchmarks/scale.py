"""Scaling: build, hand-off, solve and peak memory from 100 to 20,000 candidates, and sri-2025.

Each size runs in its own child process (this script with ``--one N``), so that its peak
resident set (``ru_maxrss``, read by the child about itself at the end) is its own: generate
the instance (seed 1), then one ``allocator.solve`` (build, one-shot matrix hand-off, solve) with
the time limit and the generated mandate's MIP gap; with ``--session`` a ``Session`` instead
(build, persistent ``hand_off()``, solve). Build and solve seconds are the plan's
``solver.build_seconds`` and ``solver.seconds``. The sri-2025 baseline
(``models/baseline.yaml``) is solved the same way with ``gap=0.0001``. Prints markdown;
asserts nothing.

    python benchmarks/scale.py [--sizes 100 1000 5000 10000 20000] [--time-limit 120] [--session]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _direct import quiet_highs  # noqa: E402

import allocator  # noqa: E402
from allocator import Session  # noqa: E402
from allocator.formulation import Pairs  # noqa: E402
from allocator.synthetic.generate import generate  # noqa: E402

SRI = "sri-2025"
SRI_GAP = 0.0001
TARGET_SRI_SECONDS = 10.0
TARGET_10K_GAP = 0.005
TARGET_20K_BYTES = 4 * 2**30


def load(name: str) -> tuple[allocator.Instance, allocator.Mandate, float | None]:
    """Instance, mandate and gap override for ``sri-2025`` or a number of candidates."""
    if name == SRI:
        instance = allocator.load_instance(allocator.bundled("instances/sri-2025"))
        mandate = allocator.load_mandate(allocator.bundled("models/baseline.yaml"))
        return instance, mandate, SRI_GAP
    instance, mandate = generate(candidates=int(name), seed=1)
    return instance, mandate, None


def one(name: str, time_limit: float, session: bool) -> dict[str, Any]:
    """Measure one instance in this process; the result as a dict."""
    quiet_highs()
    instance, mandate, gap = load(name)
    pairs = len(Pairs.build(instance, mandate).items)
    loaded = time.perf_counter()
    if session:
        plan = Session(instance, mandate).solve(time_limit=time_limit, gap=gap)
    else:
        plan = allocator.solve(instance, mandate, time_limit=time_limit, gap=gap)
    finished = time.perf_counter()
    return {
        "name": name,
        "candidates": len(instance.candidates),
        "pairs": pairs,
        "build_s": plan.solver.build_seconds,
        "solve_s": plan.solver.seconds,
        "wall_s": finished - loaded,
        "status": plan.status.value,
        "gap": plan.gap,
        "mip_gap": gap if gap is not None else mandate.solver.mip_gap,
        "objective": plan.objective,
        "maxrss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def run_child(name: str, time_limit: float, session: bool) -> dict[str, Any]:
    """Run ``--one name`` in a fresh interpreter; its JSON line, or the error."""
    command = [sys.executable, __file__, "--one", name, "--time-limit", str(time_limit)]
    command += ["--session"] if session else []
    done = subprocess.run(command, capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"name": name, "error": f"exit {done.returncode}: {tail}"}
    return json.loads(lines[-1])


def print_row(r: dict[str, Any]) -> None:
    """One markdown row."""
    if "error" in r:
        print(f"| {r['name']} | - | - | - | - | - | {r['error']} | - | - | - |")
        return
    gap = "-" if r["gap"] is None else f"{100 * r['gap']:.3f}"
    print(
        f"| {r['name']} | {r['candidates']:,} | {r['pairs']:,} | {r['build_s']:.2f} "
        f"| {r['solve_s']:.2f} | {r['wall_s']:.2f} | {r['status']} | {gap} "
        f"| {100 * r['mip_gap']:g} | {r['maxrss_bytes'] / 2**20:,.0f} |",
        flush=True,
    )


def targets(results: dict[str, dict[str, Any]]) -> None:
    """The three targets next to the measured values."""
    print()
    sri = results.get(SRI, {})
    if "status" in sri:
        ok = sri["status"] == "optimal" and (sri["gap"] or 0) <= SRI_GAP
        ok = ok and sri["wall_s"] <= TARGET_SRI_SECONDS
        print(
            f"- sri-2025 proven optimal (gap <= 0.01%) in <= {TARGET_SRI_SECONDS:g} s: "
            f"{sri['status']}, gap {100 * (sri['gap'] or 0):.4f}%, {sri['wall_s']:.2f} s "
            f"(HiGHS {sri['solve_s']:.2f} s) -> **{'met' if ok else 'NOT met'}**"
        )
    big = results.get("10000", {})
    if "status" in big:
        ok = big["gap"] is not None and big["gap"] <= TARGET_10K_GAP
        print(
            f"- 10,000 within 0.5% of the bound in the time limit: gap "
            f"{100 * (big['gap'] or 1):.3f}% after {big['solve_s']:.1f} s -> "
            f"**{'met' if ok else 'NOT met'}**"
        )
    huge = results.get("20000", {})
    if "maxrss_bytes" in huge:
        ok = huge["maxrss_bytes"] < TARGET_20K_BYTES
        print(
            f"- 20,000 under 4 GiB: peak RSS {huge['maxrss_bytes'] / 2**30:.2f} GiB -> "
            f"**{'met' if ok else 'NOT met'}**"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000, 10000, 20000])
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--session", action="store_true", help="Session path, not solve()")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.time_limit, args.session)))
        return
    path = "Session(...).solve()" if args.session else "allocator.solve"
    print(
        f"One child process per instance, each solved once with `{path}`; time limit "
        f"{args.time_limit:g} s; generated instances use seed 1 and their mandate's MIP gap, "
        "sri-2025 gap 0.01%. build = model build + hand-off to HiGHS; solve = HiGHS run; "
        "wall = the whole call (also extracting the plan).\n"
    )
    print(
        "| instance | candidates | pairs | build s | solve s | wall s "
        "| status | gap % | MIP gap % | peak RSS MiB |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|")
    results = {}
    for name in [SRI, *map(str, args.sizes)]:
        results[name] = run_child(name, args.time_limit, args.session)
        print_row(results[name])
    targets(results)


if __name__ == "__main__":
    main()
