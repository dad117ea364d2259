"""Rich renderings of plans, comparisons and explanations for the ``table`` format.

A plan's table is what a committee reads: the summary (with tail risk), committed by pillar and
by sub-area (every sub-area, $0 included, against its cap), capital called by year against the
pacing caps, capital online by the impact-by years, binding limits and the investments.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from rich.markup import escape
from rich.table import Table

from allocator.inputs.mandate import Mandate, ShareLimits, year_limits
from allocator.results.plan import Plan


def _money(value: float) -> str:
    return f"{value:,.1f}"


def _optional_money(value: float | None) -> str:
    return "" if value is None else _money(value)


def plan_title(plan: Plan) -> str:
    """ "Plan: instance under mandate", saying when the mandate file was edited."""
    title = f"Plan: {plan.instance} under {plan.mandate}"
    edits = plan.provenance.edits
    if edits:
        listed = ", ".join(f"{k}={v}" for k, v in edits.items())
        title += f" (edited: {len(edits)} change{'s' if len(edits) > 1 else ''}: {listed})"
    return title


def summary_table(plan: Plan) -> Table:
    """Status, objective terms, bound and gap, committed, deals, risk and tail risk."""
    table = Table(title=escape(plan_title(plan)), show_header=False)
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
        cvar = plan.metrics.cvar
        if cvar:
            alpha = f"{cvar['alpha']:.0%}"
            rows += [
                (f"CVaR {alpha} of the scenario loss ($M)", _money(cvar["cvar"])),
                (
                    f"VaR {alpha} / mean loss ($M)",
                    f"{_money(cvar['var'])} / {_money(cvar['mean'])}",
                ),
            ]
    settings = plan.provenance
    if settings.time_limit is not None:
        rows.append(("time limit (s) / gap", f"{settings.time_limit:g} / {settings.gap:g}"))
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


def _columns(table: Table, names: tuple[str, ...], left: int = 1) -> Table:
    for n, name in enumerate(names):
        table.add_column(name, justify="left" if n < left else "right")
    return table


def _cap(limits: ShareLimits | None, basis: float, kind: str) -> float | None:
    """The tightest cap (``max``) or floor (``min``) of a pillar or sub-area, in $M."""
    if limits is None:
        return None
    share, amount = getattr(limits, f"{kind}_share"), getattr(limits, f"{kind}_amount")
    values = [v for v in (None if share is None else share * basis, amount) if v is not None]
    if not values:
        return None
    return min(values) if kind == "max" else max(values)


def _basis(plan: Plan, mandate: Mandate | None) -> float:
    if mandate is None or mandate.share_basis == "deployed":
        return plan.totals.committed
    return mandate.budget


def pillar_table(plan: Plan, mandate: Mandate | None = None) -> Table:
    """Committed by pillar with its share of the basis, deals, floor and cap."""
    table = _columns(
        Table(title="Committed by pillar"), ("pillar", "$M", "share", "deals", "floor", "cap")
    )
    basis = _basis(plan, mandate) or 1.0
    deals: dict[str, int] = {}
    for inv in plan.investments:
        deals[inv.pillar_id] = deals.get(inv.pillar_id, 0) + 1
    limits = mandate.pillars if mandate else {}
    for pillar, value in plan.totals.by_pillar.items():
        own = limits.get(pillar)
        table.add_row(
            escape(pillar),
            _money(value),
            f"{value / basis:.1%}",
            str(deals.get(pillar, 0)),
            _optional_money(_cap(own, basis, "min")),
            _optional_money(_cap(own, basis, "max")),
        )
    return table


def sub_area_table(plan: Plan, mandate: Mandate | None = None) -> Table:
    """Committed by sub-area, every sub-area of the taxonomy ($0 included), against its cap."""
    table = _columns(
        Table(title="Committed by sub-area"), ("sub-area", "$M", "share", "deals", "floor", "cap")
    )
    basis = _basis(plan, mandate) or 1.0
    deals: dict[str, int] = {}
    for inv in plan.investments:
        deals[inv.sub_area_id] = deals.get(inv.sub_area_id, 0) + 1
    limits = mandate.sub_area_limits(list(plan.totals.by_sub_area)) if mandate else {}
    for sub_area, value in plan.totals.by_sub_area.items():
        own = limits.get(sub_area)
        table.add_row(
            escape(sub_area),
            _money(value),
            f"{value / basis:.1%}",
            str(deals.get(sub_area, 0)),
            _optional_money(_cap(own, basis, "min")),
            _optional_money(_cap(own, basis, "max")),
        )
    return table


def pacing_table(plan: Plan, mandate: Mandate | None = None) -> Table:
    """Committed and called by year, against the pacing floors and caps (called capital)."""
    table = _columns(
        Table(title="Capital by year"),
        ("year", "committed", "called", "floor", "cap", "cumulative", "cumulative cap"),
    )
    years = sorted(
        {int(y) for y in plan.totals.by_year_called}
        | {int(y) for y in plan.totals.by_year_committed}
        | set(mandate.years if mandate else [])
    )
    in_horizon = set(mandate.years) if mandate else set(years)
    floors = year_limits(mandate.pacing.annual_min, mandate.years) if mandate else {}
    caps = year_limits(mandate.pacing.annual_max, mandate.years) if mandate else {}
    cumulative_caps = dict(mandate.pacing.cumulative_max or {}) if mandate else {}
    cumulative = 0.0
    for year in years:
        called = plan.totals.by_year_called.get(str(year), 0.0)
        cumulative += called if year in in_horizon else 0.0
        table.add_row(
            str(year) + ("" if year in in_horizon else " (after the horizon)"),
            _money(plan.totals.by_year_committed.get(str(year), 0.0)),
            _money(called),
            _optional_money(floors.get(year)),
            _optional_money(caps.get(year)),
            _money(cumulative) if year in in_horizon else "",
            _optional_money(cumulative_caps.get(year)),
        )
    return table


def impact_table(plan: Plan, mandate: Mandate) -> Table:
    """Capital whose impact is online by each impact-by year, against the rule."""
    table = _columns(Table(title="Impact online by"), ("year", "share online", "required"))
    for rule in mandate.lead_time.impact_by:
        online = plan.metrics.impact_by.get(str(rule.year), 0.0)
        required = []
        if rule.min_share is not None:
            required.append(f"{rule.min_share:.1%}")
        if rule.min_amount is not None:
            required.append(f"${rule.min_amount:,.0f}M")
        table.add_row(str(rule.year), f"{online:.1%}", " and ".join(required))
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
            str(inv.impact_year),
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


def diagnosis_renderables(plan: Plan) -> list[Any]:
    """The diagnosis of an infeasible mandate and its relaxations as --set options."""
    if plan.diagnosis is None:
        return []
    parts: list[Any] = [f"[bold red]Diagnosis:[/] {escape(plan.diagnosis.message)}"]
    parts += [
        escape(f"  relax {r.key} from {r.from_:g} to {r.to:g}  (--set {r.key}={r.to:g})")
        for r in plan.diagnosis.relaxations
    ]
    return parts


def plan_renderables(plan: Plan, mandate: Mandate | None = None) -> list[Any]:
    """Everything the table format shows for a plan (caps and floors need the mandate)."""
    parts: list[Any] = [summary_table(plan), *diagnosis_renderables(plan)]
    if plan.found:
        parts += [pillar_table(plan, mandate), sub_area_table(plan, mandate)]
        parts += [pacing_table(plan, mandate), cash_flow_table(plan)]
        outcome = outcome_table(plan)
        parts += [outcome] if outcome is not None else []
        if mandate is not None and mandate.lead_time.impact_by:
            parts.append(impact_table(plan, mandate))
        parts += [binding_table(plan), investment_table(plan)]
    return parts


def frame_table(frame: Any, title: str) -> Table:
    """A DataFrame as a rich table (numbers right-aligned, rounded; whole numbers as such)."""
    table = Table(title=escape(title))
    for n, column in enumerate(frame.columns):
        numeric = frame[column].dtype.kind in "iuf" or str(frame[column].dtype) == "Int64"
        justify = "right" if numeric else "left"
        table.add_column(
            escape(str(column)),
            justify=justify,  # type: ignore[arg-type]
            no_wrap=numeric or n == 0,
        )
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    return table


def _cell(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 1000 else f"{value:,.2f}"
    return escape(str(value))


def comparison_renderables(comparison: Any) -> list[Any]:
    """Metrics and totals side by side, then the investment changes."""
    title = f"{comparison.plan} against {comparison.base}"
    verdict = {
        True: "the objective's change is larger than the two plans' MIP gaps leave open",
        False: "the objective's change is within the two plans' MIP gaps: not significant",
        None: "",
    }[comparison.significant]
    return [
        frame_table(comparison.totals_frame(), f"Totals and metrics: {title}"),
        *([verdict] if verdict else []),
        frame_table(comparison.to_frame(), "Investments added, removed, resized, moved"),
    ]


def marginal_table(plan: Plan) -> Table:
    """The mandate keys' marginal values, their ranges and (if verified) the re-solves."""
    table = Table(title="Marginal values")
    verified = any(v.delta is not None for v in plan.marginal_values)
    names = ["key", "value", "marginal value", "holds from", "to", "rows"]
    if verified:
        names += ["step", "re-solved relaxed", "re-solved tightened"]
    _columns(table, tuple(names))
    for v in plan.marginal_values:
        row = [
            escape(v.key),
            f"{v.value:g}",
            f"{v.dual:,.4g}",
            "" if v.valid_from is None else f"{v.valid_from:g}",
            "" if v.valid_to is None else f"{v.valid_to:g}",
            str(v.rows),
        ]
        if verified:
            row += [
                "" if v.delta is None else f"{v.delta:g}",
                _resolved(v.per_unit_relaxed, v.significant_relaxed),
                _resolved(v.per_unit_tightened, v.significant_tightened),
            ]
        table.add_row(*row)
    return table


def _resolved(value: float | None, significant: bool | None) -> str:
    if value is None:
        return ""
    return f"{value:,.4g}" + ("" if significant else " (n.s.)")


def rationale_table(plan: Plan) -> Table:
    """What forcing each deal the other way would cost."""
    table = _columns(
        Table(title="Why each deal is in or out: the objective lost by forcing it the other way"),
        ("id", "in plan", "$M", "cost at least", "cost at most", "re-solved", "note"),
    )
    for r in sorted(plan.rationale, key=lambda r: (not r.chosen, -(r.cost_at_least or 0.0))):
        table.add_row(
            escape(r.id),
            "in" if r.chosen else "out",
            _money(r.amount) if r.chosen else "",
            "" if r.cost_at_least is None else f"{r.cost_at_least:,.2f}",
            "" if r.cost_at_most is None else f"{r.cost_at_most:,.2f}",
            _resolved(r.cost, r.significant),
            escape(r.note or ""),
        )
    return table


def explain_renderables(plan: Plan) -> list[Any]:
    """Marginal values (and per-deal rationale), or the diagnosis of an infeasible mandate."""
    parts: list[Any] = [summary_table(plan), *diagnosis_renderables(plan)]
    if plan.diagnosis is not None or not plan.found:
        return parts
    parts += [
        marginal_table(plan),
        "marginal value: objective gained per unit of relaxation of the key (raising a cap, "
        "lowering a floor; per $M, per 1.0 of a share, per deal), through every row the key "
        "enters, with the chosen investments fixed; it holds while the key stays from/to. "
        "Re-solved: the full model solved again with the key moved by the step (n.s.: within "
        "the MIP gaps).",
    ]
    if plan.rationale:
        parts.append(rationale_table(plan))
    return parts


def whatif_renderables(table: Any, title: str) -> list[Any]:
    """The what-if table for a terminal: pillar columns by id, added/removed as counts, columns
    with no value in any row (CVaR without scenarios), TVPI, IRR, timings and the investment
    maps left out (TVPI and IRR are in csv and json)."""
    display = table.drop(columns=["investments", "seconds", "tvpi", "irr"], errors="ignore")
    display = display.dropna(axis=1, how="all").rename(
        columns=lambda c: c.removeprefix("committed_")
    )
    for column in ("added", "removed"):
        if column in display:
            display[column] = display[column].map(
                lambda ids: len(ids.split()) if isinstance(ids, str) and ids else 0
            )
    return [
        frame_table(display, title),
        "pillar columns: $M committed; added/removed: investments against the base "
        "(ids with --format csv or json); change: objective against the base; significant: "
        "larger than the two plans' MIP gaps leave open (otherwise noise of the search)",
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
