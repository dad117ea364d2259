"""allocator: mixed-integer allocation of a strategic direct-investment pool.

>>> import allocator
>>> plan = allocator.solve(allocator.load_instance(allocator.bundled("instances/sri-2025")),
...                        allocator.load_mandate(allocator.bundled("models/baseline.yaml")))
"""

from __future__ import annotations

from allocator.data import bundled
from allocator.errors import AllocatorError, InputError
from allocator.instance import Candidate, Instance, SubArea, load_instance
from allocator.mandate import Mandate, load_mandate
from allocator.plan import Plan
from allocator.solve import Session, solve
from allocator.status import EXIT_CODES, Status

__all__ = [
    "EXIT_CODES",
    "AllocatorError",
    "Candidate",
    "InputError",
    "Instance",
    "Mandate",
    "Plan",
    "Status",
    "Session",
    "SubArea",
    "bundled",
    "load_instance",
    "load_mandate",
    "solve",
]
