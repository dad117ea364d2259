"""Shared test set-up: helpers importable as ``helpers``, and the independent checker run on
every plan any test produces (the instance and mandate are written to disk for it)."""

from __future__ import annotations

import importlib
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from allocator.check import check_plan  # noqa: E402
from allocator.inputs.instance import save_instance  # noqa: E402
from allocator.inputs.scenario_file import save_scenarios  # noqa: E402

_written: dict[int, tuple[Any, Path]] = {}


def _instance_folder(instance: Any, root: Path) -> Path:
    """Write each distinct instance once per session (kept alive so ids stay unique)."""
    known = _written.get(id(instance))
    if known is None or known[0] is not instance:
        folder = save_instance(instance, root / f"instance-{len(_written)}")
        if instance.scenarios is not None:
            save_scenarios(instance.scenarios, instance, folder / "scenarios.csv")
        _written[id(instance)] = (instance, folder)
    return _written[id(instance)][1]


@pytest.fixture(scope="session")
def _check_root() -> Any:
    with tempfile.TemporaryDirectory(prefix="allocator-check-") as root:
        yield Path(root)


@pytest.fixture(autouse=True)
def check_every_plan(monkeypatch: pytest.MonkeyPatch, _check_root: Path) -> None:
    """Every plan with a solution must keep every limit, recomputed from files by the checker.

    Plans without a solution have nothing to check; plans solved in Dask worker processes
    (sweeps with workers) are not seen here, since the patch lives in this process only.
    """
    module = importlib.import_module("allocator.solving.solve")
    finish = module.finish

    def checked_finish(model: Any, instance: Any, mandate: Any, *args: Any) -> Any:
        plan = finish(model, instance, mandate, *args)
        if plan.found:
            folder = _instance_folder(instance, _check_root)
            limits = mandate.model_dump(mode="json", exclude_none=True)
            report = check_plan(plan.to_dict(), folder, limits)
            assert report.ok, report.violations
        return plan

    monkeypatch.setattr(module, "finish", checked_finish)
