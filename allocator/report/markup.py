"""HTML building blocks. Every text that may come from an input file goes through ``esc``;
``Html`` marks text that is already markup, so a table cell is escaped unless it says so."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any


class Html(str):
    """Text that is already HTML (built here from escaped parts): inserted as it is."""

    __slots__ = ()


def esc(value: Any) -> Html:
    """Text as HTML, quotes included, so that it is safe in elements and attribute values."""
    return value if isinstance(value, Html) else Html(html.escape(str(value), quote=True))


def join(parts: Iterable[str]) -> Html:
    """Markup parts, each escaped unless it is ``Html``, one after another."""
    return Html("".join(esc(p) for p in parts))


def tag(name: str, content: Any = "", **attributes: Any) -> Html:
    """``<name attr="value">content</name>``; ``class_`` sets ``class``, None leaves it out."""
    attrs = "".join(
        f' {key.rstrip("_").replace("_", "-")}="{esc(value)}"'
        for key, value in attributes.items()
        if value is not None
    )
    return Html(f"<{name}{attrs}>{esc(content)}</{name}>")


def money(value: float) -> str:
    """USD millions, thousands separated, one decimal: ``10,000.0``."""
    return f"{value:,.1f}"


def dollars(value: float) -> str:
    """USD millions in prose: ``$10,000M``."""
    return f"${value:,.0f}M"


def percent(value: float, digits: int = 1) -> str:
    """A share as a percentage: ``25.0%``."""
    return f"{value:.{digits}%}"


def number(value: float, digits: int = 2) -> str:
    """A plain number, thousands separated."""
    return f"{value:,.{digits}f}"


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    numeric: Iterable[int] = (),
    caption: str | None = None,
    class_: str = "",
    name: str | None = None,
) -> Html:
    """A table; cells are escaped unless ``Html``; ``numeric`` columns are right-aligned.

    ``name`` sets ``data-table`` so that tests and scripts can find it.
    """
    right = set(numeric)

    def cells(kind: str, values: Sequence[Any]) -> Html:
        return join(
            tag(kind, v, class_="num" if k in right else None) for k, v in enumerate(values)
        )

    head = tag("thead", tag("tr", cells("th", headers)))
    body = tag("tbody", join(tag("tr", cells("td", row)) for row in rows))
    title = tag("caption", caption) if caption else ""
    return tag("table", join((title, head, body)), class_=class_ or None, data_table=name)


def bullets(items: Iterable[Any]) -> Html:
    """An unordered list; items escaped unless ``Html``."""
    return tag("ul", join(tag("li", item) for item in items))
