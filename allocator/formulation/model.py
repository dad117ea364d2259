"""The built model: a Pyomo ``ConcreteModel`` that declares everything it carries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyomo.environ as pyo

if TYPE_CHECKING:
    from allocator.formulation.core import Pairs
    from allocator.formulation.expressions import PairTerms
    from allocator.formulation.limits import Limit
    from allocator.formulation.tickets import TicketRows


class AllocationModel(pyo.ConcreteModel):
    """The mixed-integer program of one instance under one mandate.

    Attributes (the interface between formulation, solving, extraction and diagnosis):

    - ``pairs``: the allowed (candidate, year) pairs and the facts families group them by;
      immutable, a rebuild replaces it.
    - ``z_list``, ``w_list``: ``z`` and ``w`` of each pair, position ``p`` ↔ ``pairs.items[p]``.
    - ``limits``: every limit row, in family order (``Limit``: key, sense, measure, sides).
    - ``family_components``, ``family_limits``: the component names and limit rows each family
      added, by family name, so that a Session can delete and add one family again.
    - ``ticket_block``: the ticket rows are kept as arrays (``ticket_rows``) for a matrix
      hand-off instead of Pyomo constraints; ``ticket_rows`` is None otherwise.
    - ``pair_terms``: every aggregate over the pairs (``expressions.pair_sum``) by ``id``, with
      its positions and coefficients as arrays, so that the matrix hand-off reads them without
      walking the expression; ``family_terms`` the keys each family registered.
    - ``pair_upper``: the upper bounds of ``w`` and ``z`` of the pairs (``bound_pairs``), kept
      beside the variables' own so that the hand-off reads them as arrays.

    Sets: ``PAIRS`` (allowed pairs); with CVaR also ``CANDIDATES`` and ``SCENARIOS``.
    Variables: ``z[j,t]`` binary, ``w[j,t]`` USD M, ``zero`` (fixed to 0, the empty sum).
    Expressions: ``committed``, ``strategic``, ``expected_return``, with CVaR ``cvar``.
    Parameters: ``budget_usd_m``, ``strategic_weight``, ``return_weight`` and one
    ``<component>_value`` per limit component.
    """

    pairs: Pairs
    z_list: list[Any]
    w_list: list[Any]
    limits: list[Limit]
    family_components: dict[str, list[str]]
    family_limits: dict[str, list[Limit]]
    ticket_block: bool
    ticket_rows: TicketRows | None
    pair_terms: dict[int, tuple[Any, PairTerms]]
    family_terms: dict[str, list[int]]
    pair_upper: dict[str, list[float]]

    def __init__(self, pairs: Pairs, *, name: str, ticket_block: bool = False) -> None:
        super().__init__(name=name)
        self.pairs = pairs
        self.ticket_block = ticket_block
        self.ticket_rows = None
        self.z_list, self.w_list, self.limits = [], [], []
        self.family_components, self.family_limits = {}, {}
        self.pair_terms, self.family_terms = {}, {}
        self.pair_upper = {}

    def bound_pairs(self, kind: str, upper: Any) -> None:
        """Set the upper bound of ``w`` (kind ``w``) or ``z`` (``z``) of every pair, in the
        Pyomo variables and in ``pair_upper`` (which the matrix hand-off reads)."""
        variables = self.w_list if kind == "w" else self.z_list
        values = [float(u) for u in upper]
        for var, value in zip(variables, values, strict=True):
            var.setub(value)
        self.pair_upper[kind] = values

    def objective_weights(self) -> tuple[float, float]:
        """The values of the objective's weight parameters (a what-if may change them)."""
        return float(pyo.value(self.strategic_weight)), float(pyo.value(self.return_weight))
