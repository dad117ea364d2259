"""The bundled reference data: the instance validates, and every shipped mandate solves to
optimal and its plan passes the independent checker."""

from __future__ import annotations

from pathlib import Path

import pytest

import allocator
from allocator.check import check_plan

INSTANCE = allocator.bundled("instances/sri-2025")
MANDATES = sorted(Path(allocator.bundled("models")).glob("*.yaml"))


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
