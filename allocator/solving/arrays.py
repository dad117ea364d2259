"""A model as arrays, the form in which models pass to and from HiGHS in one call.

The matrix is kept as its raw compressed arrays (what ``passModel`` takes); ``matrix`` gives
it as a scipy sparse matrix for the what-if shortcut, importing scipy only then (a one-shot
solve never needs it).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Any

import highspy
import numpy as np

from allocator.errors import SolverError


@dataclass(frozen=True)
class Arrays:
    """``row_lower ≤ A·x ≤ row_upper``, ``col_lower ≤ x ≤ col_upper``, objective
    ``cost·x + offset``, integrality per column; ``A`` as compressed arrays (``start``,
    ``index``, ``value``), row-wise or column-wise."""

    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    rowwise: bool
    integer: np.ndarray  # bool per column
    offset: float = 0.0
    maximize: bool = True

    @classmethod
    def of(cls, matrix: Any, **fields: Any) -> Arrays:
        """Arrays whose matrix is a scipy CSR or CSC matrix."""
        rowwise = matrix.format == "csr"
        return cls(
            start=np.asarray(matrix.indptr),
            index=np.asarray(matrix.indices),
            value=np.asarray(matrix.data, dtype=float),
            rowwise=rowwise,
            **fields,
        )

    def with_matrix(self, matrix: Any, **fields: Any) -> Arrays:
        """A copy with another scipy matrix and any other fields replaced."""
        return replace(
            self,
            start=np.asarray(matrix.indptr),
            index=np.asarray(matrix.indices),
            value=np.asarray(matrix.data, dtype=float),
            rowwise=matrix.format == "csr",
            **fields,
        )

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return len(self.row_lower), len(self.cost)

    @functools.cached_property
    def matrix(self) -> Any:
        """``A`` as a scipy sparse matrix (CSR when row-wise, else CSC)."""
        import scipy.sparse as sp

        kind = sp.csr_matrix if self.rowwise else sp.csc_matrix
        return kind((self.value, self.index, self.start), shape=self.shape)

    @classmethod
    def read(cls, highs: highspy.Highs) -> Arrays:
        """The model a HiGHS object holds."""
        lp = highs.getLp()
        kinds = np.array(lp.integrality_, dtype=object)
        return cls(
            cost=np.asarray(lp.col_cost_, dtype=float),
            col_lower=np.asarray(lp.col_lower_, dtype=float),
            col_upper=np.asarray(lp.col_upper_, dtype=float),
            row_lower=np.asarray(lp.row_lower_, dtype=float),
            row_upper=np.asarray(lp.row_upper_, dtype=float),
            start=np.asarray(lp.a_matrix_.start_),
            index=np.asarray(lp.a_matrix_.index_),
            value=np.asarray(lp.a_matrix_.value_, dtype=float),
            rowwise=lp.a_matrix_.format_ == highspy.MatrixFormat.kRowwise,
            integer=kinds == highspy.HighsVarType.kInteger
            if len(kinds)
            else np.zeros(lp.num_col_, dtype=bool),
            offset=float(lp.offset_),
            maximize=lp.sense_ == highspy.ObjSense.kMaximize,
        )

    def pass_to(self, highs: highspy.Highs, *, relaxed: bool = False) -> None:
        """Pass the model (its LP relaxation with ``relaxed``) to a HiGHS object."""
        kind = highspy.MatrixFormat.kRowwise if self.rowwise else highspy.MatrixFormat.kColwise
        sense = highspy.ObjSense.kMaximize if self.maximize else highspy.ObjSense.kMinimize
        integer = np.zeros(len(self.cost), dtype=np.int32)
        if not relaxed:
            integer[self.integer] = 1
        status = highs.passModel(
            len(self.cost),
            len(self.row_lower),
            len(self.value),
            int(kind),
            int(sense),
            self.offset,
            self.cost,
            self.col_lower,
            self.col_upper,
            self.row_lower,
            self.row_upper,
            self.start.astype(np.int32),
            self.index.astype(np.int32),
            self.value,
            integer,
        )
        if status == highspy.HighsStatus.kError:
            raise SolverError("HiGHS refused the model it was passed")
