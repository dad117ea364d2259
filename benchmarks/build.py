"""Model build and hand-off to HiGHS: allocator (Pyomo) versus a direct numpy/scipy build.

For generated instances (27 sub-areas, 10 years, every constraint family of the generated
mandate active) this measures, in one run and side by side, build and hand-off seconds of:

- the ``allocator.solve`` path: ``build_model`` as that function calls it, then its one-shot
  matrix hand-off (Pyomo's standard-form compiler plus the package's sparse blocks,
  ``Highs.passModel``);
- the ``Session`` path: ``Session(instance, mandate)`` then ``Session.hand_off()`` (the same
  compiled hand-off, kept with its row bookkeeping for in-place what-if edits);
- direct: the same model written with numpy/scipy.sparse from the Instance and Mandate
  (``benchmarks/_direct.py``) and passed with ``highspy.Highs.passModel``.

That all three are the same model is checked by solving the LP relaxation of each model as
handed to HiGHS (integrality dropped) and comparing the objective values. With ``--gc-probe``
the solve-path ``build_model`` is timed once more with Python's garbage collector off (off by
default: since b8421fa the package pauses the collector during builds itself). Then one
generated instance (``--solve-size``, 10,000) is solved with ``allocator.solve``
(``--solve-limit`` s) and build + hand-off is shown as a share of the HiGHS solve time;
``--profile N`` prints cProfile tables of the build and both hand-offs at N candidates. Prints
markdown; asserts nothing.

    python benchmarks/build.py [--sizes 1000 5000 10000 20000] [--solve-size 10000]
                               [--solve-limit 120] [--profile 10000] [--gc-probe]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import inspect
import io
import pstats
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _direct import (  # noqa: E402
    direct_model,
    lp_relaxation_value,
    new_highs,
    quiet_highs,
)
from pyomo.environ import ConcreteModel  # noqa: E402

import allocator  # noqa: E402
from allocator import Instance, Mandate  # noqa: E402
from allocator.formulation import build_model  # noqa: E402
from allocator.solving.session import Session  # noqa: E402
from allocator.synthetic.generate import generate  # noqa: E402

try:  # the one-shot matrix hand-off of allocator.solve (a private helper of the package)
    from allocator.solving.arrays import Arrays
    from allocator.solving.matrix import matrix_lp as _matrix_lp
except ImportError:  # pragma: no cover - the package changed
    _matrix_lp = None

SEED = 1
TARGET_RATIO = 3.0  # allocator build + hand-off at most 3x the direct build
TARGET_SHARE = 0.10  # build + hand-off at most 10% of the solve time at 10,000 candidates
ORDERS = ("tottime", "cumulative")
# allocator.solve builds with ticket_block=True (ticket rows kept as arrays for the matrix)
SOLVE_KWARGS = (
    {"ticket_block": True} if "ticket_block" in inspect.signature(build_model).parameters else {}
)


@dataclass
class PathResult:
    """One allocator path: build and hand-off seconds, rows handed over, LP relaxation."""

    build: float
    hand_off: float
    rows: int
    lp_status: str
    lp: float

    @property
    def total(self) -> float:
        """Build + hand-off seconds."""
        return self.build + self.hand_off


@dataclass
class Row:
    """One size's measurements."""

    n: int
    pairs: int
    solve: PathResult | None  # as allocator.solve does it
    session: PathResult  # as Session does it
    direct: PathResult  # build = direct_model, hand-off = passModel
    build_gc_off: float | None  # solve-path build_model with the garbage collector off

    def ratio(self, path: PathResult | None) -> str:
        """(build + hand-off) / direct, as text."""
        return "-" if path is None else f"{path.total / self.direct.total:.1f}x"

    def met(self, path: PathResult | None) -> str:
        """The 3x target for one path."""
        if path is None:
            return "-"
        return "met" if path.total <= TARGET_RATIO * self.direct.total else "NOT met"

    @property
    def paths(self) -> dict[str, PathResult]:
        """The measured paths by name."""
        found = {"solve": self.solve, "Session": self.session, "direct": self.direct}
        return {k: v for k, v in found.items() if v is not None}

    @property
    def lp_rel_diff(self) -> float:
        """Largest relative difference of an allocator LP relaxation value from direct's."""
        base = self.direct.lp
        return max(abs(p.lp - base) / max(1.0, abs(base)) for p in self.paths.values())


def _timed(action: Callable[[], Any]) -> tuple[Any, float]:
    """(result, seconds) of ``action()``, after a full garbage collection outside the timing."""
    gc.collect()
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def matrix_hand_off(model: ConcreteModel) -> Arrays:
    """The one-shot hand-off of ``allocator.solve``: standard-form matrix, ``passModel``."""
    lp, _ = _matrix_lp(model)
    lp.pass_to(new_highs())
    return lp


def solve_path(instance: Instance, mandate: Mandate) -> tuple[PathResult | None, int]:
    """Build as ``allocator.solve`` does and hand off the matrix; (result, pairs)."""
    model, build = _timed(lambda: build_model(instance, mandate, **SOLVE_KWARGS))
    pairs = len(model.pairs.items)
    if _matrix_lp is None:
        return None, pairs
    lp, hand_off = _timed(lambda: matrix_hand_off(model))
    status, value = lp_relaxation_value(lp)
    return PathResult(build, hand_off, len(lp.row_lower), status, value), pairs


def session_path(instance: Instance, mandate: Mandate) -> PathResult:
    """A Session's start: its build, then its hand-off (``Session.hand_off``: the model
    compiled, passed to HiGHS and kept with its row bookkeeping for in-place edits)."""
    session, build = _timed(lambda: Session(instance, mandate))
    _, hand_off = _timed(session.hand_off)
    live, _ = session.sync()
    status, value = lp_relaxation_value(live.highs.getLp())
    return PathResult(build, hand_off, live.highs.getNumRow(), status, value)


def direct_path(instance: Instance, mandate: Mandate) -> PathResult:
    """The direct numpy/scipy build and ``passModel``."""
    model, build = _timed(lambda: direct_model(instance, mandate))
    _, hand_off = _timed(model.to_highs)
    status, value = lp_relaxation_value(model.to_lp(relax=True))
    return PathResult(build, hand_off, model.rows, status, value)


def build_without_gc(instance: Instance, mandate: Mandate) -> float:
    """Seconds of the solve-path ``build_model`` with the cyclic garbage collector disabled."""
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        build_model(instance, mandate, **SOLVE_KWARGS)
        return time.perf_counter() - started
    finally:
        gc.enable()


def measure(n: int, gc_probe: bool) -> Row:
    """All paths for a generated instance of ``n`` candidates and their LP relaxations."""
    instance, mandate = generate(candidates=n, seed=SEED)
    solve, pairs = solve_path(instance, mandate)
    session = session_path(instance, mandate)
    direct = direct_path(instance, mandate)
    gc_off = build_without_gc(instance, mandate) if gc_probe else None
    return Row(n, pairs, solve, session, direct, gc_off)


def _s(path: PathResult | None) -> str:
    if path is None:
        return "- | - | -"
    return f"{path.build:.2f} | {path.hand_off:.2f} | {path.total:.2f}"


def print_table(rows: list[Row]) -> None:
    """The side-by-side markdown table, the targets and the LP relaxation values."""
    print(
        "| N | pairs | rows (solve / Session / direct) | solve path: build_model s | matrix "
        "hand-off s | total s | Session path: build s | hand-off s | total s "
        "| direct s (arrays + passModel) | total / direct: solve | total / direct: Session "
        "| LP values agree |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        agree = "yes" if r.lp_rel_diff <= 1e-7 else f"NO ({r.lp_rel_diff:.1e})"
        counts = " / ".join(f"{p.rows:,}" if p else "-" for p in (r.solve, r.session, r.direct))
        print(
            f"| {r.n:,} | {r.pairs:,} | {counts} | {_s(r.solve)} | {_s(r.session)} "
            f"| {r.direct.total:.2f} ({r.direct.build:.2f} + {r.direct.hand_off:.2f}) "
            f"| {r.ratio(r.solve)} | {r.ratio(r.session)} | {agree} |"
        )
    print(
        f"\nTarget: allocator build + hand-off <= {TARGET_RATIO:g}x direct. Measured "
        "(allocator.solve path / Session path):"
    )
    for r in rows:
        print(f"- {r.n:,}: {r.met(r.solve)} / {r.met(r.session)}")
    print("\nTarget: Session start <= 2x a one-shot build + hand-off. Measured:")
    for r in rows:
        if r.solve is not None:
            share = r.session.total / r.solve.total
            print(f"- {r.n:,}: {share:.2f}x ({'met' if share <= 2 else 'NOT met'})")
    names = list(rows[0].paths) if rows else []
    print("\n| N | LP status | " + " | ".join(f"LP {p}" for p in names) + " | max rel. diff |")
    print("|---:|---|" + "---:|" * (len(names) + 1))
    for r in rows:
        statuses = "/".join(sorted({p.lp_status for p in r.paths.values()}))
        values = " | ".join(f"{r.paths[p].lp:,.4f}" for p in names)
        print(f"| {r.n:,} | {statuses} | {values} | {r.lp_rel_diff:.1e} |")
    probed = [r for r in rows if r.build_gc_off is not None and r.solve is not None]
    if probed:
        print(
            "\nGarbage collector during the solve-path `build_model` (a probe, not a package "
            "setting):\n\n| N | gc on s (above) | gc off s | saved |\n|---:|---:|---:|---:|"
        )
        for r in probed:
            saved = 1 - r.build_gc_off / r.solve.build
            print(f"| {r.n:,} | {r.solve.build:.2f} | {r.build_gc_off:.2f} | {100 * saved:.0f}% |")


def solve_share(rows: list[Row], n: int, time_limit: float) -> None:
    """Solve once with ``allocator.solve``; print build + hand-off as % of the HiGHS time."""
    instance, mandate = generate(candidates=n, seed=SEED)
    gc.collect()
    plan = allocator.solve(instance, mandate, time_limit=time_limit)
    seconds, build = plan.solver.seconds, plan.solver.build_seconds
    gap = f"{100 * plan.gap:.3f}%" if plan.gap is not None else "-"
    print(
        f"\n### One allocator.solve at {n:,} candidates (time limit {time_limit:g} s, "
        f"mandate gap {100 * mandate.solver.mip_gap:g}%)\n\n"
        f"status {plan.status.value}, objective {plan.objective or 0:,.1f}, gap {gap}, "
        f"HiGHS {seconds:.2f} s.\n"
    )
    shares = [("allocator.solve (its own build_seconds)", build)]
    row = next((r for r in rows if r.n == n), None)
    if row is not None:
        shares.append(("Session path (build + hand-off, table above)", row.session.total))
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
    """cProfile of the solve-path ``build_model`` (own time) and of its hand-off (own and
    cumulative time) at ``n`` candidates; profiling itself slows everything down. A Session
    builds and hands off the same way."""
    instance, mandate = generate(candidates=n, seed=SEED)
    profiles = []
    if _matrix_lp is not None:
        profiler, model = _profiled(lambda: build_model(instance, mandate, **SOLVE_KWARGS))
        profiles.append(("build_model (solve path)", profiler, ("tottime",)))
        profiler, _ = _profiled(lambda: matrix_hand_off(model))
        profiles.append(("matrix hand-off (allocator.solve)", profiler, ORDERS))
        del model
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
    parser.add_argument("--gc-probe", action="store_true", help="also time a gc-off build")
    args = parser.parse_args()
    quiet_highs()
    print(f"Generated instances, seed {SEED}; one measurement each (timings are noisy).\n")
    rows = []
    for n in args.sizes:
        rows.append(measure(n, args.gc_probe))
        print(f"build.py: measured {n:,}", file=sys.stderr, flush=True)
    print_table(rows)
    if args.solve_size:
        solve_share(rows, args.solve_size, args.solve_limit)
    if args.profile:
        profile_hand_off(args.profile)


if __name__ == "__main__":
    main()
