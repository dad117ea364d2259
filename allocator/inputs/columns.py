"""Column dictionaries of the instance CSV files, read off the pydantic row models.

Each row model's fields (type, ``Field`` description, ``unit`` in ``json_schema_extra``,
default) are the single source of truth: the loader, ``allocator schema`` and ``docs/`` all
read them, and a test checks that ``docs/data.md`` lists every column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined


@dataclass(frozen=True)
class Column:
    """One CSV column: its name, kind of value, unit, default and meaning."""

    name: str
    kind: str  # text | number | integer | id-list | schedule | year-map
    unit: str
    required: bool
    description: str
    default: Any = None


def _kind(annotation: Any) -> str:
    present = [a for a in get_args(annotation) if a is not type(None)]
    if len(present) == 1 and type(None) in get_args(annotation):
        annotation = present[0]  # an optional column: the kind of its value
    if get_origin(annotation) is dict:
        return "year-map"
    if annotation is int:
        return "integer"
    if annotation is float:
        return "number"
    inner = get_args(annotation)
    if inner and inner[0] is float:
        return "schedule"
    if inner and inner[0] is str and len(inner) == 2:
        return "id-list"
    return "text"


def columns_of(model: type[BaseModel], exclude: tuple[str, ...] = ()) -> tuple[Column, ...]:
    """The columns of a row model, in field order."""
    columns = []
    for name, info in model.model_fields.items():
        if name in exclude:
            continue
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        default = None if info.default is PydanticUndefined else info.default
        columns.append(
            Column(
                name=name,
                kind=_kind(info.annotation),
                unit=str(extra.get("unit", "")),
                required=info.is_required(),
                description=info.description or "",
                default=default,
            )
        )
    return tuple(columns)
