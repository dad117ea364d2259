"""The bundled reference data: the instance validates, and every shipped mandate solves to
optimal, within its gap of the golden optimum (``tests/data/golden.csv``, written only by
``tools/golden.py``), and its plan passes the independent checker."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from helpers import invoke

import allocator
from allocator.check import check_plan

INSTANCE = allocator.bundled("instances/sri-2025")
MANDATES = sorted(Path(allocator.bundled("models")).glob("*.yaml"))
GOLDEN_FILE = Path(__file__).parent / "data" / "golden.csv"
GOLDEN = {
    row["mandate"]: row
    for row in csv.DictReader(GOLDEN_FILE.read_text(encoding="utf-8").splitlines())
}


def test_reference_instance():
    inst = allocator.load_instance(INSTANCE)
    assert len(inst.pillars) == 4 and len(inst.taxonomy) == 27
    assert len(inst.candidates) >= 120
    per_sub_area = {s: 0 for s in inst.sub_areas}
    for c in inst.candidates:
        per_sub_area[c.sub_area_id] += 1
        assert c.source.strip(), f"{c.id} has no source"
    assert min(per_sub_area.values()) >= 3
    assert all(s.source.strip() for s in inst.taxonomy)
    assert {"perpetua-stibnite", "shield-ai-series-g", "anthropic-series-g"} <= set(inst.by_id)


def test_at_least_five_mandates_ship():
    assert len(MANDATES) >= 5 and any(m.name == "baseline.yaml" for m in MANDATES)


@pytest.mark.parametrize("path", MANDATES, ids=lambda p: p.stem)
def test_mandate_solves_and_checks(path):
    inst = allocator.load_instance(INSTANCE)
    mandate = allocator.load_mandate(path)
    assert path.read_text().lstrip().startswith("#"), "a mandate starts with a header comment"
    plan = allocator.solve(inst, mandate)
    assert plan.status == allocator.Status.OPTIMAL
    report = check_plan(plan.to_dict(), INSTANCE, path)
    assert report.ok, report.violations
    golden = float(GOLDEN[path.stem]["objective"])
    assert abs(plan.objective - golden) <= mandate.solver.mip_gap * abs(golden) + 1e-6
    assert plan.bound >= golden - 1e-6 * abs(golden)


def test_every_mandate_has_a_golden_optimum():
    assert set(GOLDEN) == {p.stem for p in MANDATES}
    assert {row["status"] for row in GOLDEN.values()} == {"optimal"}


def test_bundled_what_ifs_run_from_the_command_line():
    """The ten meeting questions shipped with the baseline: every variant solves, and the
    terminal table shows counts of changes, not the investment maps."""
    # by name, as the README says, from any folder (the bundled instance and baseline)
    result = invoke(["whatif", "ten-questions", "--format", "json"], 0)
    summary = json.loads(result.stdout)["summary"]
    assert len(summary) == 11 and {row["status"] for row in summary} == {"optimal"}
    without = next(row for row in summary if row["name"] == "without Anthropic")
    assert "anthropic-series-g" not in without["investments"]
    # every edit but the weight tightens the mandate: none may show a significant gain
    gains = {row["name"] for row in summary if row["significant"] and row["change"] > 0}
    assert gains <= {"strategic value counts double"}
    whatifs = Path(allocator.bundled("models/whatifs/ten-questions.yaml"))
    baseline = allocator.bundled("models/baseline.yaml")
    table = invoke(["whatif", INSTANCE, "-m", baseline, whatifs], 0).stdout
    assert "without Anthropic" in table and "{'" not in table
