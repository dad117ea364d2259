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
    from pathlib import Path

    import pandas as pd

    from allocator.inputs.instance import Instance
    from allocator.inputs.mandate import Mandate
    from allocator.results.alternatives import Alternatives
    from allocator.results.compare import Comparison

_FROZEN = ConfigDict(frozen=True, populate_by_name=True)
DIGITS = 6  # decimals of summary tables that round; the Plan's own numbers are full precision


def _doc(text: str, unit: str = "") -> Any:
    """A field described for ``allocator schema plan``, with its unit."""
    return {"description": text, "json_schema_extra": {"unit": unit} if unit else None}


_USD = "USD M"


class Investment(BaseModel):
    """One chosen investment: amount committed in ``start_year``, online in ``impact_year``."""

    model_config = _FROZEN
    id: str = Field(**_doc("Candidate id."))
    name: str = Field(**_doc("Candidate name."))
    pillar_id: str = Field(**_doc("Pillar of its sub-area."))
    sub_area_id: str = Field(**_doc("Sub-area."))
    start_year: int = Field(**_doc("Year of the commitment.", "year"))
    amount: float = Field(**_doc("Amount committed.", _USD))
    impact_year: int = Field(
        **_doc(
            "First calendar year by which its impact is online: ⌈start year + lead time⌉ "
            "(what impact_by counts).",
            "year",
        )
    )
    loss_probability: float = Field(**_doc("Chance of total loss.", "0-1"))
    expected_return: float = Field(
        **_doc(
            "Expected net return per dollar committed: (1 − p)·multiple − 1.",
            "USD per USD committed",
        )
    )
    return_rate: float = Field(
        default=0.0,
        **_doc(
            "Its value per $ committed in the return term: expected_return without a discount "
            "rate, the present value per $ at the horizon start with one, or the candidate's "
            "value_by_start for the start year.",
            "USD per USD",
        ),
    )
    hold: int = Field(default=0, **_doc("Years from commitment until proceeds start.", "years"))


class ObjectiveTerms(BaseModel):
    """The two objective terms, before weighting."""

    model_config = _FROZEN
    strategic: float = Field(default=0.0, **_doc("Strategic value (see docs/model.md)."))
    return_: float = Field(default=0.0, alias="return", **_doc("Expected net return.", _USD))


class Totals(BaseModel):
    """Committed capital in total and by pillar, sub-area, year committed and year called."""

    model_config = _FROZEN
    committed: float = Field(default=0.0, **_doc("Total committed.", _USD))
    by_pillar: dict[str, float] = Field(default_factory=dict, **_doc("Committed by pillar.", _USD))
    by_sub_area: dict[str, float] = Field(
        default_factory=dict, **_doc("Committed by sub-area.", _USD)
    )
    by_year_committed: dict[str, float] = Field(
        default_factory=dict, **_doc("Committed by year of commitment.", _USD)
    )
    by_year_called: dict[str, float] = Field(
        default_factory=dict, **_doc("Capital called by calendar year.", _USD)
    )


class CashFlow(BaseModel):
    """One calendar year of the plan's expected cash flows."""

    model_config = _FROZEN
    year: int = Field(**_doc("Calendar year.", "year"))
    called: float = Field(**_doc("Capital called.", _USD))
    distributed: float = Field(
        **_doc("Expected distributions: (1 − p)·multiple on schedule.", _USD)
    )
    net: float = Field(**_doc("Distributed minus called.", _USD))
    cumulative_net: float = Field(**_doc("Net cash flow summed to this year (the J-curve).", _USD))
    nav: float = Field(
        **_doc(
            "Net asset value at cost: capital called and not yet returned, each investment's "
            "cost released along its distribution schedule.",
            _USD,
        )
    )


class Metrics(BaseModel):
    """Portfolio metrics; shares are against the mandate's share basis."""

    model_config = _FROZEN
    deals: int = Field(default=0, **_doc("Number of investments.", "deals"))
    expected_loss: float = Field(default=0.0, **_doc("Σ loss probability × amount.", _USD))
    high_risk_share: float = Field(
        default=0.0, **_doc("Capital in high-risk deals, as a share of the basis.", "0-1")
    )
    cvar: dict[str, float] | None = Field(
        default=None,
        **_doc("With scenarios: alpha, and CVaR, VaR and mean of the scenario loss ($M)."),
    )
    impact_by: dict[str, float] = Field(
        default_factory=dict,
        **_doc("Share of the basis whose impact is online by each year.", "0-1"),
    )
    tvpi: float | None = Field(
        default=None, **_doc("Expected total value to paid-in: distributions over calls.", "x")
    )
    dpi: dict[str, float] = Field(
        default_factory=dict,
        **_doc("Expected distributions to paid-in capital, cumulated, by year.", "x"),
    )
    irr: float | None = Field(
        default=None, **_doc("Internal rate of return of the expected net cash flows.", "1/year")
    )
    payback_year: int | None = Field(
        default=None,
        **_doc("Year the cumulative expected net cash flow turns non-negative for good.", "year"),
    )
    outcomes: dict[str, float | None] | None = Field(
        default=None,
        **_doc(
            "With scenarios: mean and P5/P50/P95 of the portfolio multiple and of the IRR, "
            "P(multiple < 1), the hurdle (objective.discount_rate) and P(IRR < hurdle)."
        ),
    )


class Binding(BaseModel):
    """A limit at its bound: dotted mandate key, its value, slack and (if known) marginal value."""

    model_config = _FROZEN
    constraint: str = Field(**_doc("Model row: component[index]."))
    key: str = Field(**_doc("Dotted mandate key, as --set takes it."))
    limit: float = Field(**_doc("The key's value."))
    slack: float = Field(**_doc("Distance from the bound (0 or within tolerance)."))
    dual: float | None = Field(
        default=None,
        **_doc("Marginal value: objective gained per unit of the limit (from explain)."),
    )


class MarginalValue(BaseModel):
    """What one unit more (or less) of a mandate key is worth (docs/model.md, Explaining)."""

    model_config = _FROZEN
    key: str = Field(**_doc("Dotted mandate key, as --set takes it."))
    value: float = Field(**_doc("The key's value in the mandate."))
    sense: Literal["max", "min"] = Field(
        **_doc("Whether the key caps (`max`: relaxing raises it) or floors (`min`).")
    )
    measure: Literal["share", "amount", "count", "attribute"] = Field(
        **_doc("What the key's value counts: a share of the basis, $M, deals or attribute units.")
    )
    rows: int = Field(**_doc("Limit rows of the model whose right-hand side the key moves."))
    dual: float = Field(
        **_doc(
            "Objective gained per unit of relaxation of the key, through every row it enters "
            "(total derivative), with the chosen investments fixed.",
            "objective per unit of the key",
        )
    )
    valid_from: float | None = Field(
        default=None,
        **_doc("Lowest value of the key at which `dual` still holds (null: unbounded or n/a)."),
    )
    valid_to: float | None = Field(
        default=None,
        **_doc("Highest value of the key at which `dual` still holds (null: unbounded or n/a)."),
    )
    delta: float | None = Field(default=None, **_doc("Step of the verifying re-solves."))
    per_unit_relaxed: float | None = Field(
        default=None,
        **_doc(
            "Re-solved (choices free): objective gained per unit with the key relaxed by delta.",
            "objective per unit of the key",
        ),
    )
    per_unit_tightened: float | None = Field(
        default=None,
        **_doc(
            "Re-solved (choices free): objective lost per unit with the key tightened by delta.",
            "objective per unit of the key",
        ),
    )
    significant_relaxed: bool | None = Field(
        default=None, **_doc("The relaxed re-solve's change exceeds what the MIP gaps leave open.")
    )
    significant_tightened: bool | None = Field(
        default=None,
        **_doc("The tightened re-solve's change exceeds what the MIP gaps leave open."),
    )


class DealRationale(BaseModel):
    """Why a candidate is in or out: what forcing it the other way would cost."""

    model_config = _FROZEN
    id: str = Field(**_doc("Candidate id."))
    chosen: bool = Field(**_doc("Whether the plan chooses it (the cost is of forcing it out)."))
    amount: float = Field(default=0.0, **_doc("Amount committed in the plan.", _USD))
    feasible: bool = Field(
        default=True, **_doc("Whether the mandate admits a plan with the deal forced.")
    )
    note: str | None = Field(default=None, **_doc("Why the deal cannot be forced, if it cannot."))
    cost_at_least: float | None = Field(
        default=None,
        **_doc("Lower bound on the objective lost by forcing it (LP bound).", "objective"),
    )
    cost_at_most: float | None = Field(
        default=None,
        **_doc("Upper bound on the objective lost (a plan found nearby).", "objective"),
    )
    cost: float | None = Field(
        default=None,
        **_doc("Objective lost by forcing it, re-solved in full (when verified).", "objective"),
    )
    significant: bool | None = Field(
        default=None, **_doc("The re-solved cost exceeds what the MIP gaps leave open.")
    )
    verified: bool = Field(default=False, **_doc("Whether the cost was re-solved in full."))


class Relaxation(BaseModel):
    """Change one mandate key from one value to another."""

    model_config = _FROZEN
    key: str = Field(**_doc("Dotted mandate key, as --set takes it."))
    from_: float | None = Field(alias="from", **_doc("The key's value in the mandate."))
    to: float = Field(**_doc("The relaxed value (apply it with --set KEY=TO)."))


class Diagnosis(BaseModel):
    """Why a mandate is infeasible and which limits to relax by how much."""

    model_config = _FROZEN
    message: str = Field(**_doc("One-paragraph explanation."))
    relaxations: tuple[Relaxation, ...] = Field(
        default=(), **_doc("Relaxations that, applied together, make the mandate feasible.")
    )
    verified: bool = Field(
        default=False,
        **_doc("The relaxed mandate was proven feasible by a solve before it was reported."),
    )
    conflicting: tuple[str, ...] = Field(
        default=(),
        **_doc("Forced-in candidates that cannot all be chosen, whatever the limits."),
    )


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
            "sparse matrix), 'persistent' (a Session's HiGHS model, kept and edited in place), 'certified' "
            "(a Session's shortcut: a plan near the previous one proven within the gap by the "
            "LP bound, without branching on the full model)"
        ),
    )


class Provenance(BaseModel):
    """What produced the plan besides the instance and mandate files."""

    model_config = _FROZEN
    edits: dict[str, Any] = Field(
        default_factory=dict,
        **_doc(
            "Dotted-path edits of the mandate file, in order, as --set takes them (force_in "
            "and force_out as full lists); `allocator check` applies them."
        ),
    )
    scenarios: str | None = Field(
        default=None, **_doc("Scenario file given explicitly (null: the instance folder's own).")
    )
    time_limit: float | None = Field(default=None, **_doc("Solver time limit used.", "s"))
    gap: float | None = Field(default=None, **_doc("Relative MIP gap used.", "0-1"))


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
    cash_flows: tuple[CashFlow, ...] = Field(
        default=(), **_doc("Expected cash flows by calendar year, horizon start to last flow.")
    )
    binding: tuple[Binding, ...] = ()
    diagnosis: Diagnosis | None = None
    solver: SolverInfo = SolverInfo()
    instance: str = ""
    mandate: str = Field(default="", **_doc("Name of the mandate file (see provenance.edits)."))
    provenance: Provenance = Field(
        default=Provenance(), **_doc("Edits, scenario file and solver settings that produced it.")
    )
    marginal_values: tuple[MarginalValue, ...] = Field(
        default=(), **_doc("Marginal values of the mandate's keys (filled by explain).")
    )
    rationale: tuple[DealRationale, ...] = Field(
        default=(), **_doc("Cost of forcing each deal the other way (explain --rationale).")
    )

    @property
    def found(self) -> bool:
        """True when the plan holds a solution (optimal or feasible)."""
        return self.status.found

    @property
    def edited(self) -> bool:
        """Whether the mandate was edited after it was read from its file."""
        return bool(self.provenance.edits)

    def to_frame(self, table: Literal["investments", "cash_flows"] = "investments") -> pd.DataFrame:
        """Investments as a DataFrame, one row per investment, in plan order; or with
        ``table="cash_flows"`` the expected cash flows, one row per year."""
        import pandas as pd

        rows: tuple[BaseModel, ...] = self.investments
        model: type[BaseModel] = Investment
        if table == "cash_flows":
            rows, model = self.cash_flows, CashFlow
        return pd.DataFrame([r.model_dump() for r in rows], columns=list(model.model_fields))

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

    def report(
        self,
        path: str | Path,
        instance: Instance,
        mandate: Mandate,
        *,
        compare: Plan | None = None,
        alternatives: Alternatives | None = None,
        fmt: str | None = None,
    ) -> Path:
        """Write the committee report of this plan: HTML, or PDF (``fmt="pdf"`` or a ``.pdf``
        path) through headless Chromium. Binding limits show the marginal values the plan
        carries (``allocator.marginal_values``)."""
        from allocator.report import ReportInputs, write_report

        inputs = ReportInputs(self, instance, mandate, compare=compare, alternatives=alternatives)
        return write_report(inputs, path, fmt)

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
