"""Reading and writing files: YAML and CSV readers whose every failure is one InputError line,
pydantic errors turned into the same, and writes that never leave a half-written file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import yaml
from pydantic import ValidationError

from allocator.errors import InputError


def read_yaml(path: Path) -> Any:
    """Parse a YAML file (safe loader: no Python tags), every failure one InputError line."""
    if not path.is_file():
        raise InputError("file not found", file=str(path))
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"not valid YAML{where}", file=path.name) from None


def read_csv(path: Path, **options: Any) -> Any:
    """A CSV file as a pandas DataFrame with stripped column names; never empty.

    Without ``options`` every cell is text, stripped, and empty cells stay empty strings.
    """
    import pandas as pd

    if not path.is_file():
        raise InputError("file not found", file=str(path))
    settings = options or {"dtype": str, "keep_default_na": False}
    try:
        frame = pd.read_csv(path, skipinitialspace=True, **settings)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        problem = f"not a readable CSV ({str(err).splitlines()[0]})"
        raise InputError(problem, file=path.name) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise InputError("no data rows", file=path.name)
    if not options:
        frame = frame.apply(lambda col: col.str.strip())
    return frame


def _is_union_tag(part: Any) -> bool:
    """Pydantic names union branches in error locations; they are not keys of the input."""
    return isinstance(part, str) and (
        "[" in part or part in {"float", "int", "dict"} or part.startswith("constrained-")
    )


def input_error(
    err: ValidationError, file: str | None = None, *, rows: bool = False, prefix: str = ""
) -> InputError:
    """The first error of a pydantic validation as one InputError line.

    ``rows`` says the input was a list of table rows: the first location part is the row
    (numbered from 1), the second the column, and the offending cell is quoted.
    """
    errors = err.errors()
    first = errors[0]
    if any(_is_union_tag(p) for p in first["loc"]):
        # a union (a number or a year map): report the branch that got furthest into the input
        head = [p for p in first["loc"] if not _is_union_tag(p)]
        same = [
            e for e in errors if [p for p in e["loc"] if not _is_union_tag(p)][: len(head)] == head
        ]
        first = max(same, key=lambda e: len(e["loc"]))
    loc = [p for p in first["loc"] if not _is_union_tag(p)]
    row = None
    if rows and loc:
        row, loc = int(loc[0]) + 1, loc[1:]
    column = prefix + ".".join(str(p) for p in loc) if loc else (prefix.rstrip(".") or None)
    if first["type"] == "extra_forbidden":
        message = "unknown key"
    elif rows and first["type"] == "missing":
        message = "missing value"
    else:
        value = first.get("input")
        shown = f" (got {value!r})" if rows and isinstance(value, str | int | float) else ""
        message = f"{first['msg']}{shown}"
    return InputError(message, file=file, row=row, column=column)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, content: str | bytes | Callable[[TextIO], None]) -> Path:
    """Write text, bytes (or let ``content(stream)`` write text) to ``path`` through a
    temporary file, so that a failure never leaves a half-written file."""
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise InputError("output folder does not exist", file=str(target))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        if isinstance(content, bytes):
            with os.fdopen(handle, "wb") as binary:
                binary.write(content)
        else:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                if isinstance(content, str):
                    stream.write(content)
                else:
                    content(stream)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
