"""The import structure of the ``allocator`` package: rooms, floors, arrows, circles.

A room is a module, or with ``--folders`` a subpackage drawn as one room. An arrow is an import
of one room by another (module-level, or inside a function: ``lazy``; imports under
``TYPE_CHECKING`` are left out, they do not run). Floors come from the module-level arrows:
a room importing nothing of the package is on floor 1, any other one floor above the highest
room it imports. An arrow runs back up when it points at a room on the same floor or higher
(only lazy imports and circles can); a circle is a set of rooms that reach one another.

    python tools/structure.py [--folders] [--package allocator]
"""

from __future__ import annotations

import argparse
import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def module_name(path: Path, package_root: Path) -> str:
    """Dotted module name of a file under the package root's parent."""
    parts = list(path.relative_to(package_root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(tree: ast.Module, package: str, here: str) -> list[tuple[str, bool]]:
    """(imported module, lazy) for every import of the package in a module's syntax tree."""
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                continue
            inner = lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.ImportFrom) and child.module:
                base = child.module
                if child.level:
                    anchor = here.split(".")[: len(here.split(".")) - child.level + 1]
                    base = ".".join([*anchor, child.module])
                if base == package or base.startswith(package + "."):
                    found.extend((f"{base}.{alias.name}", inner) for alias in child.names)
                    found.append((base, inner))
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith(package):
                        found.append((alias.name, inner))
            visit(child, inner)

    visit(tree, False)
    return found


def room_of(module: str, modules: set[str], folders: bool, package: str) -> str | None:
    """The room a dotted name belongs to (a module, or its subpackage with ``folders``)."""
    while module and module not in modules:
        module = module.rpartition(".")[0]
    if not module or module == package:
        return None
    if folders:
        parts = module.split(".")
        if len(parts) > 2 or (len(parts) == 2 and f"{module}.__init__" in modules):
            return ".".join(parts[:2])
        if len(parts) == 2 and any(m.startswith(module + ".") for m in modules):
            return module
    return module


def measure(package_root: Path, folders: bool) -> dict[str, object]:
    """Rooms, lines, arrows (with laziness), floors, back-up arrows and circles."""
    package = package_root.name
    files = {module_name(p, package_root): p for p in sorted(package_root.rglob("*.py"))}
    modules = set(files)
    lines: dict[str, int] = defaultdict(int)
    arrows: dict[tuple[str, str], bool] = {}
    for name, path in files.items():
        source = room_of(name, modules, folders, package) or name
        lines[source] += len(path.read_text(encoding="utf-8").splitlines())
        if name == package:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for target, lazy in imports(tree, package, name):
            room = room_of(target, modules, folders, package)
            if room is None or room == source:
                continue
            key = (source, room)
            arrows[key] = arrows.get(key, True) and lazy
    rooms = sorted(r for r in lines if r != package)
    eager = defaultdict(set)
    everything = defaultdict(set)
    for (a, b), lazy in arrows.items():
        everything[a].add(b)
        if not lazy:
            eager[a].add(b)
    circles = [c for c in _components(rooms, everything) if len(c) > 1]
    floors = _floors(rooms, eager)
    back = sorted((a, b) for (a, b) in arrows if a in floors and floors[b] >= floors[a])
    return {
        "rooms": rooms,
        "lines": dict(lines),
        "arrows": arrows,
        "floors": floors,
        "back": back,
        "circles": circles,
    }


def _components(rooms: list[str], graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                part.append(w)
                if w == v:
                    break
            found.append(sorted(part))

    for room in rooms:
        if room not in index:
            connect(room)
    return found


def _floors(rooms: list[str], eager: dict[str, set[str]]) -> dict[str, int]:
    """Floor of each room over the module-level arrows; rooms of a circle share one floor."""
    component = {}
    for part in _components(rooms, eager):
        for room in part:
            component[room] = tuple(part)
    floor: dict[tuple[str, ...], int] = {}

    def level(part: tuple[str, ...]) -> int:
        if part not in floor:
            floor[part] = 0  # guards against re-entry; circles are collapsed already
            below = {component[b] for r in part for b in eager.get(r, ()) if component[b] != part}
            floor[part] = 1 + max((level(b) for b in below), default=0)
        return floor[part]

    return {room: level(component[room]) for room in rooms}


def report(result: dict[str, object], package: str) -> str:
    """The measure as text: a summary, the floors top down, arrows back up, circles."""
    rooms: list[str] = result["rooms"]  # type: ignore[assignment]
    floors: dict[str, int] = result["floors"]  # type: ignore[assignment]
    lines: dict[str, int] = result["lines"]  # type: ignore[assignment]
    arrows: dict[tuple[str, str], bool] = result["arrows"]  # type: ignore[assignment]
    back: list[tuple[str, str]] = result["back"]  # type: ignore[assignment]
    circles: list[list[str]] = result["circles"]  # type: ignore[assignment]
    short = {r: r.removeprefix(package + ".") for r in rooms}
    out = [
        f"rooms {len(rooms)}, floors {max(floors.values(), default=0)}, arrows {len(arrows)}, "
        f"lazy arrows {sum(arrows.values())}, arrows back up {len(back)}, circles {len(circles)}",
        "",
        "floor  rooms (lines)",
    ]
    for level in sorted(set(floors.values()), reverse=True):
        names = [f"{short[r]} ({lines[r]})" for r in rooms if floors[r] == level]
        out.append(f"{level:>5}  " + ", ".join(names))
    out.append("")
    out.append(
        "arrows back up: " + (", ".join(f"{short[a]} -> {short[b]}" for a, b in back) or "none")
    )
    out.append(
        "circles: " + ("; ".join(" <-> ".join(short[r] for r in c) for c in circles) or "none")
    )
    return "\n".join(out)


def main() -> None:
    """Print the measure of the package."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folders", action="store_true", help="draw each subpackage as one room")
    parser.add_argument("--package", default="allocator", help="package folder under the root")
    args = parser.parse_args()
    print(report(measure(ROOT / args.package, args.folders), args.package))


if __name__ == "__main__":
    main()
