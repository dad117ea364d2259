"""Correlated outcome scenarios sampled from a one-factor-per-level Gaussian copula.

For scenario s and candidate j in sub-area a of pillar P,

    X_sj = sqrt(rp)·F_sP + sqrt(rs)·G_sa + sqrt(1 - rp - rs)·ε_sj     (independent N(0, 1))

and j fails (realised multiple 0, loss 1) when X_sj < Φ⁻¹(p_j), so each candidate keeps its own
marginal ``loss_probability`` p_j while a bad draw of F_sP or G_sa hits many holdings at once.

A survivor's realised multiple comes from the same latent draw: ``U = (Φ(X) − p)/(1 − p)`` is
uniform given survival, and ``M = exp(μ + σ·Φ⁻¹(U))`` with ``σ = multiple_sigma`` and
``μ = ln(expected_multiple) − σ²/2`` is lognormal with mean ``expected_multiple``. A pillar's
downturn therefore both fails holdings and lowers the survivors' multiples, and a few large
outcomes make the right tail. The scenario file holds the loss fraction ``1 − M`` (negative for
a gain); ``total_loss_only`` writes 1 on failure and 0 otherwise, the loss model before
realised multiples.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
from scipy.special import ndtr, ndtri

from allocator.errors import InputError
from allocator.inputs.instance import Instance
from allocator.inputs.scenarios import Scenarios

# Latent draws are made this many cells at a time, so memory stays ~16 MB above the result.
_CHUNK_CELLS = 1 << 22
# a survivor's rank is kept this far from 0 and 1, so its multiple stays finite (|z| < 7)
_RANK_FLOOR = 1e-12


def sample_scenarios(
    instance: Instance,
    count: int,
    seed: int,
    pillar_correlation: float = 0.3,
    sub_area_correlation: float = 0.2,
    *,
    total_loss_only: bool = False,
) -> Scenarios:
    """``count`` equally likely scenarios of correlated outcomes, as loss fractions ``1 − M``
    of each candidate's realised multiple M (or, with ``total_loss_only``, 1 on failure and 0
    otherwise); the same seed, the same result."""
    _check_sampling(count, seed, pillar_correlation, sub_area_correlation)
    pillar_index, sub_area_index = _factor_indices(instance)
    thresholds = _thresholds(instance)
    outcome = None if total_loss_only else _Survivors(instance)
    rng = np.random.default_rng(seed)
    pillar = rng.standard_normal((count, len(instance.pillars)), dtype=np.float32)
    sub_area = rng.standard_normal((count, len(instance.sub_areas)), dtype=np.float32)
    pillar *= math.sqrt(pillar_correlation)
    sub_area *= math.sqrt(sub_area_correlation)
    own = np.float32(math.sqrt(max(0.0, 1.0 - pillar_correlation - sub_area_correlation)))
    loss = np.empty((count, len(thresholds)), np.float32)
    rows = max(1, _CHUNK_CELLS // max(1, len(thresholds)))
    for start in range(0, count, rows):
        block = slice(start, min(start + rows, count))
        latent = rng.standard_normal((block.stop - start, len(thresholds)), dtype=np.float32)
        latent *= own
        latent += pillar[block][:, pillar_index]
        latent += sub_area[block][:, sub_area_index]
        if outcome is None:
            np.less(latent, thresholds, out=loss[block])
        else:
            loss[block] = outcome.loss(latent, thresholds)
    width = len(str(count))
    names = tuple(f"s{i:0{width}d}" for i in range(1, count + 1))
    return Scenarios(names, np.full(count, 1.0 / count), loss)


class _Survivors:
    """Realised multiples from the latent draws: 0 below the failure threshold, else the
    lognormal quantile of the draw's rank among survivors."""

    def __init__(self, instance: Instance) -> None:
        c = instance.candidates
        self.p = np.array([x.loss_probability for x in c])
        self.sigma = np.array([x.multiple_sigma for x in c])
        multiple = np.array([x.expected_multiple for x in c])
        with np.errstate(divide="ignore"):
            self.mu = np.log(multiple) - self.sigma**2 / 2
        self.multiple = multiple
        self.spread = self.sigma > 0  # columns that need the quantile transform

    def loss(self, latent: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
        """Loss fractions ``1 − M`` of a block of latent draws (float32); a draw below its
        candidate's threshold fails, exactly as in the total-loss model."""
        multiple = np.broadcast_to(self.multiple, latent.shape).astype(np.float64)
        if self.spread.any():
            columns = np.flatnonzero(self.spread)
            p = self.p[columns]
            rank = (ndtr(latent[:, columns].astype(np.float64)) - p) / np.where(p < 1, 1 - p, 1)
            rank = np.clip(rank, _RANK_FLOOR, 1 - _RANK_FLOOR)
            multiple[:, columns] = np.exp(self.mu[columns] + self.sigma[columns] * ndtri(rank))
        failed = latent < thresholds
        return np.where(failed, 1.0, 1.0 - multiple).astype(np.float32)


def _check_sampling(
    count: int, seed: int, pillar_correlation: float, sub_area_correlation: float
) -> None:
    """Reject options that would give no scenarios or an impossible copula (variance > 1)."""
    if count < 1:
        raise InputError(f"must be at least 1 (got {count})", column="--count")
    if seed < 0:
        raise InputError(f"must be a non-negative integer (got {seed})", column="--seed")
    for option, value in (
        ("--pillar-correlation", pillar_correlation),
        ("--sub-area-correlation", sub_area_correlation),
    ):
        if not 0.0 <= value <= 1.0:
            raise InputError(f"must be between 0 and 1 (got {value:g})", column=option)
    if pillar_correlation + sub_area_correlation > 1.0 + 1e-9:
        raise InputError(
            f"pillar + sub-area correlation must be at most 1 "
            f"(got {pillar_correlation:g} + {sub_area_correlation:g})",
            column="--sub-area-correlation",
        )


def _factor_indices(instance: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate, the position of its pillar and of its sub-area among the factors."""
    sub_areas = instance.sub_areas
    pillars = {pillar_id: i for i, pillar_id in enumerate(instance.pillars)}
    positions = {sub_area_id: i for i, sub_area_id in enumerate(sub_areas)}
    pillar_index = [pillars[sub_areas[c.sub_area_id].pillar_id] for c in instance.candidates]
    sub_area_index = [positions[c.sub_area_id] for c in instance.candidates]
    return np.array(pillar_index, np.intp), np.array(sub_area_index, np.intp)


def _thresholds(instance: Instance) -> np.ndarray:
    """Φ⁻¹(p_j): a standard normal falls below it with probability p_j (±inf at 0 and 1)."""
    normal = NormalDist()
    quantiles = [_quantile(normal, c.loss_probability) for c in instance.candidates]
    return np.array(quantiles, np.float32)


def _quantile(normal: NormalDist, p: float) -> float:
    """``inv_cdf`` rejects 0 and 1; their thresholds are the infinities (never, always fails)."""
    if p <= 0.0:
        return -math.inf
    if p >= 1.0:
        return math.inf
    return normal.inv_cdf(p)
