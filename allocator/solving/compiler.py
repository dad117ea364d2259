"""The model as arrays for HiGHS: a compiler for the linear forms the families build.

Every aggregate over the (candidate, year) pairs is built by ``formulation.expressions`` and
registered with its positions and coefficients (``AllocationModel.pair_terms``), so its
columns and coefficients are read as numpy arrays instead of walking the Pyomo expression term
by term; anything else (a variable, a monomial, a sum, a product with a parameter, a named
expression) is walked generically. Rows are the active constraints in component order; columns
are the model's variables in component order, so ``w`` and ``z`` of the pairs are contiguous
blocks. Rows whose bounds or coefficients hold mutable parameters are recorded, so that a
Session can update them in place after a what-if edit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.core.base.expression import ExpressionData
from pyomo.core.expr.numeric_expr import (
    LinearExpression,
    MonomialTermExpression,
    NegationExpression,
    ProductExpression,
    SumExpression,
)
from pyomo.core.expr.relational_expr import EqualityExpression, InequalityExpression
from pyomo.core.expr.visitor import identify_mutable_parameters

from allocator.errors import SolverError
from allocator.formulation import AllocationModel
from allocator.formulation.tickets import TicketRows
from allocator.solving.arrays import Arrays

INFINITY = highspy.kHighsInf


@dataclass
class Columns:
    """The model's variables as HiGHS columns, in component order."""

    variables: list[Any]
    position: dict[int, int]  # id(var) -> column

    @classmethod
    def of(cls, m: AllocationModel) -> Columns:
        """Every variable of the model's active Var components."""
        variables = [v for component in m.component_objects(pyo.Var) for v in component.values()]
        return cls(variables, {id(v): k for k, v in enumerate(variables)})

    def pair_columns(self, m: AllocationModel, kind: str) -> np.ndarray:
        """The column of ``w`` (kind ``w``) or ``z`` (``z``) of each pair."""
        variables = m.w_list if kind == "w" else m.z_list
        if not variables:
            return np.zeros(0, dtype=np.int64)
        first = self.position[id(variables[0])]
        columns = first + np.arange(len(variables))
        if self.variables[columns[-1]] is not variables[-1]:  # not one contiguous block
            columns = np.fromiter((self.position[id(v)] for v in variables), dtype=np.int64)
        return columns

    def bounds(self, m: AllocationModel) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds of every column (±inf where unbounded); those of the pairs
        from ``m.pair_upper`` (their lower bounds are 0), the others from Pyomo."""
        pairs = self._pair_block(m)
        lower = np.zeros(len(self.variables))
        upper = np.zeros(len(self.variables))
        rest = np.ones(len(self.variables), dtype=bool)
        for kind, columns in pairs.items():
            upper[columns] = m.pair_upper[kind]
            rest[columns] = False
        for k in np.flatnonzero(rest):
            v = self.variables[k]
            lower[k] = -INFINITY if v.lb is None else v.lb
            upper[k] = INFINITY if v.ub is None else v.ub
        return lower, upper

    def integer(self, m: AllocationModel) -> np.ndarray:
        """Whether each column is integer (``z`` of the pairs is, ``w`` is not)."""
        pairs = self._pair_block(m)
        integer = np.zeros(len(self.variables), dtype=bool)
        rest = np.ones(len(self.variables), dtype=bool)
        for kind, columns in pairs.items():
            integer[columns] = kind == "z"
            rest[columns] = False
        for k in np.flatnonzero(rest):
            integer[k] = self.variables[k].is_integer()
        return integer

    def _pair_block(self, m: AllocationModel) -> dict[str, np.ndarray]:
        return {kind: self.pair_columns(m, kind) for kind in ("w", "z") if kind in m.pair_upper}


def _number(value: Any) -> bool:
    return isinstance(value, int | float)


@dataclass
class Linear:
    """A linear form being collected: column and coefficient chunks, and a constant."""

    columns: list[np.ndarray] = field(default_factory=list)
    coefs: list[np.ndarray] = field(default_factory=list)
    single_columns: list[int] = field(default_factory=list)
    single_coefs: list[float] = field(default_factory=list)
    constant: float = 0.0
    parametric_constant: bool = False  # the constant holds a mutable parameter
    parametric_coefs: bool = False  # a coefficient holds a mutable parameter
    parameters: list[Any] = field(default_factory=list)  # the mutable parameters met

    def met(self, expr: Any) -> None:
        """Record the mutable parameters of a fixed sub-expression."""
        self.parameters.extend(identify_mutable_parameters(expr))

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Columns and coefficients, duplicates summed, zeros dropped, columns sorted."""
        columns = np.concatenate([*self.columns, np.asarray(self.single_columns, np.int64)])
        coefs = np.concatenate([*self.coefs, np.asarray(self.single_coefs, float)])
        if len(columns) > 1 and not np.all(columns[1:] > columns[:-1]):
            unique, inverse = np.unique(columns, return_inverse=True)
            coefs = np.bincount(inverse, weights=coefs, minlength=len(unique))
            columns = unique
        keep = coefs != 0
        return columns[keep], coefs[keep]


class Compiler:
    """Collects linear forms over a model's columns."""

    def __init__(self, m: AllocationModel, columns: Columns) -> None:
        self.m, self.columns = m, columns
        self._pair_columns = {kind: columns.pair_columns(m, kind) for kind in ("w", "z")}

    def pair_columns(self, kind: str) -> np.ndarray:
        """The column of ``w`` or ``z`` of each pair."""
        return self._pair_columns[kind]

    def collect(self, expr: Any, scale: float, into: Linear) -> None:
        """Add ``scale × expr`` to a linear form."""
        if _number(expr):
            into.constant += scale * expr
            return
        registered = self.m.pair_terms.get(id(expr))
        if registered is not None and registered[0] is expr:
            terms = registered[1]
            into.columns.append(self._pair_columns[terms.kind][terms.positions])
            into.coefs.append(scale * terms.coefs)
            return
        kind = type(expr)
        if kind is LinearExpression or kind is SumExpression:
            for arg in expr.args:
                self.collect(arg, scale, into)
            return
        if kind is MonomialTermExpression:
            coef, var = expr.args
            if not _number(coef):
                into.parametric_coefs = True
                into.met(coef)
                coef = pyo.value(coef)
            into.single_columns.append(self.columns.position[id(var)])
            into.single_coefs.append(scale * coef)
            return
        if isinstance(expr, ExpressionData):
            self.collect(expr.expr, scale, into)
            return
        if not expr.is_potentially_variable():  # a parameter, or an expression of parameters
            if not expr.is_constant():
                into.parametric_constant = True
                into.met(expr)
            into.constant += scale * pyo.value(expr)
            return
        if expr.is_variable_type():
            into.single_columns.append(self.columns.position[id(expr)])
            into.single_coefs.append(scale)
            return
        if kind is NegationExpression:
            self.collect(expr.args[0], -scale, into)
            return
        if kind is ProductExpression:
            left, right = expr.args
            if not _number(left) and left.is_potentially_variable():
                left, right = right, left
            if _number(left) or not left.is_potentially_variable():
                if not _number(left) and not left.is_constant():
                    into.parametric_coefs = True
                    into.met(left)
                self.collect(right, scale * pyo.value(left), into)
                return
        raise SolverError(f"the model holds a nonlinear expression: {expr}")

    def row(self, constraint: Any) -> tuple[np.ndarray, np.ndarray, float, float, Linear]:
        """(columns, coefficients, lower, upper, form) of one constraint; ``form`` says
        whether its bounds or coefficients hold mutable parameters."""
        expr = constraint.expr
        form = Linear()
        if type(expr) in (InequalityExpression, EqualityExpression) and len(expr.args) == 2:
            left, right = expr.args
            self.collect(left, 1.0, form)
            self.collect(right, -1.0, form)
            upper = -form.constant
            lower = upper if type(expr) is EqualityExpression else -INFINITY
        else:  # a ranged row: bounds from Pyomo
            self.collect(constraint.body, 1.0, form)
            low, high = constraint.lower, constraint.upper
            lower = -INFINITY if low is None else pyo.value(low) - form.constant
            upper = INFINITY if high is None else pyo.value(high) - form.constant
            form.parametric_constant = True
        columns, coefs = form.arrays()
        return columns, coefs, lower, upper, form

    def rows(self, constraints: Iterable[Any]) -> RowBlock:
        """A block of rows in CSR form."""
        starts, columns, coefs, lower, upper, data = [0], [], [], [], [], []
        bounds_move, coefs_move, parameters = [], [], []
        for constraint in constraints:
            cols, vals, low, high, form = self.row(constraint)
            columns.append(cols)
            coefs.append(vals)
            starts.append(starts[-1] + len(cols))
            lower.append(low)
            upper.append(high)
            bounds_move.append(form.parametric_constant)
            coefs_move.append(form.parametric_coefs)
            parameters.append(tuple(form.parameters))
            data.append(constraint)
        return RowBlock(
            constraints=data,
            start=np.asarray(starts, dtype=np.int64),
            index=np.concatenate(columns) if columns else np.zeros(0, np.int64),
            value=np.concatenate(coefs) if coefs else np.zeros(0),
            lower=np.asarray(lower, float),
            upper=np.asarray(upper, float),
            parametric_bounds=np.asarray(bounds_move, bool),
            parametric_coefs=np.asarray(coefs_move, bool),
            parameters=parameters,
        )

    def objective(self) -> Objective:
        """The active objective's costs, constant and sense."""
        (objective,) = list(self.m.component_data_objects(pyo.Objective, active=True))
        form = Linear()
        self.collect(objective.expr, 1.0, form)
        cost = np.zeros(len(self.columns.variables))
        columns, coefs = form.arrays()
        cost[columns] = coefs
        return Objective(cost, form.constant, objective.sense == pyo.maximize, form.parameters)


@dataclass(frozen=True)
class Objective:
    """The objective as arrays, and the mutable parameters it holds."""

    cost: np.ndarray
    offset: float
    maximize: bool
    parameters: list[Any]


@dataclass
class RowBlock:
    """Rows in CSR form with their bounds, the constraint each came from, and which hold
    mutable parameters."""

    constraints: list[Any]
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    parametric_bounds: np.ndarray  # bool per row: its bounds hold a mutable parameter
    parametric_coefs: np.ndarray  # bool per row: a coefficient holds a mutable parameter
    parameters: list[tuple[Any, ...]]  # the mutable parameters each row holds

    def __len__(self) -> int:
        return len(self.lower)


def active_constraints(m: AllocationModel, components: Iterable[str] | None = None) -> list[Any]:
    """The active constraints, in component order (of the named components only if given)."""
    if components is None:
        return list(m.component_data_objects(pyo.Constraint, active=True, descend_into=False))
    return [
        c
        for name in components
        if isinstance(getattr(m, name, None), pyo.Constraint)
        for c in getattr(m, name).values()
        if c.active
    ]


def stack(blocks: list[RowBlock]) -> tuple[np.ndarray, ...]:
    """Row blocks one after another as one CSR matrix: (start, index, value, lower, upper)."""
    offsets = np.cumsum([0] + [len(b.index) for b in blocks])
    start = np.concatenate(
        [blocks[0].start[:1]] + [b.start[1:] + off for b, off in zip(blocks, offsets, strict=False)]
    )
    return (
        start,
        np.concatenate([b.index for b in blocks]),
        np.concatenate([b.value for b in blocks]),
        np.concatenate([b.lower for b in blocks]),
        np.concatenate([b.upper for b in blocks]),
    )


def ticket_block(rows: TicketRows, compiler: Compiler) -> RowBlock:
    """The ticket rows as one block: ``w − high·z ≤ 0`` for every pair (``= 0`` where
    ``low == high``), then ``w − low·z ≥ 0`` where ``0 < low < high``."""
    w, z = compiler.pair_columns("w"), compiler.pair_columns("z")
    low, high = rows.low, rows.high
    ranged = np.flatnonzero((low > 0) & (low != high))
    count = len(w) + len(ranged)
    first = np.stack([w, z], axis=1)
    second = np.stack([w[ranged], z[ranged]], axis=1)
    coefs_first = np.stack([np.ones(len(w)), -high], axis=1)
    coefs_second = np.stack([np.ones(len(ranged)), -low[ranged]], axis=1)
    order_first = np.argsort(first, axis=1)  # columns sorted within each row
    order_second = np.argsort(second, axis=1)
    index = np.concatenate(
        [
            np.take_along_axis(first, order_first, 1).ravel(),
            np.take_along_axis(second, order_second, 1).ravel(),
        ]
    )
    value = np.concatenate(
        [
            np.take_along_axis(coefs_first, order_first, 1).ravel(),
            np.take_along_axis(coefs_second, order_second, 1).ravel(),
        ]
    )
    lower = np.concatenate([np.where(low == high, 0.0, -INFINITY), np.zeros(len(ranged))])
    upper = np.concatenate([np.zeros(len(w)), np.full(len(ranged), INFINITY)])
    return RowBlock(
        constraints=[None] * count,
        start=np.arange(0, 2 * count + 1, 2, dtype=np.int64),
        index=index,
        value=value,
        lower=lower,
        upper=upper,
        parametric_bounds=np.zeros(count, bool),
        parametric_coefs=np.zeros(count, bool),
        parameters=[()] * count,
    )


@dataclass(frozen=True)
class Compiled:
    """A whole model as arrays, its columns and its row blocks (constraints, then tickets)."""

    arrays: Arrays
    columns: Columns
    blocks: list[RowBlock]
    objective: Objective


def compile_model(m: AllocationModel) -> Compiled:
    """Every active row, the objective and the column bounds of a model, as arrays."""
    columns = Columns.of(m)
    compiler = Compiler(m, columns)
    blocks = [compiler.rows(active_constraints(m))]
    if m.ticket_rows is not None:
        blocks.append(ticket_block(m.ticket_rows, compiler))
    objective = compiler.objective()
    start, index, value, lower, upper = stack(blocks)
    col_lower, col_upper = columns.bounds(m)
    arrays = Arrays(
        cost=objective.cost,
        col_lower=col_lower,
        col_upper=col_upper,
        row_lower=lower,
        row_upper=upper,
        start=start,
        index=index,
        value=value,
        rowwise=True,
        integer=columns.integer(m),
        offset=objective.offset,
        maximize=objective.maximize,
    )
    return Compiled(arrays, columns, blocks, objective)
