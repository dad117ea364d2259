"""allocator: mixed-integer allocation of a strategic direct-investment pool.

>>> import allocator
>>> plan = allocator.solve(allocator.load_instance(allocator.bundled("instances/sri-2025")),
...                        allocator.load_mandate(allocator.bundled("models/baseline.yaml")))

The flat API below is what planning scripts use; the subpackages hold the details and follow
the flow: ``inputs`` → ``formulation`` → ``solving`` → ``results``, with ``analysis`` (many
solves), ``synthetic`` (generated data) and ``cli`` on top, and ``check`` apart. Names are
imported when first used, so ``import allocator`` loads no solver.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> module it comes from
_PUBLIC = {
    "EXIT_CODES": "allocator.results.status",
    "AllocatorError": "allocator.errors",
    "Alternatives": "allocator.results.alternatives",
    "Candidate": "allocator.inputs.instance",
    "InputError": "allocator.errors",
    "Instance": "allocator.inputs.instance",
    "Mandate": "allocator.inputs.mandate",
    "Plan": "allocator.results.plan",
    "Scenarios": "allocator.inputs.scenarios",
    "Session": "allocator.solving.session",
    "Status": "allocator.results.status",
    "SubArea": "allocator.inputs.instance",
    "Variant": "allocator.analysis.variants",
    "alternatives": "allocator.solving.alternatives",
    "bundled": "allocator.resources",
    "check_plan": "allocator.check",
    "diagnose": "allocator.solving.diagnosis",
    "frontier": "allocator.analysis.frontier",
    "generate": "allocator.synthetic.generate",
    "key_marginal_values": "allocator.solving.explain",
    "load_grid": "allocator.analysis.sweep",
    "load_instance": "allocator.inputs.load",
    "load_mandate": "allocator.inputs.mandate",
    "load_scenarios": "allocator.inputs.scenario_file",
    "load_variants": "allocator.analysis.variants",
    "marginal_values": "allocator.solving.explain",
    "rationale": "allocator.solving.rationale",
    "robustness": "allocator.analysis.robustness",
    "run_whatifs": "allocator.analysis.whatif",
    "sample_scenarios": "allocator.synthetic.sampling",
    "solve": "allocator.solving.solve",
    "sweep": "allocator.analysis.sweep",
    "verify_marginal_values": "allocator.solving.explain",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    """Import a public name from its module the first time it is used."""
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'allocator' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))


if TYPE_CHECKING:
    from allocator.analysis.frontier import frontier
    from allocator.analysis.robustness import robustness
    from allocator.analysis.sweep import load_grid, sweep
    from allocator.analysis.variants import Variant, load_variants
    from allocator.analysis.whatif import run_whatifs
    from allocator.check import check_plan
    from allocator.errors import AllocatorError, InputError
    from allocator.inputs.instance import Candidate, Instance, SubArea
    from allocator.inputs.load import load_instance
    from allocator.inputs.mandate import Mandate, load_mandate
    from allocator.inputs.scenario_file import load_scenarios
    from allocator.inputs.scenarios import Scenarios
    from allocator.resources import bundled
    from allocator.results.alternatives import Alternatives
    from allocator.results.plan import Plan
    from allocator.results.status import EXIT_CODES, Status
    from allocator.solving.alternatives import alternatives
    from allocator.solving.diagnosis import diagnose
    from allocator.solving.explain import (
        key_marginal_values,
        marginal_values,
        verify_marginal_values,
    )
    from allocator.solving.rationale import rationale
    from allocator.solving.session import Session
    from allocator.solving.solve import solve
    from allocator.synthetic.generate import generate
    from allocator.synthetic.sampling import sample_scenarios
