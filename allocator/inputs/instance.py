"""The Instance: taxonomy and candidate pipeline, loaded and validated from an instance folder.

Validation happens once, here, before any modelling: pydantic checks each value, and one
``check_<problem>`` function per cross-row rule names the file, row and column at fault.
Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row row 2.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    InstanceOf,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonDict, SkipJsonSchema

from allocator.errors import MAX_REPORTED, InputError, sheet_row
from allocator.inputs.columns import Column, columns_of
from allocator.inputs.scenarios import Scenarios
from allocator.io import input_error, read_csv, read_yaml

_FROZEN = ConfigDict(frozen=True, extra="forbid")


def _unit(unit: str) -> JsonDict:
    return {"unit": unit}


class InstanceMeta(BaseModel):
    """The contents of ``instance.yaml``."""

    model_config = _FROZEN
    name: str = Field(description="Name of the instance, reported in every plan.")
    description: str = Field(default="", description="What the instance describes.")
    currency: Literal["USD"] = Field(default="USD", description="Currency of every amount.")
    unit: Literal["million"] = Field(default="million", description="Unit of every amount.")
    sources: tuple[str, ...] = Field(default=(), description="Where the data comes from.")
    notes: str = Field(default="", description="Free text.")


class SubArea(BaseModel):
    """One row of ``taxonomy.csv``."""

    model_config = _FROZEN
    pillar_id: str = Field(min_length=1, description="Identifier of the pillar (used in mandates).")
    pillar: str = Field(min_length=1, description="Display name of the pillar.")
    sub_area_id: str = Field(
        min_length=1, description="Identifier of the sub-area (used in mandates)."
    )
    sub_area: str = Field(min_length=1, description="Display name of the sub-area.")
    gap_score: float = Field(
        ge=1,
        le=5,
        description="Strategic urgency (5 = most foreign-dependent).",
        json_schema_extra=_unit("1-5"),
    )
    status: Literal["confirmed", "inferred", "placeholder"] = Field(
        description="Whether the sub-area is confirmed by a source, inferred, or a placeholder."
    )
    source: str = Field(default="", description="Where the row comes from.")
    description: str = Field(default="", description="What the sub-area covers.")


def _split_list(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(";") if part.strip())
    return value


def _split_year_map(value: Any) -> Any:
    """``2026:0.4;2027:0.3`` -> {2026: "0.4", 2027: "0.3"} (pydantic then checks the types)."""
    if not isinstance(value, str):
        return value
    pairs = {}
    for part in (p.strip() for p in value.split(";") if p.strip()):
        year, sep, number = part.partition(":")
        if not sep:
            raise ValueError(f"expected year:value, got {part!r}")
        pairs[year.strip()] = number.strip()
    return pairs


class Candidate(BaseModel):
    """One row of ``candidates.csv``; numeric columns outside the known ones are attributes."""

    model_config = _FROZEN
    id: str = Field(min_length=1, description="Unique identifier of the candidate investment.")
    name: str = Field(min_length=1, description="Descriptive name.")
    sub_area_id: str = Field(min_length=1, description="Sub-area of the taxonomy it belongs to.")
    ticket_min: float = Field(
        ge=0,
        allow_inf_nan=False,
        description="Smallest commitment if chosen.",
        json_schema_extra=_unit("USD M"),
    )
    ticket_max: float = Field(
        gt=0,
        allow_inf_nan=False,
        description="Largest commitment if chosen.",
        json_schema_extra=_unit("USD M"),
    )
    earliest_start: int = Field(
        ge=1900,
        le=2200,
        description="First year the commitment may be made.",
        json_schema_extra=_unit("year"),
    )
    latest_start: int = Field(
        ge=1900,
        le=2200,
        description="Last year the commitment may be made.",
        json_schema_extra=_unit("year"),
    )
    lead_time: float = Field(
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="Years from commitment until impact is online.",
        json_schema_extra=_unit("years"),
    )
    loss_probability: float = Field(
        ge=0, le=1, description="Chance of total loss.", json_schema_extra=_unit("0-1")
    )
    expected_multiple: float = Field(
        ge=0,
        allow_inf_nan=False,
        description="Gross multiple on capital if it does not fail.",
        json_schema_extra=_unit("x"),
    )
    call_schedule: tuple[float, ...] = Field(
        default=(1.0,),
        description=(
            "Fractions of the commitment called in year 0,1,2... after commitment "
            "(`;`-separated); sum to 1."
        ),
        json_schema_extra=_unit("fractions"),
    )
    impact: float = Field(
        default=1.0,
        ge=0,
        allow_inf_nan=False,
        description="Strategic multiplier.",
        json_schema_extra=_unit("x"),
    )
    hold: int | None = Field(
        default=None,
        ge=0,
        le=100,
        description=(
            "Years from commitment until proceeds start (default: the lead time rounded up, "
            "and at least the number of years the call schedule spans)."
        ),
        json_schema_extra=_unit("years"),
    )
    distribution_schedule: tuple[float, ...] = Field(
        default=(1.0,),
        description=(
            "Fractions of the proceeds received in year 0,1,2... after the hold "
            "(`;`-separated); sum to 1."
        ),
        json_schema_extra=_unit("fractions"),
    )
    multiple_sigma: float = Field(
        default=0.0,
        ge=0,
        le=5,
        allow_inf_nan=False,
        description=(
            "Log-standard deviation of the realised multiple if the deal survives (lognormal "
            "with mean expected_multiple); read by sampled scenarios only."
        ),
        json_schema_extra=_unit("log-sd"),
    )
    value_by_start: dict[int, float] = Field(
        default_factory=dict,
        description=(
            "Return-term value per $ committed by start year (`year:value;...`), used instead "
            "of the computed one for the listed years."
        ),
        json_schema_extra=_unit("USD per USD"),
    )
    requires: tuple[str, ...] = Field(
        default=(), description="Ids that must be committed first (`;`-separated)."
    )
    excludes: tuple[str, ...] = Field(
        default=(), description="Ids that may never be chosen with this one (`;`-separated)."
    )
    group: str = Field(default="", description="Label for at-most-k group rules.")
    source: str = Field(default="", description="Where the numbers come from.")
    notes: str = Field(default="", description="Free text.")
    attributes: dict[str, float] = Field(
        default_factory=dict,
        description="Every other numeric column, by name (e.g. board_seats), for `limits`.",
    )

    _split = field_validator(
        "call_schedule", "distribution_schedule", "requires", "excludes", mode="before"
    )(lambda value: _split_list(value))
    _year_values = field_validator("value_by_start", mode="before")(
        lambda value: _split_year_map(value)
    )

    @field_validator("call_schedule", "distribution_schedule")
    @classmethod
    def _schedule_sums_to_one(cls, schedule: tuple[float, ...]) -> tuple[float, ...]:
        if not schedule or any(not math.isfinite(f) or f < 0 for f in schedule):
            raise ValueError("fractions must be finite and non-negative")
        if abs(sum(schedule) - 1.0) > 1e-6:
            raise ValueError(f"fractions sum to {sum(schedule):g}, not 1")
        return schedule

    @field_validator("value_by_start")
    @classmethod
    def _finite_values(cls, values: dict[int, float]) -> dict[int, float]:
        if any(not math.isfinite(v) for v in values.values()):
            raise ValueError("values must be finite")
        return dict(sorted(values.items()))

    @model_validator(mode="after")
    def _values_inside_the_window(self) -> Candidate:
        outside = [
            y for y in self.value_by_start if not self.earliest_start <= y <= self.latest_start
        ]
        if outside:
            raise ValueError(
                f"value_by_start: year {outside[0]} is outside the start window "
                f"{self.earliest_start}-{self.latest_start}"
            )
        return self

    # ------------------------------------------------------------------ cash flows per $

    def calls(self, start_year: int) -> list[tuple[int, float]]:
        """(calendar year, fraction of the commitment called) for a commitment in a year."""
        return [(start_year + k, f) for k, f in enumerate(self.call_schedule) if f]

    @property
    def holding_years(self) -> int:
        """Years from commitment until proceeds start: ``hold``, or its default from the lead
        time (rounded up), at least the years the call schedule spans."""
        if self.hold is not None:
            return self.hold
        return max(math.ceil(self.lead_time - 1e-9), len(self.call_schedule))

    def distributions(self, start_year: int) -> list[tuple[int, float]]:
        """(calendar year, fraction of the proceeds received) for a commitment in a year."""
        first = start_year + self.holding_years
        return [(first + k, f) for k, f in enumerate(self.distribution_schedule) if f]

    @property
    def expected_multiple_net_of_losses(self) -> float:
        """Expected proceeds per $ committed: (1 - p) * multiple."""
        return (1.0 - self.loss_probability) * self.expected_multiple

    def expected_proceeds(self, start_year: int) -> list[tuple[int, float]]:
        """(calendar year, expected proceeds per $ committed) for a commitment in a year."""
        multiple = self.expected_multiple_net_of_losses
        return [(year, multiple * f) for year, f in self.distributions(start_year)]

    def present_value(self, start_year: int, rate: float, base_year: int) -> float:
        """Present value per $ committed at ``rate``, in ``base_year`` money: expected proceeds
        minus calls, each discounted by ``(1 + rate) ** -(year - base_year)``."""
        proceeds = sum(
            v * (1 + rate) ** (base_year - y) for y, v in self.expected_proceeds(start_year)
        )
        calls = sum(f * (1 + rate) ** (base_year - y) for y, f in self.calls(start_year))
        return proceeds - calls

    @property
    def expected_net_return(self) -> float:
        """Expected net return per $ committed: (1 - p) * multiple - 1."""
        return self.expected_multiple_net_of_losses - 1.0


TAXONOMY_COLUMNS: tuple[Column, ...] = columns_of(SubArea)
CANDIDATE_COLUMNS: tuple[Column, ...] = columns_of(Candidate, exclude=("attributes",))
KNOWN_CANDIDATE_COLUMNS = frozenset(c.name for c in CANDIDATE_COLUMNS)


class Instance(BaseModel):
    """The facts: taxonomy and candidate pipeline, and optional loss scenarios. Immutable."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    meta: InstanceMeta
    taxonomy: tuple[SubArea, ...]
    candidates: tuple[Candidate, ...]
    attributes: tuple[str, ...] = ()
    # aligned with ``candidates``; numpy arrays, kept out of JSON and schema
    scenarios: SkipJsonSchema[InstanceOf[Scenarios] | None] = Field(
        default=None, exclude=True, repr=False
    )

    def with_scenarios(self, scenarios: Scenarios | None) -> Instance:
        """A copy carrying loss scenarios for CVaR."""
        if scenarios is not None and scenarios.loss.shape[1] != len(self.candidates):
            raise InputError("scenarios do not match the candidates", column="scenarios")
        return self.model_copy(update={"scenarios": scenarios})

    @property
    def name(self) -> str:
        """Instance name from ``instance.yaml``."""
        return self.meta.name

    @property
    def pillars(self) -> dict[str, str]:
        """Pillar id -> display name, in taxonomy order."""
        return {s.pillar_id: s.pillar for s in self.taxonomy}

    @property
    def sub_areas(self) -> dict[str, SubArea]:
        """Sub-area id -> row."""
        return {s.sub_area_id: s for s in self.taxonomy}

    @property
    def by_id(self) -> dict[str, Candidate]:
        """Candidate id -> candidate."""
        return {c.id: c for c in self.candidates}

    def pillar_of(self, candidate: Candidate) -> str:
        """Pillar id of a candidate."""
        return self.sub_areas[candidate.sub_area_id].pillar_id

    def to_frame(self) -> pd.DataFrame:
        """Candidates as a DataFrame, one row per candidate with its pillar and attributes."""
        sub_areas = self.sub_areas
        rows = [
            {
                **c.model_dump(exclude={"attributes"}),
                **c.attributes,
                "pillar_id": sub_areas[c.sub_area_id].pillar_id,
            }
            for c in self.candidates
        ]
        return pd.DataFrame(rows).set_index("id")

    def with_candidate_changes(self, changes: dict[str, dict[str, Any]]) -> Instance:
        """A copy with some candidates' fields replaced, re-validated: {id: {field: value}}."""
        by_id = self.by_id
        unknown = sorted(set(changes) - set(by_id))
        if unknown:
            raise InputError(f"unknown candidate id {unknown[0]!r}", column="candidate change")
        rows = [_revalidate(c, changes[c.id]) if c.id in changes else c for c in self.candidates]
        updated = self.model_copy(update={"candidates": tuple(rows)})
        check_instance(updated)
        return updated


def _revalidate(candidate: Candidate, fields: dict[str, Any]) -> Candidate:
    data = candidate.model_dump()
    for key, value in fields.items():
        if key in data["attributes"]:
            data["attributes"][key] = value
        elif key in data and key != "attributes":
            data[key] = value
        else:
            raise InputError(f"unknown field {key!r}", column=f"candidate {candidate.id}")
    try:
        return Candidate.model_validate(data)
    except ValidationError as err:
        raise input_error(err, prefix=f"candidate {candidate.id}.") from None


# --------------------------------------------------------------------------- loading


def read_instance(folder: Path) -> Instance:
    """Read and validate an instance folder (instance.yaml, taxonomy.csv, candidates.csv)."""
    if not folder.is_dir():
        raise InputError("instance folder not found", file=str(folder))
    meta = _load_meta(folder / "instance.yaml")
    taxonomy = _load_rows(folder / "taxonomy.csv", TAXONOMY_COLUMNS, SubArea, extra=False)
    candidates = _load_rows(folder / "candidates.csv", CANDIDATE_COLUMNS, Candidate, extra=True)
    attributes = sorted({a for c in candidates for a in c.attributes})
    instance = Instance(
        meta=meta,
        taxonomy=tuple(taxonomy),
        candidates=tuple(candidates),
        attributes=tuple(attributes),
    )
    check_instance(instance)
    return instance


def _load_meta(path: Path) -> InstanceMeta:
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError("expected a mapping of keys", file=path.name)
    try:
        return InstanceMeta.model_validate(data)
    except ValidationError as err:
        raise input_error(err, path.name) from None


def _load_rows(path: Path, columns: Iterable, model: type[BaseModel], extra: bool) -> list[Any]:
    frame = read_csv(path)
    names = [c.name for c in columns]
    missing = [n for c, n in zip(columns, names, strict=True) if c.required and n not in frame]
    if missing:
        raise InputError(f"missing required column {missing[0]!r}", file=path.name)
    duplicated = frame.columns[frame.columns.duplicated()]
    if len(duplicated):
        raise InputError(f"column {duplicated[0]!r} appears twice", file=path.name)
    attributes = _attribute_columns(frame, path.name) if extra else []
    records = _records(frame, [n for n in names if n in frame], attributes)
    try:
        return TypeAdapter(list[model]).validate_python(records)  # type: ignore[valid-type]
    except ValidationError as err:
        raise input_error(err, path.name, rows=True) from None


IGNORED_PREFIX = "_"  # a column named ``_owner`` is the user's own and is not read


def _attribute_columns(frame: pd.DataFrame, file: str) -> list[str]:
    """Unknown columns whose non-empty cells are all numbers are attributes; a column whose name
    starts with ``_`` is ignored. Any other unknown column is an error, since a misspelled
    known column (``require``) would otherwise drop what it carries without a word."""
    attributes = []
    for column in frame.columns:
        if column in KNOWN_CANDIDATE_COLUMNS or column.startswith(IGNORED_PREFIX):
            continue
        cells = frame[column]
        filled = cells != ""
        numeric = pd.to_numeric(cells.where(filled), errors="coerce")
        bad = filled & (numeric.isna() | ~numeric.fillna(0).map(math.isfinite))
        if not numeric.notna().any():
            raise InputError(_unknown_column(column), file=file, column=column)
        if bad.any():
            rows = [sheet_row(int(i)) for i in bad.to_numpy().nonzero()[0]]
            cells_found = [
                (row, column, f"expected a finite number in attribute column (got {value!r})")
                for row, value in zip(rows, cells[bad].tolist(), strict=True)
            ]
            raise InputError.cells(file, cells_found[:MAX_REPORTED], total=len(cells_found))
        attributes.append(column)
    return attributes


def _unknown_column(column: str) -> str:
    close = difflib.get_close_matches(column, sorted(KNOWN_CANDIDATE_COLUMNS), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return (
        f"unknown column with no numbers (so not an attribute): {hint}Known columns are "
        f"{', '.join(c.name for c in CANDIDATE_COLUMNS)}; prefix a column you keep for yourself "
        f"with {IGNORED_PREFIX!r}"
    )


def _records(frame: pd.DataFrame, known: list[str], attributes: list[str]) -> list[dict[str, Any]]:
    """Row dicts for pydantic; empty cells are left out so defaults apply (attributes: 0)."""
    columns = {k: frame[k].tolist() for k in known}
    numbers = {
        a: pd.to_numeric(frame[a].where(frame[a] != "", "0")).astype(float).tolist()
        for a in attributes
    }
    records = []
    for row in range(len(frame)):
        record = {k: cells[row] for k, cells in columns.items() if cells[row] != ""}
        if attributes:
            record["attributes"] = {a: cells[row] for a, cells in numbers.items()}
        records.append(record)
    return records


# --------------------------------------------------------------------------- cross-row checks


def _fail(file: str, row_index: int, column: str, message: str) -> InputError:
    return InputError(message, file=file, row=sheet_row(row_index), column=column)


def check_taxonomy_unique(instance: Instance) -> None:
    """Sub-area ids are unique, and a pillar id always carries the same pillar name."""
    seen: set[str] = set()
    pillar_names: dict[str, str] = {}
    for i, row in enumerate(instance.taxonomy):
        if row.sub_area_id in seen:
            raise _fail("taxonomy.csv", i, "sub_area_id", f"duplicate id {row.sub_area_id!r}")
        seen.add(row.sub_area_id)
        if pillar_names.setdefault(row.pillar_id, row.pillar) != row.pillar:
            raise _fail("taxonomy.csv", i, "pillar", f"pillar {row.pillar_id!r} has two names")
    if "default" in seen:
        raise InputError(
            "'default' is reserved in mandates", file="taxonomy.csv", column="sub_area_id"
        )


def check_candidate_ids(instance: Instance) -> None:
    """Candidate ids are unique."""
    seen: set[str] = set()
    for i, c in enumerate(instance.candidates):
        if c.id in seen:
            raise _fail("candidates.csv", i, "id", f"duplicate id {c.id!r}")
        seen.add(c.id)


def check_sub_area_known(instance: Instance) -> None:
    """Every candidate's sub-area is in the taxonomy."""
    known = instance.sub_areas
    for i, c in enumerate(instance.candidates):
        if c.sub_area_id not in known:
            raise _fail("candidates.csv", i, "sub_area_id", f"unknown sub-area {c.sub_area_id!r}")


def check_ranges(instance: Instance) -> None:
    """Tickets and start windows are ordered (min <= max, earliest <= latest)."""
    for i, c in enumerate(instance.candidates):
        if c.ticket_min > c.ticket_max:
            raise _fail(
                "candidates.csv", i, "ticket_min", f"{c.ticket_min:g} > ticket_max {c.ticket_max:g}"
            )
        if c.earliest_start > c.latest_start:
            raise _fail(
                "candidates.csv",
                i,
                "earliest_start",
                f"{c.earliest_start} > latest_start {c.latest_start}",
            )


def check_references(instance: Instance) -> None:
    """``requires`` and ``excludes`` name existing other candidates."""
    ids = {c.id for c in instance.candidates}
    for i, c in enumerate(instance.candidates):
        for column in ("requires", "excludes"):
            for ref in getattr(c, column):
                if ref not in ids:
                    raise _fail("candidates.csv", i, column, f"unknown candidate id {ref!r}")
                if ref == c.id:
                    raise _fail("candidates.csv", i, column, "a candidate cannot refer to itself")


INSTANCE_CHECKS: tuple[Callable[[Instance], None], ...] = (
    check_taxonomy_unique,
    check_candidate_ids,
    check_sub_area_known,
    check_ranges,
    check_references,
)


def check_instance(instance: Instance) -> None:
    """Run every cross-row rule; the first failure is raised as an InputError."""
    for check in INSTANCE_CHECKS:
        check(instance)


# --------------------------------------------------------------------------- saving


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        return ";".join(f"{year}:{v!r}" for year, v in value.items())
    if isinstance(value, tuple):
        return ";".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return value


def save_instance(instance: Instance, path: str | Path) -> Path:
    """Write an instance folder (``instance.yaml``, ``taxonomy.csv``, ``candidates.csv``)."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    meta = instance.meta.model_dump(mode="json")
    (folder / "instance.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    pd.DataFrame([s.model_dump() for s in instance.taxonomy]).to_csv(
        folder / "taxonomy.csv", index=False
    )
    rows = [
        {k: _cell(v) for k, v in c.model_dump(exclude={"attributes"}).items()} | c.attributes
        for c in instance.candidates
    ]
    pd.DataFrame(rows).to_csv(folder / "candidates.csv", index=False)
    return folder
