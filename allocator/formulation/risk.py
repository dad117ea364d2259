"""Risk limits: ``Σ p_j·w ≤ max_expected_loss_share · basis``; capital in candidates with
``p_j ≥ high_risk_threshold`` at most ``max_high_risk_share · basis``."""

from __future__ import annotations

import pyomo.environ as pyo

from allocator.formulation.core import Pairs, add_limits, amount, basis
from allocator.mandate import Mandate


def add_risk(m: pyo.ConcreteModel, pairs: Pairs, mandate: Mandate) -> None:
    """Expected-loss share and high-risk share."""
    risk, everything = mandate.risk, range(len(pairs.items))
    share_of = basis(m, mandate)
    if risk.max_expected_loss_share is not None:
        loss = amount(m, everything, lambda p: pairs.candidates[p].loss_probability)
        share = risk.max_expected_loss_share
        add_limits(
            m,
            "expected_loss",
            [("total", "risk.max_expected_loss_share", share, "max", loss, share_of)],
        )
    if risk.max_high_risk_share is not None:
        high = [
            p
            for p in everything
            if pairs.candidates[p].loss_probability >= risk.high_risk_threshold
        ]
        share = risk.max_high_risk_share
        add_limits(
            m,
            "high_risk",
            [("total", "risk.max_high_risk_share", share, "max", amount(m, high), share_of)],
        )
