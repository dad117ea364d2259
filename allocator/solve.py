"""solve() and Session: build the model once, hand it to HiGHS through Pyomo, re-solve what-ifs.

A Session keeps the Pyomo model and a persistent HiGHS interface alive. A what-if edit changes
limit values and the budget in place (mutable parameters) and rebuilds only the constraint
families whose structure changed. The re-solve first tries the certified shortcut of
``allocator.warm`` (LP bound, plan near the previous one); if that plan is not within the gap,
HiGHS solves the full model with it (or the previous plan) as a MIP start.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any, TextIO

from allocator.explain import diagnose
from allocator.extract import extract_plan
from allocator.formulation import build_model, rebuild_families
from allocator.highs import (
    Outcome,
    WarmHighs,
    configure,
    run_matrix,
    run_persistent,
    solver_settings,
    sync,
)
from allocator.incremental import changed_families
from allocator.instance import Instance
from allocator.mandate import Mandate, SolverSettings, check_mandate
from allocator.plan import Plan, SolverInfo
from allocator.status import Status, status_of
from allocator.warm import resolve


class Session:
    """A model and a persistent HiGHS solver kept alive for fast what-if re-solves.

    >>> session = Session(instance, mandate)
    >>> base = session.solve()
    >>> tighter = session.solve(mandate.with_changes({"pillars.energy.max_share": 0.2}))
    """

    def __init__(self, instance: Instance, mandate: Mandate, *, warm_start: bool = True) -> None:
        check_mandate(mandate, instance)
        self.instance, self.mandate = instance, mandate
        self.warm_start = warm_start
        self._rebuilt = True  # components changed since HiGHS last saw the model
        self._pending_seconds = 0.0
        self._build(instance, mandate)
        self.plan: Plan | None = None

    def _build(self, instance: Instance, mandate: Mandate) -> None:
        started = time.perf_counter()
        self.model = build_model(instance, mandate)
        self.solver = WarmHighs()
        self._pending_seconds += time.perf_counter() - started

    def hand_off(self) -> float:
        """Pass the built model to HiGHS now (else the first solve does); returns its seconds."""
        if self.solver._model is self.model:
            return 0.0
        seconds = sync(self.solver, self.model)
        self._rebuilt = False  # the whole model is in HiGHS now
        self._pending_seconds += seconds
        return seconds

    def solve(
        self,
        mandate: Mandate | None = None,
        *,
        instance: Instance | None = None,
        time_limit: float | None = None,
        gap: float | None = None,
        log: TextIO | None = None,
    ) -> Plan:
        """Solve, after applying an edited mandate and/or instance if given.

        ``log`` receives the HiGHS log as it is written (e.g. a live progress display).
        """
        if mandate is not None or instance is not None:
            self.apply(mandate or self.mandate, instance or self.instance)
        settings = solver_settings(self.mandate, time_limit, gap)
        configure(self.solver, settings)
        self.solver.config.tee = [log] if log is not None else []
        hand_off = sync(self.solver, self.model, rebuilt=self._rebuilt)
        self._rebuilt = False
        warm = self.warm_start and self.plan is not None and self.plan.found
        self.solver.warm_start = warm
        outcome = self._certified(settings, log) if warm else None
        if outcome is None:
            outcome = run_persistent(self.solver, self.model, hand_off)
        else:
            outcome = dataclasses.replace(outcome, hand_off_seconds=hand_off)
        self.plan = finish(self.model, self.instance, self.mandate, outcome, self._pending_seconds)
        self._pending_seconds = 0.0
        return self.plan

    def _certified(self, settings: SolverSettings, log: TextIO | None) -> Outcome | None:
        """The warm shortcut (see ``allocator.warm``); when it cannot certify a plan, the full
        solve gets the time it left and the best plan it found as a MIP start."""
        started = time.perf_counter()
        outcome = resolve(self.solver, self.model, settings, log)
        if outcome is None:
            left = settings.time_limit - (time.perf_counter() - started)
            self.solver.config.time_limit = max(left, 0.01)
        return outcome

    def update(self, changes: dict[str, Any] | None = None, **keys: Any) -> Plan:
        """Apply dotted-path mandate edits (``a__b=1`` means ``a.b``) and re-solve."""
        edits = dict(changes or {}) | {k.replace("__", "."): v for k, v in keys.items()}
        return self.solve(self.mandate.with_changes(edits))

    def apply(self, mandate: Mandate, instance: Instance) -> None:
        """Bring the model to a new mandate and instance, in place where the structure allows."""
        check_mandate(mandate, instance)
        started = time.perf_counter()
        limit_keys = {limit.key for limit in self.model.limits}
        families = changed_families(self.instance, self.mandate, instance, mandate, limit_keys)
        self.instance, self.mandate = instance, mandate
        if families is None:
            self._pending_seconds = 0.0
            self._build(instance, mandate)
            self.plan = None
            return
        rebuild_families(self.model, instance, mandate, families)
        self._rebuilt |= bool(families)
        self._pending_seconds += time.perf_counter() - started


def finish(
    model: Any, instance: Instance, mandate: Mandate, outcome: Outcome, build_seconds: float
) -> Plan:
    """The Plan of a finished run; an infeasible mandate gets its diagnosis."""
    info = SolverInfo(
        seconds=round(outcome.run_seconds, 3),
        build_seconds=round(build_seconds + outcome.hand_off_seconds, 3),
        nodes=outcome.nodes,
    )
    status = status_of(outcome.termination, outcome.has_solution, outcome.log)
    plan = extract_plan(model, instance, mandate, status, outcome.bound, info)
    if status == Status.INFEASIBLE:
        plan = plan.model_copy(update={"diagnosis": diagnose(instance, mandate)})
    return plan


def solve(
    instance: Instance,
    mandate: Mandate,
    *,
    time_limit: float | None = None,
    gap: float | None = None,
    log: TextIO | None = None,
) -> Plan:
    """Solve ``instance`` under ``mandate`` once; time limit and gap override the mandate's.

    The model is handed to HiGHS as one sparse matrix; use a Session for a series of what-ifs.
    """
    check_mandate(mandate, instance)
    settings = solver_settings(mandate, time_limit, gap)
    started = time.perf_counter()
    model = build_model(instance, mandate, ticket_block=True)
    build_seconds = time.perf_counter() - started
    return finish(model, instance, mandate, run_matrix(model, settings, log), build_seconds)


__all__ = ["Session", "finish", "solve"]
