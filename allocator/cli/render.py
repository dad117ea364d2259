"""Rich renderings of a Plan for the ``table`` format."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from allocator.results.plan import Plan


def _money(value: float) -> str:
    return f"{value:,.1f}"


def summary_table(plan: Plan) -> Table:
    """Status, objective terms, bound and gap, committed, deals, risk."""
    table = Table(title=escape(f"Plan: {plan.instance} under {plan.mandate}"), show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value", justify="right")
    rows: list[tuple[str, str]] = [("status", plan.status.value)]
    if plan.found:
        rows += [
            ("objective", f"{plan.objective:,.2f}"),
            ("  strategic value", f"{plan.objective_terms.strategic:,.2f}"),
            ("  expected net return ($M)", f"{plan.objective_terms.return_:,.2f}"),
            ("bound / gap", f"{plan.bound:,.2f} / {plan.gap:.4%}"),
            ("committed ($M)", _money(plan.totals.committed)),
            ("deals", str(plan.metrics.deals)),
            ("expected loss ($M)", _money(plan.metrics.expected_loss)),
            ("high-risk share", f"{plan.metrics.high_risk_share:.1%}"),
            ("expected TVPI", _times(plan.metrics.tvpi)),
            ("expected IRR", _percent(plan.metrics.irr)),
            (
                "payback year",
                "-" if plan.metrics.payback_year is None else str(plan.metrics.payback_year),
            ),
        ]
    rows.append(
        ("build / solve (s)", f"{plan.solver.build_seconds:.2f} / {plan.solver.seconds:.2f}")
    )
    for row in rows:
        table.add_row(*row)
    return table


def _times(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


J_CURVE_WIDTH = 24


def _bar(value: float, scale: float) -> str:
    """A signed bar: left of the axis for a net outflow, right of it for a net inflow."""
    cells = round(J_CURVE_WIDTH * abs(value) / scale) if scale else 0
    half = J_CURVE_WIDTH
    if value < 0:
        return " " * (half - cells) + "█" * cells + "│"
    return " " * half + "│" + "█" * cells


def cash_flow_table(plan: Plan) -> Table:
    """Expected cash flows by year with the J-curve of the cumulative net cash flow."""
    table = Table(title="Expected cash flows ($M) and the J-curve")
    for name in ("year", "called", "distributed", "net", "cumulative", "NAV at cost", "DPI"):
        table.add_column(name, justify="right")
    table.add_column("cumulative net", no_wrap=True)
    scale = max((abs(f.cumulative_net) for f in plan.cash_flows), default=0.0)
    for f in plan.cash_flows:
        dpi = plan.metrics.dpi.get(str(f.year))
        table.add_row(
            str(f.year),
            _money(f.called),
            _money(f.distributed),
            _money(f.net),
            _money(f.cumulative_net),
            _money(f.nav),
            _times(dpi),
            _bar(f.cumulative_net, scale),
        )
    return table


def outcome_table(plan: Plan) -> Table | None:
    """Portfolio multiple and IRR over the scenarios (P5, P50, P95), and the chances below."""
    found = plan.metrics.outcomes
    if not found:
        return None
    table = Table(title="Outcomes over the scenarios")
    for name in ("", "mean", "P5", "P50", "P95"):
        table.add_column(name, justify="left" if not name else "right")
    quantiles = [found.get(f"multiple_{k}") for k in ("p5", "p50", "p95")]
    table.add_row("portfolio multiple", _times(found.get("multiple_mean")), *map(_times, quantiles))
    rates = [found.get(f"irr_{k}") for k in ("p5", "p50", "p95")]
    table.add_row("IRR", "", *map(_percent, rates))
    below = f"P(multiple < 1) {_percent(found.get('p_multiple_below_1'))}"
    if found.get("hurdle") is not None:
        below += (
            f", P(IRR < {_percent(found.get('hurdle'))} hurdle) "
            f"{_percent(found.get('p_irr_below_hurdle'))}"
        )
    table.caption = below
    return table


def pillar_table(plan: Plan) -> Table:
    """Committed by pillar with its share of the total."""
    table = Table(title="Committed by pillar")
    for name, justify in (
        ("pillar", "left"),
        ("$M", "right"),
        ("share", "right"),
        ("deals", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    total = plan.totals.committed or 1.0
    deals: dict[str, int] = {}
    for inv in plan.investments:
        deals[inv.pillar_id] = deals.get(inv.pillar_id, 0) + 1
    for pillar, value in plan.totals.by_pillar.items():
        table.add_row(pillar, _money(value), f"{value / total:.1%}", str(deals.get(pillar, 0)))
    return table


def investment_table(plan: Plan) -> Table:
    """Chosen investments by start year."""
    table = Table(title="Investments by year")
    for name in ("year", "id", "name", "sub-area", "$M", "online", "p(loss)", "hold", "return/$"):
        right = name in {"$M", "p(loss)", "hold", "return/$"}
        table.add_column(name, justify="right" if right else "left", no_wrap=True, max_width=44)
    for inv in sorted(plan.investments, key=lambda i: (i.start_year, i.id)):
        table.add_row(
            str(inv.start_year),
            escape(inv.id),
            escape(inv.name),
            escape(inv.sub_area_id),
            _money(inv.amount),
            f"{inv.impact_year:g}",
            f"{inv.loss_probability:.0%}",
            str(inv.hold),
            f"{inv.return_rate:.2f}",
        )
    return table


def binding_table(plan: Plan) -> Table:
    """Limits at their bound, by mandate key."""
    table = Table(title="Binding limits")
    for name in ("key", "limit", "constraint"):
        table.add_column(name)
    for b in plan.binding:
        table.add_row(escape(b.key), f"{b.limit:g}", escape(b.constraint))
    return table


def plan_renderables(plan: Plan) -> list[Any]:
    """Everything the table format shows for a plan."""
    parts: list[Any] = [summary_table(plan)]
    if plan.diagnosis is not None:
        parts.append(f"[bold red]Diagnosis:[/] {escape(plan.diagnosis.message)}")
        parts += [
            escape(f"  relax {r.key} from {r.from_} to {r.to}") for r in plan.diagnosis.relaxations
        ]
    if plan.found:
        parts += [pillar_table(plan), cash_flow_table(plan)]
        outcome = outcome_table(plan)
        parts += [outcome] if outcome is not None else []
        parts += [binding_table(plan), investment_table(plan)]
    return parts


def frame_table(frame: Any, title: str) -> Table:
    """A DataFrame as a rich table (numbers right-aligned, rounded)."""
    table = Table(title=title)
    for column in frame.columns:
        numeric = frame[column].dtype.kind in "if"
        table.add_column(escape(str(column)), justify="right" if numeric else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    return table


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "" if value != value else f"{value:,.2f}"
    return escape(str(value))


def comparison_renderables(comparison: Any) -> list[Any]:
    """Metrics and totals side by side, then the investment changes."""
    title = f"{comparison.plan} against {comparison.base}"
    return [
        frame_table(comparison.totals_frame(), f"Totals and metrics: {title}"),
        frame_table(comparison.to_frame(), "Investments added, removed, resized, moved"),
    ]


def explain_renderables(plan: Plan) -> list[Any]:
    """Binding limits with their marginal values, or the diagnosis of an infeasible mandate."""
    parts: list[Any] = [summary_table(plan)]
    if plan.diagnosis is not None:
        parts.append(f"[bold red]Diagnosis:[/] {escape(plan.diagnosis.message)}")
        return parts
    table = Table(title="Binding limits and their marginal values")
    for name in ("key", "limit", "slack", "marginal value", "constraint"):
        table.add_column(
            name, justify="right" if name in {"limit", "slack", "marginal value"} else "left"
        )
    for b in sorted(plan.binding, key=lambda b: -(b.dual or 0.0)):
        dual = "-" if b.dual is None else f"{b.dual:,.4g}"
        table.add_row(escape(b.key), f"{b.limit:g}", f"{b.slack:g}", dual, escape(b.constraint))
    parts.append(table)
    parts.append(
        "marginal value: objective gained per unit of relaxation of the limit "
        "($M for amounts, 1.0 for shares, one deal for counts), with the chosen investments fixed"
    )
    return parts


def whatif_renderables(table: Any, title: str) -> list[Any]:
    """The what-if table for a terminal: pillar columns by id, added/removed as counts, columns
    with no value in any row (CVaR without scenarios), TVPI, IRR and the investment maps left
    out."""
    # the terminal keeps to the objective, pillars and risk; TVPI and IRR are in csv and json
    display = table.drop(columns=["investments", "tvpi", "irr"], errors="ignore")
    display = display.dropna(axis=1, how="all")
    display = display.rename(columns=lambda c: c.removeprefix("committed_"))
    for column in ("added", "removed"):
        display[column] = display[column].map(lambda ids: len(ids.split()) if ids else 0)
    return [
        frame_table(display, title),
        "pillar columns: $M committed; added/removed: investments against the base "
        "(ids with --format csv or json)",
    ]


def alternatives_renderables(found: Any, asked: int) -> list[Any]:
    """The optimum and its alternatives: objective, cost, capital moved, sub-areas changed."""
    optimum = found.optimum
    if not optimum.found:
        return plan_renderables(optimum)
    title = f"Alternatives within {found.slack:.2%} of the optimum ({optimum.objective:,.2f})"
    frame = found.to_frame()
    frame["cost_share"] = frame["cost_share"].map("{:.2%}".format)
    frame = frame.rename(
        columns={"cost_share": "% of optimum", "toward": "in " + ",".join(found.toward)}
    )
    parts: list[Any] = [frame_table(frame, title)]
    if len(found.plans) < asked:
        parts.append(f"only {len(found.plans)} of {asked} alternatives were found")
    parts.append(
        "cost: objective given up; moved: $M put into other deals than the optimum's; "
        "changes: sub-areas that gain and lose most ($M)"
    )
    return parts
