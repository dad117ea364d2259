"""allocator: mixed-integer allocation of a strategic direct-investment pool.

>>> import allocator
>>> plan = allocator.solve(allocator.load_instance(allocator.bundled("instances/sri-2025")),
...                        allocator.load_mandate(allocator.bundled("models/baseline.yaml")))

The flat API below is what planning scripts use; submodules hold the details.
"""

from __future__ import annotations

from allocator.check import check_plan
from allocator.data import bundled
from allocator.errors import AllocatorError, InputError
from allocator.explain import diagnose, marginal_values
from allocator.frontier import frontier
from allocator.generate import generate
from allocator.instance import Candidate, Instance, SubArea, load_instance
from allocator.mandate import Mandate, load_mandate
from allocator.plan import Plan
from allocator.robustness import robustness
from allocator.scenarios import Scenarios, load_scenarios, sample_scenarios
from allocator.solve import Session, solve
from allocator.status import EXIT_CODES, Status
from allocator.sweep import load_grid, sweep
from allocator.whatif import Variant, load_variants, run_whatifs

__all__ = [
    "EXIT_CODES",
    "AllocatorError",
    "Candidate",
    "InputError",
    "Instance",
    "Mandate",
    "Plan",
    "Scenarios",
    "Session",
    "Status",
    "SubArea",
    "Variant",
    "bundled",
    "check_plan",
    "diagnose",
    "frontier",
    "generate",
    "load_grid",
    "load_instance",
    "load_mandate",
    "load_scenarios",
    "load_variants",
    "marginal_values",
    "robustness",
    "run_whatifs",
    "sample_scenarios",
    "solve",
    "sweep",
]
