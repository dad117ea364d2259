"""A Session: one model and its HiGHS model kept alive for fast what-if re-solves.

The model is built and handed to HiGHS as a one-shot solve does (``live``: compiled arrays, one
call). A what-if edit changes limit values, the budget and the weights in place (mutable
parameters) and rebuilds only the constraint families that read what changed
(``formulation.rebuild``); HiGHS gets exactly those rows, bounds and costs by its in-place
calls. The re-solve first tries the certified shortcut (``shortcut``: LP bound, plan near the
previous one); if that plan is not within the gap, HiGHS solves the full model with it (or the
previous plan) as a MIP start.

A re-solve never returns a plan worse than one it knows to be feasible: the Session keeps its
first and its latest plan, checks each against the edited model, starts the search from the
best one that still keeps every row, and returns it if the search ends below it (a search
stopped at the MIP gap may do so).
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any, TextIO

from allocator.formulation import build_model
from allocator.formulation.rebuild import Rebuild, changed_families, rebuild_families
from allocator.inputs.instance import Instance
from allocator.inputs.mandate import Mandate, check_mandate
from allocator.results.plan import Plan
from allocator.solving import solve as one_shot
from allocator.solving.live import LiveModel
from allocator.solving.outcome import ENDINGS, Ending, Outcome
from allocator.solving.settings import Deadline, settings_for
from allocator.solving.shortcut import Incumbent, KnownPlan, Snapshot, best_known, resolve

KNOWN_PLANS = 2  # plans a Session keeps to try against each edit: the first and the latest


class Session:
    """A model and its HiGHS model kept alive for fast what-if re-solves.

    >>> session = Session(instance, mandate)
    >>> base = session.solve()
    >>> tighter = session.solve(mandate.with_changes({"pillars.energy.max_share": 0.2}))
    """

    def __init__(self, instance: Instance, mandate: Mandate, *, warm_start: bool = True) -> None:
        check_mandate(mandate, instance)
        self.instance, self.mandate = instance, mandate
        self.warm_start = warm_start
        self.last_rebuild = Rebuild(full="the first model")  # what the last edit rebuilt
        self._rebuilt: frozenset[str] = frozenset()  # families rebuilt since HiGHS was synced
        self._pending_seconds = 0.0
        self.live: LiveModel | None = None
        self._build(instance, mandate)
        self.plan: Plan | None = None

    def _build(self, instance: Instance, mandate: Mandate) -> None:
        started = time.perf_counter()
        self.model = build_model(instance, mandate, ticket_block=True)
        self.live = None
        self._known: list[KnownPlan] = []  # the first and the latest plan of this model
        self._rebuilt = frozenset()
        self._pending_seconds += time.perf_counter() - started

    def hand_off(self) -> float:
        """Pass the built model to HiGHS now (else the first solve does); returns its seconds."""
        if self.live is not None:
            return 0.0
        started = time.perf_counter()
        self.live = LiveModel(self.model)
        seconds = time.perf_counter() - started
        self._pending_seconds += seconds
        return seconds

    def sync(self) -> tuple[LiveModel, float]:
        """The HiGHS model, handed off or brought up to date; and the seconds it took."""
        if self.live is None:
            seconds = self.hand_off()
            self._pending_seconds -= seconds  # reported as hand-off, not build
            assert self.live is not None
            return self.live, seconds
        seconds = self.live.sync(self._rebuilt)
        self._rebuilt = frozenset()
        return self.live, seconds

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
        settings = settings_for(self.mandate, time_limit, gap)
        deadline = Deadline.after(settings.time_limit)
        live, hand_off = self.sync()
        warm = self.warm_start and self.plan is not None and self.plan.found
        keep_known = self.warm_start and bool(self._known)
        snapshot = Snapshot.take(live, self.model) if keep_known else None
        known = best_known(snapshot, self._known) if snapshot is not None else None
        if known is not None:  # the best plan known to keep the edit: the start of the search
            live.load(known.values)
            warm = True
        outcome = resolve(live, self.model, settings, deadline, log, snapshot) if warm else None
        if outcome is None:
            outcome = live.run(settings, deadline, log, hand_off, start=warm)
        else:
            outcome = dataclasses.replace(outcome, hand_off_seconds=hand_off)
        if snapshot is not None and known is not None:
            outcome = self._no_worse_than(live, known, snapshot, outcome)
        self.plan = one_shot.finish(
            self.model,
            self.instance,
            self.mandate,
            outcome,
            self._pending_seconds,
            one_shot.diagnosis_request(self.mandate, time_limit, gap),
            settings,
        )
        self._pending_seconds = 0.0
        if self.plan.found:
            self._known = [*self._known[:1], KnownPlan.of(self.model)][-KNOWN_PLANS:]
        return self.plan

    @staticmethod
    def _no_worse_than(
        live: LiveModel, known: Incumbent, snapshot: Snapshot, outcome: Outcome
    ) -> Outcome:
        """The outcome, or the known plan in its place when the run found none or a worse one
        (a search stopped at the gap may end below a plan the edit still admits)."""
        if ENDINGS.get(outcome.status) is Ending.INFEASIBLE:
            return outcome
        if outcome.has_solution:
            found = snapshot.objective(live.values())
            if snapshot.sense * (known.objective - found) <= 1e-9 * max(1.0, abs(found)):
                return outcome
        live.load(known.values)
        note = "warm start: kept a known plan the edit still admits, better than the search's\n"
        return dataclasses.replace(outcome, has_solution=True, log=outcome.log + note)

    def update(self, changes: dict[str, Any] | None = None, **keys: Any) -> Plan:
        """Apply dotted-path mandate edits (``a__b=1`` means ``a.b``) and re-solve."""
        edits = dict(changes or {}) | {k.replace("__", "."): v for k, v in keys.items()}
        return self.solve(self.mandate.with_changes(edits))

    def apply(self, mandate: Mandate, instance: Instance) -> None:
        """Bring the model to a new mandate and instance, in place where the structure allows."""
        check_mandate(mandate, instance)
        started = time.perf_counter()
        limit_keys = {limit.key for limit in self.model.limits}
        rebuild = changed_families(self.instance, self.mandate, instance, mandate, limit_keys)
        self.last_rebuild = rebuild
        self.instance, self.mandate = instance, mandate
        if rebuild.full is not None:
            self._pending_seconds = 0.0
            self._build(instance, mandate)
            self.plan = None
            return
        rebuild_families(self.model, instance, mandate, rebuild.families)
        self._rebuilt |= rebuild.families
        self._pending_seconds += time.perf_counter() - started


__all__ = ["Session"]
