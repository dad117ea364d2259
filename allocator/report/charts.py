"""The report's plotly charts: one function per chart, each returning a Figure.

Charts have a fixed width that fits an A4 page, so that what is printed is what is seen, and a
fixed element id, so that the same plan gives the same file. plotly.js is embedded once by the
document, not by each chart.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from itertools import accumulate

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

from allocator.inputs.mandate import year_limits
from allocator.report.context import ReportInputs
from allocator.report.markup import Html, tag
from allocator.results.metrics import scenario_losses
from allocator.results.plan import Plan

WIDTH = 700  # px: an A4 page less 12 mm margins is 703 px at 96 dpi
LIMIT_COLOUR, RANGE_COLOUR, PLAN_COLOUR, CALL_COLOUR = "#c0392b", "#cfd8e3", "#1f4e79", "#7fa7d1"
CONFIG = {"displayModeBar": False, "responsive": False}


def _layout(figure: go.Figure, title: str, height: int, **extra: object) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        width=WIDTH,
        height=height,
        template="plotly_white",
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12},
        margin={"l": 60, "r": 20, "t": 50, "b": 45},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
    )
    figure.update_layout(**extra)  # nested keys (a margin side) update the defaults above
    return figure


def label(text: str) -> str:
    """Input text as a chart label: plotly reads a few HTML tags (``<b>``, ``<a>``) in labels,
    so ``<`` and ``&`` are escaped and the label shows the text as it is in the file."""
    return html.escape(text, quote=False)


def chart_html(figure: go.Figure, name: str) -> Html:
    """A figure as a div and the script that draws it (plotly.js is loaded by the page)."""
    div = figure.to_html(
        full_html=False, include_plotlyjs=False, div_id=f"chart-{name}", config=CONFIG
    )
    return tag("figure", Html(div), class_="chart", data_chart=name)


def pillar_colours(report: ReportInputs) -> dict[str, str]:
    """One colour per pillar, in taxonomy order, the same in every chart."""
    palette = qualitative.Safe
    return {p: palette[k % len(palette)] for k, p in enumerate(report.instance.pillars)}


def allocation_sunburst(report: ReportInputs) -> go.Figure:
    """Committed capital by pillar (inner ring) and sub-area (outer ring)."""
    plan, colours = report.plan, pillar_colours(report)
    ids, labels, parents, values, marker = [], [], [], [], []
    for pid, amount in plan.totals.by_pillar.items():
        ids.append(pid)
        labels.append(label(report.pillar_name(pid)))
        parents.append("")
        values.append(amount)
        marker.append(colours.get(pid, RANGE_COLOUR))
    for sid, amount in plan.totals.by_sub_area.items():
        pid = report.instance.sub_areas[sid].pillar_id
        ids.append(f"{pid}/{sid}")
        labels.append(label(report.sub_area_name(sid)))
        parents.append(pid)
        values.append(amount)
        marker.append(colours.get(pid, RANGE_COLOUR))
    figure = go.Figure(
        go.Sunburst(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            marker={"colors": marker, "line": {"color": "white", "width": 1}},
            hovertemplate="%{label}<br>$%{value:,.0f}M, %{percentRoot:.1%} of committed"
            "<extra></extra>",
            insidetextorientation="radial",
        )
    )
    return _layout(figure, "Committed by pillar and sub-area ($M)", 520, margin={"t": 50})


def share_ranges(report: ReportInputs, level: str) -> go.Figure:
    """Each pillar's (or sub-area's) share of the basis as a dot on its allowed range."""
    plan, mandate = report.plan, report.mandate
    if level == "pillar":
        keys = list(report.instance.pillars)
        names = [label(report.pillar_name(k)) for k in keys]
        shares = [plan.totals.by_pillar.get(k, 0.0) / (report.basis or 1.0) for k in keys]
        ranges = [report.share_range(mandate.pillars.get(k)) for k in keys]
    else:
        keys = list(report.instance.sub_areas)
        names = [label(report.sub_area_name(k)) for k in keys]
        shares = [plan.totals.by_sub_area.get(k, 0.0) / (report.basis or 1.0) for k in keys]
        ranges = [report.share_range(report.sub_area_limits.get(k)) for k in keys]
    top = max([*shares, *(hi for _, hi in ranges if hi is not None), 0.01]) * 1.1
    range_x: list[float | None] = []
    range_y: list[str | None] = []
    for name, (low, high) in zip(names, ranges, strict=True):
        range_x += [low or 0.0, top if high is None else high, None]
        range_y += [name, name, None]
    figure = go.Figure(
        [
            go.Scatter(
                x=range_x,
                y=range_y,
                mode="lines",
                line={"color": RANGE_COLOUR, "width": 10},
                name="allowed range",
                hoverinfo="skip",
            ),
            go.Scatter(
                x=shares,
                y=names,
                mode="markers",
                marker={"color": PLAN_COLOUR, "size": 10, "symbol": "diamond"},
                name="plan",
                hovertemplate="%{y}: %{x:.1%}<extra></extra>",
            ),
        ]
    )
    figure.update_xaxes(tickformat=".0%", range=[0, top])
    figure.update_yaxes(autorange="reversed")
    height = 140 + 24 * len(keys)
    return _layout(
        figure, f"Share of the {mandate.share_basis} by {level}, against the mandate", height
    )


def _by_year(values: dict[str, float], years: Sequence[int]) -> list[float]:
    return [values.get(str(y), 0.0) for y in years]


def pacing_years(plan: Plan, years: Sequence[int]) -> list[int]:
    """The horizon's years and any later year in which capital is called."""
    later = [int(y) for y in plan.totals.by_year_called if int(y) > years[-1]]
    return [*years, *sorted(later)]


def pacing_chart(report: ReportInputs) -> go.Figure:
    """Capital committed and called by year, against the annual call cap and floor."""
    plan, mandate = report.plan, report.mandate
    years = pacing_years(plan, mandate.years)
    figure = go.Figure(
        [
            go.Bar(
                x=years,
                y=_by_year(plan.totals.by_year_committed, years),
                name="committed",
                marker_color=PLAN_COLOUR,
            ),
            go.Bar(
                x=years,
                y=_by_year(plan.totals.by_year_called, years),
                name="called",
                marker_color=CALL_COLOUR,
            ),
        ]
    )
    for label, value, dash in (
        ("call cap", mandate.pacing.annual_max, "dash"),
        ("call floor", mandate.pacing.annual_min, "dot"),
    ):
        limits = year_limits(value, mandate.years)
        if limits:
            figure.add_trace(
                go.Scatter(
                    x=list(limits),
                    y=list(limits.values()),
                    mode="lines+markers",
                    line={"color": LIMIT_COLOUR, "dash": dash, "shape": "hvh"},
                    name=label,
                )
            )
    figure.update_xaxes(dtick=1)
    figure.update_yaxes(title_text="$M")
    return _layout(figure, "Committed and called by year ($M)", 380, barmode="group")


def cumulative_chart(report: ReportInputs) -> go.Figure:
    """Capital called from the horizon start, against the cumulative caps and the budget."""
    plan, mandate = report.plan, report.mandate
    years = pacing_years(plan, mandate.years)
    called = list(accumulate(_by_year(plan.totals.by_year_called, years)))
    figure = go.Figure(
        go.Scatter(
            x=years,
            y=called,
            mode="lines+markers",
            name="called to date",
            line={"color": PLAN_COLOUR},
        )
    )
    caps = mandate.pacing.cumulative_max or {}
    if caps:
        figure.add_trace(
            go.Scatter(
                x=list(caps),
                y=list(caps.values()),
                mode="markers",
                marker={
                    "color": LIMIT_COLOUR,
                    "symbol": "line-ew-open",
                    "size": 26,
                    "line": {"width": 3},
                },
                name="cumulative cap",
            )
        )
    figure.add_hline(
        y=mandate.budget, line={"color": "#888", "dash": "dot"}, annotation_text="budget"
    )
    figure.update_xaxes(dtick=1)
    figure.update_yaxes(title_text="$M", rangemode="tozero")
    return _layout(figure, "Capital called to date ($M)", 340)


def risk_chart(report: ReportInputs) -> go.Figure:
    """Expected loss, high-risk capital and CVaR as shares of the basis, against their caps."""
    plan, risk = report.plan, report.mandate.risk
    basis = report.basis or 1.0
    rows = [
        ("expected loss", plan.metrics.expected_loss / basis, risk.max_expected_loss_share),
        (
            f"high-risk (p ≥ {risk.high_risk_threshold:.0%})",
            plan.metrics.high_risk_share,
            risk.max_high_risk_share,
        ),
    ]
    if plan.metrics.cvar:
        alpha = plan.metrics.cvar["alpha"]
        cap = risk.cvar.max_share if risk.cvar else None
        rows.append((f"CVaR {alpha:.0%}", plan.metrics.cvar["cvar"] / basis, cap))
    labels = [r[0] for r in rows]
    figure = go.Figure(
        go.Bar(
            x=[r[1] for r in rows],
            y=labels,
            orientation="h",
            marker_color=PLAN_COLOUR,
            name="plan",
            hovertemplate="%{y}: %{x:.1%}<extra></extra>",
        )
    )
    capped = [r for r in rows if r[2] is not None]
    if capped:
        figure.add_trace(
            go.Scatter(
                x=[r[2] for r in capped],
                y=[r[0] for r in capped],
                mode="markers",
                marker={
                    "color": LIMIT_COLOUR,
                    "symbol": "line-ns-open",
                    "size": 30,
                    "line": {"width": 3},
                },
                name="cap",
            )
        )
    figure.update_xaxes(tickformat=".0%", rangemode="tozero")
    figure.update_yaxes(autorange="reversed")
    return _layout(
        figure, f"Risk as a share of the {report.mandate.share_basis}", 120 + 60 * len(rows)
    )


def loss_distribution(report: ReportInputs) -> go.Figure | None:
    """The scenario portfolio loss, probability-weighted, with VaR and CVaR marked."""
    plan = report.plan
    losses = scenario_losses(plan.investments, report.instance)
    scenarios = report.instance.scenarios
    if losses is None or scenarios is None or not plan.metrics.cvar:
        return None
    tail = plan.metrics.cvar
    figure = go.Figure(
        go.Histogram(
            x=losses,
            y=np.asarray(scenarios.probability, dtype=float),
            histfunc="sum",
            nbinsx=40,
            marker_color=CALL_COLOUR,
            name="scenarios",
            hovertemplate="loss $%{x}M: probability %{y:.1%}<extra></extra>",
        )
    )
    alpha = tail["alpha"]
    for label, value, dash in (
        (f"VaR {alpha:.0%}", tail["var"], "dash"),
        (f"CVaR {alpha:.0%}", tail["cvar"], "solid"),
        ("mean", tail["mean"], "dot"),
    ):
        figure.add_vline(
            x=value,
            line={"color": LIMIT_COLOUR if label != "mean" else "#555", "dash": dash},
            annotation_text=f"{label} ${value:,.0f}M",
            annotation_position="top",
        )
    figure.update_xaxes(title_text="portfolio loss ($M; below 0 a gain)")
    figure.update_yaxes(title_text="probability", tickformat=".0%")
    return _layout(figure, f"Loss over {len(losses):,} scenarios", 360, margin={"t": 80})


def alternatives_heatmap(report: ReportInputs) -> go.Figure | None:
    """$M by sub-area in the optimum and each alternative, where any of them differ."""
    alternatives = report.alternatives
    if alternatives is None or not alternatives.plans:
        return None
    named = alternatives.named()
    sub_areas = [
        s
        for s in report.instance.sub_areas
        if len({round(p.totals.by_sub_area.get(s, 0.0)) for _, p in named}) > 1
    ]
    if not sub_areas:
        return None
    values = [[p.totals.by_sub_area.get(s, 0.0) for _, p in named] for s in sub_areas]
    figure = go.Figure(
        go.Heatmap(
            z=values,
            x=[label for label, _ in named],
            y=[label(report.sub_area_name(s)) for s in sub_areas],
            colorscale="Blues",
            text=[[f"{v:,.0f}" for v in row] for row in values],
            texttemplate="%{text}",
            hovertemplate="%{y}, %{x}: $%{z:,.0f}M<extra></extra>",
            colorbar={"title": {"text": "$M"}},
        )
    )
    figure.update_yaxes(autorange="reversed")
    return _layout(
        figure, "Where the alternatives move capital ($M by sub-area)", 140 + 26 * len(sub_areas)
    )


def comparison_chart(report: ReportInputs) -> go.Figure | None:
    """Committed by pillar in this plan and in the plan compared with."""
    other = report.compare
    if other is None:
        return None
    pillars = list(report.instance.pillars)
    names = [label(p) for p in pillars]  # ids: short enough for the axis
    figure = go.Figure(
        [
            go.Bar(
                x=names,
                y=[report.plan.totals.by_pillar.get(p, 0.0) for p in pillars],
                name="this plan",
                marker_color=PLAN_COLOUR,
            ),
            go.Bar(
                x=names,
                y=[other.totals.by_pillar.get(p, 0.0) for p in pillars],
                name=label(report.compare_label or "other plan"),
                marker_color=CALL_COLOUR,
            ),
        ]
    )
    figure.update_yaxes(title_text="$M")
    return _layout(figure, "Committed by pillar ($M)", 360, barmode="group")
