"""Model build and hand-off to HiGHS: allocator (Pyomo) versus a direct numpy/scipy build.

For generated instances (27 sub-areas, 10 years, every constraint family of the generated
mandate active) this measures, in one run and side by side:

- allocator: ``Session(instance, mandate)`` (``build_model`` plus the mandate check and solver
  object) and ``Session.hand_off()`` (Pyomo's persistent ``pyomo.contrib.solver`` HiGHS
  ``set_instance``);
- direct: the same model written with numpy/scipy.sparse from the Instance and Mandate
  (``benchmarks/_direct.py``) and passed with ``highspy.Highs.passModel``.

That both are the same model is checked by solving the LP relaxation of each (the allocator's
as handed to HiGHS, integrality dropped) and comparing the objective values. At 10,000
candidates the allocator model is then solved once (``--solve-limit`` s) and build + hand-off is
shown as a share of the HiGHS solve time. Prints markdown; asserts nothing.

    python benchmarks/build.py [--sizes 1000 5000 10000 20000] [--solve-size 10000]
                               [--solve-limit 120] [--profile N]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _direct import DirectModel, direct_model, lp_relaxation_value, quiet_highs  # noqa: E402

from allocator import Instance, Mandate, Session  # noqa: E402
from allocator.generate import generate  # noqa: E402

SEED = 1
TARGET_RATIO = 3.0  # allocator build + hand-off at most 3x the direct build
TARGET_SHARE = 0.10  # build + hand-off at most 10% of the solve time at 10,000 candidates


@dataclass
class Row:
    """One size's measurements."""

    n: int
    pairs: int
    rows: int
    rows_direct: int
    build: float
    hand_off: float
    direct: float
    lp_allocator: float
    lp_direct: float
    lp_status: str

    @property
    def total(self) -> float:
        """Allocator build + hand-off seconds."""
        return self.build + self.hand_off

    @property
    def lp_rel_diff(self) -> float:
        """Relative difference of the two LP relaxation values."""
        return abs(self.lp_allocator - self.lp_direct) / max(1.0, abs(self.lp_direct))


def time_allocator(instance: Instance, mandate: Mandate) -> tuple[Session, float, float]:
    """A Session built and handed off: (session, build seconds, hand-off seconds)."""
    started = time.perf_counter()
    session = Session(instance, mandate)
    build = time.perf_counter() - started
    return session, build, session.hand_off()


def time_direct(instance: Instance, mandate: Mandate) -> tuple[DirectModel, float]:
    """The direct model built and passed to HiGHS: (model, seconds)."""
    started = time.perf_counter()
    model = direct_model(instance, mandate)
    model.to_highs()
    return model, time.perf_counter() - started


def measure(n: int) -> tuple[Row, Session]:
    """Both builds for a generated instance of ``n`` candidates and their LP relaxations."""
    instance, mandate = generate(candidates=n, seed=SEED)
    session, build, hand_off = time_allocator(instance, mandate)
    model, direct = time_direct(instance, mandate)
    highs = session.solver._solver_model  # the HiGHS object the allocator handed the model to
    status_a, lp_a = lp_relaxation_value(highs.getLp())
    status_d, lp_d = lp_relaxation_value(model.to_lp(relax=True))
    row = Row(
        n=n,
        pairs=len(session.model.pairs.items),
        rows=highs.getNumRow(),
        rows_direct=model.rows,
        build=build,
        hand_off=hand_off,
        direct=direct,
        lp_allocator=lp_a,
        lp_direct=lp_d,
        lp_status=status_a if status_a == status_d else f"{status_a}/{status_d}",
    )
    return row, session


def print_table(rows: list[Row]) -> None:
    """The side-by-side markdown table and the LP relaxation values."""
    print(
        "| N | pairs | rows (allocator / direct) | allocator build s | hand-off s | total s "
        "| direct s | total / direct | LP values agree |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        agree = "yes" if r.lp_rel_diff <= 1e-7 else f"NO ({r.lp_rel_diff:.1e})"
        print(
            f"| {r.n:,} | {r.pairs:,} | {r.rows:,} / {r.rows_direct:,} | {r.build:.2f} "
            f"| {r.hand_off:.2f} | {r.total:.2f} | {r.direct:.2f} | {r.total / r.direct:.1f}x "
            f"| {agree} |"
        )
    print(f"\nTarget: allocator build + hand-off <= {TARGET_RATIO:g}x direct.")
    met = [f"{r.n:,}: {'met' if r.total <= TARGET_RATIO * r.direct else 'NOT met'}" for r in rows]
    print("Measured: " + "; ".join(met) + ".\n")
    print("| N | LP status | LP allocator | LP direct | relative difference |")
    print("|---:|---|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r.n:,} | {r.lp_status} | {r.lp_allocator:,.4f} | {r.lp_direct:,.4f} "
            f"| {r.lp_rel_diff:.1e} |"
        )


def solve_share(session: Session, n: int, time_limit: float) -> None:
    """Solve a built, handed-off Session once; print build + hand-off as % of the solve."""
    plan = session.solve(time_limit=time_limit)
    seconds, build = plan.solver.seconds, plan.solver.build_seconds
    share = build / seconds if seconds else float("inf")
    verdict = "met" if share <= TARGET_SHARE else "NOT met"
    gap = f"{100 * plan.gap:.3f}%" if plan.gap is not None else "-"
    print(
        f"\n### One allocator solve at {n:,} candidates (time limit {time_limit:g} s)\n\n"
        f"status {plan.status.value}, objective {plan.objective or 0:,.1f}, gap {gap}, "
        f"HiGHS {seconds:.2f} s, build + hand-off {build:.2f} s = **{100 * share:.1f}%** of the "
        f"solve time (target <= {100 * TARGET_SHARE:g}%: {verdict})."
    )


def _stats_text(profiler: cProfile.Profile, order: str, top: int) -> str:
    """The top ``top`` lines of a profile in ``order``, site-packages paths shortened."""
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
    lines = out.getvalue().strip().splitlines()
    start = next(i for i, line in enumerate(lines) if "function calls" in line)
    text = "\n".join(line.rstrip() for line in lines[start:] if "Ordered by" not in line)
    return re.sub(r"\S*site-packages/", "", text)


def profile_hand_off(n: int, top: int = 12) -> None:
    """cProfile of the allocator hand-off at ``n`` candidates: top functions by own and
    cumulative time (profiling slows the hand-off itself about twofold)."""
    instance, mandate = generate(candidates=n, seed=SEED)
    session = Session(instance, mandate)
    profiler = cProfile.Profile()
    profiler.enable()
    session.hand_off()
    profiler.disable()
    for order, label in (("tottime", "own time"), ("cumulative", "cumulative time")):
        print(f"\n### cProfile of the hand-off at {n:,} candidates, by {label}\n\n```")
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
    rows, kept = [], None
    for n in args.sizes:
        row, session = measure(n)
        rows.append(row)
        if n == args.solve_size:
            kept = session
        del session
        print(f"measured {n:,}", file=sys.stderr, flush=True)
    print_table(rows)
    if kept is not None:
        solve_share(kept, args.solve_size, args.solve_limit)
    elif args.solve_size:
        print(f"\n(no solve: {args.solve_size} is not among --sizes)")
    if args.profile:
        profile_hand_off(args.profile)


if __name__ == "__main__":
    main()
