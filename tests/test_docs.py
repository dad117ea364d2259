"""The docs match the code: every column, command and constraint family is documented, and the
README's Python example runs as written."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from allocator.cli import main
from allocator.formulation import FAMILIES
from allocator.inputs.instance import CANDIDATE_COLUMNS, TAXONOMY_COLUMNS

ROOT = Path(__file__).resolve().parents[1]


def text(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("column", [c.name for c in (*TAXONOMY_COLUMNS, *CANDIDATE_COLUMNS)])
def test_every_column_is_documented(column):
    assert f"`{column}`" in text("docs/data.md")


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_in_the_readme(command):
    assert f"allocator {command}" in text("README.md")


@pytest.mark.parametrize("family", [f.name for f in FAMILIES])
def test_every_family_is_in_the_model_doc(family):
    """Each family has its own row of the family table (its name in the first column)."""
    assert f"| `{family}` |" in text("docs/model.md")


def test_the_family_table_is_generated_from_the_records():
    """docs/model.md carries the table ``tools/docs.py`` writes from ``FAMILIES``."""
    sys.path.insert(0, str(ROOT / "tools"))
    import docs

    assert docs.with_family_table(text("docs/model.md")) == text("docs/model.md")


def test_readme_python_example_runs():
    code = re.search(r"## The Python API\n\n```python\n(.*?)```", text("README.md"), re.S)
    namespace: dict = {}
    exec(code.group(1), namespace)  # noqa: S102 - the README's own example
    assert namespace["plan"].found and namespace["plan2"].found
