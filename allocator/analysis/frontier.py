"""Efficient frontiers: one mandate key varied over a range, every point solved in one Session."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from allocator.analysis.variants import (
    Progress,
    failed_row,
    solve_in_turn,
    summary_row,
    whole_numbers,
)
from allocator.errors import InputError
from allocator.inputs.instance import Instance
from allocator.inputs.mandate import Mandate
from allocator.io import write_atomic
from allocator.solving.session import Session


def frontier(
    instance: Instance,
    mandate: Mandate,
    key: str,
    start: float,
    stop: float,
    points: int,
    *,
    time_limit: float | None = None,
    gap: float | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Solve ``mandate`` with ``key`` at ``points`` evenly spaced values from start to stop.

    Each point's ``change`` is its objective's change from the previous point, and
    ``significant`` whether that change exceeds what the two plans' MIP gaps leave open."""
    if points < 2:
        raise InputError("need at least 2 points", column="--points")
    values = np.linspace(start, stop, points).round(10).tolist()
    edited = [mandate.with_changes({key: v}) for v in values]  # every point is valid first
    plans = solve_in_turn(
        Session(instance, mandate), list(edited), time_limit=time_limit, gap=gap, progress=progress
    )
    pillars = list(instance.pillars)
    rows, previous = [], None
    for value, plan in zip(values, plans, strict=True):
        name = f"{key}={value:g}"
        if isinstance(plan, Exception):
            rows.append({key: value, **failed_row(name, plan)})
            previous = None
            continue
        rows.append({key: value, **summary_row(name, plan, previous, pillars), "error": None})
        previous = plan
    return whole_numbers(pd.DataFrame(rows).drop(columns=["added", "removed"], errors="ignore"))


def plot_frontier(table: pd.DataFrame, key: str, path: str) -> None:
    """An interactive plotly chart of the frontier, each point's allocation by pillar on hover."""
    import plotly.graph_objects as go  # imported here: a frontier without a plot needs none
    from plotly.subplots import make_subplots

    pillars = [c for c in table.columns if c.startswith("committed_")]
    hover = table[pillars].apply(_hover_text, axis=1)
    series = [
        (column, label)
        for column, label in (
            ("objective", "objective"),
            ("strategic", "strategic value"),
            ("return", "expected net return ($M)"),
            ("cvar", "CVaR ($M)"),
        )
        if column in table and table[column].notna().any()
    ]
    # one panel per series: their scales differ, and one axis would flatten the smaller ones
    figure = make_subplots(
        rows=len(series),
        cols=1,
        shared_xaxes=True,
        subplot_titles=[label for _, label in series],
        vertical_spacing=0.06,
    )
    for row, (column, label) in enumerate(series, start=1):
        figure.add_trace(
            go.Scatter(
                x=table[key],
                y=table[column],
                mode="lines+markers",
                name=label,
                text=hover,
                hovertemplate="%{y:,.1f}<br>%{text}",
            ),
            row=row,
            col=1,
        )
        figure.update_yaxes(title_text=label, row=row, col=1)
    figure.update_xaxes(title_text=key, row=len(series), col=1)
    figure.update_layout(
        title=f"Frontier over {key}",
        hovermode="x unified",
        height=280 * len(series) + 120,
        showlegend=False,
    )
    write_atomic(path, figure.to_html(include_plotlyjs=True, full_html=True))


def _hover_text(row: Any) -> str:
    return "<br>".join(
        f"{name.removeprefix('committed_')}: {value:,.0f}"
        for name, value in row.items()
        if value == value
    )
