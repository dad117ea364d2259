"""Model build and hand-off to HiGHS: allocator (Pyomo) versus a direct numpy/scipy build.

For generated instances (27 sub-areas, 10 years, every constraint family of the generated
mandate active) this measures, in one run and side by side:

- allocator: ``build_model`` seconds, then the two hand-offs the package has: the one-shot
  matrix hand-off of ``allocator.solve`` (Pyomo's standard-form compiler, ``passModel``) and the
  hand-off of ``Session.hand_off()`` (``set_instance`` of Pyomo's persistent
  ``pyomo.contrib.solver`` HiGHS interface), both of the same built model;
- direct: the same model written with numpy/scipy.sparse from the Instance and Mandate
  (``benchmarks/_direct.py``) and passed with ``highspy.Highs.passModel``.

That they are the same model is checked by solving the LP relaxation of each model as handed to
HiGHS (integrality dropped) and comparing the objective values. Then one generated instance
(``--solve-size``, 10,000) is solved with ``allocator.solve`` (``--solve-limit`` s) and build +
hand-off is shown as a share of the HiGHS solve time; ``--profile N`` prints cProfile tables of
both hand-offs at N candidates. Prints markdown; asserts nothing.

    python benchmarks/build.py [--sizes 1000 5000 10000 20000] [--solve-size 10000]
                               [--solve-limit 120] [--profile 10000]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import highspy  # noqa: E402
from _direct import (  # noqa: E402
    DirectModel,
    direct_model,
    lp_relaxation_value,
    new_highs,
    quiet_highs,
)
from pyomo.environ import ConcreteModel  # noqa: E402

import allocator  # noqa: E402
from allocator import Instance, Mandate  # noqa: E402
from allocator.formulation import build_model  # noqa: E402
from allocator.generate import generate  # noqa: E402
from allocator.highs import WarmHighs  # noqa: E402

try:  # the one-shot matrix hand-off of allocator.solve (a private helper of the package)
    from allocator.highs import _matrix_lp
except ImportError:  # pragma: no cover - the package changed
    _matrix_lp = None

SEED = 1
TARGET_RATIO = 3.0  # allocator build + hand-off at most 3x the direct build
ORDERS = ("tottime", "cumulative")
TARGET_SHARE = 0.10  # build + hand-off at most 10% of the solve time at 10,000 candidates


@dataclass
class Row:
    """One size's measurements (seconds) and LP relaxation values."""

    n: int
    pairs: int
    rows: int
    rows_direct: int
    build: float
    matrix: float | None  # hand-off as allocator.solve does it (standard-form matrix)
    persistent: float  # hand-off as Session.hand_off does it (persistent interface)
    direct: float
    lp: dict[str, float]  # path -> LP relaxation value
    lp_status: str

    def ratio(self, hand_off: float | None) -> str:
        """(build + hand-off) / direct, as text."""
        return "-" if hand_off is None else f"{(self.build + hand_off) / self.direct:.1f}x"

    @property
    def lp_rel_diff(self) -> float:
        """Largest relative difference of an allocator LP relaxation value from direct's."""
        base = self.lp["direct"]
        return max(abs(v - base) / max(1.0, abs(base)) for v in self.lp.values())


def matrix_hand_off(model: ConcreteModel) -> tuple[highspy.HighsLp | None, float | None]:
    """The one-shot hand-off of ``allocator.solve``: standard-form matrix, ``passModel``."""
    if _matrix_lp is None:
        return None, None
    started = time.perf_counter()
    lp, _ = _matrix_lp(model)
    new_highs().passModel(lp)
    return lp, time.perf_counter() - started


def persistent_hand_off(model: ConcreteModel) -> tuple[WarmHighs, float]:
    """The Session hand-off: ``set_instance`` of Pyomo's persistent HiGHS interface."""
    started = time.perf_counter()
    solver = WarmHighs()
    solver.set_instance(model)
    return solver, time.perf_counter() - started


def time_direct(instance: Instance, mandate: Mandate) -> tuple[DirectModel, float]:
    """The direct model built and passed to HiGHS: (model, seconds)."""
    started = time.perf_counter()
    model = direct_model(instance, mandate)
    model.to_highs()
    return model, time.perf_counter() - started


def measure(n: int) -> Row:
    """All builds for a generated instance of ``n`` candidates and their LP relaxations."""
    instance, mandate = generate(candidates=n, seed=SEED)
    started = time.perf_counter()
    model = build_model(instance, mandate)
    build = time.perf_counter() - started
    matrix_lp, matrix = matrix_hand_off(model)
    solver, persistent = persistent_hand_off(model)
    direct, direct_s = time_direct(instance, mandate)
    highs = solver._solver_model  # the HiGHS object the persistent interface filled
    results = {"persistent": lp_relaxation_value(highs.getLp())}
    if matrix_lp is not None:
        results["matrix"] = lp_relaxation_value(matrix_lp)
    results["direct"] = lp_relaxation_value(direct.to_lp(relax=True))
    statuses = sorted({status for status, _ in results.values()})
    return Row(
        n=n,
        pairs=len(model.pairs.items),
        rows=highs.getNumRow(),
        rows_direct=direct.rows,
        build=build,
        matrix=matrix,
        persistent=persistent,
        direct=direct_s,
        lp={path: value for path, (_, value) in results.items()},
        lp_status="/".join(statuses),
    )


def print_table(rows: list[Row]) -> None:
    """The side-by-side markdown table and the LP relaxation values."""
    print(
        "| N | pairs | rows (allocator / direct) | build_model s | hand-off s: matrix "
        "(allocator.solve) | hand-off s: persistent (Session) | direct s (build + passModel) "
        "| total / direct: solve | total / direct: Session | LP values agree |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        agree = "yes" if r.lp_rel_diff <= 1e-7 else f"NO ({r.lp_rel_diff:.1e})"
        matrix = "-" if r.matrix is None else f"{r.matrix:.2f}"
        print(
            f"| {r.n:,} | {r.pairs:,} | {r.rows:,} / {r.rows_direct:,} | {r.build:.2f} "
            f"| {matrix} | {r.persistent:.2f} | {r.direct:.2f} | {r.ratio(r.matrix)} "
            f"| {r.ratio(r.persistent)} | {agree} |"
        )
    print(
        f"\nTarget: allocator build + hand-off <= {TARGET_RATIO:g}x direct. Measured "
        "(allocator.solve path / Session path):"
    )
    for r in rows:
        verdicts = [
            "-" if h is None else ("met" if r.build + h <= TARGET_RATIO * r.direct else "NOT met")
            for h in (r.matrix, r.persistent)
        ]
        print(f"- {r.n:,}: {verdicts[0]} / {verdicts[1]}")
    paths = list(rows[0].lp) if rows else []
    print("\n| N | LP status | " + " | ".join(f"LP {p}" for p in paths) + " | max rel. diff |")
    print("|---:|---|" + "---:|" * (len(paths) + 1))
    for r in rows:
        values = " | ".join(f"{r.lp[p]:,.4f}" for p in paths)
        print(f"| {r.n:,} | {r.lp_status} | {values} | {r.lp_rel_diff:.1e} |")


def solve_share(rows: list[Row], n: int, time_limit: float) -> None:
    """Solve once with ``allocator.solve``; print build + hand-off as % of the HiGHS time."""
    instance, mandate = generate(candidates=n, seed=SEED)
    plan = allocator.solve(instance, mandate, time_limit=time_limit)
    seconds, build = plan.solver.seconds, plan.solver.build_seconds
    gap = f"{100 * plan.gap:.3f}%" if plan.gap is not None else "-"
    print(
        f"\n### One allocator.solve at {n:,} candidates (time limit {time_limit:g} s, "
        f"mandate gap {100 * mandate.solver.mip_gap:g}%)\n\n"
        f"status {plan.status.value}, objective {plan.objective or 0:,.1f}, gap {gap}, "
        f"HiGHS {seconds:.2f} s.\n"
    )
    shares = [("allocator.solve (measured in this solve)", build)]
    row = next((r for r in rows if r.n == n), None)
    if row is not None:
        shares.append(("Session (build + persistent hand-off above)", row.build + row.persistent))
    for label, value in shares:
        share = value / seconds if seconds else float("inf")
        verdict = "met" if share <= TARGET_SHARE else "NOT met"
        print(
            f"- {label}: build + hand-off {value:.2f} s = **{100 * share:.1f}%** of the solve "
            f"time (target <= {100 * TARGET_SHARE:g}%: {verdict})"
        )


def _stats_text(profiler: cProfile.Profile, order: str, top: int) -> str:
    """The top ``top`` lines of a profile in ``order``, site-packages paths shortened."""
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
    lines = out.getvalue().strip().splitlines()
    start = next(i for i, line in enumerate(lines) if "function calls" in line)
    skip = ("Ordered by", "List reduced")
    text = "\n".join(line.rstrip() for line in lines[start:] if not line.strip().startswith(skip))
    return re.sub(r"\S*site-packages/", "", text)


def _profiled(action: Callable[[], object]) -> tuple[cProfile.Profile, object]:
    profiler = cProfile.Profile()
    profiler.enable()
    result = action()
    profiler.disable()
    return profiler, result


def profile_hand_off(n: int, top: int = 12) -> None:
    """cProfile of ``build_model`` and of both allocator hand-offs at ``n`` candidates: top
    functions by own time, and for the hand-offs also by cumulative time (profiling itself
    slows everything down)."""
    instance, mandate = generate(candidates=n, seed=SEED)
    profiler, model = _profiled(lambda: build_model(instance, mandate))
    profiles = [("build_model", profiler, ("tottime",))]
    paths = [("persistent hand-off (Session.hand_off)", persistent_hand_off)]
    if _matrix_lp is not None:
        paths.insert(0, ("matrix hand-off (allocator.solve)", matrix_hand_off))
    for label, hand_off in paths:
        profiles.append((label, _profiled(lambda h=hand_off: h(model))[0], ORDERS))
    for label, profiler, orders in profiles:
        for order in orders:
            by = "own time" if order == "tottime" else "cumulative time"
            print(f"\n### cProfile, {label} at {n:,} candidates, by {by}\n\n```")
            print(_stats_text(profiler, order, top))
            print("```")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000, 20000])
    parser.add_argument("--solve-size", type=int, default=10000, help="0: no solve")
    parser.add_argument("--solve-limit", type=float, default=120.0)
    parser.add_argument(
        "--profile", type=int, default=10000, help="profile the hand-off at N (0: no profile)"
    )
    args = parser.parse_args()
    quiet_highs()
    print(f"Generated instances, seed {SEED}; one measurement each (timings are noisy).\n")
    rows = []
    for n in args.sizes:
        rows.append(measure(n))
        print(f"build.py: measured {n:,}", file=sys.stderr, flush=True)
    print_table(rows)
    if args.solve_size:
        solve_share(rows, args.solve_size, args.solve_limit)
    if args.profile:
        profile_hand_off(args.profile)


if __name__ == "__main__":
    main()
