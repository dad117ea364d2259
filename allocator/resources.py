"""Where bundled instances and mandates live: in the wheel, or beside the package in a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEFAULT_INSTANCE = "instances/sri-2025"
DEFAULT_MANDATE = "models/baseline.yaml"


def bundled(relative: str) -> Path:
    """Path of a bundled file or folder, e.g. ``bundled("models/baseline.yaml")``."""
    packaged = Path(str(resources.files("allocator"))) / "_bundled" / relative
    if packaged.exists():
        return packaged
    return Path(__file__).resolve().parent.parent / relative
