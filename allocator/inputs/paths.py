"""Dotted mandate paths: the edits ``--set`` and what-ifs make, and the keys limits report.

A path such as ``pacing.annual_max.2027`` walks maps by key (a digit segment addresses a year
map's int keys) and lists by position; a scalar year limit addressed by year becomes a map.
"""

from __future__ import annotations

from typing import Any

import yaml

from allocator.errors import InputError


def set_path(data: dict[str, Any], path: str, value: Any, years: list[int]) -> None:
    """Set ``value`` at a dotted path in plain mandate data; a scalar year limit becomes a map."""
    parts = path.split(".")
    if not path or any(not p for p in parts):
        raise InputError(f"{path!r} is not a dotted mandate path", column=path or "edit")
    node: Any = data
    for part in parts[:-1]:
        child = _get_child(node, part, path)
        if child is None:
            child = {}
            _put_child(node, part, child, path)
        elif isinstance(child, int | float):
            child = {year: child for year in years}  # a scalar year limit, addressed by year
            _put_child(node, part, child, path)
        node = child
    _put_child(node, parts[-1], value, path)


def value_at(data: Any, parts: list[str]) -> Any:
    """The value at a path in plain data; a number met on the way answers for what is below."""
    node = data
    for part in parts:
        if isinstance(node, int | float):
            return node
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    """Every leaf of plain data as a dotted path -> value (lists indexed by position)."""
    if isinstance(node, dict):
        items = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        return {prefix: node}
    flat: dict[str, Any] = {}
    for key, value in items:
        flat |= flatten(value, f"{prefix}.{key}" if prefix else str(key))
    return flat


def lists(data: Any) -> Any:
    """Tuples from a dumped mandate become lists so that paths can index into them."""
    if isinstance(data, dict):
        return {k: lists(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [lists(v) for v in data]
    return data


def parse_value(text: str) -> Any:
    """A ``--set`` value as YAML (numbers, lists, maps), so ``0.3`` is a number."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        raise InputError(f"cannot read value {text!r} as YAML") from None


def _key(node: dict[Any, Any], part: str) -> Any:
    """Year maps have int keys; a digit segment addresses them."""
    return (
        int(part)
        if part.isdigit() and (not node or all(isinstance(k, int) for k in node))
        else part
    )


def _get_child(node: Any, part: str, path: str) -> Any:
    if isinstance(node, dict):
        return node.get(_key(node, part))
    if isinstance(node, list | tuple) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    raise InputError(f"no such key {part!r}", column=path)


def _put_child(node: Any, part: str, value: Any, path: str) -> None:
    if isinstance(node, dict):
        node[_key(node, part)] = value
    elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
        node[int(part)] = value
    else:
        raise InputError(f"cannot set {part!r} here", column=path)
