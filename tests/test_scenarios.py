"""Correlated-failure scenarios: the copula's marginals and correlation, the CSV, validation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import instance

from allocator.errors import InputError
from allocator.inputs.instance import Candidate, Instance
from allocator.inputs.scenario_file import load_scenarios, save_scenarios, scenario_frame
from allocator.inputs.scenarios import Scenarios
from allocator.synthetic import sampling as sampling_module
from allocator.synthetic.sampling import sample_scenarios

# Pillar p1 holds sub-areas s1 and s2; pillar p2 holds s3.
PROBABILITIES = (0.0, 0.01, 0.05, 0.1, 0.2, 0.35, 0.5, 0.8, 0.99, 1.0)
MANY = 20_000


def candidate(cid: str, sub_area: str, p: float) -> Candidate:
    """A candidate that matters here only for its sub-area and loss probability."""
    return Candidate(
        id=cid,
        name=cid.upper(),
        sub_area_id=sub_area,
        ticket_min=1,
        ticket_max=10,
        earliest_start=2026,
        latest_start=2026,
        lead_time=1,
        loss_probability=p,
        expected_multiple=2,
    )


@pytest.fixture(scope="module")
def wide() -> Instance:
    """30 candidates, 10 per sub-area, each sub-area with every probability of PROBABILITIES."""
    return instance(
        [
            candidate(f"{sub_area}-{i}", sub_area, p)
            for sub_area in ("s1", "s2", "s3")
            for i, p in enumerate(PROBABILITIES)
        ]
    )


@pytest.fixture(scope="module")
def small() -> Instance:
    """Four candidates: a and c in s1 (pillar p1), b in s2 (p1), d in s3 (p2)."""
    rows = (("a", "s1", 0.1), ("b", "s2", 0.2), ("c", "s1", 0.3), ("d", "s3", 0.4))
    return instance([candidate(cid, sub_area, p) for cid, sub_area, p in rows])


def in_sub_area(inst: Instance, sub_area: str) -> np.ndarray:
    """Mask of the candidates of one sub-area, in candidate order."""
    return np.array([c.sub_area_id == sub_area for c in inst.candidates])


# --------------------------------------------------------------------------- sampling


def test_same_seed_same_scenarios_and_bytes(wide: Instance, tmp_path: Path) -> None:
    first, second = sample_scenarios(wide, 500, seed=7), sample_scenarios(wide, 500, seed=7)
    assert np.array_equal(first.loss, second.loss) and first.names == second.names
    one = save_scenarios(first, wide, tmp_path / "one.csv")
    two = save_scenarios(second, wide, tmp_path / "two.csv")
    assert one.read_bytes() == two.read_bytes()
    assert not np.array_equal(first.loss, sample_scenarios(wide, 500, seed=8).loss)


def test_chunking_does_not_change_the_draws(
    wide: Instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = sample_scenarios(wide, 300, seed=3)
    monkeypatch.setattr(sampling_module, "_CHUNK_CELLS", 7 * len(wide.candidates) + 5)
    assert np.array_equal(whole.loss, sample_scenarios(wide, 300, seed=3).loss)


def test_shape_labels_and_equal_probabilities(wide: Instance) -> None:
    sampled = sample_scenarios(wide, 12, seed=1)
    assert sampled.loss.shape == (12, 30) and np.issubdtype(sampled.loss.dtype, np.floating)
    assert sampled.names[0] == "s01" and len(set(sampled.names)) == 12
    assert np.allclose(sampled.probability, 1 / 12) and math.isclose(sampled.probability.sum(), 1)
    frame = scenario_frame(sampled, wide)
    assert list(frame.columns) == ["scenario", "probability", *(c.id for c in wide.candidates)]


@pytest.mark.parametrize("pillar, sub_area", [(0.0, 0.0), (0.3, 0.2), (0.0, 0.7), (0.6, 0.4)])
def test_each_candidate_fails_with_its_own_probability(
    wide: Instance, pillar: float, sub_area: float
) -> None:
    """Scenarios are independent draws, so each rate is binomial whatever the correlation."""
    sampled = sample_scenarios(
        wide, MANY, seed=11, pillar_correlation=pillar, sub_area_correlation=sub_area
    )
    p = np.array([c.loss_probability for c in wide.candidates])
    bound = 4 * np.sqrt(p * (1 - p) / MANY)
    assert np.all(np.abs(sampled.failed.mean(axis=0) - p) <= bound)


def test_correlation_widens_the_spread_of_failures_within_a_pillar(wide: Instance) -> None:
    """Variance of failures per scenario in pillar p1: binomial-like alone, much larger together."""
    p1 = in_sub_area(wide, "s1") | in_sub_area(wide, "s2")
    p = np.array([c.loss_probability for c in wide.candidates])[p1]
    alone = sample_scenarios(wide, MANY, seed=5, pillar_correlation=0, sub_area_correlation=0)
    together = sample_scenarios(wide, MANY, seed=5)
    independent = alone.failed[:, p1].sum(axis=1).var()
    assert independent == pytest.approx(np.sum(p * (1 - p)), rel=0.05)
    assert together.failed[:, p1].sum(axis=1).var() > 2 * independent


@pytest.mark.parametrize(
    "pillar, sub_area, linked", [(0, 0.5, False), (0.5, 0, True), (0.3, 0.2, True)]
)
def test_only_a_shared_pillar_links_sub_areas(
    wide: Instance, pillar: float, sub_area: float, linked: bool
) -> None:
    """s1 and s2 share pillar p1, so they move together only through its factor; s3 never does."""
    sampled = sample_scenarios(
        wide, MANY, seed=9, pillar_correlation=pillar, sub_area_correlation=sub_area
    )
    s1, s2, s3 = (sampled.failed[:, in_sub_area(wide, s)].sum(axis=1) for s in ("s1", "s2", "s3"))
    noise = 4 / math.sqrt(MANY)  # four standard errors of a correlation of independent series
    assert (np.corrcoef(s1, s2)[0, 1] > noise) == linked
    assert abs(np.corrcoef(s1, s3)[0, 1]) < noise


def test_full_correlation_fails_a_sub_area_together() -> None:
    """With no own noise, equal probabilities in one sub-area give identical columns."""
    doubled = instance([candidate("x", "s1", 0.3), candidate("y", "s1", 0.3)])
    sampled = sample_scenarios(
        doubled, 1000, seed=2, pillar_correlation=0.5, sub_area_correlation=0.5
    )
    assert np.array_equal(sampled.loss[:, 0], sampled.loss[:, 1])


# --------------------------------------------------------------------------- the CSV


def test_round_trip_of_sampled_scenarios(wide: Instance, tmp_path: Path) -> None:
    sampled = sample_scenarios(wide, 333, seed=4)
    back = load_scenarios(save_scenarios(sampled, wide, tmp_path / "scenarios.csv"), wide)
    assert back.names == sampled.names
    assert np.array_equal(back.probability, sampled.probability)
    assert np.array_equal(back.loss, sampled.loss)


def test_round_trip_of_fractional_losses(small: Instance, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    weights = rng.random(5)
    written = Scenarios(
        tuple("vwxyz"), weights / weights.sum(), rng.random((5, len(small.candidates)))
    )
    back = load_scenarios(save_scenarios(written, small, tmp_path / "scenarios.csv"), small)
    assert np.array_equal(back.probability, written.probability)
    assert np.array_equal(back.loss, written.loss)


def test_a_failed_save_keeps_the_old_file(
    small: Instance, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "scenarios.csv"
    path.write_text("old", encoding="utf-8")

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", fail)
    with pytest.raises(OSError):
        save_scenarios(sample_scenarios(small, 3, seed=0), small, path)
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["scenarios.csv"]


def test_factor_columns_expand_to_their_candidates(small: Instance, tmp_path: Path) -> None:
    """a: own column; b: sub-area s2; c: pillar p1 (s1 has no column); d: ``default``."""
    path = tmp_path / "scenarios.csv"
    path.write_text(
        "scenario,probability,p1,s2,a,default\nup,0.25,0.5,0.75,1,0\ndown,0.75,0,0.25,0.5,0.1\n",
        encoding="utf-8",
    )
    loaded = load_scenarios(path, small)
    assert loaded.names == ("up", "down")
    assert np.array_equal(loaded.probability, [0.25, 0.75])
    assert np.array_equal(loaded.loss, [[1, 0.75, 0.5, 0], [0.5, 0.25, 0, 0.1]])


def test_a_candidate_without_a_loss_column_is_an_error(small: Instance, tmp_path: Path) -> None:
    """It once got zero loss in every scenario, silently."""
    path = tmp_path / "scenarios.csv"
    path.write_text("scenario,probability,p1,s2,a\nup,0.25,0.5,0.75,1\ndown,0.75,0,0.25,0.5\n")
    error = raised(lambda: load_scenarios(path, small))
    assert error.file == "scenarios.csv"
    assert error.problem.startswith("no loss column for candidate 'd': add a column 'd'")


# --------------------------------------------------------------------------- validation


def raised(action: object) -> InputError:
    """The InputError a call raises, checked to be a single line."""
    with pytest.raises(InputError) as info:
        action()  # type: ignore[operator]
    assert "\n" not in str(info.value)
    return info.value


@pytest.mark.parametrize(
    "options, message",
    [
        ({"count": 0}, "--count: must be at least 1 (got 0)"),
        ({"seed": -1}, "--seed: must be a non-negative integer (got -1)"),
        ({"pillar_correlation": -0.1}, "--pillar-correlation: must be between 0 and 1 (got -0.1)"),
        (
            {"sub_area_correlation": 1.5},
            "--sub-area-correlation: must be between 0 and 1 (got 1.5)",
        ),
        (
            {"pillar_correlation": math.nan},
            "--pillar-correlation: must be between 0 and 1 (got nan)",
        ),
        (
            {"pillar_correlation": 0.7, "sub_area_correlation": 0.5},
            "--sub-area-correlation: pillar + sub-area correlation must be at most 1"
            " (got 0.7 + 0.5)",
        ),
    ],
)
def test_sampling_options_are_checked(small: Instance, options: dict, message: str) -> None:
    arguments = {"count": 10, "seed": 0} | options
    assert str(raised(lambda: sample_scenarios(small, **arguments))) == message


VALID = "scenario,probability,a,b,p2\nx,0.5,0,1,0.5\ny,0.5,1,0,0\n"


def swap(old: str, new: str) -> str:
    """VALID with one exact place changed."""
    assert VALID.count(old) == 1, old
    return VALID.replace(old, new)


@pytest.mark.parametrize(
    "text, message, row, column",
    [
        ("", "missing required column 'scenario'", None, None),
        (swap("scenario,", "label,"), "missing required column 'scenario'", None, None),
        (swap(",probability,", ",p,"), "missing required column 'probability'", None, None),
        (swap(",b,", ",zz,"), "not a candidate, pillar or sub-area id", None, "zz"),
        (swap(",b,", ",a,"), "column 'a' appears twice", None, "a"),
        (swap(",b,", ",,"), "column 4 has no name", None, None),
        (VALID.split("\n")[0] + "\n", "no data rows", None, None),
        (swap("\ny,0.5,1", "\ny,0.5,abc"), "expected a finite number (got 'abc')", 3, "a"),
        (swap("\nx,0.5,0,1", "\nx,0.5,0,inf"), "expected a finite number (got 'inf')", 2, "b"),
        (swap("\nx,0.5,0,1", "\nx,0.5,,1"), "missing value", 2, "a"),
        (swap("\ny,0.5", "\ny,half"), "expected a finite number (got 'half')", 3, "probability"),
        (swap("\ny,", "\n,"), "missing value", 3, "scenario"),
        (swap("\ny,", "\nx,"), "duplicate scenario 'x'", 3, "scenario"),
        (swap("\nx,0.5", "\nx,-0.5"), "probability -0.5 is negative", 2, "probability"),
        (swap("\ny,0.5", "\ny,0.4"), "probabilities sum to 0.9, not 1", None, "probability"),
        (
            swap(",0,0\n", ",0,1.5\n"),
            "loss fraction 1.5 is above 1 (more than the commitment lost)",
            3,
            "p2",
        ),
    ],
)
def test_bad_scenario_files_name_file_row_and_column(
    small: Instance, tmp_path: Path, text: str, message: str, row: int | None, column: str | None
) -> None:
    path = tmp_path / "scenarios.csv"
    path.write_text(text, encoding="utf-8")
    error = raised(lambda: load_scenarios(path, small))
    assert (error.file, error.row, error.column, error.problem) == (
        "scenarios.csv",
        row,
        column,
        message,
    )
    assert str(error).startswith("scenarios.csv") and str(error).endswith(f": {message}")


def test_a_ragged_row_is_unreadable(small: Instance, tmp_path: Path) -> None:
    path = tmp_path / "scenarios.csv"
    path.write_text(VALID + "z,0,0,0,0,7\n", encoding="utf-8")
    assert str(raised(lambda: load_scenarios(path, small))).startswith(
        "scenarios.csv: not a readable CSV"
    )


def test_a_missing_file_is_named(small: Instance, tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    assert str(raised(lambda: load_scenarios(path, small))) == f"{path}: file not found"


def test_saving_into_a_missing_folder_is_an_input_error(small: Instance, tmp_path: Path) -> None:
    path = tmp_path / "no" / "scenarios.csv"
    error = raised(lambda: save_scenarios(sample_scenarios(small, 2, seed=0), small, path))
    assert str(error) == f"{path}: output folder does not exist"


# --------------------------------------------------------------------------- realised multiples


def spread(cid: str, sub_area: str, p: float, multiple: float, sigma: float) -> Candidate:
    """A candidate with a dispersed multiple if it survives."""
    return candidate(cid, sub_area, p).model_copy(
        update={"expected_multiple": multiple, "multiple_sigma": sigma}
    )


@pytest.fixture(scope="module")
def stages() -> Instance:
    """Stage rows of the reference data: seed, growth, late (no dispersion), a sure survivor."""
    return instance(
        [
            spread("seed", "s1", 0.45, 5.0, 1.1),
            spread("growth", "s1", 0.20, 2.6, 0.8),
            spread("late", "s2", 0.10, 1.8, 0.0),
            spread("sure", "s3", 0.0, 2.0, 0.5),
        ]
    )


def test_survivors_average_their_expected_multiple(stages: Instance) -> None:
    """Lognormal given survival with mean expected_multiple and log-sd multiple_sigma; failures
    are 0; sigma 0 returns the multiple exactly."""
    sampled = sample_scenarios(stages, MANY, seed=21)
    multiple = 1.0 - sampled.loss.astype(float)
    for j, c in enumerate(stages.candidates):
        survived = multiple[~sampled.failed[:, j], j]
        assert (multiple[sampled.failed[:, j], j] == 0).all()
        sigma = c.multiple_sigma
        if sigma == 0:
            assert np.allclose(survived, c.expected_multiple)
            continue
        # the mean of a lognormal sample: standard error sqrt((e^σ² − 1)/n)·m
        error = c.expected_multiple * math.sqrt(math.expm1(sigma**2) / len(survived))
        assert survived.mean() == pytest.approx(c.expected_multiple, abs=5 * error)
        assert np.log(survived).std() == pytest.approx(sigma, rel=0.03)


def test_the_seed_stage_has_the_published_right_tail(stages: Instance) -> None:
    """Seed row (p 0.45, 5×, σ 1.1): about 55 % below 1× and 6.5 % at 10× or more, the
    Horsley Bridge / Correlation Ventures shape the reference data was calibrated to."""
    sampled = sample_scenarios(stages, MANY, seed=22)
    seed = 1.0 - sampled.loss[:, 0].astype(float)
    assert (seed < 1).mean() == pytest.approx(0.55, abs=0.015)
    assert (seed >= 10).mean() == pytest.approx(0.065, abs=0.006)


def test_failures_are_those_of_the_total_loss_model(stages: Instance) -> None:
    """The multiples come from the same latent draws: the failures do not move."""
    with_multiples = sample_scenarios(stages, 2_000, seed=5)
    total_only = sample_scenarios(stages, 2_000, seed=5, total_loss_only=True)
    assert np.array_equal(with_multiples.failed, total_only.loss == 1)
    assert set(np.unique(total_only.loss)) <= {0.0, 1.0}


def test_a_downturn_lowers_the_survivors_multiples_too() -> None:
    """Two dispersed candidates in one sub-area: the more of the sub-area fails in a scenario,
    the lower the other's multiple when it survives (the copula links both)."""
    pair = instance([spread("x", "s1", 0.3, 3.0, 0.8), spread("y", "s1", 0.3, 3.0, 0.8)])
    sampled = sample_scenarios(pair, MANY, seed=6, pillar_correlation=0.3, sub_area_correlation=0.4)
    multiple = 1.0 - sampled.loss.astype(float)
    x_failed, y_survived = sampled.failed[:, 0], ~sampled.failed[:, 1]
    assert (
        multiple[x_failed & y_survived, 1].mean() < 0.8 * multiple[~x_failed & y_survived, 1].mean()
    )


def test_gains_load_as_negative_loss_fractions(small: Instance, tmp_path: Path) -> None:
    path = tmp_path / "scenarios.csv"
    text = "scenario,probability,a,b,p2,default\nx,0.5,-1.5,1,0.5,0\ny,0.5,1,0,0,0\n"
    path.write_text(text, encoding="utf-8")
    assert load_scenarios(path, small).loss[0, 0] == -1.5
