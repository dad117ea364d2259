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

from allocator.errors import MAX_REPORTED, Cell, InputError, sheet_row


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
    check_separator(list(frame.columns), path.name)
    if frame.empty:
        raise InputError("no data rows", file=path.name)
    if not options:
        frame = frame.apply(lambda col: col.str.strip())
    return frame


def check_separator(header: list[str], file: str) -> None:
    """A header read as one column holding ``;`` or tabs is a file saved with another
    separator (as some spreadsheets do): say so rather than "missing column"."""
    if len(header) != 1:
        return
    for separator, name in ((";", "semicolon"), ("\t", "tab")):
        if separator in header[0]:
            raise InputError(
                f"looks {name}-separated ({separator!r}); allocator reads comma-separated CSV "
                "(in a spreadsheet, save as 'CSV UTF-8 (comma delimited)')",
                file=file,
            )


def _is_union_tag(part: Any) -> bool:
    """Pydantic names union branches in error locations; they are not keys of the input."""
    return isinstance(part, str) and (
        "[" in part or part in {"float", "int", "dict"} or part.startswith("constrained-")
    )


def input_error(
    err: ValidationError, file: str | None = None, *, rows: bool = False, prefix: str = ""
) -> InputError:
    """A pydantic validation error as one InputError line.

    ``rows`` says the input was a list of table rows: the first location part is the row
    (reported as the spreadsheet's row, see ``sheet_row``), the second the column, the
    offending cell is quoted, and every bad cell is listed (up to ``MAX_REPORTED``).
    Otherwise the first error is reported.
    """
    errors = err.errors()
    cells: list[Cell] = []
    for error in _one_per_place(errors)[: MAX_REPORTED if rows else 1]:
        loc = _located(error)
        row = None
        if rows and loc:
            row, loc = sheet_row(int(loc[0])), loc[1:]
        column = prefix + ".".join(str(p) for p in loc) if loc else (prefix.rstrip(".") or None)
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        elif rows and error["type"] == "missing":
            message = "missing value"
        else:
            value = error.get("input")
            shown = f" (got {value!r})" if rows and isinstance(value, str | int | float) else ""
            message = f"{error['msg']}{shown}"
        cells.append((row, column, message))
    return InputError.cells(file, cells, total=len(_one_per_place(errors)) if rows else 1)


def _located(error: Any) -> list[Any]:
    return [p for p in error["loc"] if not _is_union_tag(p)]


def _one_per_place(errors: list[Any]) -> list[Any]:
    """The errors, one per place: of a union's branches (a number or a year map), the one that
    got furthest into the input."""
    kept: list[Any] = []
    for error in errors:
        if any(_is_union_tag(p) for p in error["loc"]):
            head = _located(error)
            same = [e for e in errors if _located(e)[: len(head)] == head]
            error = max(same, key=lambda e: len(e["loc"]))
        if error not in kept:
            kept.append(error)
    return kept


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
