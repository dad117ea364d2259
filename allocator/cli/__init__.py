"""The ``allocator`` command line: thin commands over the public API.

Exit codes: 0 a plan was found (optimal, or feasible at a limit); 1 the mandate is infeasible
(or a checked plan breaks a limit); 2 invalid input or usage; 3 no feasible plan within limits.
"""

from __future__ import annotations

from allocator.cli.commands import main

__all__ = ["main"]
