"""``solve()``: build the model once and hand it to HiGHS as one sparse matrix; ``finish``
turns any run's outcome into a Plan, with a diagnosis when the mandate is infeasible."""

from __future__ import annotations

import time
from typing import TextIO

from allocator.formulation import AllocationModel, build_model
from allocator.inputs.instance import Instance
from allocator.inputs.mandate import Mandate, SolverSettings, check_mandate
from allocator.results.plan import Plan, SolverInfo
from allocator.results.status import Status
from allocator.solving.diagnosis import DiagnosisRequest, diagnose_request
from allocator.solving.extract import extract_plan
from allocator.solving.matrix import run_matrix
from allocator.solving.outcome import Outcome, status_of
from allocator.solving.settings import settings_for


def finish(
    model: AllocationModel,
    instance: Instance,
    mandate: Mandate,
    outcome: Outcome,
    build_seconds: float,
    diagnosis: DiagnosisRequest,
    settings: SolverSettings | None = None,
) -> Plan:
    """The Plan of a finished run; an infeasible mandate gets its diagnosis, made under the
    ``diagnosis`` request (the caller's time limit, a gap of 0 unless the caller set one, and
    the keys the caller keeps)."""
    info = SolverInfo(
        seconds=round(outcome.run_seconds, 3),
        build_seconds=round(build_seconds + outcome.hand_off_seconds, 3),
        nodes=outcome.nodes,
        method=outcome.method,
    )
    status = status_of(outcome)
    plan = extract_plan(model, instance, mandate, status, outcome.bound, info, settings)
    if status == Status.INFEASIBLE:
        found = diagnose_request(instance, mandate, diagnosis)
        plan = plan.model_copy(update={"diagnosis": found})
    return plan


def diagnosis_request(
    mandate: Mandate,
    time_limit: float | None,
    gap: float | None,
    keep: tuple[str, ...] = (),
    relax: tuple[str, ...] | None = None,
) -> DiagnosisRequest:
    """How an infeasible solve is diagnosed: the caller's time limit and gap (a gap of 0,
    minimal relaxations, unless the caller set one) and the keys it keeps or relaxes."""
    settings = settings_for(mandate, time_limit, 0.0 if gap is None else gap)
    return DiagnosisRequest(settings, tuple(keep), None if relax is None else tuple(relax))


def solve(
    instance: Instance,
    mandate: Mandate,
    *,
    time_limit: float | None = None,
    gap: float | None = None,
    log: TextIO | None = None,
    keep: tuple[str, ...] = (),
    relax: tuple[str, ...] | None = None,
) -> Plan:
    """Solve ``instance`` under ``mandate`` once; time limit and gap override the mandate's.

    The model is handed to HiGHS as one sparse matrix; use a Session for a series of what-ifs.
    If the mandate is infeasible, the diagnosis relaxes any limit but those in ``keep`` (and,
    if ``relax`` is given, only those keys).
    """
    check_mandate(mandate, instance)
    settings = settings_for(mandate, time_limit, gap)
    started = time.perf_counter()
    model = build_model(instance, mandate, ticket_block=True)
    build_seconds = time.perf_counter() - started
    outcome = run_matrix(model, settings, log)
    return finish(
        model,
        instance,
        mandate,
        outcome,
        build_seconds,
        diagnosis_request(mandate, time_limit, gap, keep, relax),
        settings,
    )


__all__ = ["diagnosis_request", "finish", "solve"]
