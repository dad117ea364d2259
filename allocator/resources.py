"""Where bundled instances, mandates and what-if files live: in the wheel, or beside the package
in a checkout; and how they are named on the command line."""

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


# what each kind of bundled input is, and where it lives
BUNDLED_KINDS = {
    "instance": ("instances", ""),
    "mandate": ("models", ".yaml"),
    "whatif": ("models/whatifs", ".yaml"),
}


def bundled_names(kind: str) -> list[str]:
    """Names of the bundled instances, mandates or what-if files (``BUNDLED_KINDS``)."""
    folder, suffix = BUNDLED_KINDS[kind]
    root = bundled(folder)
    if not root.is_dir():
        return []
    if suffix:
        return sorted(p.stem for p in root.glob(f"*{suffix}") if p.is_file())
    return sorted(p.name for p in root.iterdir() if (p / "instance.yaml").is_file())


def named(path: Path, kind: str) -> Path:
    """A path as given, or the bundled input of that name when no such file or folder exists
    (``-m defense-first``, ``allocator whatif ten-questions``, ``allocator solve sri-2025``)."""
    if path.exists() or len(path.parts) != 1:
        return path
    folder, suffix = BUNDLED_KINDS[kind]
    stem = path.name.removesuffix(suffix) if suffix else path.name
    candidate = bundled(f"{folder}/{stem}{suffix}")
    return candidate if candidate.exists() else path


def is_bundled(path: Path) -> bool:
    """Whether a path lies inside the bundled inputs or the installed package."""
    resolved = path.resolve()
    roots = [bundled(folder).resolve() for folder, _ in BUNDLED_KINDS.values()]
    roots.append(Path(__file__).resolve().parent)
    return any(resolved == root or root in resolved.parents for root in roots)
