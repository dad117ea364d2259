"""Seeded synthetic instances of any size, resampled per sub-area from a reference instance.

Benchmarks and scaling studies need pipelines far larger than the 145 candidates of ``sri-2025``
that still look like it. Each sub-area's synthetic candidates are drawn from the empirical
distribution of that sub-area's reference rows (a bootstrap with a little noise), so the mix of
ticket sizes, lead times, risks and returns per sub-area is kept while every number is synthetic.
The matching mandate is the baseline one, with money limits scaled by the pipeline's size and
deal counts by the number of candidates, so that a generated instance is solvable as it comes.

Every draw is vectorised with numpy and comes from one ``np.random.default_rng(seed)`` in a fixed
order: the same (candidates, seed, years, start) gives byte-identical files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import TypeAdapter

from allocator.errors import InputError
from allocator.inputs.instance import (
    Candidate,
    Instance,
    InstanceMeta,
    check_instance,
    save_instance,
)
from allocator.inputs.load import load_instance
from allocator.inputs.mandate import Horizon, Mandate, load_mandate
from allocator.io import write_atomic
from allocator.resources import DEFAULT_INSTANCE, DEFAULT_MANDATE, bundled

MAX_CANDIDATES = 200_000
TICKET_SIGMA = 0.10  # lognormal sigma of the factor that scales a resampled ticket range
MULTIPLE_SIGMA = 0.05  # lognormal sigma of the noise on a resampled expected multiple
LOSS_NOISE = 0.02  # normal sigma of the noise on a resampled loss probability
LOSS_RANGE = (0.01, 0.95)
LEAD_JITTER = ((-1, 0, 1), (0.25, 0.5, 0.25))  # years added to a resampled lead time
TICKET_STEP = 5.0  # tickets are rounded to $5M
REQUIRES_SHARE = 0.02  # candidates that require an earlier one of their pillar
EXCLUDES_SHARE = 0.01  # candidates in a mutual exclusion pair within their sub-area
GROUPED_SHARE = 0.03  # candidates in an at-most-one group of competing designs
GROUP_SIZE = 3
LARGE = 1000  # above this many candidates the mandate asks for a looser MIP gap
LARGE_GAP = 0.005
TIME_LIMIT = 60.0

_CANDIDATES = TypeAdapter(list[Candidate])


# --------------------------------------------------------------------------- public API


def generate(
    candidates: int,
    seed: int,
    years: int = 10,
    start: int = 2026,
    reference: Instance | None = None,
) -> tuple[Instance, Mandate]:
    """A synthetic instance of ``candidates`` rows and the baseline mandate scaled to it."""
    _check_arguments(candidates, seed, years, start)
    ref = reference if reference is not None else load_instance(bundled(DEFAULT_INSTANCE))
    rng = np.random.default_rng(seed)
    frame = _draw_candidates(ref, candidates, rng, start, years)
    groups = _add_relations(frame, rng)
    frame["source"] = [
        f"synthetic: resampled from {ref.name} {s} rows (seed {seed})" for s in frame["sub_area_id"]
    ]
    instance = Instance(
        meta=_meta(ref, candidates, seed, years, start),
        taxonomy=tuple(
            s.model_copy(update={"source": f"copied unchanged from {ref.name}"})
            for s in ref.taxonomy
        ),
        candidates=tuple(_CANDIDATES.validate_python(_records(frame, ref.attributes))),
        attributes=ref.attributes,
    )
    check_instance(instance)
    baseline = load_mandate(bundled(DEFAULT_MANDATE))
    return instance, scale_mandate(baseline, ref, instance, groups, years, start)


def write_generated(folder: str | Path, instance: Instance, mandate: Mandate) -> Path:
    """Write the instance files and ``mandate.yaml`` to one folder, ready to solve."""
    path = save_instance(instance, folder)
    write_atomic(path / "mandate.yaml", mandate.to_yaml())
    return path


# --------------------------------------------------------------------------- arguments


def _check_arguments(candidates: int, seed: int, years: int, start: int) -> None:
    """Reject sizes and years the instance format or the mandate could not hold."""
    checks = (
        ("--candidates", candidates, 1, MAX_CANDIDATES),
        ("--seed", seed, 0, None),
        ("--years", years, 1, 60),
        ("--start", start, 1900, 2201 - years),
    )
    for option, value, low, high in checks:
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise InputError(f"must be a whole number (got {value!r})", column=option)
        if high is None and value < low:
            raise InputError(f"must be at least {low} (got {value})", column=option)
        if high is not None and not low <= value <= high:
            raise InputError(f"must be between {low} and {high} (got {value})", column=option)


# --------------------------------------------------------------------------- candidates


def apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Largest-remainder split of ``total`` in proportion to integer ``weights`` (ties: first)."""
    weights = np.asarray(weights, dtype=np.int64)
    scaled = total * weights
    counts = scaled // weights.sum()
    order = np.argsort(-(scaled % weights.sum()), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


def sub_area_counts(total: int, reference_counts: np.ndarray) -> np.ndarray:
    """Candidates per sub-area in proportion to the reference, at least one each when they fit.

    With every sub-area given one first, the rest goes by the excess of each quota over one:
    when every quota is at least one this reproduces the plain proportional split exactly.
    """
    present = reference_counts > 0
    if total < present.sum():
        return apportion(total, reference_counts)
    excess = np.maximum(0, total * reference_counts - reference_counts.sum()) * present
    rest = total - int(present.sum())
    extra = apportion(rest, excess) if rest else np.zeros_like(reference_counts)
    return present.astype(np.int64) + extra


def _round_tickets(values: np.ndarray) -> np.ndarray:
    """Round to $5M, never below $5M (keeps min <= max: rounding is monotone)."""
    return np.maximum(TICKET_STEP, np.round(values / TICKET_STEP) * TICKET_STEP)


@dataclass(frozen=True)
class _Pool:
    """The reference rows sorted by sub-area, and each synthetic row's sub-area code."""

    rows: pd.DataFrame
    first: np.ndarray  # first pool row of each sub-area
    counts: np.ndarray  # pool rows of each sub-area
    codes: np.ndarray  # sub-area code of each synthetic candidate

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        """For every synthetic candidate, a random reference row of its own sub-area."""
        picks = rng.random(len(self.codes)) * self.counts[self.codes]
        return self.first[self.codes] + picks.astype(np.int64)

    def column(self, name: str, rows: np.ndarray) -> np.ndarray:
        """Reference values of one column at the drawn rows."""
        return self.rows[name].to_numpy()[rows]


def _pool(ref: Instance, total: int) -> _Pool:
    """Sort the reference by sub-area and split ``total`` candidates across the sub-areas."""
    code_of = {s: i for i, s in enumerate(ref.sub_areas)}
    rows = ref.to_frame().reset_index()
    rows["code"] = rows["sub_area_id"].map(code_of)
    rows = rows.sort_values("code", kind="stable").reset_index(drop=True)
    counts = np.bincount(rows["code"], minlength=len(code_of))
    codes = np.repeat(np.arange(len(code_of)), sub_area_counts(total, counts))
    return _Pool(rows, np.r_[0, np.cumsum(counts)[:-1]], counts, codes)


def _draw_candidates(
    ref: Instance, total: int, rng: np.random.Generator, start: int, years: int
) -> pd.DataFrame:
    """Every candidate column, each resampled from the reference rows of the same sub-area.

    Each column family draws its own reference row, so synthetic candidates mix features of
    several reference rows; what belongs together is drawn together: a ticket range (min and
    max), a risk profile (a loss probability, the multiple that pays for it, and the stage's
    hold, distribution schedule and dispersion), the attributes.
    """
    pool = _pool(ref, total)
    frame = _identities(ref, pool.codes)
    ticket, factor = pool.draw(rng), np.exp(rng.normal(0.0, TICKET_SIGMA, total))
    frame["ticket_min"] = _round_tickets(pool.column("ticket_min", ticket) * factor)
    frame["ticket_max"] = _round_tickets(pool.column("ticket_max", ticket) * factor)
    timing = pool.draw(rng)
    window = pool.column("latest_start", timing) - pool.column("earliest_start", timing)
    frame["earliest_start"] = start + rng.integers(0, years, total)
    frame["latest_start"] = np.minimum(frame["earliest_start"] + window, start + years - 1)
    jitter = rng.choice(LEAD_JITTER[0], size=total, p=LEAD_JITTER[1])
    frame["lead_time"] = np.maximum(0, np.rint(pool.column("lead_time", pool.draw(rng))) + jitter)
    risk = pool.draw(rng)
    loss = pool.column("loss_probability", risk) + rng.normal(0.0, LOSS_NOISE, total)
    frame["loss_probability"] = np.round(np.clip(loss, *LOSS_RANGE), 3)
    noise = np.exp(rng.normal(0.0, MULTIPLE_SIGMA, total))
    frame["expected_multiple"] = np.round(pool.column("expected_multiple", risk) * noise, 2)
    for column in ("hold", "distribution_schedule", "multiple_sigma"):  # the stage's economics
        values = pool.column(column, risk)
        frame[column] = [None if v is None or v != v else v for v in values]  # NaN: no hold
    frame["call_schedule"] = pool.column("call_schedule", pool.draw(rng))
    frame["impact"] = pool.column("impact", pool.draw(rng))
    attribute_rows = pool.draw(rng)
    for attribute in ref.attributes:
        frame[attribute] = pool.column(attribute, attribute_rows)
    return frame


def _identities(ref: Instance, codes: np.ndarray) -> pd.DataFrame:
    """Ids ``g-<sub_area_id>-<k>``, names, sub-area and pillar codes, in taxonomy order."""
    sub_area_ids = np.array(list(ref.sub_areas), dtype=object)
    names = np.array([s.sub_area for s in ref.taxonomy], dtype=object)
    pillar_of = np.unique([s.pillar_id for s in ref.taxonomy], return_inverse=True)[1]
    number = np.arange(len(codes)) - np.searchsorted(codes, codes) + 1
    return pd.DataFrame(
        {
            "id": [f"g-{s}-{k}" for s, k in zip(sub_area_ids[codes], number, strict=True)],
            "name": [f"Synthetic {n} #{k}" for n, k in zip(names[codes], number, strict=True)],
            "sub_area_id": sub_area_ids[codes],
            "code": codes,
            "pillar_code": pillar_of[codes],
        }
    )


# --------------------------------------------------------------------------- relations


def _tuples(
    rng: np.random.Generator, codes: np.ndarray, eligible: np.ndarray, size: int, count: int
) -> np.ndarray:
    """Up to ``count`` disjoint random tuples of ``size`` eligible rows sharing a code."""
    rows = np.flatnonzero(eligible)
    rows = rows[np.lexsort((rng.random(len(rows)), codes[rows]))]
    run_start = np.flatnonzero(np.r_[True, np.diff(codes[rows]) != 0])
    run_length = np.diff(np.r_[run_start, len(rows)])
    position = np.arange(len(rows)) - np.repeat(run_start, run_length)
    room = np.repeat(run_start + run_length, run_length) - np.arange(len(rows))
    heads = np.flatnonzero((position % size == 0) & (room >= size))
    heads = np.sort(rng.choice(heads, size=min(count, len(heads)), replace=False))
    return rows[heads[:, None] + np.arange(size)]


def _requirements(
    rng: np.random.Generator, frame: pd.DataFrame, eligible: np.ndarray, count: int
) -> dict[int, int]:
    """Dependent row -> an earlier row of the same pillar that may start no later than it."""
    pillar = frame["pillar_code"].to_numpy()
    earliest = frame["earliest_start"].to_numpy()
    has_target = np.zeros(len(frame), dtype=bool)
    for code in np.unique(pillar):
        rows = np.flatnonzero(pillar == code)
        first_so_far = np.minimum.accumulate(np.r_[np.iinfo(np.int64).max, earliest[rows]])[:-1]
        has_target[rows] = first_so_far <= earliest[rows]
    candidates = np.flatnonzero(eligible & has_target)
    dependents = np.sort(rng.choice(candidates, size=min(count, len(candidates)), replace=False))
    targets = {}
    for row in dependents:
        options = np.flatnonzero((pillar[:row] == pillar[row]) & (earliest[:row] <= earliest[row]))
        targets[int(row)] = int(options[rng.integers(len(options))])
    return targets


def _add_relations(frame: pd.DataFrame, rng: np.random.Generator) -> list[str]:
    """Fill ``group``, ``excludes`` and ``requires``; return the group labels.

    The three roles go to disjoint candidates so that no rule makes a candidate unselectable
    (a candidate requiring its own rival, or two members of an at-most-one group tied together).
    """
    total, codes = len(frame), frame["code"].to_numpy()
    ids = frame["id"].to_numpy()
    free = np.ones(total, dtype=bool)
    group = np.full(total, "", dtype=object)
    members = _tuples(rng, codes, free, GROUP_SIZE, round(GROUPED_SHARE * total / GROUP_SIZE))
    labels = [f"grp-{k}" for k in range(1, len(members) + 1)]
    group[members] = np.repeat(labels, GROUP_SIZE).reshape(members.shape)
    free[members.ravel()] = False
    excludes = np.full(total, "", dtype=object)
    pairs = _tuples(rng, codes, free, 2, round(EXCLUDES_SHARE * total / 2))
    excludes[pairs[:, 0]], excludes[pairs[:, 1]] = ids[pairs[:, 1]], ids[pairs[:, 0]]
    free[pairs.ravel()] = False
    requires = np.full(total, "", dtype=object)
    for row, target in _requirements(rng, frame, free, round(REQUIRES_SHARE * total)).items():
        requires[row] = ids[target]
    frame["requires"], frame["excludes"], frame["group"] = requires, excludes, group
    return labels


# --------------------------------------------------------------------------- instance


_FIELDS = (
    "id name sub_area_id ticket_min ticket_max earliest_start latest_start lead_time"
    " loss_probability expected_multiple hold distribution_schedule multiple_sigma call_schedule"
    " impact requires excludes group source"
).split()


def _records(frame: pd.DataFrame, attributes: tuple[str, ...]) -> list[dict[str, Any]]:
    """Row dicts in the shape pydantic validates a candidate from."""
    records = frame[_FIELDS].to_dict("records")
    for record, values in zip(records, frame[list(attributes)].to_numpy(), strict=True):
        record["attributes"] = dict(zip(attributes, values.tolist(), strict=True))
    return records


def _meta(ref: Instance, total: int, seed: int, years: int, start: int) -> InstanceMeta:
    """``instance.yaml``: says plainly that every number is synthetic and where it comes from."""
    return InstanceMeta(
        name=f"generated-{total}-s{seed}",
        description=(
            f"Synthetic instance of {total} candidate investments over {start}-{start + years - 1}"
            f" (seed {seed}), generated by allocator.generate from the reference instance"
            f" {ref.name}: same taxonomy, candidates resampled per sub-area. Money in USD millions."
        ),
        sources=(
            f"{ref.name}: taxonomy copied unchanged; candidate rows resampled per sub-area"
            " (see its instance.yaml for the original sources)",
            f"allocator.generate.generate(candidates={total}, seed={seed}, years={years},"
            f" start={start})",
        ),
        notes=(
            "Every candidate and every number in candidates.csv is synthetic: drawn from the"
            f" per-sub-area empirical distributions of {ref.name} (a reference row's ticket range"
            " times a lognormal factor, rounded to $5M; lead time +-1 year; loss probability plus"
            " normal noise; multiple times lognormal noise; schedule, impact and attributes"
            " resampled), with earliest_start uniform over the horizon. Names and ids describe no"
            " real company or deal. Requires, excludes and groups are random."
        ),
    )


# --------------------------------------------------------------------------- mandate


def _ceil(value: float) -> int:
    """Scaled deal counts round up (with a float guard), so small instances keep room."""
    return math.ceil(round(value, 9))


def _money(value: float) -> float:
    return round(value, 1)


def _year_map(values: dict[int, float], factor: float, shift: int, years: range) -> dict:
    """A year map moved with the horizon and scaled; years falling outside it are dropped."""
    return {y + shift: _money(v * factor) for y, v in values.items() if y + shift in years}


def _scale_shares(limits: dict[str, Any], money: float, count: float) -> dict[str, Any]:
    """Pillar / sub-area limits: amounts scale with money, counts with candidates, shares stay."""
    scaled = dict(limits)
    for key in ("min_amount", "max_amount"):
        if key in scaled:
            scaled[key] = _money(scaled[key] * money)
    for key in ("min_count", "max_count"):
        if key in scaled:
            scaled[key] = _ceil(scaled[key] * count)
    return scaled


def scale_mandate(
    base: Mandate,
    reference: Instance,
    instance: Instance,
    groups: list[str],
    years: int,
    start: int,
) -> Mandate:
    """The base mandate (written for ``reference``) scaled to ``instance`` over a new horizon.

    Money limits scale by the ratio of summed ``ticket_max`` (what the pipeline could absorb),
    deal counts by the ratio of candidate numbers; shares are kept. Per-year limits (annual
    pacing, deals per year) also scale by base years / years, so that a shorter horizon can still
    deploy the budget. Year keys move with the horizon start; those falling outside are dropped
    (impact-by deadlines also stretch with a longer horizon).
    Forced ids and group labels of the reference do not exist here and are replaced.
    """
    money = sum(c.ticket_max for c in instance.candidates) / sum(
        c.ticket_max for c in reference.candidates
    )
    count = len(instance.candidates) / len(reference.candidates)
    per_year = base.horizon.years / years
    shift, horizon = start - base.horizon.start, range(start, start + years)
    data = base.model_dump(mode="python", exclude_none=True)
    data.update(
        name=f"{instance.name}-mandate",
        description=(
            f"The {base.name or 'base'} mandate of {reference.name} scaled to {instance.name}:"
            f" money x{money:.4g}, deal counts x{count:.4g}, per-year limits also"
            f" x{per_year:.4g}; shares kept."
        ),
        budget=_money(base.budget * money),
        horizon={"start": start, "years": years},
        value_horizon=start + years - 1 + 10,
        groups={label: {"max_count": 1} for label in groups},
        force_in=(),
        force_out=(),
    )
    data["pacing"] = _scale_pacing(data["pacing"], money, money * per_year, shift, horizon)
    data["deals"] = {
        key: _ceil(value * count * (per_year if key == "max_per_year" else 1.0))
        for key, value in data["deals"].items()
    }
    for section in ("pillars", "sub_areas"):
        data[section] = {k: _scale_shares(v, money, count) for k, v in data[section].items()}
    data["lead_time"] = _scale_lead_time(
        data["lead_time"], money, base.horizon, Horizon(start=start, years=years)
    )
    data["limits"] = [_scale_limit(limit, money, count) for limit in data["limits"]]
    _drop_unknown(data, instance)
    data["solver"] = {
        **data["solver"],
        "time_limit": TIME_LIMIT,
        **({"mip_gap": LARGE_GAP} if len(instance.candidates) > LARGE else {}),
    }
    return Mandate.model_validate(data)


def _scale_pacing(
    pacing: dict[str, Any], money: float, annual: float, shift: int, horizon: range
) -> dict[str, Any]:
    """Annual limits scale by ``annual``, cumulative caps by ``money``; empty maps are dropped."""
    scaled: dict[str, Any] = {}
    for key, value in pacing.items():
        factor = money if key == "cumulative_max" else annual
        if isinstance(value, dict):
            moved = _year_map(value, factor, shift, horizon)
            if moved:
                scaled[key] = moved
        else:
            scaled[key] = _money(value * factor)
    return scaled


def _deadline(year: int, base: Horizon, horizon: Horizon) -> int:
    """An impact-by year, moved with the start and stretched (never shrunk) with the horizon.

    Over a longer horizon the commitments spread over more years, so a deadline keeps its place
    in the plan; over a shorter one it keeps its distance from the start, as lead times do not
    shrink.
    """
    offset = year - base.start
    return horizon.start + max(offset, round(offset * horizon.years / base.years))


def _scale_lead_time(
    lead_time: dict[str, Any], money: float, base: Horizon, horizon: Horizon
) -> dict[str, Any]:
    """Impact-by years move with the horizon; their amounts scale with money."""

    def move(rule: dict[str, Any]) -> dict[str, Any]:
        moved = {**rule, "year": _deadline(rule["year"], base, horizon)}
        if "min_amount" in moved:
            moved["min_amount"] = _money(moved["min_amount"] * money)
        return moved

    return {
        **lead_time,
        "impact_by": [move(rule) for rule in lead_time["impact_by"]],
        "sub_area_deadlines": {k: move(v) for k, v in lead_time["sub_area_deadlines"].items()},
    }


def _scale_limit(limit: dict[str, Any], money: float, count: float) -> dict[str, Any]:
    """Per-deal attribute sums scale with the number of deals, per-dollar sums with money."""
    scaled = dict(limit)
    for key in ("min", "max"):
        if key in scaled:
            per_deal = limit["per"] == "deal"
            scaled[key] = _ceil(scaled[key] * count) if per_deal else _money(scaled[key] * money)
    return scaled


def _drop_unknown(data: dict[str, Any], instance: Instance) -> None:
    """Drop the limits naming pillars, sub-areas or attributes that another reference lacks."""
    sub_areas = set(instance.sub_areas)
    data["pillars"] = {k: v for k, v in data["pillars"].items() if k in instance.pillars}
    data["sub_areas"] = {k: v for k, v in data["sub_areas"].items() if k in sub_areas | {"default"}}
    deadlines = data["lead_time"]["sub_area_deadlines"]
    data["lead_time"]["sub_area_deadlines"] = {k: v for k, v in deadlines.items() if k in sub_areas}
    data["limits"] = [lim for lim in data["limits"] if lim["attribute"] in instance.attributes]
