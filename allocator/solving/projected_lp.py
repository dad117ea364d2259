"""The LP relaxation projected onto the amounts: a smaller LP whose optimum bounds the MIP.

Each (candidate, year) pair has a choice ``z`` and an amount ``w`` tied by the ticket rows
``low·z ≤ w ≤ high·z`` with ``z`` in ``[0, ub]`` (the ``tickets`` family). At every point of the
LP relaxation, then, ``w/high ≤ z``, and ``z ≤ w/low`` when ``low > 0`` (else ``z ≤ ub``). Every
other row is relaxed into a row on the amounts alone by replacing each term ``a·z`` with the
bound that keeps the row valid:

- on the upper side (``… ≤ u``) a term is replaced by a lower bound of itself: ``a·w/high`` for
  ``a > 0``; ``a·w/low`` (or ``a·ub`` where ``low`` is 0) for ``a < 0``;
- on the lower side (``… ≥ l``) by an upper bound of itself, the mirror image.

So the amounts of every LP point are feasible in the projection, and its optimum is an upper
bound (a lower one when minimising) on the LP relaxation, hence on the MIP. Where ``z`` enters
only as "at least ``w/high``" (caps on numbers of deals, once-only rows: the usual case) nothing
is lost, since the LP itself sets ``z = w/high``; the measured loss is a few thousandths of a
percent. The ticket rows, whose only columns are one pair's, drop out with the ``z`` columns:
half the columns and nine rows in ten of the full model, and about half the LP time.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from allocator.solving.arrays import Arrays


@dataclass(frozen=True)
class PairColumns:
    """Where each pair's ``z`` and ``w`` are in a model, and its ticket range."""

    z: np.ndarray  # column of z of each pair
    w: np.ndarray  # column of w of each pair
    low: np.ndarray
    high: np.ndarray


@dataclass(frozen=True)
class Projection:
    """The projected LP and the full model's column of each of its columns."""

    lp: Arrays
    columns: np.ndarray

    def spread(self, values: np.ndarray, width: int) -> np.ndarray:
        """A full column vector with the projection's values in place and zeros for ``z``."""
        full = np.zeros(width)
        full[self.columns] = values
        return full

    def lift(self, values: np.ndarray, pairs: PairColumns, width: int) -> np.ndarray:
        """A full column vector from the projection's solution, each ``z`` at ``w/high``."""
        full = self.spread(values, width)
        full[pairs.z] = full[pairs.w] / np.where(pairs.high > 0, pairs.high, 1.0)
        return full


def project(model: Arrays, pairs: PairColumns) -> Projection | None:
    """The relaxation on the amounts (module docstring); None when a ``z`` has a cost, which
    the projection does not carry over."""
    if np.any(model.cost[pairs.z] != 0):
        return None
    width = len(model.cost)
    pair_of = np.full(width, -1)
    pair_of[pairs.z] = pair_of[pairs.w] = np.arange(len(pairs.z))
    rows = sp.csr_matrix(model.matrix)
    kept = np.flatnonzero(_owning_pair(rows, pair_of) < 0)
    entries = rows[kept].tocoo()
    upper_rows, upper_bound = _side(entries, model.row_upper[kept], model, pairs, pair_of, True)
    lower_rows, lower_bound = _side(entries, model.row_lower[kept], model, pairs, pair_of, False)
    columns = np.setdiff1d(np.arange(width), pairs.z)
    w = np.searchsorted(columns, pairs.w)
    col_lower, col_upper = model.col_lower[columns], model.col_upper[columns]
    col_lower[w] = np.maximum(col_lower[w], pairs.low * model.col_lower[pairs.z])
    col_upper[w] = np.minimum(col_upper[w], pairs.high * model.col_upper[pairs.z])
    infinite = highspy.kHighsInf
    lp = Arrays.of(
        sp.vstack([upper_rows, lower_rows]).tocsc()[:, columns],
        cost=model.cost[columns],
        col_lower=col_lower,
        col_upper=col_upper,
        row_lower=np.concatenate([np.full(len(upper_bound), -infinite), lower_bound]),
        row_upper=np.concatenate([upper_bound, np.full(len(lower_bound), infinite)]),
        integer=np.zeros(len(columns), dtype=bool),
        offset=model.offset,
        maximize=model.maximize,
    )
    return Projection(lp=lp, columns=columns)


def _owning_pair(rows: sp.csr_matrix, pair_of: np.ndarray) -> np.ndarray:
    """The pair whose columns hold all of a row's entries (a ticket row), else -1."""
    owner = np.full(rows.shape[0], -1)
    filled = np.flatnonzero(np.diff(rows.indptr) > 0)
    if len(filled):
        entry_pair = pair_of[rows.indices]
        starts = rows.indptr[filled]
        low = np.minimum.reduceat(entry_pair, starts)
        high = np.maximum.reduceat(entry_pair, starts)
        owner[filled] = np.where(low == high, low, -1)
    return owner


def _side(
    entries: sp.coo_matrix,
    bound: np.ndarray,
    model: Arrays,
    pairs: PairColumns,
    pair_of: np.ndarray,
    upper: bool,
) -> tuple[sp.csr_matrix, np.ndarray]:
    """One side of the kept rows (those with a finite bound there) with every ``z`` replaced."""
    row, column, value = entries.row, entries.col, entries.data.copy()
    is_z = np.zeros(len(model.cost), dtype=bool)
    is_z[pairs.z] = True
    at = np.flatnonzero(is_z[column])
    pair, a = pair_of[column[at]], value[at]
    by_high = a > 0 if upper else a < 0  # the bound of z that bounds a·z the right way
    low, high = pairs.low[pair], pairs.high[pair]
    divisor = np.where(by_high, high, low)
    value[at] = np.where(divisor > 0, a / np.where(divisor > 0, divisor, 1.0), 0.0)
    column = column.copy()
    column[at] = pairs.w[pair]
    constant = np.zeros(len(bound))
    by_ub = ~by_high & (low <= 0)  # z ≤ ub is the only bound left
    np.add.at(constant, row[at[by_ub]], a[by_ub] * model.col_upper[pairs.z[pair[by_ub]]])
    matrix = sp.csr_matrix((value, (row, column)), shape=(len(bound), len(model.cost)))
    finite = np.flatnonzero(np.abs(bound) < highspy.kHighsInf)
    return matrix[finite], (bound - constant)[finite]
