"""Unit tests of the independent plan checker on a hand-made five-candidate instance.

Every expected number is worked out by hand in the comments below, so a failure points
at the checker and never at a computation the test shares with it. No Pyomo is used.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from allocator.check import CheckReport, check_plan

TAXONOMY = """\
pillar_id,pillar,sub_area_id,sub_area,gap_score,status,source
energy,Energy,solar,Solar,4,confirmed,test
energy,Energy,grid,Grid,2,confirmed,test
defense,Defense,drones,Drones,5,inferred,test
"""

# c3 leaves call_schedule and impact empty (defaults "1" and 1); board_seats is an attribute.
CANDIDATES = """\
id,name,sub_area_id,ticket_min,ticket_max,earliest_start,latest_start,lead_time,\
loss_probability,expected_multiple,call_schedule,impact,requires,excludes,group,board_seats
c1,Solar farm,solar,100,500,2026,2030,2,0.1,2.0,0.5;0.5,1,,,,1
c2,Solar storage,solar,50,300,2027,2029,1,0.4,3.0,1,2,c1,,g1,2
c3,Grid link,grid,100,400,2026,2028,3,0.2,1.5,,,,c4,g1,1
c4,Drone maker,drones,100,200,2026,2035,0,0.5,4.0,1,,,,,3
c5,Drone parts,drones,10,100,2030,2031,5,0.05,1.2,0.4;0.6,,,,g2,0
"""

# Horizon 2026-2030, so the value horizon defaults to 2040.
MANDATE: dict[str, Any] = {
    "budget": 1000,
    "min_deployment": 0.5,
    "horizon": {"start": 2026, "years": 5},
    "pacing": {"annual_max": 450, "annual_min": {2026: 100}, "cumulative_max": {2027: 650}},
    "deals": {"max_per_year": 1, "max_total": 4, "min_total": 2},
    "pillars": {
        "energy": {"max_share": 0.7, "min_count": 2},
        "defense": {"min_amount": 100, "max_count": 2},
    },
    "sub_areas": {"default": {"max_share": 0.3}, "solar": {"max_share": 0.65}},
    "groups": {"g1": {"max_count": 1}},
    "risk": {
        "max_expected_loss_share": 0.2,
        "high_risk_threshold": 0.35,
        "max_high_risk_share": 0.35,
        "cvar": {"alpha": 0.95, "max_share": 0.0},  # another module's limit: ignored
    },
    "lead_time": {
        "max_lead_time": 5,
        "impact_by": [{"year": 2028, "min_share": 0.7}],
        "sub_area_deadlines": {"solar": {"year": 2028, "min_amount": 600}},
    },
    "limits": [
        {"name": "seats", "attribute": "board_seats", "per": "deal", "max": 6},
        {"name": "dollars", "attribute": "board_seats", "per": "dollar", "min": 1200, "max": 1300},
    ],
    "force_in": ["c1"],
    "force_out": ["c3"],
    "objective": {"strategic_weight": 1.0, "return_weight": 2.0},
}

# The valid plan, worked by hand (impact year = start + lead time):
#   id  year amount  pillar  gap impact impact-year  p     multiple  seats
#   c1  2026  400    energy   4    1      2028      0.1     2.0      1
#   c2  2027  200    energy   4    2      2028      0.4     3.0      2
#   c4  2028  150    defense  5    1      2028      0.5     4.0      3
#   c5  2030   50    defense  5    1      2035      0.05    1.2      0
# called: 2026 0.5*400=200; 2027 0.5*400+200=400; 2028 150; 2030 0.4*50=20; 2031 30
# strategic = (4*1*400*12 + 4*2*200*12 + 5*1*150*12 + 5*1*50*5) / (5*(2040-2026))
#           = (19200 + 19200 + 9000 + 1250) / 70 = 48650 / 70 = 695
# return = 0.8*400 + 0.8*200 + 1.0*150 + 0.14*50 = 320 + 160 + 150 + 7 = 637
# objective = 1*695 + 2*637 = 1969
# expected loss = 40 + 80 + 75 + 2.5 = 197.5; high risk (p >= 0.35): c2 + c4 = 350 = 0.35 * 1000
# seats per deal 1+2+3+0 = 6; per dollar 400 + 400 + 450 + 0 = 1250
# Cash flows (hold defaults to max(ceil(lead), call years); proceeds (1 - p)·multiple·amount):
#   c1 hold max(2, 2) = 2: 0.9*2*400 = 720 in 2028   c2 hold 1: 0.6*3*200 = 360 in 2028
#   c4 hold max(0, 1) = 1: 0.5*4*150 = 300 in 2029   c5 hold 5: 0.95*1.2*50 = 57 in 2035
# net 2026..2035: -200 -400 930 300 -20 -30 0 0 0 57; cumulative -200 -600 330 630 610 580 ...
# 637; NAV at cost: 200, 600 (c1 + c2 called), 150 (c1, c2 paid out; c4 called), 0, 20, 50 x 5,
# 0; TVPI 1437/800; payback 2028; IRR 0.55823640 (numpy-financial, for the record)
CASH_FLOWS = [
    {"year": 2026, "called": 200.0, "distributed": 0.0, "net": -200.0, "cumulative_net": -200.0},
    {"year": 2027, "called": 400.0, "distributed": 0.0, "net": -400.0, "cumulative_net": -600.0},
    {"year": 2028, "called": 150.0, "distributed": 1080.0, "net": 930.0, "cumulative_net": 330.0},
    {"year": 2029, "called": 0.0, "distributed": 300.0, "net": 300.0, "cumulative_net": 630.0},
    {"year": 2030, "called": 20.0, "distributed": 0.0, "net": -20.0, "cumulative_net": 610.0},
    {"year": 2031, "called": 30.0, "distributed": 0.0, "net": -30.0, "cumulative_net": 580.0},
    *(
        {"year": y, "called": 0.0, "distributed": 0.0, "net": 0.0, "cumulative_net": 580.0}
        for y in (2032, 2033, 2034)
    ),
    {"year": 2035, "called": 0.0, "distributed": 57.0, "net": 57.0, "cumulative_net": 637.0},
]
for _row, _nav in zip(CASH_FLOWS, (200, 600, 150, 0, 20, 50, 50, 50, 50, 0), strict=True):
    _row["nav"] = float(_nav)
DPI = {"2026": 0.0, "2027": 0.0, "2028": 1080 / 750, "2029": 1380 / 750, "2030": 1380 / 770}
DPI |= {str(y): 1380 / 800 for y in range(2031, 2035)} | {"2035": 1437 / 800}
PLAN: dict[str, Any] = {
    "status": "optimal",
    "objective": 1969.0,
    "bound": 1969.0,
    "gap": 0.0,
    "objective_terms": {"strategic": 695.0, "return": 637.0},
    "investments": [
        {"id": "c1", "name": "Solar farm", "start_year": 2026, "amount": 400.0},
        {"id": "c2", "start_year": 2027, "amount": 200.0},
        {"id": "c4", "start_year": 2028, "amount": 150.0},
        {"id": "c5", "start_year": 2030, "amount": 50.0},
    ],
    "totals": {
        "committed": 800.0,
        "by_pillar": {"energy": 600.0, "defense": 200.0},
        "by_sub_area": {"solar": 600.0, "grid": 0.0, "drones": 200.0},
        "by_year_committed": {"2026": 400.0, "2027": 200.0, "2028": 150.0, "2030": 50.0},
        "by_year_called": {
            "2026": 200.0,
            "2027": 400.0,
            "2028": 150.0,
            "2029": 0.0,
            "2030": 20.0,
            "2031": 30.0,
        },
    },
    "metrics": {
        "deals": 4,
        "expected_loss": 197.5,
        "high_risk_share": 0.35,
        "cvar": None,
        "tvpi": 1437 / 800,
        "dpi": DPI,
        "irr": 0.5582364039317598,
        "payback_year": 2028,
    },
    "cash_flows": CASH_FLOWS,
    "binding": [],
    "diagnosis": None,
}


@pytest.fixture
def instance_dir(tmp_path: Path) -> Path:
    """Write the hand-made instance, so every test reads real CSV files."""
    (tmp_path / "taxonomy.csv").write_text(TAXONOMY)
    (tmp_path / "candidates.csv").write_text(CANDIDATES)
    return tmp_path


def _set(document: Any, path: str, value: Any) -> None:
    """Set a dotted path, list items by index, the way `--set` edits a mandate."""
    *parents, last = path.split(".")
    for part in parents:
        document = document[int(part)] if isinstance(document, list) else document[part]
    if isinstance(document, list):
        document[int(last)] = value
    else:
        document[last] = value


def _edited(document: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Return a deep copy with the changes applied, leaving the shared constant intact."""
    edited = copy.deepcopy(document)
    for path, value in changes.items():
        _set(edited, path, value)
    return edited


def _found(report: CheckReport) -> set[tuple[str, str]]:
    """Reduce a report to its (rule, key) pairs, which the contract fixes."""
    return {(violation.rule, violation.key) for violation in report.violations}


def test_valid_plan_passes_with_hand_computed_values(instance_dir: Path) -> None:
    """A plan at several limits exactly passes, and every recomputed value is the hand one."""
    report = check_plan(PLAN, instance_dir, MANDATE)

    assert report.violations == ()
    assert report.ok
    recomputed = report.recomputed
    assert recomputed["committed"] == pytest.approx(800.0)
    assert recomputed["by_pillar"] == pytest.approx({"energy": 600.0, "defense": 200.0})
    assert recomputed["by_sub_area"] == pytest.approx({"solar": 600.0, "drones": 200.0})
    assert recomputed["by_year_committed"] == pytest.approx(
        {2026: 400.0, 2027: 200.0, 2028: 150.0, 2030: 50.0}
    )
    assert recomputed["by_year_called"] == pytest.approx(
        {2026: 200.0, 2027: 400.0, 2028: 150.0, 2030: 20.0, 2031: 30.0}
    )
    assert recomputed["strategic"] == pytest.approx(695.0)
    assert recomputed["return"] == pytest.approx(637.0)
    assert recomputed["objective"] == pytest.approx(1969.0)
    assert recomputed["expected_loss"] == pytest.approx(197.5)
    assert recomputed["high_risk_share"] == pytest.approx(0.35)
    assert recomputed["deals"] == 4


def test_reads_plan_json_and_mandate_yaml_files(instance_dir: Path, tmp_path: Path) -> None:
    """The checker runs on files as written by the CLI, not only on dicts."""
    plan_path, mandate_path = tmp_path / "plan.json", tmp_path / "mandate.yaml"
    plan_path.write_text(json.dumps(PLAN))
    mandate_path.write_text(yaml.safe_dump(MANDATE))

    assert check_plan(plan_path, str(instance_dir), str(mandate_path)).ok


def test_none_and_empty_entries_mean_no_limit(instance_dir: Path) -> None:
    """A dumped pydantic mandate writes None for unset keys; those limit nothing."""
    dumped = {
        "budget": 1000,
        "min_deployment": None,
        "horizon": {"start": 2026, "years": 5},
        "value_horizon": None,
        "share_basis": None,
        "pacing": {"annual_max": None, "annual_min": None, "cumulative_max": {}},
        "deals": None,
        "pillars": {"energy": {"max_share": None, "min_count": None}, "defense": None},
        "sub_areas": {"default": None, "grid": {"min_amount": None}},
        "groups": {},
        "risk": {"max_expected_loss_share": None, "high_risk_threshold": None, "cvar": None},
        "lead_time": {"max_lead_time": None, "impact_by": [], "sub_area_deadlines": {}},
        "limits": [],
        "force_in": [],
        "force_out": None,
        "objective": {"strategic_weight": None, "return_weight": None},
    }
    plan = _edited(PLAN, {"objective": 695.0 + 637.0})  # both weights default to 1

    assert check_plan(plan, instance_dir, dumped).violations == ()


def test_sub_area_entry_overrides_default_key_by_key(instance_dir: Path) -> None:
    """Solar's own max_share replaces the default's, but its None max_count does not."""
    sub_areas = {
        "default": {"max_share": 0.15, "max_count": 1},
        "solar": {"max_share": 0.65, "max_count": None},
    }
    report = check_plan(PLAN, instance_dir, _edited(MANDATE, {"sub_areas": sub_areas}))

    assert _found(report) == {
        ("sub_areas", "sub_areas.drones.max_share"),  # 200 > 0.15 * 1000
        ("sub_areas", "sub_areas.drones.max_count"),  # c4 and c5
        ("sub_areas", "sub_areas.solar.max_count"),  # c1 and c2, default applies
    }


MANDATE_CASES = [
    ({"budget": 790}, "budget", "budget"),
    ({"min_deployment": 0.9}, "min_deployment", "min_deployment"),
    ({"pacing.annual_max": 350}, "pacing", "pacing.annual_max.2027"),
    ({"pacing.annual_max": {"2027": 399}}, "pacing", "pacing.annual_max.2027"),
    ({"pacing.annual_min": 100}, "pacing", "pacing.annual_min.2029"),  # nothing called
    ({"pacing.cumulative_max": {2027: 550}}, "pacing", "pacing.cumulative_max.2027"),  # 600
    ({"deals.max_per_year": 0}, "deals", "deals.max_per_year"),
    ({"deals.max_total": 3}, "deals", "deals.max_total"),
    ({"deals.min_total": 5}, "deals", "deals.min_total"),
    ({"pillars.energy.max_share": 0.55}, "pillars", "pillars.energy.max_share"),
    ({"share_basis": "deployed"}, "pillars", "pillars.energy.max_share"),  # 0.7*800 < 600
    ({"pillars.defense.min_share": 0.25}, "pillars", "pillars.defense.min_share"),
    ({"pillars.defense.min_amount": 250}, "pillars", "pillars.defense.min_amount"),
    ({"pillars.energy.max_amount": 500}, "pillars", "pillars.energy.max_amount"),
    ({"pillars.energy.min_count": 3}, "pillars", "pillars.energy.min_count"),
    ({"pillars.defense.max_count": 1}, "pillars", "pillars.defense.max_count"),
    ({"sub_areas.default.max_share": 0.15}, "sub_areas", "sub_areas.drones.max_share"),
    ({"sub_areas.grid": {"min_amount": 1}}, "sub_areas", "sub_areas.grid.min_amount"),
    ({"groups.g1.max_count": 0}, "groups", "groups.g1.max_count"),
    ({"groups.g2": {"min_count": 2}}, "groups", "groups.g2.min_count"),
    ({"risk.max_expected_loss_share": 0.19}, "risk", "risk.max_expected_loss_share"),
    ({"risk.max_high_risk_share": 0.34}, "risk", "risk.max_high_risk_share"),
    # the threshold is inclusive: c2 (p = 0.4) is high risk, so 350 > 200
    (
        {"risk.high_risk_threshold": 0.4, "risk.max_high_risk_share": 0.2},
        "risk",
        "risk.max_high_risk_share",
    ),
    ({"lead_time.max_lead_time": 4}, "lead_time", "lead_time.max_lead_time"),  # c5: 5
    (
        {"lead_time.impact_by": [{"year": 2027, "min_share": 0.1}]},
        "lead_time",
        "lead_time.impact_by.0.min_share",
    ),
    (
        {"lead_time.impact_by": [{"year": 2028, "min_amount": 800}]},  # c5 online in 2035
        "lead_time",
        "lead_time.impact_by.0.min_amount",
    ),
    (
        {"lead_time.sub_area_deadlines": {"drones": {"year": 2028, "min_amount": 200}}},
        "lead_time",
        "lead_time.sub_area_deadlines.drones.min_amount",
    ),
    (
        {"lead_time.sub_area_deadlines": {"drones": {"year": 2028, "min_share": 0.2}}},
        "lead_time",
        "lead_time.sub_area_deadlines.drones.min_share",
    ),
    ({"limits.0.max": 5}, "limits", "limits.0.max"),
    ({"limits.1.min": 1300}, "limits", "limits.1.min"),
    ({"limits.1.max": 1249}, "limits", "limits.1.max"),
    ({"limits.0.attribute": "notes"}, "limits", "limits.0.attribute"),
    ({"force_in": ["c1", "c3"]}, "force_in", "force_in.c3"),
    ({"force_out": ["c2"]}, "force_out", "force_out.c2"),
]


@pytest.mark.parametrize(
    ("changes", "rule", "key"), MANDATE_CASES, ids=[c[2] for c in MANDATE_CASES]
)
def test_tighter_mandate_is_flagged_under_its_key(
    instance_dir: Path, changes: dict[str, Any], rule: str, key: str
) -> None:
    """Each limit family reports a broken limit under the mandate path that relaxes it."""
    report = check_plan(PLAN, instance_dir, _edited(MANDATE, changes))

    assert (rule, key) in _found(report)


PASSING_CASES = [
    {"pacing.annual_max": {2031: 10}},  # calls after the horizon are not limited
    {"pillars.energy.max_amount": 599.995},  # 600 is within 1e-5 * 600 of it
    {"lead_time.impact_by": [{"year": 2028, "min_amount": 750}]},  # exactly met
    {"deals.max_per_year": None},
]


@pytest.mark.parametrize("changes", PASSING_CASES)
def test_limits_at_or_beyond_their_reach_pass(instance_dir: Path, changes: dict[str, Any]) -> None:
    """Round-off, post-horizon calls and exactly met limits are not violations."""
    assert check_plan(PLAN, instance_dir, _edited(MANDATE, changes)).violations == ()


PLAN_CASES = [
    ({"investments.3.id": "zz"}, "unknown_id", "investments.zz"),
    ({"investments.3.id": "c1"}, "duplicate", "investments.c1"),
    ({"investments.0.amount": 600.0}, "ticket", "tickets.c1"),  # above 500
    ({"investments.3.amount": 5.0}, "ticket", "tickets.c5"),  # below 10
    ({"investments.1.start_year": 2026}, "start_year", "start_years.c2"),  # before 2027
    ({"investments.2.start_year": 2031}, "start_year", "start_years.c4"),  # after the horizon
    ({"investments.0.id": "c3"}, "force_in", "force_in.c1"),
    ({"investments.3.id": "c3"}, "force_out", "force_out.c3"),
    ({"investments.0.start_year": 2028}, "requires", "requires.c2"),  # c1 after c2's 2027
    ({"investments.0.id": "c3"}, "requires", "requires.c2"),  # c1 not in the plan
    ({"investments.3.id": "c3"}, "excludes", "excludes.c3"),  # c3 excludes the chosen c4
]


@pytest.mark.parametrize(("changes", "rule", "key"), PLAN_CASES, ids=[c[2] for c in PLAN_CASES])
def test_broken_investments_are_flagged(
    instance_dir: Path, changes: dict[str, Any], rule: str, key: str
) -> None:
    """Only the investments are trusted, so each of their rules is checked per id."""
    report = check_plan(_edited(PLAN, changes), instance_dir, MANDATE)

    assert (rule, key) in _found(report)


def test_requirement_committed_in_the_same_year_is_met(instance_dir: Path) -> None:
    """`requires` allows the required candidate to start in the same year, not later."""
    report = check_plan(_edited(PLAN, {"investments.0.start_year": 2027}), instance_dir, MANDATE)

    assert "requires" not in {violation.rule for violation in report.violations}


REPORTED_CASES = [
    ("totals.committed", 801.0),
    ("totals.by_pillar.energy", 500.0),
    ("totals.by_sub_area.grid", 1.0),  # reported but nothing invested
    ("totals.by_year_committed.2026", 399.0),
    ("totals.by_year_called.2031", 0.0),  # after the horizon, still reported
    ("metrics.deals", 5),
    ("metrics.expected_loss", 190.0),
    ("metrics.tvpi", 1.8),
    ("metrics.irr", 0.56),
    ("metrics.irr", None),
    ("metrics.payback_year", 2029),
    ("metrics.dpi.2028", 1.4),
    ("metrics.high_risk_share", None),
    ("objective_terms.strategic", 700.0),
    ("objective_terms.return", 630.0),
    ("objective", 1332.0),  # unweighted sum: return_weight 2 ignored
]


@pytest.mark.parametrize(("path", "value"), REPORTED_CASES, ids=[c[0] for c in REPORTED_CASES])
def test_misreported_numbers_are_flagged(instance_dir: Path, path: str, value: Any) -> None:
    """A plan's totals, metrics and objective must agree with its own investments."""
    report = check_plan(_edited(PLAN, {path: value}), instance_dir, MANDATE)

    assert _found(report) == {("reported", path)}


@pytest.mark.parametrize(
    ("position", "column", "value"), [(2, "distributed", 1000.0), (9, "nav", 1.0), (0, "net", 0.0)]
)
def test_misreported_cash_flows_are_flagged(
    instance_dir: Path, position: int, column: str, value: float
) -> None:
    """Each year's cash flows are recomputed from the schedules and reported under the year."""
    year = CASH_FLOWS[position]["year"]
    report = check_plan(
        _edited(PLAN, {f"cash_flows.{position}.{column}": value}), instance_dir, MANDATE
    )

    assert _found(report) == {("reported", f"cash_flows.{year}.{column}")}


def test_reported_round_off_is_tolerated(instance_dir: Path) -> None:
    """Solver round-off within 1e-6 relative plus 1e-4 absolute is not a misreport."""
    plan = _edited(PLAN, {"objective": 1969.002, "totals.committed": 800.00009})

    assert check_plan(plan, instance_dir, MANDATE).violations == ()


def test_plan_without_solution_must_list_nothing(instance_dir: Path) -> None:
    """An infeasible plan is checked for an empty decision only, not against limits."""
    empty = {"status": "infeasible", "investments": [], "totals": None, "metrics": None}
    listed = {**empty, "status": "no_solution", "investments": PLAN["investments"]}

    report = check_plan(empty, instance_dir, MANDATE)
    assert report.ok
    assert report.recomputed["committed"] == 0.0
    assert _found(check_plan(listed, instance_dir, MANDATE)) == {("status", "investments")}


def test_optional_columns_and_horizon_take_their_defaults(tmp_path: Path) -> None:
    """Without optional columns or a horizon, capital is called at once with impact 1.

    The default horizon is 2026-2035, so the value horizon is 2045 and the strategic
    scale is 5 * (2045 - 2026) = 95: x1 (gap 4, online 2029) is worth 4*100*16/95.
    """
    (tmp_path / "taxonomy.csv").write_text(TAXONOMY)
    (tmp_path / "candidates.csv").write_text(
        "id,name,sub_area_id,ticket_min,ticket_max,earliest_start,latest_start,lead_time,"
        "loss_probability,expected_multiple\n"
        "x1,Panel line,solar,50,150,2026,2040,3,0.0,1.5\n"
    )
    strategic = 4 * 100 * 16 / 95
    plan = {
        "status": "feasible",
        "objective": strategic + 50.0,
        "objective_terms": {"strategic": strategic, "return": 50.0},
        "investments": [{"id": "x1", "start_year": 2026, "amount": 100.0}],
        "totals": {
            "committed": 100.0,
            "by_pillar": {"energy": 100.0},
            "by_sub_area": {"solar": 100.0},
            "by_year_committed": {2026: 100.0},
            "by_year_called": {2026: 100.0},
        },
        "metrics": {
            "deals": 1,
            "expected_loss": 0.0,
            "high_risk_share": 0.0,
            "tvpi": 1.5,
            "dpi": {"2026": 0.0, "2027": 0.0, "2028": 0.0, "2029": 1.5},
            "irr": 1.5 ** (1 / 3) - 1,  # 100 out in 2026, 150 back in 2029 (hold = lead 3)
            "payback_year": 2029,
        },
        "cash_flows": [
            {"year": 2026, "called": 100.0, "distributed": 0.0, "net": -100.0},
            {"year": 2027, "called": 0.0, "distributed": 0.0, "net": 0.0},
            {"year": 2028, "called": 0.0, "distributed": 0.0, "net": 0.0},
            {"year": 2029, "called": 0.0, "distributed": 150.0, "net": 150.0},
        ],
    }
    navs = (100, 100, 100, 0)
    for row, cumulative, nav in zip(plan["cash_flows"], (-100, -100, -100, 50), navs, strict=True):
        row |= {"cumulative_net": float(cumulative), "nav": float(nav)}

    report = check_plan(plan, tmp_path, {"budget": 1000})

    assert report.violations == ()
    assert report.recomputed["by_year_called"] == {2026: 100.0}


def test_a_plan_with_no_investments_is_checked(instance_dir: Path) -> None:
    """An empty (but solved) plan breaks only the limits that need something chosen."""
    folder = instance_dir
    plan = {
        "status": "optimal",
        "investments": [],
        "objective": 0.0,
        "objective_terms": {"strategic": 0.0, "return": 0.0},
        "totals": {
            "committed": 0.0,
            "by_pillar": {},
            "by_sub_area": {},
            "by_year_committed": {},
            "by_year_called": {},
        },
        "metrics": {"deals": 0, "expected_loss": 0.0, "high_risk_share": 0.0},
    }
    assert check_plan(plan, folder, {"budget": 100, "deals": {"max_per_year": 3}}).ok
    report = check_plan(plan, folder, {"budget": 100, "min_deployment": 0.5})
    assert [v.key for v in report.violations] == ["min_deployment"]
