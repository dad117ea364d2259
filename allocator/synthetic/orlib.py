"""OR-Library multidimensional knapsack problems as allocator instances.

An MKP ``max Σ p_j x_j, Σ_j r_ij x_j ≤ b_i, x ∈ {0,1}`` is an allocation with unit tickets in
one start year, one attribute per knapsack row limited per deal, and expected net return
``p_j`` per $ (loss probability 0, multiple ``1 + p_j``); the strategic term is switched off.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from allocator.inputs.instance import Candidate, Instance, InstanceMeta, SubArea
from allocator.inputs.mandate import Mandate


@dataclass(frozen=True)
class Knapsack:
    """One MKP: profits (n), weights (m rows of n), capacities (m), stored optimum (0 = unknown)."""

    name: str
    profit: list[float]
    weight: list[list[float]]
    capacity: list[float]
    optimum: float


def read_mknap(path: str | Path) -> list[Knapsack]:
    """Parse an OR-Library ``mknap1``/``mknapcb*`` file (whitespace tokens, line breaks ignored)."""
    tokens = [float(t) for t in Path(path).read_text().split()]
    count, pos, problems = int(tokens[0]), 1, []
    for k in range(count):
        n, m, optimum = int(tokens[pos]), int(tokens[pos + 1]), tokens[pos + 2]
        pos += 3
        profit = tokens[pos : pos + n]
        pos += n
        weight = [tokens[pos + i * n : pos + (i + 1) * n] for i in range(m)]
        pos += m * n
        capacity = tokens[pos : pos + m]
        pos += m
        problems.append(Knapsack(f"{Path(path).stem}-{k}", profit, weight, capacity, optimum))
    return problems


def knapsack_instance(problem: Knapsack) -> tuple[Instance, Mandate]:
    """The allocator instance and mandate equivalent to an MKP."""
    rows = range(len(problem.capacity))
    candidates = tuple(
        Candidate(
            id=f"x{j}",
            name=f"item {j}",
            sub_area_id="items",
            ticket_min=1,
            ticket_max=1,
            earliest_start=2026,
            latest_start=2026,
            lead_time=0,
            loss_probability=0,
            expected_multiple=1 + p,
            attributes={f"r{i}": problem.weight[i][j] for i in rows},
        )
        for j, p in enumerate(problem.profit)
    )
    taxonomy = (
        SubArea(
            pillar_id="all",
            pillar="All",
            sub_area_id="items",
            sub_area="Items",
            gap_score=1,
            status="placeholder",
        ),
    )
    instance = Instance(
        meta=InstanceMeta(name=problem.name, description="OR-Library multidimensional knapsack"),
        taxonomy=taxonomy,
        candidates=candidates,
        attributes=tuple(f"r{i}" for i in rows),
    )
    mandate = Mandate.model_validate(
        {
            "name": "mkp",
            "budget": len(candidates),
            "horizon": {"start": 2026, "years": 1},
            "objective": {"strategic_weight": 0, "return_weight": 1},
            "limits": [
                {
                    "name": f"row {i}",
                    "attribute": f"r{i}",
                    "per": "deal",
                    "max": problem.capacity[i],
                }
                for i in rows
            ],
            "solver": {"mip_gap": 0, "time_limit": 60},
        }
    )
    return instance, mandate
