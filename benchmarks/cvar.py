"""CVaR block: Pyomo build and hand-off versus a direct sparse-matrix build, side by side.

The Rockafellar–Uryasev block for S scenarios over n candidates is S dense-ish rows
``u_s ≥ Σ_j L[s,j]·x_j − η``. The benchmark builds a generated instance with and without a CVaR
limit and attributes the difference to the block: Pyomo model build, and hand-off by Pyomo's
standard-form compiler (the path ``allocator.solve`` uses). The direct build assembles the same
block with numpy/scipy and passes it to HiGHS with ``passModel``.

    python benchmarks/cvar.py [--candidates 2000] [--scenarios 1000]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import time

import highspy
import numpy as np
import scipy.sparse as sp
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from allocator.formulation import build_model
from allocator.synthetic.generate import generate
from allocator.synthetic.sampling import sample_scenarios


@contextlib.contextmanager
def _quiet_fd1():
    """The first highspy.Highs() prints a banner on file descriptor 1."""
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def _timed(work):
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def pyomo_seconds(instance, mandate) -> tuple[float, float, int]:
    """(build, compile, nonzeros) of the full model."""
    model, build = _timed(lambda: build_model(instance, mandate))
    repn, compile_ = _timed(
        lambda: LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
    )
    return build, compile_, repn.A.nnz


def direct_seconds(loss: np.ndarray, probability: np.ndarray, alpha: float) -> float:
    """Assemble the CVaR block (columns x, η, u) as a sparse matrix and pass it to HiGHS."""
    started = time.perf_counter()
    count, n = loss.shape
    block = sp.hstack(
        [sp.csr_matrix(-loss), sp.csr_matrix(np.ones((count, 1))), sp.identity(count, format="csr")]
    ).tocsc()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n + 1 + count, count
    lp.col_cost_ = np.concatenate([np.zeros(n), [1.0], probability / (1 - alpha)])
    lp.col_lower_ = np.concatenate([np.zeros(n), [-highspy.kHighsInf], np.zeros(count)])
    lp.col_upper_ = np.full(n + 1 + count, highspy.kHighsInf)
    lp.row_lower_ = np.zeros(count)
    lp.row_upper_ = np.full(count, highspy.kHighsInf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_ = block.indptr, block.indices
    lp.a_matrix_.value_ = block.data
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.passModel(lp)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--scenarios", type=int, default=1000)
    args = parser.parse_args()
    with _quiet_fd1():
        highspy.Highs()
    instance, mandate = generate(candidates=args.candidates, seed=1)
    scenarios, sample_s = _timed(lambda: sample_scenarios(instance, args.scenarios, seed=1))
    with_scenarios = instance.with_scenarios(scenarios)
    limited = mandate.with_changes({"risk.cvar": {"alpha": 0.95, "max_share": 0.5}})
    base_build, base_compile, base_nnz = pyomo_seconds(with_scenarios, mandate)
    cvar_build, cvar_compile, cvar_nnz = pyomo_seconds(with_scenarios, limited)
    loss = np.asarray(scenarios.loss, dtype=float)
    direct = direct_seconds(loss, np.asarray(scenarios.probability, float), 0.95)
    block_build, block_compile = cvar_build - base_build, cvar_compile - base_compile
    print(f"### CVaR block: {args.candidates} candidates x {args.scenarios} scenarios\n")
    print(f"scenario sampling: {sample_s:.2f} s; block non-zeros: {cvar_nnz - base_nnz:,}\n")
    print("| path | seconds |\n|---|---:|")
    print(f"| Pyomo build of the CVaR block | {block_build:.2f} |")
    print(f"| hand-off of the block (standard-form compile) | {block_compile:.2f} |")
    print(f"| Pyomo total | {block_build + block_compile:.2f} |")
    print(f"| direct numpy/scipy block + passModel | {direct:.2f} |")
    print(f"| ratio Pyomo / direct | {(block_build + block_compile) / direct:.1f} |")
    print(
        f"\nwhole model without / with CVaR: build {base_build:.2f} / {cvar_build:.2f} s, "
        f"hand-off {base_compile:.2f} / {cvar_compile:.2f} s"
    )


if __name__ == "__main__":
    main()
