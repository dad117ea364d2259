"""One loader for what a solve reads from an instance folder: the instance and its scenarios."""

from __future__ import annotations

from pathlib import Path

from allocator.inputs.instance import Instance, read_instance
from allocator.inputs.scenario_file import load_scenarios


def load_instance(path: str | Path, scenarios: str | Path | None = None) -> Instance:
    """Load and validate an instance folder (instance.yaml, taxonomy.csv, candidates.csv).

    Loss scenarios come from ``scenarios`` if given, else from ``scenarios.csv`` in the folder.
    """
    folder = Path(path)
    instance = read_instance(folder)
    scenario_file = Path(scenarios) if scenarios is not None else folder / "scenarios.csv"
    if scenarios is not None or scenario_file.is_file():
        instance = instance.with_scenarios(load_scenarios(scenario_file, instance))
    return instance
