"""The Plan: chosen investments, totals, metrics, objective terms, binding limits, solver facts.

Immutable pydantic models whose JSON keys are the contract. Totals and metrics are computed
from the chosen investments and the instance (``allocator.results.metrics``), never read from
the solver.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from allocator.results.status import Status

if TYPE_CHECKING:
    import pandas as pd

    from allocator.results.compare import Comparison

_FROZEN = ConfigDict(frozen=True, populate_by_name=True)
DIGITS = 6


class Investment(BaseModel):
    """One chosen investment: amount committed in ``start_year``, online in ``impact_year``."""

    model_config = _FROZEN
    id: str
    name: str
    pillar_id: str
    sub_area_id: str
    start_year: int
    amount: float
    impact_year: float
    loss_probability: float
    expected_return: float


class ObjectiveTerms(BaseModel):
    """The two objective terms, before weighting."""

    model_config = _FROZEN
    strategic: float = 0.0
    return_: float = Field(default=0.0, alias="return")


class Totals(BaseModel):
    """Committed capital in total and by pillar, sub-area, year committed and year called."""

    model_config = _FROZEN
    committed: float = 0.0
    by_pillar: dict[str, float] = Field(default_factory=dict)
    by_sub_area: dict[str, float] = Field(default_factory=dict)
    by_year_committed: dict[str, float] = Field(default_factory=dict)
    by_year_called: dict[str, float] = Field(default_factory=dict)


class Metrics(BaseModel):
    """Portfolio metrics; shares are against the mandate's share basis."""

    model_config = _FROZEN
    deals: int = 0
    expected_loss: float = 0.0
    high_risk_share: float = 0.0
    cvar: dict[str, float] | None = None
    impact_by: dict[str, float] = Field(default_factory=dict)


class Binding(BaseModel):
    """A limit at its bound: dotted mandate key, its value, slack and (if known) marginal value."""

    model_config = _FROZEN
    constraint: str
    key: str
    limit: float
    slack: float
    dual: float | None = None


class Relaxation(BaseModel):
    """Change one mandate key from one value to another."""

    model_config = _FROZEN
    key: str
    from_: float | None = Field(alias="from")
    to: float


class Diagnosis(BaseModel):
    """Why a mandate is infeasible and which limits to relax by how much."""

    model_config = _FROZEN
    message: str
    relaxations: tuple[Relaxation, ...] = ()


Method = Literal["matrix", "persistent", "certified"]


class SolverInfo(BaseModel):
    """Solver facts: name, solve and build seconds, branch-and-bound nodes, and how the plan
    was obtained."""

    model_config = _FROZEN
    name: str = "highs"
    seconds: float = Field(
        default=0.0, description="HiGHS run time", json_schema_extra={"unit": "s"}
    )
    build_seconds: float = Field(
        default=0.0,
        description="model build and hand-off to HiGHS",
        json_schema_extra={"unit": "s"},
    )
    nodes: int = Field(default=0, description="branch-and-bound nodes")
    method: Method | None = Field(
        default=None,
        description=(
            "how the plan was obtained: 'matrix' (one-shot solve, model passed to HiGHS as a "
            "sparse matrix), 'persistent' (a Session's persistent HiGHS model), 'certified' "
            "(a Session's shortcut: a plan near the previous one proven within the gap by the "
            "LP bound, without branching on the full model)"
        ),
    )


class Plan(BaseModel):
    """The result of a solve. An infeasible solve is a Plan too, with status and diagnosis."""

    model_config = _FROZEN
    status: Status
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    objective_terms: ObjectiveTerms = ObjectiveTerms()
    investments: tuple[Investment, ...] = ()
    totals: Totals = Totals()
    metrics: Metrics = Metrics()
    binding: tuple[Binding, ...] = ()
    diagnosis: Diagnosis | None = None
    solver: SolverInfo = SolverInfo()
    instance: str = ""
    mandate: str = ""

    @property
    def found(self) -> bool:
        """True when the plan holds a solution (optimal or feasible)."""
        return self.status.found

    def to_frame(self) -> pd.DataFrame:
        """Investments as a DataFrame, one row per investment, in plan order."""
        import pandas as pd

        columns = list(Investment.model_fields)
        return pd.DataFrame([i.model_dump() for i in self.investments], columns=columns)

    def to_dict(self) -> dict[str, Any]:
        """The plan as plain JSON-ready data with the contract's keys."""
        return self.model_dump(mode="json", by_alias=True)

    def to_json(self, indent: int | None = 2) -> str:
        """The plan as JSON with the contract's keys; deterministic apart from timings."""
        return self.model_dump_json(by_alias=True, indent=indent)

    def compare(self, base: Plan) -> Comparison:
        """How this plan differs from ``base``: investments, totals and metrics."""
        from allocator.results.compare import compare

        return compare(self, base)

    @classmethod
    def from_json(cls, text: str) -> Plan:
        """A plan from its JSON (as written by ``to_json``)."""
        return cls.model_validate_json(text)

    def __repr__(self) -> str:
        objective = "-" if self.objective is None else f"{self.objective:,.2f}"
        return (
            f"Plan(status={self.status.value}, objective={objective}, "
            f"committed={self.totals.committed:,.1f}, deals={self.metrics.deals})"
        )

    __str__ = __repr__
