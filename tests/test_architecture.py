"""What the structure promises: every input a family may read is claimed by one (or declared
structural or inert), edits a family does not expect rebuild the whole model, the one class in
front of Pyomo's internals names what it relies on, every HiGHS status has a meaning, the
diagnosis honours the caller's limits, plans say how they were obtained, and the checker's
defaults are the model's."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pyomo.environ as pyo
import pytest
from cases import base, mandate
from helpers import cand, chosen, instance
from pydantic import BaseModel

import allocator
from allocator import Mandate, Session, Status, check
from allocator.formulation import FAMILIES, rebuild
from allocator.inputs.instance import Candidate, SubArea
from allocator.inputs.mandate import Cvar, Horizon, Objective, Risk
from allocator.solving import diagnosis
from allocator.solving.outcome import ENDINGS, HighsStatus

ROOT = Path(__file__).resolve().parents[1]


def _model_of(annotation: typing.Any) -> type[BaseModel] | None:
    """The section model inside an annotation (``Risk``, ``dict[str, ShareLimits]``...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        inner = _model_of(arg)
        if inner is not None:
            return inner
    return None


def mandate_paths(model: type[BaseModel] = Mandate, prefix: str = "") -> list[str]:
    """Every leaf path of the mandate schema; map keys and list positions as ``<key>``."""
    paths = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        origin = typing.get_origin(info.annotation)
        inner = _model_of(info.annotation)
        if inner is None:
            paths.append(path)
        elif origin in (dict, tuple):
            paths += mandate_paths(inner, f"{path}.<key>.")
        else:
            paths += mandate_paths(inner, f"{path}.")
    return paths


@pytest.mark.parametrize("path", mandate_paths())
def test_every_mandate_key_is_claimed_by_a_family_or_declared(path):
    declared = rebuild._within(path, rebuild.STRUCTURAL_KEYS + rebuild.INERT_KEYS)
    assert declared or any(f.claims(path) for f in FAMILIES), path


@pytest.mark.parametrize("field", list(Candidate.model_fields))
def test_every_candidate_field_is_claimed_by_a_family_or_declared(field):
    declared = field in rebuild.STRUCTURAL_FIELDS + rebuild.INERT_FIELDS
    assert declared or any(field in f.fields for f in FAMILIES), field


@pytest.mark.parametrize("field", list(SubArea.model_fields))
def test_every_taxonomy_field_is_claimed_by_a_family_or_declared(field):
    declared = field in rebuild.STRUCTURAL_TAXONOMY + rebuild.INERT_TAXONOMY
    assert declared or any(field in f.taxonomy for f in FAMILIES), field


def test_family_records_name_real_families():
    names = [f.name for f in FAMILIES]
    assert len(set(names)) == len(names)
    for family in FAMILIES:
        assert set(family.uses) <= set(names), family.name
        assert family.add.__module__.startswith("allocator.formulation."), family.name


ADDED_LIMITS = [
    ("risk.max_high_risk_share", 0.2),
    ("sub_areas.s1.min_amount", 45),  # a sub-area the base mandate does not list
    ("sub_areas.s3.min_count", 2),
    ("pillars.p2.max_count", 1),
    ("deals.max_total", 2),
    ("lead_time.impact_by", [{"year": 2030, "min_share": 0.5}]),
    ("pacing.cumulative_max", {2026: 80}),
    ("pacing.commit_max", {2026: 60}),
    ("pacing.net_max", 70),
    ("recycling", {"share": 0.5}),
    ("objective.discount_rate", 0.1),
]


@pytest.mark.parametrize(("key", "value"), ADDED_LIMITS, ids=[k for k, _ in ADDED_LIMITS])
def test_a_what_if_adding_a_limit_equals_a_cold_solve(key, value):
    inst = instance(base(a={"ticket": (10, 50)}))
    start = Mandate.model_validate(
        mandate(
            budget=120,
            risk={"max_expected_loss_share": 0.3},
            sub_areas={"default": {"max_share": 0.6}},
        )
    )
    session = Session(inst, start)
    session.solve()
    edited = start.with_changes({key: value})
    warm = session.solve(edited)
    cold = allocator.solve(inst, edited)
    assert warm.status == cold.status
    assert warm.objective == pytest.approx(cold.objective, abs=1e-6)
    assert chosen(warm) == chosen(cold)
    assert session.last_rebuild.full is None  # the families that read the key were rebuilt


def test_an_edit_no_family_claims_rebuilds_the_whole_model(monkeypatch):
    without_risk = tuple(f for f in FAMILIES if f.name != "risk")
    monkeypatch.setattr(rebuild, "FAMILIES", without_risk)
    old = Mandate.model_validate({"budget": 100})
    new = old.with_changes({"risk.max_high_risk_share": 0.2})
    found = rebuild.mandate_rebuild(old, new, set())
    assert found.full == "no constraint family claims risk.max_high_risk_share"


def test_in_place_edits_rebuild_nothing():
    old = Mandate.model_validate({"budget": 100, "risk": {"max_expected_loss_share": 0.3}})
    keys = {"budget", "risk.max_expected_loss_share"}
    for change in ({"budget": 90}, {"risk.max_expected_loss_share": 0.2}):
        assert rebuild.mandate_rebuild(old, old.with_changes(change), keys) == rebuild.Rebuild()
    weight = rebuild.mandate_rebuild(old, old.with_changes({"objective.return_weight": 2}), keys)
    assert weight == rebuild.Rebuild()


def test_a_rebuilt_family_rebuilds_the_families_that_use_it():
    old = Mandate.model_validate({"budget": 100, "risk": {"cvar": {"max_share": 0.3}}})
    found = rebuild.mandate_rebuild(old, old.with_changes({"risk.cvar.alpha": 0.9}), set())
    assert found.families == {"cvar", "objective"}


def test_no_module_reaches_into_a_solver_object():
    """No module reads a private member of Pyomo's solver interfaces (the hand-off compiles
    the model itself and talks to highspy's public calls)."""
    pattern = re.compile(r"\b(solver|session\.solver)\._[a-z]|pyomo\.contrib\.solver")
    for folder in ("allocator", "tests", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "test_architecture.py":
                continue
            assert not pattern.search(path.read_text(encoding="utf-8")), path


def test_pyomo_is_pinned_below_the_next_minor_version():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'"pyomo>=[\d.]+,<[\d.]+"', pyproject)


def test_every_highs_model_status_has_a_meaning():
    assert set(HighsStatus.__members__.values()) == set(ENDINGS)


def test_the_diagnosis_honours_the_callers_time_limit_and_gap(monkeypatch):
    seen = []
    run = diagnosis.run_matrix
    monkeypatch.setattr(
        diagnosis,
        "run_matrix",
        lambda m, settings, log: (seen.append(settings), run(m, settings, log))[1],
    )
    inst = instance([cand("a", ticket=50), cand("b", "s2", ticket=40)])
    infeasible = Mandate.model_validate({"budget": 10, "min_deployment": 1.0})
    plan = allocator.solve(inst, infeasible, time_limit=0.5, gap=0.01)
    assert plan.status == Status.INFEASIBLE and plan.diagnosis is not None
    assert (seen[-1].time_limit, seen[-1].mip_gap) == (0.5, 0.01)
    allocator.solve(inst, infeasible, time_limit=0.7)
    assert (seen[-1].time_limit, seen[-1].mip_gap) == (0.7, 0.0)  # minimal relaxations


def test_plans_say_how_they_were_obtained():
    inst = instance(base())
    start = Mandate.model_validate(mandate(budget=100))
    assert allocator.solve(inst, start).solver.method == "matrix"
    session = Session(inst, start)
    assert session.solve().solver.method == "persistent"
    assert session.solve(start.with_changes({"budget": 90})).solver.method in (
        "certified",
        "persistent",
    )


def test_the_checkers_defaults_are_the_models():
    assert check._DEFAULT_HIGH_RISK_THRESHOLD == Risk().high_risk_threshold
    assert (check._DEFAULT_HORIZON_START, check._DEFAULT_HORIZON_YEARS) == (
        Horizon().start,
        Horizon().years,
    )
    assert check._DEFAULT_CVAR_ALPHA == Cvar().alpha
    assert check._DEFAULT_WEIGHTS == Objective().model_dump()
    bare = Mandate.model_validate({"budget": 100})
    after = bare.effective_value_horizon - bare.horizon.end
    assert check._DEFAULT_VALUE_HORIZON_AFTER == after
    for column, default in check._OPTIONAL_DEFAULTS.items():
        model_default = Candidate.model_fields[column].get_default(call_default_factory=True)
        if isinstance(model_default, tuple):
            model_default = ";".join(f"{v:g}" if isinstance(v, float) else v for v in model_default)
        if isinstance(model_default, dict):
            model_default = ";".join(f"{k}:{v}" for k, v in model_default.items())
        assert default == model_default, column
    assert check.KNOWN_COLUMNS == {name for name in Candidate.model_fields if name != "attributes"}
    for lead, schedule in ((0, (1.0,)), (2.5, (1.0,)), (3, (0.5, 0.5)), (1, (0.25,) * 4)):
        row = cand("x", lead=lead, call_schedule=schedule)
        assert check._default_hold(lead, schedule) == row.holding_years, (lead, schedule)


def test_the_checker_reads_a_bare_mandate_as_the_model_does(tmp_path):
    """A mandate with every default left out, checked as written and as the model fills it in:
    the same recomputation and the same verdict."""
    from allocator.inputs.instance import save_instance

    inst = instance(base(c={"p": 0.5, "lead": 3}))
    bare = {"budget": 100}
    plan = allocator.solve(inst, Mandate.model_validate(bare))
    folder = save_instance(inst, tmp_path / "instance")
    filled = Mandate.model_validate(bare).model_dump(mode="json", exclude_none=True)
    as_written = check.check_plan(plan.to_dict(), folder, bare)
    as_filled = check.check_plan(plan.to_dict(), folder, filled)
    assert as_written.ok and as_filled.ok
    assert as_written.recomputed == as_filled.recomputed
