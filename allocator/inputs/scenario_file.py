"""``scenarios.csv``: loss scenarios read, validated and written.

The file has ``scenario``, ``probability`` and one column per candidate id or per factor (a
pillar_id or sub_area_id, giving the loss of every candidate in it); a candidate's loss is its
own column if present, else its sub-area's, else its pillar's, else the ``default`` column's;
a candidate with none of these is an error (a missing column would mean it never loses). A loss
fraction is what a candidate loses per $ committed, ``1 − realised multiple``: 1 for a total
loss, 0 for the capital back, negative for a gain (``-1.5`` = a 2.5× outcome); files of total
losses only (0/1) keep their meaning. Rows are numbered as a spreadsheet shows them (the header
is row 1).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from allocator.errors import FIRST_DATA_ROW, MAX_REPORTED, InputError, sheet_row
from allocator.inputs.instance import Instance
from allocator.inputs.scenarios import Scenarios
from allocator.io import check_separator, read_csv, write_atomic

_LABEL, _PROBABILITY = "scenario", "probability"


def scenario_frame(
    scenarios: Scenarios, instance: Instance, loss: np.ndarray | None = None
) -> pd.DataFrame:
    """One row per scenario: ``scenario``, ``probability``, then one column per candidate
    (``loss`` may be a compact copy of the scenarios' losses)."""
    loss = scenarios.loss if loss is None else loss
    ids = [c.id for c in instance.candidates]
    if loss.shape[1] != len(ids):
        raise ValueError(f"loss has {loss.shape[1]} columns for {len(ids)} candidates")
    head = pd.DataFrame({_LABEL: list(scenarios.names), _PROBABILITY: scenarios.probability})
    return pd.concat([head, pd.DataFrame(loss, columns=ids)], axis=1)


def save_scenarios(scenarios: Scenarios, instance: Instance, path: str | Path) -> Path:
    """Write ``scenarios.csv`` through a temporary file, so a failure never leaves half a file."""
    loss = scenarios.loss
    # 0/1 losses are written as integers: half the bytes and several times faster than floats.
    zero_one = bool(np.isin(loss, (0.0, 1.0)).all())
    frame = scenario_frame(scenarios, instance, loss.astype(np.uint8 if zero_one else np.float64))
    return write_atomic(path, lambda stream: frame.to_csv(stream, index=False, lineterminator="\n"))


# --------------------------------------------------------------------------- loading


def load_scenarios(path: str | Path, instance: Instance) -> Scenarios:
    """Read and validate ``scenarios.csv``, expanding factor columns onto their candidates."""
    source = Path(path)
    if not source.is_file():
        raise InputError("file not found", file=str(source))
    file = source.name
    header = _header(source)
    _check_known(header[2:], instance, file)
    frame = _read(source, header)
    values = _numbers(frame, file)
    names = _labels(frame[_LABEL], file)
    del frame  # the parsed cells are no longer needed: free them before expanding
    probability = _probabilities(values[:, 0], file)
    columns = header[2:]
    _check_loss_range(values[:, 1:], columns, file)
    loss = _expand(values[:, 1:], columns, instance, file)
    return Scenarios(names, probability, loss, source=str(path))


def _header(source: Path) -> list[str]:
    """Column names, checked before parsing: pandas would silently rename a duplicate."""
    try:
        with source.open(encoding="utf-8-sig", newline="") as stream:
            header = [name.strip() for name in next(csv.reader(stream), [])]
    except (UnicodeDecodeError, csv.Error) as err:
        raise InputError(f"not a readable CSV ({err})", file=source.name) from None
    check_separator(header, source.name)
    for position, name in enumerate(header):
        if not name:
            raise InputError(f"column {position + 1} has no name", file=source.name)
        if name in header[:position]:
            raise InputError(f"column {name!r} appears twice", file=source.name, column=name)
    for required in (_LABEL, _PROBABILITY):
        if required not in header:
            raise InputError(f"missing required column {required!r}", file=source.name)
    return [_LABEL, _PROBABILITY, *(n for n in header if n not in (_LABEL, _PROBABILITY))]


def _read(source: Path, header: list[str]) -> pd.DataFrame:
    """Cells as parsed by pandas' C reader; empty cells become NaN, other text stays text."""
    frame = read_csv(source, dtype={_LABEL: str}, keep_default_na=False, na_values=[""])
    return frame[header]


def _numbers(frame: pd.DataFrame, file: str) -> np.ndarray:
    """Every cell but the label as float64; the first bad cell in reading order is named."""
    columns = list(frame.columns[1:])
    cells = frame[columns]
    text = {
        c: pd.to_numeric(cells[c], errors="coerce")
        for c in columns
        if cells[c].dtype.kind not in "iuf"
    }
    values = (cells.assign(**text) if text else cells).to_numpy(np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        found = np.argwhere(bad)
        listed = []
        for row, position in found[:MAX_REPORTED]:
            cell = frame.iat[row, position + 1]
            problem = (
                "missing value"
                if pd.isna(cell)
                else f"expected a finite number (got {str(cell)!r})"
            )
            listed.append((sheet_row(int(row)), columns[position], problem))
        raise InputError.cells(file, listed, total=len(found))
    return values


def _labels(labels: pd.Series, file: str) -> tuple[str, ...]:
    """Scenario labels: present and unique, since results and reports refer to them."""
    seen: set[str] = set()
    for row, label in enumerate(labels, start=FIRST_DATA_ROW):
        if pd.isna(label):
            raise InputError("missing value", file=file, row=row, column=_LABEL)
        if label in seen:
            raise InputError(f"duplicate scenario {label!r}", file=file, row=row, column=_LABEL)
        seen.add(label)
    return tuple(labels)


def _probabilities(probability: np.ndarray, file: str) -> np.ndarray:
    """Scenario probabilities form a distribution: non-negative, summing to 1 (within 1e-6)."""
    negative = np.flatnonzero(probability < 0)
    if len(negative):
        row = int(negative[0])
        problem = f"probability {probability[row]:g} is negative"
        raise InputError(problem, file=file, row=sheet_row(row), column=_PROBABILITY)
    total = float(probability.sum())
    if abs(total - 1.0) > 1e-6:
        problem = f"probabilities sum to {total:.10g}, not 1"
        raise InputError(problem, file=file, column=_PROBABILITY)
    return probability


def _check_loss_range(loss: np.ndarray, columns: list[str], file: str) -> None:
    """A loss fraction is ``1 − realised multiple``: at most 1 (the whole commitment lost),
    negative for a gain."""
    bad = loss > 1
    if bad.any():
        row, position = np.argwhere(bad)[0]
        raise InputError(
            f"loss fraction {loss[row, position]:g} is above 1 (more than the commitment lost)",
            file=file,
            row=sheet_row(int(row)),
            column=columns[position],
        )


DEFAULT_COLUMN = "default"  # the loss of every candidate that has no column of its own


def _check_known(columns: list[str], instance: Instance, file: str) -> None:
    """A column that matches nothing is most likely a typo that would silently mean zero loss."""
    known = set(instance.by_id) | set(instance.sub_areas) | set(instance.pillars) | {DEFAULT_COLUMN}
    for name in columns:
        if name not in known:
            raise InputError("not a candidate, pillar or sub-area id", file=file, column=name)


def _expand(loss: np.ndarray, columns: list[str], instance: Instance, file: str) -> np.ndarray:
    """Per candidate: its own column, else its sub-area's, else its pillar's, else ``default``;
    a candidate with none of them is an error (it would silently never lose)."""
    pillar_of = {sub_area_id: row.pillar_id for sub_area_id, row in instance.sub_areas.items()}
    position = {name: i for i, name in enumerate(columns)}
    sources = []
    for c in instance.candidates:
        names = (c.id, c.sub_area_id, pillar_of[c.sub_area_id], DEFAULT_COLUMN)
        column = next((position[name] for name in names if name in position), None)
        if column is None:
            raise InputError(
                f"no loss column for candidate {c.id!r}: add a column {c.id!r}, "
                f"{c.sub_area_id!r} (its sub-area) or {pillar_of[c.sub_area_id]!r} (its pillar), "
                f"or a column {DEFAULT_COLUMN!r} for every candidate without one",
                file=file,
            )
        sources.append(column)
    return loss[:, sources]
