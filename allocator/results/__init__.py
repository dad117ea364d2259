"""Results: the Plan, its status and metrics, and plan differences (no Pyomo here)."""
