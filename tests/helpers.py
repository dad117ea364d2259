"""Builders for small instances and the solve-then-check routine every solving test uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

import allocator
from allocator.check import check_plan
from allocator.inputs.instance import Candidate, Instance, InstanceMeta, SubArea, save_instance

TAXONOMY = (
    ("p1", "s1", 5.0),
    ("p1", "s2", 3.0),
    ("p2", "s3", 2.0),
)


def taxonomy(rows: tuple[tuple[str, str, float], ...] = TAXONOMY) -> tuple[SubArea, ...]:
    """Sub-areas from (pillar_id, sub_area_id, gap_score) rows."""
    return tuple(
        SubArea(
            pillar_id=p,
            pillar=p.upper(),
            sub_area_id=s,
            sub_area=s.upper(),
            gap_score=g,
            status="confirmed",
        )
        for p, s, g in rows
    )


def cand(
    cid: str,
    sub_area: str = "s1",
    ticket: float | tuple[float, float] = 10,
    r: float = 0.5,
    p: float = 0.0,
    years: tuple[int, int] = (2026, 2026),
    lead: float = 1,
    **extra: Any,
) -> Candidate:
    """A candidate with expected net return ``r`` per $ (the multiple is derived from it)."""
    low, high = ticket if isinstance(ticket, tuple) else (ticket, ticket)
    return Candidate(
        id=cid,
        name=cid.upper(),
        sub_area_id=sub_area,
        ticket_min=low,
        ticket_max=high,
        earliest_start=years[0],
        latest_start=years[1],
        lead_time=lead,
        loss_probability=p,
        expected_multiple=(1 + r) / (1 - p),
        **extra,
    )


def instance(candidates: list[Candidate], rows: tuple = TAXONOMY) -> Instance:
    """An in-memory instance over the given candidates."""
    attributes = sorted({a for c in candidates for a in c.attributes})
    return Instance(
        meta=InstanceMeta(name="toy"),
        taxonomy=taxonomy(rows),
        candidates=tuple(candidates),
        attributes=tuple(attributes),
    )


def write_case(folder: Path, inst: Instance, mandate: dict[str, Any]) -> tuple[Path, Path]:
    """Write an instance folder and a mandate file under ``folder``."""
    instance_dir = save_instance(inst, folder / "instance")
    mandate_file = folder / "mandate.yaml"
    mandate_file.write_text(yaml.safe_dump(mandate, sort_keys=False), encoding="utf-8")
    return instance_dir, mandate_file


def solve_checked(
    folder: Path, inst: Instance, mandate: dict[str, Any], **options: Any
) -> allocator.Plan:
    """Solve from files written to disk, then verify the plan with the independent checker."""
    instance_dir, mandate_file = write_case(folder, inst, mandate)
    plan = allocator.solve(
        allocator.load_instance(instance_dir), allocator.load_mandate(mandate_file), **options
    )
    report = check_plan(plan.to_dict(), instance_dir, mandate_file)
    assert report.ok, report.violations
    return plan


def chosen(plan: allocator.Plan) -> set[str]:
    """Ids of the chosen investments."""
    return {i.id for i in plan.investments}


def read_yaml(path: Path) -> Any:
    """Parse a YAML file."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def invoke(args: list[str], exit_code: int) -> Any:
    """Run the CLI in-process; assert the exit code; real exceptions are re-raised."""
    from click.testing import CliRunner

    from allocator.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    return result


# text that would run or inject markup if a report did not escape it
EVIL_NAME = "<script>alert(1)</script>"
EVIL_SOURCE = '"><img src=x onerror=alert(2)> & more'
EVIL_SUB_AREA = "<b onmouseover=alert(3)>S3</b>"

REPORT_MANDATE = {
    "budget": 100,
    "horizon": {"start": 2026, "years": 3},
    "pacing": {"annual_max": 35},
    "sub_areas": {"default": {"max_share": 0.5}},
    "risk": {"max_expected_loss_share": 0.2},
    "deals": {"max_total": 4},
    "solver": {"mip_gap": 0},
}


def hostile_instance() -> allocator.Instance:
    """A report case: four deals over three sub-areas, loss scenarios, and one deal whose
    name, source and sub-area are markup that must stay text."""
    held = {"hold": 4}  # proceeds after every call: each scenario's IRR is unique
    inst = instance(
        [
            cand(
                "a",
                "s1",
                ticket=(10, 40),
                r=0.9,
                p=0.3,
                years=(2026, 2027),
                source="memo A",
                **held,
            ),
            cand(
                "b",
                "s2",
                ticket=(10, 30),
                r=0.5,
                p=0.1,
                years=(2026, 2028),
                source="memo B",
                **held,
            ),
            cand(
                "evil",
                "s3",
                ticket=(10, 40),
                r=0.6,
                p=0.2,
                years=(2027, 2028),
                source=EVIL_SOURCE,
                **held,
            ),
            cand("d", "s3", ticket=20, r=0.2, p=0.05, years=(2026, 2028), lead=4, **held),
        ]
    )
    candidates = tuple(
        c.model_copy(update={"name": EVIL_NAME}) if c.id == "evil" else c for c in inst.candidates
    )
    taxonomy = tuple(
        t.model_copy(update={"sub_area": EVIL_SUB_AREA}) if t.sub_area_id == "s3" else t
        for t in inst.taxonomy
    )
    plain = inst.model_copy(update={"candidates": candidates, "taxonomy": taxonomy})
    return plain.with_scenarios(allocator.sample_scenarios(plain, 200, 0))
