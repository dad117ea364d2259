"""One test per validation rule: one stderr line naming file, row, column; exit 2; no output."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from helpers import cand, instance, invoke, write_case


@pytest.fixture
def case(tmp_path: Path) -> tuple[Path, Path]:
    """A valid instance folder and mandate, for each test to break in one place."""
    inst = instance(
        [
            cand("a", "s1", ticket=(10, 50), group="g", attributes={"seats": 1}),
            cand("b", "s2", ticket=20, requires=("a",)),
            cand("c", "s3", ticket=30, excludes=("a",)),
        ]
    )
    return write_case(tmp_path, inst, {"budget": 100})


def set_cell(folder: Path, file: str, row: int, column: str, value: str) -> None:
    """Replace one cell (row counted from 1 for the first data row; messages name the
    spreadsheet's row, one more, since the header is row 1)."""
    frame = pd.read_csv(folder / file, dtype=str, keep_default_na=False)
    frame.loc[row - 1, column] = value
    frame.to_csv(folder / file, index=False)


def expect_error(args: list, fragment: str, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = invoke(["solve", *args, "--format", "json", "-o", out], exit_code=2)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert fragment in lines[0], lines[0]
    assert result.stdout == ""
    assert not out.exists() and not list(tmp_path.glob(".plan.json*"))


CELL_ERRORS = [
    (
        "candidates.csv",
        2,
        "ticket_min",
        "abc",
        "candidates.csv row 3, ticket_min: Input should be a valid number",
    ),
    (
        "candidates.csv",
        1,
        "ticket_min",
        "9999",
        "candidates.csv row 2, ticket_min: 9999 > ticket_max 50",
    ),
    (
        "candidates.csv",
        3,
        "loss_probability",
        "1.5",
        "candidates.csv row 4, loss_probability: Input should be less than or equal to 1",
    ),
    (
        "candidates.csv",
        2,
        "loss_probability",
        "-0.1",
        "candidates.csv row 3, loss_probability: Input should be greater than or equal to 0",
    ),
    (
        "candidates.csv",
        2,
        "call_schedule",
        "0.5;0.4",
        "candidates.csv row 3, call_schedule: Value error, fractions sum to 0.9, not 1",
    ),
    (
        "candidates.csv",
        2,
        "call_schedule",
        "1.5;-0.5",
        "candidates.csv row 3, call_schedule: Value error, fractions must be finite and non-neg",
    ),
    (
        "candidates.csv",
        3,
        "sub_area_id",
        "nope",
        "candidates.csv row 4, sub_area_id: unknown sub-area 'nope'",
    ),
    ("candidates.csv", 3, "id", "a", "candidates.csv row 4, id: duplicate id 'a'"),
    (
        "candidates.csv",
        2,
        "requires",
        "zz",
        "candidates.csv row 3, requires: unknown candidate id 'zz'",
    ),
    (
        "candidates.csv",
        3,
        "excludes",
        "c",
        "candidates.csv row 4, excludes: a candidate cannot refer to itself",
    ),
    (
        "candidates.csv",
        1,
        "earliest_start",
        "2030",
        "candidates.csv row 2, earliest_start: 2030 > latest_start 2026",
    ),
    ("candidates.csv", 1, "name", "", "candidates.csv row 2, name: missing value"),
    (
        "candidates.csv",
        1,
        "lead_time",
        "-1",
        "candidates.csv row 2, lead_time: Input should be greater than or equal to 0",
    ),
    (
        "candidates.csv",
        1,
        "expected_multiple",
        "inf",
        "candidates.csv row 2, expected_multiple: Input should be a finite number",
    ),
    ("candidates.csv", 1, "seats", "x", None),  # a non-numeric column is not an attribute ...
    (
        "taxonomy.csv",
        2,
        "gap_score",
        "7",
        "taxonomy.csv row 3, gap_score: Input should be less than or equal to 5",
    ),
    (
        "taxonomy.csv",
        2,
        "status",
        "rumour",
        "taxonomy.csv row 3, status: Input should be 'confirmed', 'inferred' or 'placeholder'",
    ),
    ("taxonomy.csv", 2, "sub_area_id", "s1", "taxonomy.csv row 3, sub_area_id: duplicate id 's1'"),
    (
        "candidates.csv",
        2,
        "distribution_schedule",
        "0.5;0.4",
        "candidates.csv row 3, distribution_schedule: Value error, fractions sum to 0.9, not 1",
    ),
    (
        "candidates.csv",
        1,
        "hold",
        "-1",
        "candidates.csv row 2, hold: Input should be greater than or equal to 0",
    ),
    ("candidates.csv", 1, "hold", "2.5", "candidates.csv row 2, hold: Input should be a valid int"),
    (
        "candidates.csv",
        3,
        "multiple_sigma",
        "-0.1",
        "candidates.csv row 4, multiple_sigma: Input should be greater than or equal to 0",
    ),
    (
        "candidates.csv",
        1,
        "value_by_start",
        "2026=0.4",
        "candidates.csv row 2, value_by_start: Value error, expected year:value, got '2026=0.4'",
    ),
    (
        "candidates.csv",
        1,
        "value_by_start",
        "2026:abc",
        "candidates.csv row 2, value_by_start.2026: Input should be a valid number",
    ),
    (
        "candidates.csv",
        1,
        "value_by_start",
        "2031:0.4",
        "value_by_start: year 2031 is outside the start window 2026-2026",
    ),
]


@pytest.mark.parametrize(
    ("file", "row", "column", "value", "message"), CELL_ERRORS[:14] + CELL_ERRORS[15:]
)
def test_bad_cell(case, tmp_path, file, row, column, value, message):
    folder, mandate = case
    set_cell(folder, file, row, column, value)
    expect_error([folder, "-m", mandate], message, tmp_path)


def test_an_unknown_text_column_is_an_error(case, tmp_path):
    """A misspelled ``requires`` column once dropped every relation without a word."""
    folder, mandate = case
    frame = pd.read_csv(folder / "candidates.csv", dtype=str, keep_default_na=False)
    frame.rename(columns={"requires": "require"}).to_csv(folder / "candidates.csv", index=False)
    expect_error(
        [folder, "-m", mandate],
        "candidates.csv, require: unknown column with no numbers (so not an attribute): did you "
        "mean 'requires'?",
        tmp_path,
    )
    frame.rename(columns={"requires": "_require"}).to_csv(folder / "candidates.csv", index=False)
    invoke(["validate", folder, "-m", mandate], 0)  # a column of the user's own


def test_a_bad_cell_in_an_attribute_column_is_named_where_it_is(case, tmp_path):
    """It was once blamed on the mandate: the column stopped being an attribute."""
    folder, mandate = case
    set_cell(folder, "candidates.csv", 2, "seats", "x")
    mandate.write_text(
        yaml.safe_dump({"budget": 100, "limits": [{"name": "s", "attribute": "seats", "max": 1}]})
    )
    expect_error(
        [folder, "-m", mandate],
        "candidates.csv row 3, seats: expected a finite number in attribute column (got 'x')",
        tmp_path,
    )


def test_every_bad_cell_of_a_file_is_listed_on_one_line(case, tmp_path):
    folder, mandate = case
    set_cell(folder, "candidates.csv", 1, "ticket_max", "abc")
    set_cell(folder, "candidates.csv", 3, "loss_probability", "2")
    expect_error(
        [folder, "-m", mandate],
        "candidates.csv: 2 bad cells: row 2, ticket_max: Input should be a valid number, unable "
        "to parse string as a number (got 'abc'); row 4, loss_probability: Input should be less "
        "than or equal to 1 (got '2')",
        tmp_path,
    )


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_file_with_another_separator_says_so(case, tmp_path, separator):
    folder, mandate = case
    frame = pd.read_csv(folder / "candidates.csv", dtype=str, keep_default_na=False)
    frame.to_csv(folder / "candidates.csv", index=False, sep=separator)
    name = "semicolon" if separator == ";" else "tab"
    expect_error([folder, "-m", mandate], f"candidates.csv: looks {name}-separated", tmp_path)


@pytest.mark.parametrize("file", ["instance.yaml", "taxonomy.csv", "candidates.csv"])
def test_missing_file(case, tmp_path, file):
    folder, mandate = case
    (folder / file).unlink()
    expect_error([folder, "-m", mandate], f"{file}: file not found", tmp_path)


def test_missing_folder(tmp_path):
    expect_error([tmp_path / "nowhere"], "nowhere: instance folder not found", tmp_path)


def test_missing_column(case, tmp_path):
    folder, mandate = case
    frame = pd.read_csv(folder / "candidates.csv").drop(columns=["lead_time"])
    frame.to_csv(folder / "candidates.csv", index=False)
    expect_error(
        [folder, "-m", mandate], "candidates.csv: missing required column 'lead_time'", tmp_path
    )


def test_empty_candidates(case, tmp_path):
    folder, mandate = case
    header = (folder / "candidates.csv").read_text().splitlines()[0]
    (folder / "candidates.csv").write_text(header + "\n")
    expect_error([folder, "-m", mandate], "candidates.csv: no data rows", tmp_path)


def test_bad_instance_yaml(case, tmp_path):
    folder, mandate = case
    (folder / "instance.yaml").write_text("name: [unclosed\n")
    expect_error([folder, "-m", mandate], "instance.yaml: not valid YAML at line", tmp_path)


MANDATE_ERRORS = [
    ({"budget": 100, "budjet": 5}, "mandate.yaml, budjet: unknown key"),
    (
        {"budget": 100, "pillars": {"p1": {"max_shar": 0.2}}},
        "mandate.yaml, pillars.p1.max_shar: unknown key",
    ),
    (
        {"budget": 100, "pillars": {"p1": {"max_share": 1.2}}},
        "mandate.yaml, pillars.p1.max_share: Input should be less than or equal to 1",
    ),
    ({"budget": -5}, "mandate.yaml, budget: Input should be greater than or equal to 0"),
    ({"min_deployment": 0.5}, "mandate.yaml, budget: Field required"),
    (
        {"budget": 100, "solver": {"time_limit": -1}},
        "mandate.yaml, solver.time_limit: Input should be greater than 0",
    ),
    (
        {"budget": 100, "pillars": {"nope": {"max_share": 0.2}}},
        "mandate.yaml, pillars.nope: unknown pillar 'nope'",
    ),
    (
        {"budget": 100, "sub_areas": {"s9": {"max_share": 0.2}}},
        "mandate.yaml, sub_areas.s9: unknown sub-area 's9'",
    ),
    ({"budget": 100, "force_in": ["zz"]}, "mandate.yaml, force_in: unknown candidate id 'zz'"),
    ({"budget": 100, "force_out": ["zz"]}, "mandate.yaml, force_out: unknown candidate id 'zz'"),
    (
        {"budget": 100, "groups": {"h": {"max_count": 1}}},
        "mandate.yaml, groups.h: unknown group 'h'",
    ),
    (
        {"budget": 100, "limits": [{"name": "x", "attribute": "nope", "max": 1}]},
        "mandate.yaml, limits.0.attribute: unknown attribute 'nope'",
    ),
    (
        {"budget": 100, "pillars": {"p1": {"min_share": 0.5, "max_share": 0.2}}},
        "min_share 0.5 > max_share 0.2",
    ),
    (
        {"budget": 100, "force_in": ["a"], "force_out": ["a"]},
        "'a' is in both force_in and force_out",
    ),
    (
        {"budget": 100, "pacing": {"annual_max": {2040: 5}}},
        "pacing.annual_max: year 2040 is outside the horizon 2026-2035",
    ),
    (
        {"budget": 100, "share_basis": "other"},
        "mandate.yaml, share_basis: Input should be 'budget' or 'deployed'",
    ),
    (
        {
            "budget": 100,
            "lead_time": {"sub_area_deadlines": {"s9": {"year": 2030, "min_amount": 1}}},
        },
        "lead_time.sub_area_deadlines.s9: unknown sub-area 's9'",
    ),
    ("just text", "mandate.yaml: expected a mapping of mandate keys"),
    (
        {"budget": 100, "recycling": {"share": 1.5}},
        "mandate.yaml, recycling.share: Input should be less than or equal to 1",
    ),
    (
        {"budget": 100, "recycling": {"until": 2030}},
        "mandate.yaml, recycling.share: Field required",
    ),
    (
        {"budget": 100, "recycling": {"share": 0.5, "until": 2020}},
        "recycling.until must not be before horizon.start",
    ),
    (
        {"budget": 100, "pacing": {"net_max": {2040: 5}}},
        "pacing.net_max: year 2040 is outside the horizon 2026-2035",
    ),
    (
        {"budget": 100, "pacing": {"commit_min": -5}},
        "pacing.commit_min: Input should be greater than or equal to 0",
    ),
    (
        {"budget": 100, "objective": {"discount_rate": -0.1}},
        "objective.discount_rate: Input should be greater than or equal to 0",
    ),
]


@pytest.mark.parametrize(("content", "message"), MANDATE_ERRORS)
def test_bad_mandate(case, tmp_path, content, message):
    folder, mandate = case
    mandate.write_text(yaml.safe_dump(content))
    expect_error([folder, "-m", mandate], message, tmp_path)


SET_ERRORS = [
    (
        ["--set", "pillars.p1.max_share=2"],
        "pillars.p1.max_share: Input should be less than or equal to 1",
    ),
    (["--set", "budgetx=3"], "budgetx: unknown key"),
    (["--set", "budget"], "--set: expected KEY=VALUE, got 'budget'"),
    (["--set", "budget=abc"], "budget: Input should be a valid number"),
    (["--set", "limits.3.max=1"], "--set limits.3.max: no such key '3'"),
    (["--force-in", "zz"], "--force-in: unknown candidate id 'zz'"),
    (["--set", "pillars.nope.max_share=0.2"], "--set pillars.nope.max_share: unknown pillar"),
    (["--time-limit", "-3"], "--time-limit: must be a number of seconds above 0 (got -3)"),
    (["--gap", "2"], "--gap: must be a relative gap from 0 to 1 (got 2)"),
    (["--set", "recycling.share=2"], "recycling.share: Input should be less than or equal to 1"),
    (
        ["--set", "pacing.net_max.2027=-1"],
        "pacing.net_max.2027: Input should be greater than or equal to 0",
    ),
]


@pytest.mark.parametrize(("options", "message"), SET_ERRORS)
def test_bad_option(case, tmp_path, options, message):
    folder, mandate = case
    expect_error([folder, "-m", mandate, *options], message, tmp_path)


def test_bad_format_is_a_usage_error(case):
    folder, mandate = case
    invoke(["solve", folder, "-m", mandate, "--format", "xml"], exit_code=2)
