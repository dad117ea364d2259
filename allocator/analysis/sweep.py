"""Parallel sweeps: many variants of a mandate solved on Dask workers, collected in order.

A grid file is YAML with ``grid`` (a mapping from dotted key to a list of values; every
combination is a variant) and/or ``variants`` (named edits in the what-if format). Each variant
is solved cold in its own Session, so a result never depends on which worker ran it or in which
order: the table is the same with 1 worker, 8 workers or none. HiGHS runs one thread per
variant unless the mandate sets ``solver.threads``, so workers do not fight over cores.
A variant that fails is reported with its error; the others complete.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pandas as pd

from allocator.analysis.variants import (
    Progress,
    Variant,
    failed_row,
    load_variants,
    summary_row,
    whole_numbers,
)
from allocator.errors import AllocatorError, InputError
from allocator.inputs.instance import Instance
from allocator.inputs.mandate import Mandate
from allocator.io import read_yaml
from allocator.solving.session import Session


def load_grid(path: str | Path) -> list[Variant]:
    """Variants of a grid file: the product of ``grid`` values, then the listed ``variants``."""
    file = Path(path)
    data = read_yaml(file)
    if isinstance(data, list) or (isinstance(data, dict) and not {"grid", "variants"} & set(data)):
        return load_variants(file)
    if not isinstance(data, dict) or set(data) - {"grid", "variants"}:
        raise InputError("expected the keys 'grid' and/or 'variants'", file=file.name)
    variants = _grid_variants(data.get("grid") or {}, file.name)
    listed = data.get("variants") or []
    if listed:
        variants += [Variant.model_validate(v) if isinstance(v, dict) else v for v in listed]
    if not variants:
        raise InputError("no variants", file=file.name)
    return variants


def _grid_variants(grid: Any, file: str) -> list[Variant]:
    if not isinstance(grid, dict) or any(not isinstance(v, list) or not v for v in grid.values()):
        raise InputError("grid: expected a mapping from key to a non-empty list", file=file)
    keys = list(grid)
    return [
        Variant.model_validate(
            {
                "name": ", ".join(f"{k}={v}" for k, v in zip(keys, values, strict=True)),
                "set": dict(zip(keys, values, strict=True)),
            }
        )
        for values in itertools.product(*(grid[k] for k in keys))
    ]


def solve_variant(instance: Instance, mandate: Mandate, variant: Variant) -> dict[str, Any]:
    """One variant solved cold; a failure becomes a row with its error instead of an exception."""
    try:
        edited = variant.apply(mandate, instance)
        if "solver.threads" not in variant.set_ and mandate.solver.threads == 0:
            edited = edited.with_changes({"solver.threads": 1})
        plan = Session(instance, edited, warm_start=False).solve()
        return summary_row(variant.name, plan, None, list(instance.pillars))
    except (AllocatorError, ValueError, RuntimeError, KeyError) as err:
        return failed_row(variant.name, err)


def sweep(
    instance: Instance,
    mandate: Mandate,
    variants: list[Variant],
    *,
    workers: int = 2,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Solve every variant, on Dask (``workers`` local processes or a ``scheduler``) or in
    process (``workers=0``); one row per variant in the order given."""
    if workers < 0:
        raise InputError("must be 0 or more", column="--workers")
    if scheduler is None and workers == 0:
        rows = []
        for n, variant in enumerate(variants):
            rows.append(solve_variant(instance, mandate, variant))
            if progress:
                progress(n + 1, len(variants))
    else:
        rows = _on_dask(instance, mandate, variants, workers, scheduler, progress)
    frame = pd.DataFrame(rows)
    if "error" not in frame:
        frame["error"] = None
    return whole_numbers(frame.drop(columns=["added", "removed"], errors="ignore"))


def _on_dask(
    instance: Instance,
    mandate: Mandate,
    variants: list[Variant],
    workers: int,
    scheduler: str | None,
    progress: Progress | None,
) -> list[dict[str, Any]]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError(
            "sweeps need Dask: pip install 'allocator[sweep]'", column="--workers"
        ) from None
    cluster = None
    try:
        if scheduler is None:
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
        client = Client(scheduler or cluster)
    except (OSError, TimeoutError, ValueError) as err:
        raise InputError(f"cannot reach the Dask scheduler ({err})", column="--scheduler") from None
    try:
        shared_instance, shared_mandate = client.scatter([instance, mandate], broadcast=True)
        futures = [
            client.submit(solve_variant, shared_instance, shared_mandate, v, pure=False)
            for v in variants
        ]
        position = {f.key: n for n, f in enumerate(futures)}
        rows: list[dict[str, Any] | None] = [None] * len(variants)
        for done, future in enumerate(as_completed(futures), start=1):
            n = position[future.key]
            try:
                rows[n] = future.result()
            except Exception as err:  # a worker died: report the variant, keep the rest
                rows[n] = {"name": variants[n].name, "status": "failed", "error": repr(err)}
            if progress:
                progress(done, len(variants))
        return [row for row in rows if row is not None]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
