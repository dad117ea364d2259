"""The report's sections: one function each, taking the report's inputs and returning a
``Section`` (or None when it has nothing to show). ``SECTIONS`` fixes their order; adding a
section is one function and one line there."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import NamedTuple

from allocator.inputs.mandate import year_limits
from allocator.report import charts
from allocator.report.context import ReportInputs
from allocator.report.limits import describe, marginal_text, sentence
from allocator.report.markup import (
    Html,
    bullets,
    dollars,
    join,
    money,
    number,
    percent,
    table,
    tag,
)
from allocator.results.plan import Binding, Plan


class Section(NamedTuple):
    """One section: its anchor id, its heading and its body."""

    id: str
    title: str
    body: Html


SectionFunction = Callable[[ReportInputs], Section | None]
TOP_LIMITS = 5  # binding limits spelled out as sentences above their table


def _figures(items: Sequence[tuple[str, str, str, float | str | None]]) -> Html:
    """Key figures: (key, label, shown text, exact value) as ``data-key``/``data-value``."""
    return tag(
        "dl",
        join(
            tag(
                "div",
                join((tag("dt", label), tag("dd", text))),
                class_="figure",
                data_key=key,
                data_value=None if value is None else repr(value),
            )
            for key, label, text, value in items
        ),
        class_="figures",
    )


def _range_text(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return "—"
    if high is None:
        return f"≥ {percent(low or 0.0, 0)}"
    return f"{percent(low or 0.0, 0)} – {percent(high, 0)}"


def key_risks(report: ReportInputs) -> list[str]:
    """What the committee should know first, in plain sentences, from the plan's numbers."""
    plan, mandate, basis = report.plan, report.mandate, report.basis or 1.0
    risk, metrics = mandate.risk, plan.metrics
    found: list[str] = []
    if plan.status.value == "feasible":
        found.append(
            f"The solver stopped at a limit with a gap of {percent(plan.gap or 0.0, 2)}: "
            "a better plan may exist."
        )
    loss_share = metrics.expected_loss / basis
    cap = risk.max_expected_loss_share
    found.append(
        f"Expected loss is {dollars(metrics.expected_loss)}, {percent(loss_share)} of the "
        f"{mandate.share_basis}"
        + (
            f" (cap {percent(cap, 0)}{', at the cap' if loss_share >= cap - 1e-6 else ''})."
            if cap is not None
            else "."
        )
    )
    high_cap = risk.max_high_risk_share
    found.append(
        f"Deals with a loss probability of {percent(risk.high_risk_threshold, 0)} or more hold "
        f"{percent(metrics.high_risk_share)} of the {mandate.share_basis}"
        + (f" (cap {percent(high_cap, 0)})." if high_cap is not None else ".")
    )
    if metrics.cvar:
        alpha = metrics.cvar["alpha"]
        found.append(
            f"In the worst {percent(1 - alpha, 0)} of scenarios the loss averages "
            f"{dollars(metrics.cvar['cvar'])} (CVaR); it exceeds {dollars(metrics.cvar['var'])} "
            f"(VaR) with probability {percent(1 - alpha, 0)}."
        )
    if plan.totals.by_pillar:
        pillar, amount = max(plan.totals.by_pillar.items(), key=lambda kv: kv[1])
        sub_area, sub_amount = max(plan.totals.by_sub_area.items(), key=lambda kv: kv[1])
        largest = max(plan.investments, key=lambda i: i.amount)
        found.append(
            f"Largest exposures: {report.pillar_name(pillar)} {percent(amount / basis)}, "
            f"{report.sub_area_name(sub_area)} {percent(sub_amount / basis)}, and "
            f"{largest.name} {dollars(largest.amount)} as the largest single deal."
        )
    late = sum(i.amount for i in plan.investments if i.impact_year > mandate.horizon.end)
    if late:
        found.append(
            f"{dollars(late)} ({percent(late / basis)}) comes online only after "
            f"{mandate.horizon.end}, the last year of the horizon."
        )
    costly = [(b, describe(b, report.instance, mandate)) for b in plan.binding if b.dual]
    if costly:
        top, words = max(costly, key=lambda bw: (bw[0].dual or 0.0) * bw[1].per_unit)
        found.append(
            f"Of {len(plan.binding)} binding limits, the costliest at the margin is {words.name}: "
            f"{marginal_text(top, words)}."
        )
    return found


def summary(report: ReportInputs) -> Section:
    """One page: what the plan commits, objective terms, status and gap, key risks."""
    plan, mandate = report.plan, report.mandate
    status = [
        ("status", "Status", plan.status.value, plan.status.value),
    ]
    if not plan.found:
        parts = [_figures(status)]
        if plan.diagnosis is not None:
            parts.append(tag("p", plan.diagnosis.message, class_="diagnosis"))
            parts.append(
                table(
                    ["mandate key", "from", "to"],
                    [
                        (r.key, f"{r.from_:g}" if r.from_ is not None else "—", f"{r.to:g}")
                        for r in plan.diagnosis.relaxations
                    ],
                    numeric=(1, 2),
                    caption="Relaxations that together make the mandate feasible",
                    name="relaxations",
                )
            )
        return Section("summary", "Summary", join(parts))
    totals, metrics, terms = plan.totals, plan.metrics, plan.objective_terms
    years = sorted(int(y) for y, v in totals.by_year_committed.items() if v > 0)
    lead = tag(
        "p",
        f"The plan commits {dollars(totals.committed)} of the {dollars(mandate.budget)} budget "
        f"({percent(totals.committed / mandate.budget if mandate.budget else 0.0)}) in "
        f"{metrics.deals} deals, from {years[0]} to {years[-1]}.",
        class_="lead",
    )
    figures = _figures(
        [
            *status,
            ("objective", "Objective", number(plan.objective or 0.0), plan.objective),
            ("strategic", "Strategic value", number(terms.strategic), terms.strategic),
            ("return", "Expected net return ($M)", number(terms.return_), terms.return_),
            ("gap", "Gap to bound", percent(plan.gap or 0.0, 2), plan.gap),
            ("committed", "Committed ($M)", money(totals.committed), totals.committed),
            ("deals", "Deals", str(metrics.deals), metrics.deals),
            (
                "expected_loss",
                "Expected loss ($M)",
                money(metrics.expected_loss),
                metrics.expected_loss,
            ),
            (
                "high_risk_share",
                "High-risk share",
                percent(metrics.high_risk_share),
                metrics.high_risk_share,
            ),
        ]
        + (
            [
                (
                    "cvar",
                    f"CVaR {percent(metrics.cvar['alpha'], 0)} ($M)",
                    money(metrics.cvar["cvar"]),
                    metrics.cvar["cvar"],
                )
            ]
            if metrics.cvar
            else []
        )
    )
    weights = mandate.objective
    objective_rows = [
        (
            "strategic value",
            number(terms.strategic),
            f"{weights.strategic_weight:g}",
            number(weights.strategic_weight * terms.strategic),
        ),
        (
            "expected net return ($M)",
            number(terms.return_),
            f"{weights.return_weight:g}",
            number(weights.return_weight * terms.return_),
        ),
    ]
    if weights.cvar_weight and metrics.cvar:
        objective_rows.append(
            (
                "CVaR ($M)",
                number(metrics.cvar["cvar"]),
                f"−{weights.cvar_weight:g}",
                number(-weights.cvar_weight * metrics.cvar["cvar"]),
            )
        )
    objective_rows.append(("objective", "", "", number(plan.objective or 0.0)))
    pillar_rows = [
        (
            report.pillar_name(p),
            money(amount),
            percent(amount / (report.basis or 1.0)),
            _range_text(*report.share_range(mandate.pillars.get(p))),
        )
        for p, amount in totals.by_pillar.items()
    ]
    body = join(
        (
            lead,
            figures,
            tag(
                "div",
                join(
                    (
                        table(
                            ["term", "value", "weight", "weighted"],
                            objective_rows,
                            numeric=(1, 2, 3),
                            caption="Objective terms",
                            name="objective",
                        ),
                        table(
                            ["pillar", "$M", "share", "allowed"],
                            pillar_rows,
                            numeric=(1, 2, 3),
                            caption="Committed by pillar",
                            name="pillars",
                        ),
                    )
                ),
                class_="pair",
            ),
            tag("h3", "Key risks"),
            bullets(key_risks(report)),
            tag(
                "p",
                f"Bound {number(plan.bound or 0.0)}; solved by HiGHS "
                f"({plan.solver.method or 'unknown method'}) in {plan.solver.seconds:.1f} s, "
                f"{plan.solver.nodes} branch-and-bound node(s). Strategic value is in $M of "
                "ideal strategic capital (1.0 per $M: a top-gap sub-area, online from the "
                "horizon start).",
                class_="note",
            ),
        )
    )
    return Section("summary", "Summary", body)


def allocation(report: ReportInputs) -> Section | None:
    """Capital by pillar and sub-area, and each share against the mandate's range."""
    plan = report.plan
    if not plan.found:
        return None
    counts = Counter(i.sub_area_id for i in plan.investments)
    rows = []
    for sid, area in report.instance.sub_areas.items():
        amount = plan.totals.by_sub_area.get(sid, 0.0)
        rows.append(
            (
                area.sub_area,
                area.pillar_id,
                money(amount),
                percent(amount / (report.basis or 1.0)),
                str(counts.get(sid, 0)),
                _range_text(*report.share_range(report.sub_area_limits.get(sid))),
            )
        )
    body = join(
        (
            charts.chart_html(charts.allocation_sunburst(report), "allocation"),
            charts.chart_html(charts.share_ranges(report, "pillar"), "pillar-ranges"),
            charts.chart_html(charts.share_ranges(report, "sub-area"), "sub-area-ranges"),
            table(
                ["sub-area", "pillar", "$M", "share", "deals", "allowed"],
                rows,
                numeric=(2, 3, 4, 5),
                caption="Committed by sub-area",
                name="sub-areas",
            ),
        )
    )
    return Section("allocation", "Allocation", body)


def pacing(report: ReportInputs) -> Section | None:
    """Commitments and capital called by year against the pacing limits."""
    plan, mandate = report.plan, report.mandate
    if not plan.found:
        return None
    years = charts.pacing_years(plan, mandate.years)
    cap, floor = (
        year_limits(v, mandate.years)
        for v in (mandate.pacing.annual_max, mandate.pacing.annual_min)
    )
    cumulative_cap = mandate.pacing.cumulative_max or {}
    deals = Counter(i.start_year for i in plan.investments)
    rows, called_to_date = [], 0.0
    for y in years:
        called = plan.totals.by_year_called.get(str(y), 0.0)
        called_to_date += called
        rows.append(
            (
                str(y),
                money(plan.totals.by_year_committed.get(str(y), 0.0)),
                money(called),
                money(floor[y]) if y in floor else "—",
                money(cap[y]) if y in cap else "—",
                money(called_to_date),
                money(cumulative_cap[y]) if y in cumulative_cap else "—",
                str(deals.get(y, 0)),
            )
        )
    note = (
        "Pacing limits bound capital called in the horizon's years; calls after "
        f"{mandate.horizon.end} are shown but not limited."
    )
    if mandate.deals.max_per_year is not None:
        note += f" At most {mandate.deals.max_per_year} new deals a year."
    body = join(
        (
            charts.chart_html(charts.pacing_chart(report), "pacing"),
            charts.chart_html(charts.cumulative_chart(report), "cumulative"),
            table(
                [
                    "year",
                    "committed",
                    "called",
                    "call floor",
                    "call cap",
                    "called to date",
                    "cumulative cap",
                    "deals",
                ],
                rows,
                numeric=range(1, 8),
                caption="By year ($M)",
                name="pacing",
            ),
            tag("p", note, class_="note"),
        )
    )
    return Section("pacing", "Commitments and calls by year", body)


def risk(report: ReportInputs) -> Section | None:
    """Expected loss and high-risk capital against their caps; the scenario loss
    distribution with VaR and CVaR when the instance has scenarios."""
    plan, mandate = report.plan, report.mandate
    if not plan.found:
        return None
    basis = report.basis or 1.0
    limits = mandate.risk
    rows = [
        (
            "expected loss",
            money(plan.metrics.expected_loss),
            percent(plan.metrics.expected_loss / basis),
            percent(limits.max_expected_loss_share, 0)
            if limits.max_expected_loss_share is not None
            else "—",
        ),
        (
            "high-risk capital",
            money(plan.metrics.high_risk_share * basis),
            percent(plan.metrics.high_risk_share),
            percent(limits.max_high_risk_share, 0)
            if limits.max_high_risk_share is not None
            else "—",
        ),
    ]
    tail = plan.metrics.cvar
    if tail:
        cap = limits.cvar.max_share if limits.cvar else None
        rows += [
            (
                f"CVaR {percent(tail['alpha'], 0)}",
                money(tail["cvar"]),
                percent(tail["cvar"] / basis),
                percent(cap, 0) if cap is not None else "—",
            ),
            (
                f"VaR {percent(tail['alpha'], 0)}",
                money(tail["var"]),
                percent(tail["var"] / basis),
                "—",
            ),
            ("mean scenario loss", money(tail["mean"]), percent(tail["mean"] / basis), "—"),
        ]
    parts = [charts.chart_html(charts.risk_chart(report), "risk")]
    distribution = charts.loss_distribution(report)
    if distribution is not None:
        parts.append(charts.chart_html(distribution, "loss-distribution"))
    else:
        parts.append(
            tag(
                "p",
                "The instance has no loss scenarios, so there is no loss "
                "distribution, VaR or CVaR (see `allocator scenarios`).",
                class_="note",
            )
        )
    parts.append(
        table(
            ["measure", "$M", "share", "cap"],
            rows,
            numeric=(1, 2, 3),
            caption=f"Risk against the {mandate.share_basis}",
            name="risk",
        )
    )
    return Section("risk", "Risk", join(parts))


def binding(report: ReportInputs) -> Section | None:
    """The binding limits and what each costs at the margin, in words."""
    plan = report.plan
    if not plan.found:
        return None

    def cost(b: Binding) -> float:
        return (b.dual or 0.0) * describe(b, report.instance, report.mandate).per_unit

    ordered = sorted(plan.binding, key=lambda b: (-cost(b), b.key))
    if not ordered:
        return Section("binding", "Binding limits", tag("p", "No limit is at its bound."))
    rows = []
    for b in ordered:
        words = describe(b, report.instance, report.mandate)
        rows.append(
            (words.name[0].upper() + words.name[1:], tag("code", b.key), marginal_text(b, words))
        )
    computed = any(b.dual is not None for b in plan.binding)
    note = (
        "Marginal value: objective gained if the limit were relaxed by one unit, with the "
        "chosen deals kept (duals of the plan's LP with its choices fixed)."
        if computed
        else "Marginal values were not computed for this plan (`allocator explain`, or "
        "`allocator report` on a plan with a solution, computes them)."
    )
    body = join(
        (
            bullets(sentence(b, report.instance, report.mandate) for b in ordered[:TOP_LIMITS]),
            table(
                ["limit", "mandate key", "marginal value"],
                rows,
                caption="Limits at their bound, costliest first",
                name="binding",
            ),
            tag("p", note, class_="note"),
        )
    )
    return Section("binding", "Binding limits", body)


def investments(report: ReportInputs) -> Section | None:
    """Every investment with its numbers and its assumption trail (``source``)."""
    plan = report.plan
    if not plan.found:
        return None
    rows = [
        (
            str(i.start_year),
            join(
                (
                    tag("strong", i.name),
                    " ",
                    tag("code", i.id),
                    tag("div", report.candidate(i.id).source or "no source given", class_="source"),
                )
            ),
            report.sub_area_name(i.sub_area_id),
            money(i.amount),
            f"{i.impact_year:g}",
            percent(i.loss_probability, 0),
            percent(i.expected_return, 0),
        )
        for i in sorted(plan.investments, key=lambda i: (i.start_year, i.id))
    ]
    body = table(
        [
            "year",
            "investment, id and source (assumption trail)",
            "sub-area",
            "$M",
            "online",
            "p(loss)",
            "net return",
        ],
        rows,
        numeric=(3, 4, 5, 6),
        caption=f"{len(rows)} investments by year of commitment",
        class_="investments",
        name="investments",
    )
    return Section("investments", "Investments", body)


def alternatives(report: ReportInputs) -> Section | None:
    """Near-optimal alternatives: what each changes against the optimum and what it costs."""
    alts = report.alternatives
    if alts is None or not report.plan.found:
        return None
    frame = alts.to_frame()
    toward = "toward" in frame
    records = frame.to_dict("records")
    rows = [
        (
            r["name"],
            number(r["objective"]),
            number(r["cost"]),
            percent(r["cost_share"], 2),
            str(r["deals"]),
            f"+{r['added']} / −{r['removed']}",
            money(r["moved"]),
            *([money(r["toward"])] if toward else []),
        )
        for r in records
    ]
    headers = [
        "plan",
        "objective",
        "cost",
        "% of optimum",
        "deals",
        "deals +/−",
        "moved ($M)",
        *(["in " + ", ".join(alts.toward) + " ($M)"] if toward else []),
    ]
    intro = (
        f"Each alternative keeps every limit of the mandate and at least "
        f"{percent(1 - alts.slack, 1)} of the optimum's objective, and moves as much capital as "
        "it can to deals that no plan before it uses"
        + (
            f", favouring {', '.join(report.sub_area_name(s) for s in alts.toward)}"
            if toward
            else ""
        )
        + ". Cost is the objective given up; moved is the capital put into other deals."
    )
    parts = [tag("p", intro)]
    if alts.optimum.objective != report.plan.objective:
        parts.append(
            tag(
                "p",
                "These alternatives were found around their own optimum "
                f"(objective {number(alts.optimum.objective or 0.0)}), not this "
                "plan.",
                class_="note",
            )
        )
    parts.append(
        table(
            headers,
            rows,
            numeric=range(1, len(headers)),
            caption="Optimum and alternatives",
            name="alternatives",
        )
    )
    parts.append(tag("h3", "What each alternative changes ($M by sub-area)"))
    parts.append(bullets(join((tag("strong", r["name"]), ": ", r["changes"])) for r in records[1:]))
    heatmap = charts.alternatives_heatmap(report)
    if heatmap is not None:
        parts.append(charts.chart_html(heatmap, "alternatives"))
    return Section("alternatives", "Near-optimal alternatives", join(parts))


def _metric_text(key: str, value: float) -> str:
    if key == "deals":
        return f"{value:g}"
    return percent(value) if key.endswith("share") else number(value)


def _metric_rows(base: Plan, other: Plan) -> list[tuple[str, str, str, str]]:
    comparison = other.compare(base)
    return [
        (
            d.key.replace("_", " "),
            _metric_text(d.key, d.base),
            _metric_text(d.key, d.value),
            _metric_text(d.key, d.change),
        )
        for d in comparison.metrics
    ]


def comparison(report: ReportInputs) -> Section | None:
    """This plan against another: metrics, pillars, and the investments that differ."""
    other = report.compare
    if other is None or not report.plan.found or not other.found:
        return None
    label = report.compare_label or f"{other.instance} under {other.mandate}"
    changes = other.compare(report.plan)
    rows = [
        (
            c.change,
            c.name,
            tag("code", c.id),
            money(c.base_amount),
            money(c.amount),
            "—" if c.base_year is None else str(c.base_year),
            "—" if c.year is None else str(c.year),
        )
        for c in changes.investments
    ]
    chart = charts.comparison_chart(report)
    body = join(
        (
            tag("p", f"How {label} differs from this plan."),
            table(
                ["measure", "this plan", label, "change"],
                _metric_rows(report.plan, other),
                numeric=(1, 2, 3),
                caption="Objective, totals and risk",
                name="comparison",
            ),
            charts.chart_html(chart, "comparison") if chart is not None else "",
            table(
                [
                    "change",
                    "investment",
                    "id",
                    "this plan ($M)",
                    f"{label} ($M)",
                    "year here",
                    "year there",
                ],
                rows,
                numeric=(3, 4, 5, 6),
                caption=f"{len(rows)} investments differ",
                name="changes",
            ),
        )
    )
    return Section("comparison", "Comparison", body)


SECTIONS: tuple[SectionFunction, ...] = (
    summary,
    allocation,
    pacing,
    risk,
    binding,
    investments,
    # time value: a `time_value` section (J-curve, IRR, TVPI, DPI from the Plan's cash flows)
    # goes in this place
    # reserves: a `reserves` section (staged commitments and their follow-on tranches) goes in
    # this place
    alternatives,
    comparison,
)
