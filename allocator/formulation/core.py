"""Allowed pairs, decision variables, and the exclusions every other family builds on.

``z[j,t]`` (binary) says candidate ``j`` is committed in year ``t``; ``w[j,t]`` is the amount in
USD M. Only allowed (j, t) pairs are indexed: a candidate's start window intersected with the
horizon. Forced-out candidates and those whose lead time exceeds ``lead_time.max_lead_time``
keep their pairs with ``z`` bounded to 0, so a what-if that changes them edits bounds in place.
Aggregates are built from pre-grouped position lists (one pass over the pairs), never by
scanning all pairs per row.

Every limit's value is a mutable parameter (``<component>_value``) and the budget is
``m.budget_usd_m``, so a what-if that changes a number updates right-hand sides in place.
"""

from __future__ import annotations

import functools
import gc
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyomo.environ as pyo

from allocator.formulation.expressions import amount
from allocator.formulation.limits import Family
from allocator.inputs.instance import Candidate, Instance
from allocator.inputs.mandate import Mandate

if TYPE_CHECKING:
    from allocator.formulation.model import AllocationModel


@dataclass(frozen=True)
class Pairs:
    """Allowed (candidate, year) pairs and the facts each family groups them by. Immutable:
    a Session's rebuild makes a new one (``with_inputs``)."""

    instance: Instance
    mandate: Mandate
    items: tuple[tuple[str, int], ...]
    candidates: tuple[Candidate, ...]  # candidate of each pair
    pillar: tuple[str, ...]  # pillar id of each pair

    @classmethod
    def build(cls, instance: Instance, mandate: Mandate) -> Pairs:
        """Enumerate the allowed pairs in candidate order, then year order."""
        start, end = mandate.horizon.start, mandate.horizon.end
        sub_areas = instance.sub_areas
        items, candidates, pillar = [], [], []
        for c in instance.candidates:
            for t in range(max(c.earliest_start, start), min(c.latest_start, end) + 1):
                items.append((c.id, t))
                candidates.append(c)
                pillar.append(sub_areas[c.sub_area_id].pillar_id)
        return cls(instance, mandate, tuple(items), tuple(candidates), tuple(pillar))

    def with_inputs(self, instance: Instance, mandate: Mandate) -> Pairs:
        """The same pairs over an edited instance and mandate of the same structure."""
        by_id = instance.by_id
        candidates = tuple(by_id[c.id] for c in self.candidates)
        return Pairs(instance, mandate, self.items, candidates, self.pillar)

    def group(self, key: Callable[[int], Hashable | None]) -> dict[Hashable, list[int]]:
        """Positions of the pairs grouped by ``key(position)``; a None key is left out."""
        groups: dict[Hashable, list[int]] = defaultdict(list)
        for p in range(len(self.items)):
            k = key(p)
            if k is not None:
                groups[k].append(p)
        return groups

    @functools.cached_property
    def by_candidate(self) -> dict[str, list[int]]:
        """Positions of each candidate's pairs (candidates without pairs are absent)."""
        return dict(self.group(lambda p: self.items[p][0]))  # type: ignore[arg-type]

    def flows_by_year(
        self, flows: Callable[[Candidate, int], list[tuple[int, float]]], last: int | None = None
    ) -> dict[int, list[tuple[int, float]]]:
        """(pair position, $ per $ committed) terms of a cash flow by calendar year, one pass.

        ``flows(candidate, start_year)`` is one of the candidate's schedules per $ committed
        (``Candidate.calls``, ``Candidate.expected_proceeds``); years after ``last`` are left out.
        """
        terms: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for p, ((_, t), c) in enumerate(zip(self.items, self.candidates, strict=True)):
            for year, value in flows(c, t):
                if last is None or year <= last:
                    terms[year].append((p, value))
        return terms

    @functools.cached_property
    def candidate_position(self) -> np.ndarray:
        """Position in ``instance.candidates`` of each pair's candidate."""
        position = {c.id: k for k, c in enumerate(self.instance.candidates)}
        return np.fromiter((position[cid] for cid, _ in self.items), dtype=np.int64)

    def per_pair(self, value: Callable[[Candidate], float]) -> np.ndarray:
        """``value(candidate)`` of each pair, computed once per candidate."""
        per_candidate = np.array([value(c) for c in self.instance.candidates], dtype=float)
        return per_candidate[self.candidate_position] if len(self.items) else per_candidate[:0]

    @functools.cached_property
    def years(self) -> np.ndarray:
        """Commitment year of each pair."""
        return np.fromiter((t for _, t in self.items), dtype=float, count=len(self.items))

    def year(self, p: int) -> int:
        """Commitment year of pair ``p``."""
        return self.items[p][1]

    def impact_year(self, p: int) -> float:
        """Year the impact of pair ``p`` is online: start year plus lead time."""
        return self.items[p][1] + self.candidates[p].lead_time


@contextmanager
def without_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building many Pyomo objects.

    The collector rescans the growing model over and over; pausing it halves the build time at
    5,000+ candidates (measured in benchmarks/build.py). It is restored even on error.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def add_variables(m: AllocationModel, pairs: Pairs) -> None:
    """Set PAIRS, variables z (binary) and w (USD M, bounded by the tickets family)."""
    m.PAIRS = pyo.Set(initialize=pairs.items, dimen=2, ordered=True)
    m.z = pyo.Var(m.PAIRS, domain=pyo.Binary)
    m.w = pyo.Var(m.PAIRS, domain=pyo.NonNegativeReals)
    m.zero = pyo.Var(bounds=(0, 0))
    m.z_list = [m.z[pair] for pair in pairs.items]
    m.w_list = [m.w[pair] for pair in pairs.items]
    m.committed = pyo.Expression(expr=amount(m, range(len(pairs.items))))
    m.budget_usd_m = pyo.Param(initialize=pairs.mandate.budget, mutable=True)


def add_exclusions(m: AllocationModel, pairs: Pairs, mandate: Mandate) -> None:
    """Bound ``z`` to 0 for forced-out candidates and those over ``max_lead_time``; else 0..1."""
    forced_out = set(mandate.force_out)
    max_lead = mandate.lead_time.max_lead_time
    excluded = [
        c.id in forced_out or (max_lead is not None and c.lead_time > max_lead)
        for c in pairs.candidates
    ]
    m.bound_pairs("z", [0.0 if out else 1.0 for out in excluded])


EXCLUSIONS = Family(
    "exclusions",
    add_exclusions,
    reads=("force_out", "lead_time.max_lead_time"),
    fields=("lead_time",),
    doc="`z ≤ 0` bounds of forced-out candidates and of those whose lead time exceeds the cap",
    keys="`force_out`, `lead_time.max_lead_time`",
)
