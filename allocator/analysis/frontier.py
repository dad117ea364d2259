"""Efficient frontiers: one mandate key varied over a range, every point solved in one Session."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from allocator.analysis.variants import Progress, solve_in_turn, summary_row
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
    """Solve ``mandate`` with ``key`` at ``points`` evenly spaced values from start to stop."""
    if points < 2:
        raise InputError("need at least 2 points", column="--points")
    values = np.linspace(start, stop, points).round(10).tolist()
    edited = [mandate.with_changes({key: v}) for v in values]  # every point is valid first
    plans = solve_in_turn(
        Session(instance, mandate), edited, time_limit=time_limit, gap=gap, progress=progress
    )
    pillars = list(instance.pillars)
    rows = [
        {key: value, **summary_row(f"{key}={value:g}", plan, None, pillars)}
        for value, plan in zip(values, plans, strict=True)
    ]
    return pd.DataFrame(rows).drop(columns=["added", "removed"])


def plot_frontier(table: pd.DataFrame, key: str, path: str) -> None:
    """An interactive plotly chart of the frontier, each point's allocation by pillar on hover."""
    import plotly.graph_objects as go  # imported here: a frontier without a plot needs none

    pillars = [c for c in table.columns if c.startswith("committed_")]
    hover = table[pillars].apply(_hover_text, axis=1)
    figure = go.Figure()
    for column, label in (
        ("objective", "objective"),
        ("strategic", "strategic value"),
        ("return", "expected net return ($M)"),
        ("cvar", "CVaR ($M)"),
    ):
        if table[column].notna().any():
            figure.add_trace(
                go.Scatter(
                    x=table[key],
                    y=table[column],
                    mode="lines+markers",
                    name=label,
                    text=hover,
                    hovertemplate="%{y:,.1f}<br>%{text}",
                )
            )
    figure.update_layout(
        title=f"Frontier over {key}", xaxis_title=key, yaxis_title="value", hovermode="x unified"
    )
    write_atomic(path, figure.to_html(include_plotlyjs=True, full_html=True))


def _hover_text(row: Any) -> str:
    return "<br>".join(
        f"{name.removeprefix('committed_')}: {value:,.0f}"
        for name, value in row.items()
        if value == value
    )
