"""The Mandate: budget, horizon, every limit, objective weights and solver settings.

One pydantic model per YAML section, unknown keys rejected so that typos are caught. A what-if
is ``mandate.with_changes({"dotted.path": value})``: the same paths that ``--set`` takes and
that binding limits report.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from allocator.errors import InputError
from allocator.inputs import paths
from allocator.inputs.instance import Instance
from allocator.io import input_error, read_yaml

_STRICT = ConfigDict(frozen=True, extra="forbid")

Share = Annotated[float, Field(ge=0, le=1)]
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0)]
YearMap = dict[int, Amount]


def _doc(text: str, unit: str = "") -> dict[str, Any]:
    """Field metadata: a description, and a unit shown by ``allocator schema``."""
    return {"description": text, "json_schema_extra": {"unit": unit} if unit else None}


_USD = "USD M"


def _check_order(section: BaseModel, pairs: tuple[tuple[str, str], ...]) -> None:
    for low, high in pairs:
        lo, hi = getattr(section, low), getattr(section, high)
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"{low} {lo:g} > {high} {hi:g}")


class Horizon(BaseModel):
    """Planning horizon: commitments may be made in ``start .. start + years - 1``."""

    model_config = _STRICT
    start: int = Field(default=2026, ge=1900, le=2200, **_doc("First year of the horizon.", "year"))
    years: int = Field(default=10, ge=1, le=60, **_doc("Number of years.", "years"))

    @property
    def end(self) -> int:
        """Last year of the horizon."""
        return self.start + self.years - 1

    @property
    def year_list(self) -> list[int]:
        """Every year of the horizon."""
        return list(range(self.start, self.end + 1))


class Pacing(BaseModel):
    """Capital called per calendar year of the horizon."""

    model_config = _STRICT
    annual_max: Amount | YearMap | None = Field(
        default=None, **_doc("Most capital called in a year (a number, or a year map).", _USD)
    )
    annual_min: Amount | YearMap | None = Field(
        default=None, **_doc("Least capital called in a year (a number, or a year map).", _USD)
    )
    cumulative_max: YearMap | None = Field(
        default=None,
        **_doc("Most capital called from the horizon start up to each listed year.", _USD),
    )
    commit_max: Amount | YearMap | None = Field(
        default=None,
        **_doc("Most new commitments in a year (a number, or a year map).", _USD),
    )
    commit_min: Amount | YearMap | None = Field(
        default=None,
        **_doc("Least new commitments in a year (a number, or a year map).", _USD),
    )
    net_max: Amount | YearMap | None = Field(
        default=None,
        **_doc(
            "Most net cash out in a year: capital called minus expected distributions "
            "(a number, or a year map).",
            _USD,
        ),
    )


class Recycling(BaseModel):
    """Expected proceeds that may fund later commitments above the budget."""

    model_config = _STRICT
    share: Share = Field(
        **_doc(
            "Share of the expected proceeds received by ``until`` that may be recommitted.", "0-1"
        )
    )
    until: int | None = Field(
        default=None,
        ge=1900,
        le=2200,
        **_doc("Last year whose proceeds may be recycled (default: the horizon end).", "year"),
    )


class Deals(BaseModel):
    """Number of commitments per year and in total."""

    model_config = _STRICT
    max_per_year: Count | None = Field(
        default=None, **_doc("Most new commitments in any horizon year.", "deals")
    )
    max_total: Count | None = Field(default=None, **_doc("Most commitments in all.", "deals"))
    min_total: Count | None = Field(default=None, **_doc("Fewest commitments in all.", "deals"))

    @model_validator(mode="after")
    def _ordered(self) -> Deals:
        _check_order(self, (("min_total", "max_total"),))
        return self


class ShareLimits(BaseModel):
    """Limits on a pillar's or a sub-area's committed share, amount and number of deals."""

    model_config = _STRICT
    min_share: Share | None = Field(
        default=None, **_doc("Least committed capital, as a share of the share basis.", "0-1")
    )
    max_share: Share | None = Field(
        default=None, **_doc("Most committed capital, as a share of the share basis.", "0-1")
    )
    min_amount: Amount | None = Field(default=None, **_doc("Least committed capital.", _USD))
    max_amount: Amount | None = Field(default=None, **_doc("Most committed capital.", _USD))
    min_count: Count | None = Field(default=None, **_doc("Fewest deals.", "deals"))
    max_count: Count | None = Field(default=None, **_doc("Most deals.", "deals"))

    @model_validator(mode="after")
    def _ordered(self) -> ShareLimits:
        _check_order(
            self,
            (("min_share", "max_share"), ("min_amount", "max_amount"), ("min_count", "max_count")),
        )
        return self


# each ShareLimits key: the sense of its bound and what it measures (committed amount or deals)
SHARE_LIMIT_KINDS: tuple[tuple[str, Literal["max", "min"], Literal["amount", "count"]], ...] = (
    ("max_share", "max", "amount"),
    ("min_share", "min", "amount"),
    ("max_amount", "max", "amount"),
    ("min_amount", "min", "amount"),
    ("max_count", "max", "count"),
    ("min_count", "min", "count"),
)


def year_limits(value: float | dict[int, float] | None, years: list[int]) -> dict[int, float]:
    """A pacing limit per year: a number applies to every year, a year map as given (sorted)."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return dict(sorted(value.items()))
    return {y: value for y in years}


class Cvar(BaseModel):
    """Tail-risk limit: CVaR at level alpha of the scenario loss, as a share of the basis."""

    model_config = _STRICT
    alpha: float = Field(
        default=0.95, gt=0, lt=1, **_doc("Confidence level of CVaR and VaR.", "0-1")
    )
    max_share: Share | None = Field(
        default=None, **_doc("Most CVaR of the scenario loss, as a share of the basis.", "0-1")
    )


class Risk(BaseModel):
    """Expected-loss, high-risk and tail-risk limits."""

    model_config = _STRICT
    max_expected_loss_share: Share | None = Field(
        default=None, **_doc("Most expected loss Σ p·amount, as a share of the basis.", "0-1")
    )
    high_risk_threshold: Share = Field(
        default=0.35, **_doc("Loss probability at or above which a deal is high-risk.", "0-1")
    )
    max_high_risk_share: Share | None = Field(
        default=None, **_doc("Most capital in high-risk deals, as a share of the basis.", "0-1")
    )
    cvar: Cvar | None = Field(
        default=None, **_doc("Tail-risk limit over loss scenarios (needs scenarios).")
    )


class ImpactBy(BaseModel):
    """At least this share (or amount) of capital must have its impact online by ``year``."""

    model_config = _STRICT
    year: int = Field(**_doc("Year by which the impact must be online.", "year"))
    min_share: Share | None = Field(
        default=None, **_doc("Least capital online by then, as a share of the basis.", "0-1")
    )
    min_amount: Amount | None = Field(default=None, **_doc("Least capital online by then.", _USD))


class LeadTime(BaseModel):
    """Lead-time limits: longest allowed lead time, impact-by shares, sub-area deadlines."""

    model_config = _STRICT
    max_lead_time: Amount | None = Field(
        default=None, **_doc("Longest lead time a chosen deal may have.", "years")
    )
    impact_by: tuple[ImpactBy, ...] = Field(
        default=(), **_doc("Rules on capital whose impact is online by a year.")
    )
    sub_area_deadlines: dict[str, ImpactBy] = Field(
        default_factory=dict, **_doc("The same rule within one sub-area, by sub-area id.")
    )


class AttributeLimit(BaseModel):
    """A limit on an attribute column, summed per deal or weighted by the amount committed."""

    model_config = _STRICT
    name: str = Field(**_doc("Label of the limit."))
    attribute: str = Field(**_doc("Attribute column of candidates.csv that is limited."))
    per: Literal["deal", "dollar"] = Field(
        default="deal",
        **_doc("`deal`: Σ attribute over chosen deals; `dollar`: Σ attribute × amount."),
    )
    max: float | None = Field(default=None, **_doc("Upper bound, in the attribute's units."))
    min: float | None = Field(default=None, **_doc("Lower bound, in the attribute's units."))

    @model_validator(mode="after")
    def _ordered(self) -> AttributeLimit:
        _check_order(self, (("min", "max"),))
        return self


class GroupLimit(BaseModel):
    """How many members of a candidate group may (or must) be chosen."""

    model_config = _STRICT
    max_count: Count | None = Field(default=None, **_doc("Most members chosen.", "deals"))
    min_count: Count | None = Field(default=None, **_doc("Fewest members chosen.", "deals"))

    @model_validator(mode="after")
    def _ordered(self) -> GroupLimit:
        _check_order(self, (("min_count", "max_count"),))
        return self


class Objective(BaseModel):
    """Weights of the two objective terms (both maximised) and of an optional CVaR penalty."""

    model_config = _STRICT
    strategic_weight: float = Field(
        default=1.0, ge=0, allow_inf_nan=False, **_doc("Weight of the strategic value term.")
    )
    return_weight: float = Field(
        default=1.0, ge=0, allow_inf_nan=False, **_doc("Weight of the expected net return term.")
    )
    cvar_weight: float = Field(
        default=0.0,
        ge=0,
        allow_inf_nan=False,
        **_doc("Multiple of CVaR subtracted from the objective (needs scenarios)."),
    )
    discount_rate: float | None = Field(
        default=None,
        ge=0,
        le=1,
        allow_inf_nan=False,
        **_doc(
            "Annual hurdle rate: the return term becomes the present value at the horizon start "
            "of expected proceeds minus calls (absent: the undiscounted expected net return).",
            "1/year",
        ),
    )


class SolverSettings(BaseModel):
    """HiGHS settings: time limit (s), relative MIP gap, threads (0 = HiGHS decides), seed."""

    model_config = _STRICT
    time_limit: float = Field(
        default=60.0, gt=0, allow_inf_nan=False, **_doc("HiGHS time limit.", "s")
    )
    mip_gap: float = Field(
        default=0.001, ge=0, le=1, **_doc("Relative MIP gap at which HiGHS stops.", "0-1")
    )
    threads: Count = Field(default=0, **_doc("HiGHS threads (0: HiGHS decides)."))
    seed: Count = Field(default=0, **_doc("HiGHS random seed."))


class Mandate(BaseModel):
    """The policy: every key of a mandate YAML file. Absent limits are no limits."""

    model_config = _STRICT
    name: str = Field(default="", **_doc("Name of the mandate (default: the file stem)."))
    description: str = Field(default="", **_doc("What the mandate asks."))
    budget: Amount = Field(**_doc("Upper bound on total commitment.", _USD))
    min_deployment: Share | None = Field(
        default=None, **_doc("Share of the budget that must be committed.", "0-1")
    )
    horizon: Horizon = Field(default=Horizon(), **_doc("Years in which commitments are made."))
    value_horizon: int | None = Field(
        default=None,
        **_doc("Last year strategic value counts (default: horizon end + 10).", "year"),
    )
    pacing: Pacing = Field(
        default=Pacing(), **_doc("Capital called, committed and net cash per calendar year.")
    )
    recycling: Recycling | None = Field(
        default=None, **_doc("Expected proceeds that may fund later commitments above the budget.")
    )
    deals: Deals = Field(default=Deals(), **_doc("Numbers of commitments."))
    pillars: dict[str, ShareLimits] = Field(
        default_factory=dict, **_doc("Limits per pillar, by pillar id.")
    )
    sub_areas: dict[str, ShareLimits] = Field(
        default_factory=dict,
        **_doc("Limits per sub-area, by sub-area id; `default` applies to every sub-area."),
    )
    share_basis: Literal["budget", "deployed"] = Field(
        default="budget", **_doc("What shares are measured against: the budget, or committed.")
    )
    risk: Risk = Field(default=Risk(), **_doc("Risk limits."))
    lead_time: LeadTime = Field(default=LeadTime(), **_doc("Lead-time limits."))
    limits: tuple[AttributeLimit, ...] = Field(
        default=(), **_doc("Limits on attribute columns of candidates.csv.")
    )
    groups: dict[str, GroupLimit] = Field(
        default_factory=dict, **_doc("Limits per candidate group, by group label.")
    )
    force_in: tuple[str, ...] = Field(default=(), **_doc("Candidates that must be chosen."))
    force_out: tuple[str, ...] = Field(default=(), **_doc("Candidates that must not be chosen."))
    objective: Objective = Field(default=Objective(), **_doc("Weights of the objective terms."))
    solver: SolverSettings = Field(default=SolverSettings(), **_doc("HiGHS settings."))
    # the dotted-path edits that made this mandate from its file, in order (``with_changes``)
    _edits: tuple[tuple[str, Any], ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _consistent(self) -> Mandate:
        both = sorted(set(self.force_in) & set(self.force_out))
        if both:
            raise ValueError(f"{both[0]!r} is in both force_in and force_out")
        if self.value_horizon is not None and self.value_horizon <= self.horizon.start:
            raise ValueError("value_horizon must be after horizon.start")
        if self.recycling is not None and (self.recycling.until or self.horizon.start) < (
            self.horizon.start
        ):
            raise ValueError("recycling.until must not be before horizon.start")
        for key, value in _year_maps(self):
            outside = [y for y in value if not self.horizon.start <= y <= self.horizon.end]
            if outside:
                raise ValueError(
                    f"{key}: year {outside[0]} is outside the horizon "
                    f"{self.horizon.start}-{self.horizon.end}"
                )
        return self

    @property
    def years(self) -> list[int]:
        """Every year of the horizon."""
        return self.horizon.year_list

    @property
    def recycling_until(self) -> int:
        """Last year whose proceeds may be recycled: the given one, or the horizon end."""
        until = self.recycling.until if self.recycling else None
        return self.horizon.end if until is None else until

    @property
    def cvar_alpha(self) -> float:
        """CVaR level: the mandate's ``risk.cvar.alpha``, else the default of ``Cvar``."""
        return (self.risk.cvar or Cvar()).alpha

    @property
    def effective_value_horizon(self) -> int:
        """Last year strategic value counts: the given one, or ten years after the horizon."""
        return self.value_horizon if self.value_horizon is not None else self.horizon.end + 10

    def sub_area_limits(self, sub_area_ids: list[str]) -> dict[str, ShareLimits]:
        """Per sub-area limits, ``default`` applied to all and overridden key by key."""
        default = self.sub_areas.get("default", ShareLimits()).model_dump(exclude_none=True)
        merged = {}
        for sid in sub_area_ids:
            own = self.sub_areas.get(sid, ShareLimits()).model_dump(exclude_none=True)
            limits = ShareLimits.model_validate({**default, **own})
            if limits != ShareLimits():
                merged[sid] = limits
        return merged

    def with_changes(self, changes: dict[str, Any]) -> Mandate:
        """A new, validated mandate with dotted-path edits (``pacing.annual_max.2027``).

        The new mandate remembers its edits (``edits``), on top of this one's, so that a plan
        can say what produced it."""
        if not changes:
            return self
        data = self.model_dump(mode="python", exclude_none=True)
        for path, value in changes.items():
            paths.set_path(data, path, value, self.years)
        edited = _validate(data, source=None)
        history = {key: value for key, value in self._edits} | dict(changes)
        edited._edits = tuple(history.items())
        return edited

    @property
    def edits(self) -> dict[str, Any]:
        """The dotted-path edits that made this mandate from the one loaded, in order."""
        return dict(self._edits)

    @functools.cached_property
    def _dumped(self) -> dict[str, Any]:
        """The set keys as plain data, dumped once: ``value_at`` runs once per limit row."""
        return self.model_dump(mode="json", exclude_none=True)

    def value_at(self, key: str) -> Any:
        """The value at a dotted key.

        A scalar year limit answers for every year; a sub-area key falls back on the default.
        """
        parts = key.split(".")
        if parts[0] == "sub_areas" and len(parts) == 3:
            own = self.sub_areas.get(parts[1])
            if own is None or getattr(own, parts[2], None) is None:
                parts[1] = "default"
        return paths.value_at(self._dumped, parts)

    def source_key(self, key: str) -> str:
        """The key whose value a limit row's key takes: a sub-area limit set only by
        ``sub_areas.default`` comes from the default, a year of a scalar pacing limit from
        the scalar; any other key is its own source."""
        parts = key.split(".")
        if parts[0] == "sub_areas" and len(parts) == 3 and parts[1] != "default":
            own = self.sub_areas.get(parts[1])
            if own is None or getattr(own, parts[2], None) is None:
                return f"sub_areas.default.{parts[2]}"
        if parts[0] == "pacing" and len(parts) == 3:
            if not isinstance(getattr(self.pacing, parts[1], None), dict):
                return f"pacing.{parts[1]}"
        return key

    def flat(self) -> dict[str, Any]:
        """Every set key as a dotted path -> leaf value (lists indexed by position)."""
        return paths.flatten(self._dumped)

    def to_yaml(self) -> str:
        """The mandate as YAML, with unset keys left out."""
        data = self.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
        return yaml.safe_dump(data, sort_keys=False)


def _year_maps(mandate: Mandate) -> list[tuple[str, dict[int, float]]]:
    pacing = mandate.pacing
    maps = [
        (f"pacing.{name}", getattr(pacing, name))
        for name in (
            "annual_max",
            "annual_min",
            "cumulative_max",
            "commit_max",
            "commit_min",
            "net_max",
        )
    ]
    return [(key, value) for key, value in maps if isinstance(value, dict)]


def _validate(data: dict[str, Any], source: str | None) -> Mandate:
    data = paths.lists(copy.deepcopy(data))
    try:
        return Mandate.model_validate(data)
    except ValidationError as err:
        raise input_error(err, source) from None


def load_mandate(path: str | Path) -> Mandate:
    """Load and validate a mandate YAML file; its name defaults to the file stem."""
    file = Path(path)
    data = read_yaml(file)
    if not isinstance(data, dict):
        raise InputError("expected a mapping of mandate keys", file=file.name)
    data.setdefault("name", file.stem)
    return _validate(data, source=file.name)


def check_mandate(mandate: Mandate, instance: Instance, file: str = "mandate") -> None:
    """Every id the mandate names exists in the instance."""
    pillars, sub_areas = set(instance.pillars), set(instance.sub_areas)
    ids, groups = set(instance.by_id), {c.group for c in instance.candidates if c.group}
    named = (
        [(f"pillars.{p}", p, pillars, "pillar") for p in mandate.pillars]
        + [(f"sub_areas.{s}", s, sub_areas | {"default"}, "sub-area") for s in mandate.sub_areas]
        + [
            (f"lead_time.sub_area_deadlines.{s}", s, sub_areas, "sub-area")
            for s in mandate.lead_time.sub_area_deadlines
        ]
        + [(f"groups.{g}", g, groups, "group") for g in mandate.groups]
        + [("force_in", c, ids, "candidate id") for c in mandate.force_in]
        + [("force_out", c, ids, "candidate id") for c in mandate.force_out]
        + [
            (f"limits.{i}.attribute", lim.attribute, set(instance.attributes), "attribute")
            for i, lim in enumerate(mandate.limits)
        ]
    )
    for key, value, known, what in named:
        if value not in known:
            raise InputError(f"unknown {what} {value!r}", file=file, column=key)
    if instance.scenarios is None:
        if mandate.risk.cvar is not None and mandate.risk.cvar.max_share is not None:
            raise InputError(_NEEDS_SCENARIOS, file=file, column="risk.cvar")
        if mandate.objective.cvar_weight:
            raise InputError(_NEEDS_SCENARIOS, file=file, column="objective.cvar_weight")


def outside_horizon(mandate: Mandate, instance: Instance) -> list[str]:
    """Warnings for candidates whose start window lies wholly outside the horizon: they can
    never be chosen, which is worth saying but not an error (the pipeline may serve several
    horizons)."""
    start, end = mandate.horizon.start, mandate.horizon.end
    outside = [c for c in instance.candidates if c.latest_start < start or c.earliest_start > end]
    lines = [
        f"candidates.csv, {c.id}: start window {c.earliest_start}-{c.latest_start} lies "
        f"outside the horizon {start}-{end}, so it can never be chosen"
        for c in outside[:MAX_WARNINGS]
    ]
    if len(outside) > MAX_WARNINGS:
        lines.append(f"and {len(outside) - MAX_WARNINGS} more candidates outside the horizon")
    return lines


MAX_WARNINGS = 10

_NEEDS_SCENARIOS = (
    "needs loss scenarios: scenarios.csv in the instance folder, --scenarios PATH, "
    "or `allocator scenarios` to sample them"
)
