"""Solver settings: the mandate's ``solver`` section with overrides, applied to HiGHS."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from typing import Any

import highspy
from pydantic import ValidationError
from pyomo.common.tee import capture_output

from allocator.errors import InputError
from allocator.inputs.mandate import Mandate, SolverSettings


def settings_for(
    mandate: Mandate, time_limit: float | None = None, gap: float | None = None
) -> SolverSettings:
    """The mandate's solver settings with the caller's time limit and gap, validated."""
    overrides = {k: v for k, v in (("time_limit", time_limit), ("mip_gap", gap)) if v is not None}
    if not overrides:
        return mandate.solver
    try:
        return SolverSettings.model_validate(mandate.solver.model_dump() | overrides)
    except ValidationError as err:
        first = err.errors()[0]
        raise InputError(first["msg"], column=str(first["loc"][0])) from None


@dataclass(frozen=True)
class Deadline:
    """When a solve must be done (a ``time.perf_counter`` value), passed down as one value."""

    at: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        """The deadline ``seconds`` from now."""
        return cls(time.perf_counter() + seconds)

    def left(self, at_least: float = 0.01) -> float:
        """Seconds left, never below ``at_least`` (HiGHS refuses a zero limit)."""
        return max(self.at - time.perf_counter(), at_least)


_scheduler_threads: list[int | None] = []  # thread count of this process's HiGHS scheduler


def match_thread_scheduler(threads: int | None) -> None:
    """HiGHS keeps one thread scheduler per process; a solve asking for a different thread
    count fails unless the scheduler is reset first."""
    if _scheduler_threads and _scheduler_threads[0] != threads:
        highspy.Highs.resetGlobalScheduler(True)
    _scheduler_threads[:] = [threads]


def apply_options(
    highs: highspy.Highs, settings: SolverSettings, deadline: Deadline | None = None
) -> None:
    """Time limit (or what is left before ``deadline``), gap, seed and threads on a highspy
    object; its thread count is matched with the process's scheduler."""
    match_thread_scheduler(settings.threads or None)
    options: dict[str, Any] = {
        "log_to_console": True,
        "time_limit": deadline.left() if deadline else settings.time_limit,
        "mip_rel_gap": settings.mip_gap,
        "random_seed": settings.seed,
    }
    if settings.threads:
        options["threads"] = settings.threads
    for name, value in options.items():
        highs.setOptionValue(name, value)


def quiet_highs() -> highspy.Highs:
    """A highspy object that prints nothing (the first one of a process prints a banner on
    fd 1 when it is made, so it is made with fd 1 captured)."""
    with capture_output(io.StringIO(), capture_fd=True):
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    return highs
