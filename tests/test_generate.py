"""The synthetic instance generator: reproducible, valid at every size, faithful to the reference
per sub-area, and shipped with a mandate that solves."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from helpers import cand, instance
from pandas.api.typing import DataFrameGroupBy

import allocator
from allocator.check import check_plan
from allocator.errors import InputError
from allocator.inputs.mandate import check_mandate
from allocator.synthetic.generate import (
    LOSS_NOISE,
    TICKET_SIGMA,
    TICKET_STEP,
    generate,
    sub_area_counts,
    write_generated,
)

FILES = ("instance.yaml", "taxonomy.csv", "candidates.csv", "mandate.yaml")
REFERENCE = allocator.load_instance(allocator.bundled("instances/sri-2025"))
BASELINE = allocator.load_mandate(allocator.bundled("models/baseline.yaml"))
Grouped = tuple[DataFrameGroupBy, DataFrameGroupBy]  # reference, generated


def written(folder: Path, candidates: int, seed: int, **options: int) -> Path:
    """Generate and write one instance folder."""
    return write_generated(folder, *generate(candidates, seed, **options))


# --------------------------------------------------------------------------- reproducible


def test_same_arguments_write_byte_identical_files(tmp_path: Path) -> None:
    first, again = written(tmp_path / "a", 300, 4), written(tmp_path / "b", 300, 4)
    for name in FILES:
        assert (first / name).read_bytes() == (again / name).read_bytes(), name


def test_another_seed_gives_another_instance(tmp_path: Path) -> None:
    first, other = written(tmp_path / "a", 300, 4), written(tmp_path / "b", 300, 5)
    assert (first / "candidates.csv").read_bytes() != (other / "candidates.csv").read_bytes()


# --------------------------------------------------------------------------- valid


@pytest.mark.parametrize("size", [1, 27, 50, 500, 3000])
def test_written_folder_loads_and_the_mandate_fits_it(tmp_path: Path, size: int) -> None:
    instance, mandate = generate(size, 1)
    folder = write_generated(tmp_path / "gen", instance, mandate)
    loaded = allocator.load_instance(folder)
    loaded_mandate = allocator.load_mandate(folder / "mandate.yaml")
    check_mandate(loaded_mandate, loaded)
    assert loaded == instance and loaded_mandate == mandate
    assert loaded.name == f"generated-{size}-s1" and len(loaded.candidates) == size
    assert "synthetic" in loaded.meta.notes


def test_taxonomy_is_the_reference_one_marked_as_copied() -> None:
    instance, _ = generate(50, 0)
    assert [s.model_dump(exclude={"source"}) for s in instance.taxonomy] == [
        s.model_dump(exclude={"source"}) for s in REFERENCE.taxonomy
    ]
    assert all("sri-2025" in s.source for s in instance.taxonomy)


def test_candidate_values_are_in_range() -> None:
    instance, _ = generate(3000, 2, years=5, start=2030)
    frame = instance.to_frame()
    assert (frame.ticket_min >= 1).all() and (frame.ticket_min <= frame.ticket_max).all()
    assert ((frame.ticket_max % TICKET_STEP) == 0).all()
    assert frame.earliest_start.between(2030, 2034).all()
    assert (frame.earliest_start <= frame.latest_start).all() and (frame.latest_start <= 2034).all()
    assert (frame.lead_time >= 0).all() and (frame.lead_time == frame.lead_time.round()).all()
    assert frame.loss_probability.between(0.01, 0.95).all()
    assert frame.index.str.fullmatch(r"g-[a-z-]+-\d+").all()
    assert all(s.startswith("synthetic: resampled from sri-2025") for s in frame.source)


def test_relations_are_consistent() -> None:
    """Requires point back within the pillar, excludes are mutual, groups have 3 members."""
    instance, mandate = generate(3000, 3)
    frame = instance.to_frame()
    position = {cid: k for k, cid in enumerate(frame.index)}
    dependents = frame[frame.requires.map(len) > 0]
    assert len(dependents) == round(0.02 * 3000)
    for cid, row in dependents.iterrows():
        (target,) = row.requires
        assert position[target] < position[cid]
        assert frame.pillar_id[target] == row.pillar_id
        assert frame.earliest_start[target] <= row.earliest_start
    excluding = frame[frame.excludes.map(len) > 0]
    assert len(excluding) == round(0.01 * 3000)
    assert all(frame.excludes[other] == (cid,) for cid, (other,) in excluding.excludes.items())
    sizes = frame[frame.group != ""].groupby("group").size()
    assert (sizes == 3).all() and len(sizes) == round(0.03 * 3000 / 3)
    assert mandate.groups.keys() == set(sizes.index)
    assert all(g.max_count == 1 for g in mandate.groups.values())


def test_sub_area_counts_keep_every_sub_area_and_the_reference_split() -> None:
    reference = np.array([14, 6, 5, 4])
    assert sub_area_counts(29, reference).tolist() == [14, 6, 5, 4]
    assert sub_area_counts(4, reference).tolist() == [1, 1, 1, 1]
    assert sub_area_counts(2, reference).tolist() == [1, 1, 0, 0]
    assert sub_area_counts(1000, reference).sum() == 1000


def test_another_reference_is_resampled_and_its_mandate_fits() -> None:
    toy = instance(
        [cand(f"a{k}", "s1", ticket=(10, 40 + k), lead=k) for k in range(4)]
        + [cand("b", "s2", ticket=(5, 20)), cand("c", "s3", ticket=(20, 60), p=0.3)]
    )
    generated, mandate = generate(30, 0, reference=toy)
    check_mandate(mandate, generated)
    assert sub_area_counts(30, np.array([4, 1, 1])).tolist() == [20, 5, 5]
    assert generated.to_frame().groupby("sub_area_id").size().to_dict() == {
        "s1": 20,
        "s2": 5,
        "s3": 5,
    }
    assert mandate.pillars == {} and mandate.limits == ()


# --------------------------------------------------------------------------- mandate


def test_mandate_is_the_baseline_scaled() -> None:
    instance, mandate = generate(3000, 0, years=5, start=2030)
    money = sum(c.ticket_max for c in instance.candidates) / sum(
        c.ticket_max for c in REFERENCE.candidates
    )
    count, per_year = 3000 / len(REFERENCE.candidates), 10 / 5
    assert mandate.budget == pytest.approx(BASELINE.budget * money, abs=0.05)
    assert mandate.pacing.annual_max == pytest.approx(1500 * money * per_year, abs=0.05)
    assert mandate.pacing.cumulative_max == pytest.approx(  # moved 4 years; 2030 + 4 is kept
        {2031: 2500 * money, 2034: 6000 * money}, abs=0.05
    )
    assert mandate.deals.max_total == math.ceil(90 * count)
    assert mandate.deals.max_per_year == math.ceil(14 * count * per_year)
    assert mandate.limits[0].max == math.ceil(BASELINE.limits[0].max * count)
    assert mandate.pillars == BASELINE.pillars and mandate.sub_areas == BASELINE.sub_areas
    assert mandate.risk == BASELINE.risk and mandate.min_deployment == BASELINE.min_deployment
    assert mandate.lead_time.impact_by[0].year == 2035
    assert (mandate.horizon.start, mandate.horizon.years, mandate.value_horizon) == (2030, 5, 2044)
    assert mandate.force_in == () and mandate.force_out == ()
    assert (mandate.solver.time_limit, mandate.solver.mip_gap) == (60, 0.005)


def test_year_limits_follow_the_horizon() -> None:
    """Caps outside a short horizon are dropped; a long one stretches the impact-by deadline."""
    _, short = generate(100, 0, years=3)
    assert list(short.pacing.cumulative_max) == [2027]
    assert short.lead_time.impact_by[0].year == 2031
    assert short.solver.mip_gap == BASELINE.solver.mip_gap
    _, long = generate(100, 0, years=20)
    assert long.lead_time.impact_by[0].year == 2036 and long.value_horizon == 2055


@pytest.mark.parametrize(
    "arguments, option",
    [
        ((0, 1), "--candidates"),
        ((200_001, 1), "--candidates"),
        ((10.5, 1), "--candidates"),
        ((10, -1), "--seed"),
        ((10, 1, 0), "--years"),
        ((10, 1, 61), "--years"),
        ((10, 1, 10, 1899), "--start"),
        ((10, 1, 10, 2192), "--start"),
    ],
)
def test_bad_arguments_name_the_option(arguments: tuple, option: str) -> None:
    with pytest.raises(InputError) as error:
        generate(*arguments)
    assert error.value.column == option


# --------------------------------------------------------------------------- faithful


@pytest.fixture(scope="module")
def by_sub_area() -> Grouped:
    """The reference and a 5,000-candidate instance, grouped by sub-area."""
    generated = generate(5000, 11)[0].to_frame()
    return REFERENCE.to_frame().groupby("sub_area_id"), generated.groupby("sub_area_id")


def test_median_ticket_max_per_sub_area(by_sub_area: Grouped) -> None:
    """A sub-area has only 4-14 reference rows, so its distribution is a few point masses and an
    even count puts the reference median between two of them (shipbuilding: 325 between 250 and
    400), while the resampled median lands near one of them. So the tolerance is the reference's
    lower..upper median widened by the ticket noise (e^{+-2 sigma}) and the $5M rounding."""
    reference, generated = by_sub_area
    low = reference.ticket_max.quantile(0.5, interpolation="lower") * math.exp(-2 * TICKET_SIGMA)
    high = reference.ticket_max.quantile(0.5, interpolation="higher") * math.exp(2 * TICKET_SIGMA)
    median = generated.ticket_max.median()
    assert median.between(low - TICKET_STEP, high + TICKET_STEP).all(), median


def test_median_lead_time_per_sub_area(by_sub_area: Grouped) -> None:
    """Lead times are resampled and jittered by at most one year, so the median stays within the
    reference's lower..upper median +-1 year."""
    reference, generated = by_sub_area
    low = reference.lead_time.quantile(0.5, interpolation="lower") - 1
    high = reference.lead_time.quantile(0.5, interpolation="higher") + 1
    assert generated.lead_time.median().between(low, high).all()


def test_mean_loss_probability_per_sub_area(by_sub_area: Grouped) -> None:
    """The noise has mean zero, so the means agree up to sampling error: within 4 standard errors
    of a mean of n draws of the reference values plus noise (0.013-0.05 here); clipping to
    [0.01, 0.95] hardly biases it, the reference values being 0.08-0.8."""
    reference, generated = by_sub_area
    spread = np.sqrt(reference.loss_probability.var(ddof=0) + LOSS_NOISE**2)
    error = (generated.loss_probability.mean() - reference.loss_probability.mean()).abs()
    assert (error <= 4 * spread / np.sqrt(generated.size())).all(), error


def test_share_of_candidates_per_sub_area(by_sub_area: Grouped) -> None:
    reference, generated = by_sub_area
    gap = generated.size() / 5000 - reference.size() / len(REFERENCE.candidates)
    assert gap.abs().max() <= 0.01


# --------------------------------------------------------------------------- solvable


@pytest.mark.parametrize("seed", [0, 1])
def test_small_instance_solves_and_passes_the_checker(tmp_path: Path, seed: int) -> None:
    instance, mandate = generate(60, seed)
    folder = write_generated(tmp_path / "gen", instance, mandate)
    plan = allocator.solve(instance, mandate, time_limit=30)
    assert plan.status == "optimal"
    report = check_plan(plan.to_dict(), folder, folder / "mandate.yaml")
    assert report.ok, report.violations
