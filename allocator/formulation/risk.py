"""Risk limits: ``Σ p_j·w ≤ max_expected_loss_share · basis``; capital in candidates with
``p_j ≥ high_risk_threshold`` at most ``max_high_risk_share · basis``."""

from __future__ import annotations

from allocator.formulation.core import Pairs
from allocator.formulation.expressions import amount, basis, pair_sum
from allocator.formulation.limits import Family, LimitRow, add_limits
from allocator.formulation.model import AllocationModel
from allocator.inputs.mandate import Mandate


def add_risk(m: AllocationModel, pairs: Pairs, mandate: Mandate) -> None:
    """Expected-loss share and high-risk share."""
    risk, everything = mandate.risk, range(len(pairs.items))
    share_of = basis(m, mandate)
    if risk.max_expected_loss_share is not None:
        loss = pair_sum(m, "w", everything, pairs.per_pair(lambda c: c.loss_probability))
        row = LimitRow(
            "total",
            "risk.max_expected_loss_share",
            risk.max_expected_loss_share,
            "max",
            loss,
            "share",
            share_of,
        )
        add_limits(m, "expected_loss", [row])
    if risk.max_high_risk_share is not None:
        threshold = risk.high_risk_threshold
        high = [p for p in everything if pairs.candidates[p].loss_probability >= threshold]
        row = LimitRow(
            "total",
            "risk.max_high_risk_share",
            risk.max_high_risk_share,
            "max",
            amount(m, high),
            "share",
            share_of,
        )
        add_limits(m, "high_risk", [row])


RISK = Family(
    "risk",
    add_risk,
    reads=(
        "risk.max_expected_loss_share",
        "risk.high_risk_threshold",
        "risk.max_high_risk_share",
        "share_basis",
    ),
    fields=("loss_probability",),
    doc=(
        "`Σ p_j·w ≤ max_expected_loss_share · basis`; "
        "`Σ_{p_j ≥ threshold} w ≤ max_high_risk_share · basis`"
    ),
    keys="`risk.max_expected_loss_share`, `risk.max_high_risk_share`",
)
