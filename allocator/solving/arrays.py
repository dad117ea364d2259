"""A model as arrays, the form in which models pass to and from HiGHS in one call."""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from allocator.errors import SolverError


@dataclass(frozen=True)
class Arrays:
    """``row_lower ≤ A·x ≤ row_upper``, ``col_lower ≤ x ≤ col_upper``, objective
    ``cost·x + offset`` (``matrix`` CSR or CSC), integrality per column."""

    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    matrix: sp.csr_matrix | sp.csc_matrix
    integer: np.ndarray  # bool per column
    offset: float = 0.0
    maximize: bool = True

    @classmethod
    def read(cls, highs: highspy.Highs) -> Arrays:
        """The model a HiGHS object holds."""
        lp = highs.getLp()
        parts = (np.asarray(lp.a_matrix_.value_), np.asarray(lp.a_matrix_.index_))
        start, shape = np.asarray(lp.a_matrix_.start_), (lp.num_row_, lp.num_col_)
        rowwise = lp.a_matrix_.format_ == highspy.MatrixFormat.kRowwise
        matrix = (sp.csr_matrix if rowwise else sp.csc_matrix)((*parts, start), shape=shape)
        kinds = np.array(lp.integrality_, dtype=object)
        return cls(
            cost=np.asarray(lp.col_cost_, dtype=float),
            col_lower=np.asarray(lp.col_lower_, dtype=float),
            col_upper=np.asarray(lp.col_upper_, dtype=float),
            row_lower=np.asarray(lp.row_lower_, dtype=float),
            row_upper=np.asarray(lp.row_upper_, dtype=float),
            matrix=matrix,
            integer=kinds == highspy.HighsVarType.kInteger
            if len(kinds)
            else np.zeros(lp.num_col_, dtype=bool),
            offset=float(lp.offset_),
            maximize=lp.sense_ == highspy.ObjSense.kMaximize,
        )

    def pass_to(self, highs: highspy.Highs, *, relaxed: bool = False) -> None:
        """Pass the model (its LP relaxation with ``relaxed``) to a HiGHS object."""
        matrix = self.matrix
        rowwise = matrix.format == "csr"
        kind = highspy.MatrixFormat.kRowwise if rowwise else highspy.MatrixFormat.kColwise
        sense = highspy.ObjSense.kMaximize if self.maximize else highspy.ObjSense.kMinimize
        integer = np.zeros(len(self.cost), dtype=np.int32)
        if not relaxed:
            integer[self.integer] = 1
        status = highs.passModel(
            len(self.cost),
            len(self.row_lower),
            matrix.nnz,
            int(kind),
            int(sense),
            self.offset,
            self.cost,
            self.col_lower,
            self.col_upper,
            self.row_lower,
            self.row_upper,
            matrix.indptr.astype(np.int32),
            matrix.indices.astype(np.int32),
            matrix.data.astype(float),
            integer,
        )
        if status == highspy.HighsStatus.kError:
            raise SolverError("HiGHS refused the model it was passed")
