"""Repairs of infeasible mandates: which limits to relax, by how much, proven to work.

An elastic copy of the model gives every limit row a violation variable and minimises the total
violation, each relative to its right-hand side. Two kinds of limit need more than a violation
on their own row:

- the **budget** enters every row measured against it (shares with ``share_basis: budget``,
  ``min_deployment``): in the elastic copy the budget is ``budget + v_budget`` in all of them,
  so relaxing it raises share caps and share floors together, as ``--set budget=...`` would;
- ``lead_time.max_lead_time`` is a bound (``z ≤ 0`` for longer lead times): a candidate over the
  cap may be chosen in the elastic copy only if the cap is raised to its lead time.

Every limit key may be relaxed unless the caller keeps it (``keep``) or asks for a relaxation
in terms of some keys only (``relax``). The relaxations, rounded outward, are applied to the
mandate and the result is **proven feasible** before it is reported: first with the elastic
plan's choices fixed (a linear program), else by a full solve; if rounding left the relaxed
mandate infeasible, it is diagnosed again and the relaxations are combined. Forced-in
candidates, force_out, requires/excludes and start windows stay hard; when they conflict on
their own, a deletion filter names a smallest conflicting set of forced-in candidates and the
relations between them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyomo.environ as pyo

from allocator.errors import InputError
from allocator.formulation import AllocationModel, Limit, build_model
from allocator.inputs.instance import Instance
from allocator.inputs.mandate import Mandate, SolverSettings
from allocator.results.plan import Diagnosis, Relaxation
from allocator.solving.matrix import matrix_form, run_matrix, with_fixed_choices
from allocator.solving.outcome import ENDINGS, FEASIBLE_SOLUTION, Ending
from allocator.solving.settings import apply_options, quiet_highs, settings_for

VIOLATION_TOLERANCE = 1e-6
# decimal places a relaxed value is rounded (outward) to, by what the limit measures
DIGITS_BY_MEASURE = {"share": 4, "amount": 2, "count": 0, "attribute": 2}
LEAD_TIME_KEY = "lead_time.max_lead_time"
LEAD_TIME_DIGITS = 2
ROUNDS = 3  # diagnoses of a relaxed mandate that rounding left infeasible, at most


@dataclass(frozen=True)
class DiagnosisRequest:
    """How to diagnose: solver settings, keys that must not be relaxed, and (optionally) the
    only keys that may be. A key covers the keys below it (``pillars`` covers every pillar
    limit) and, for ``sub_areas.default.<limit>``, the sub-areas that take the default."""

    settings: SolverSettings
    keep: tuple[str, ...] = ()
    relax: tuple[str, ...] | None = None


@dataclass
class _Elastic:
    """The elastic copy: each limit with its violation variable, the budget's, the cap's."""

    limits: list[tuple[Limit, pyo.Var]]
    budget: pyo.Var | None = None  # the budget limit's violation, shared by its dependants
    lead_time: pyo.Var | None = None  # how far max_lead_time is raised
    over_cap: dict[str, float] = field(default_factory=dict)  # candidate -> lead time over cap


def _covers(pattern: str, key: str, source: str) -> bool:
    return any(k == pattern or k.startswith(pattern + ".") for k in (key, source))


def allowed_keys(mandate: Mandate, request: DiagnosisRequest) -> Callable[[str], bool]:
    """Whether a limit key may be relaxed under the request."""

    def allowed(key: str) -> bool:
        source = mandate.source_key(key)
        if any(_covers(k, key, source) for k in request.keep):
            return False
        return request.relax is None or any(_covers(k, key, source) for k in request.relax)

    return allowed


def check_request(m: AllocationModel, mandate: Mandate, request: DiagnosisRequest) -> None:
    """Every key named in ``keep`` or ``relax`` is a limit of the mandate."""
    keys = [(limit.key, mandate.source_key(limit.key)) for limit in m.limits]
    if mandate.lead_time.max_lead_time is not None:
        keys.append((LEAD_TIME_KEY, LEAD_TIME_KEY))
    for option, named in (("keep", request.keep), ("relax", request.relax or ())):
        for pattern in named:
            if not any(_covers(pattern, key, source) for key, source in keys):
                raise InputError(f"{pattern!r} is not a limit of the mandate", column=option)


def _elastic(m: AllocationModel, mandate: Mandate, allowed: Callable[[str], bool]) -> _Elastic:
    """Replace every limit row by its elastic twin and minimise the relative violation.

    The budget's rows (its own, or recycling's one per year) and every row measured against
    the budget share one violation: the budget's."""
    limits = list(m.limits)
    m.violation = pyo.Var(range(len(limits)), domain=pyo.NonNegativeReals)
    m.budget_violation = pyo.Var(domain=pyo.NonNegativeReals)
    if not allowed("budget"):
        m.budget_violation.setub(0)
    raised = m.budget_violation
    twins = {}
    for k, limit in enumerate(limits):
        limit.row(m).deactivate()
        v = m.violation[k]
        if not allowed(limit.key) or limit.key == "budget":
            v.setub(0)  # the compiler reads bounds: a fixed flag would not reach HiGHS
        rhs = limit.rhs
        if limit.key == "budget":
            rhs = limit.rhs + raised
        elif _is_budget_factor(limit):
            rhs = limit.value * (m.budget_usd_m + raised)
        twins[k] = limit.lhs <= rhs + v if limit.sense == "max" else limit.lhs + v >= rhs
    m.elastic = pyo.Constraint(range(len(limits)), rule=lambda _m, k: twins[k])
    budget = float(pyo.value(m.budget_usd_m))
    weights = [
        1.0 / max(1.0, abs(float(limit.limit)) * (1.0 if limit.factor is None else budget))
        for limit in limits
    ]
    total = sum(w * m.violation[k] for k, w in enumerate(weights))
    total = total + raised / max(1.0, budget)
    elastic = _Elastic([(limit, m.violation[k]) for k, limit in enumerate(limits)])
    elastic.budget = raised
    cap = mandate.lead_time.max_lead_time
    if cap is not None and allowed(LEAD_TIME_KEY):
        total = total + _elastic_lead_time(m, mandate, cap, elastic) / max(1.0, cap)
    m.objective.deactivate()
    m.total_violation = pyo.Objective(expr=total, sense=pyo.minimize)
    return elastic


def _elastic_lead_time(
    m: AllocationModel, mandate: Mandate, cap: float, elastic: _Elastic
) -> pyo.Var:
    """Candidates over the lead-time cap may be chosen if the cap rises to their lead time:
    ``(lead_j − cap)·Σ_t z[j,t] ≤ v_cap``; returns ``v_cap``."""
    pairs, forced_out = m.pairs, set(mandate.force_out)
    m.lead_time_violation = pyo.Var(domain=pyo.NonNegativeReals)
    rows = {}
    upper = list(m.pair_upper["z"])
    for cid, positions in pairs.by_candidate.items():
        lead = pairs.candidates[positions[0]].lead_time
        if lead > cap and cid not in forced_out:
            for p in positions:
                upper[p] = 1.0
            chosen = sum(m.z_list[p] for p in positions)
            rows[cid] = (lead - cap) * chosen <= m.lead_time_violation
            elastic.over_cap[cid] = lead - cap
    m.bound_pairs("z", upper)
    m.lead_time_elastic = pyo.Constraint(list(rows), rule=lambda _m, cid: rows[cid])
    elastic.lead_time = m.lead_time_violation
    return m.lead_time_violation


def _round_outward(value: float, digits: int, up: bool) -> float:
    scale = 10**digits
    rounded = math.ceil(value * scale - 1e-9) if up else math.floor(value * scale + 1e-9)
    return max(0.0, rounded / scale)


def _relaxed_value(limit: Limit, violation: float, budget: float, new_budget: float) -> float:
    """The limit value that admits the violation, rounded outward by what it measures.

    A row measured against the budget admits ``value × budget + violation`` at the elastic
    plan's budget (``budget``), and the value is read against the relaxed budget."""
    digits = DIGITS_BY_MEASURE[limit.measure]
    up = limit.sense == "max"
    signed = violation if up else -violation
    if limit.factor is None:
        return _round_outward(limit.limit + signed, digits, up)
    if limit.key != "budget" and _is_budget_factor(limit):
        return _round_outward((limit.limit * budget + signed) / new_budget, digits, up)
    return _round_outward(limit.limit + signed / (limit.factor_value or 1.0), digits, up)


def _is_budget_factor(limit: Limit) -> bool:
    return getattr(limit.factor, "local_name", None) == "budget_usd_m"


def _relaxations(elastic: _Elastic, mandate: Mandate) -> dict[str, tuple[float, float]]:
    """Key -> (from, to) for every violated limit, from the loaded elastic solution."""
    needed: dict[str, tuple[float, float]] = {}
    raised = elastic.budget.value or 0.0 if elastic.budget is not None else 0.0
    budget = mandate.budget + raised
    new_budget = mandate.budget
    if raised > VIOLATION_TOLERANCE * max(1.0, mandate.budget):
        new_budget = _round_outward(budget, DIGITS_BY_MEASURE["amount"], up=True)
        needed["budget"] = (mandate.budget, new_budget)
    for limit, var in elastic.limits:
        violation = var.value or 0.0
        if limit.key == "budget":
            continue
        rhs = abs(limit.limit) * (budget if _is_budget_factor(limit) else limit.factor_value)
        if violation <= VIOLATION_TOLERANCE * max(1.0, rhs):
            continue
        relaxed = _relaxed_value(limit, violation, budget, new_budget)
        previous = needed.get(limit.key)
        if previous is None or abs(relaxed - limit.limit) > abs(previous[1] - limit.limit):
            needed[limit.key] = (limit.limit, relaxed)
    if elastic.lead_time is not None:
        raised_cap = elastic.lead_time.value or 0.0
        cap = mandate.lead_time.max_lead_time
        if cap is not None and raised_cap > VIOLATION_TOLERANCE:
            needed[LEAD_TIME_KEY] = (cap, _round_outward(cap + raised_cap, LEAD_TIME_DIGITS, True))
    return needed


def _elastic_choices(m: AllocationModel) -> list[float]:
    return [round(z.value or 0.0) for z in m.z_list]


Verdict = bool | None  # True: proven feasible; False: proven infeasible; None: not known


def feasible(
    instance: Instance,
    mandate: Mandate,
    settings: SolverSettings,
    choices: list[float] | None = None,
) -> Verdict:
    """Whether the mandate admits a plan, proven by HiGHS within the time limit.

    With ``choices`` (0/1 per pair) they are fixed and only the amounts are solved for (a
    linear program); otherwise the full model is searched for any plan (objective 0).
    """
    m = build_model(instance, mandate, ticket_block=True)
    m.objective.deactivate()
    m.any_plan = pyo.Objective(expr=m.zero, sense=pyo.minimize)
    if choices is None:
        outcome = run_matrix(m, settings, None)
        if outcome.has_solution:
            return True
        return False if ENDINGS.get(outcome.status) is Ending.INFEASIBLE else None
    highs = quiet_highs()
    apply_options(highs, settings)
    with_fixed_choices(matrix_form(m), m, choices).pass_to(highs, relaxed=True)
    highs.run()
    if highs.getInfo().primal_solution_status == FEASIBLE_SOLUTION:
        return True
    return False if ENDINGS.get(highs.getModelStatus()) is Ending.INFEASIBLE else None


def _listing(relaxations: Iterable[Relaxation]) -> str:
    return "; ".join(f"{r.key} from {r.from_:g} to {r.to:g}" for r in relaxations)


def diagnose(
    instance: Instance,
    mandate: Mandate,
    time_limit: float | None = None,
    *,
    settings: SolverSettings | None = None,
    keep: tuple[str, ...] = (),
    relax: tuple[str, ...] | None = None,
) -> Diagnosis:
    """The smallest total relaxation of the mandate's limits that makes it feasible, proven.

    The elastic model is solved to proven optimality (gap 0) within ``time_limit`` (default:
    the mandate's), or under the caller's ``settings``. ``keep`` lists keys that must not be
    relaxed; ``relax``, if given, the only keys that may be.
    """
    request = DiagnosisRequest(settings or settings_for(mandate, time_limit, 0.0), keep, relax)
    return diagnose_request(instance, mandate, request)


def diagnose_request(instance: Instance, mandate: Mandate, request: DiagnosisRequest) -> Diagnosis:
    """``diagnose`` for a prepared request."""
    origin: dict[str, float] = {}
    current = mandate
    proven: Verdict = None
    for _ in range(ROUNDS):
        m = build_model(instance, current, ticket_block=True)
        check_request(m, current, request)
        elastic = _elastic(m, current, allowed_keys(current, request))
        outcome = run_matrix(m, request.settings, None)
        if not outcome.has_solution:
            if origin:  # a relaxed mandate that cannot be repaired further: report the first
                break
            return _no_repair(instance, mandate, request, outcome.status)
        needed = _relaxations(elastic, current)
        for key, (old, _new) in needed.items():
            origin.setdefault(key, old)  # the value in the caller's mandate
        changes = {key: new for key, (_old, new) in needed.items()}
        relaxed = current.with_changes(changes) if changes else current
        proven = feasible(instance, relaxed, request.settings, _elastic_choices(m))
        if not proven:
            proven = feasible(instance, relaxed, request.settings)
        current = relaxed
        if proven is not False:
            break
    final = {key: current.value_at(key) for key in origin}
    relaxations = tuple(
        Relaxation.model_validate({"key": key, "from": origin[key], "to": float(final[key])})
        for key in sorted(origin)
    )
    return _report(relaxations, proven, request)


def _report(
    relaxations: tuple[Relaxation, ...], proven: Verdict, request: DiagnosisRequest
) -> Diagnosis:
    kept = f" (kept: {', '.join(request.keep)})" if request.keep else ""
    if not relaxations:  # cannot happen for an infeasible mandate; said plainly if it does
        message = "The mandate is feasible as it is: no limit needs relaxing."
    elif proven:
        message = (
            f"The mandate is infeasible. Relaxing {len(relaxations)} limit(s) together makes it "
            f"feasible (proven by a solve of the relaxed mandate), with the smallest total "
            f"relative change{kept}: {_listing(relaxations)}."
        )
    else:
        outcome = "is still infeasible" if proven is False else "could not be proven feasible"
        message = (
            f"The mandate is infeasible. The smallest total relative change{kept} is "
            f"{_listing(relaxations)}, but the relaxed mandate {outcome} within the time limit "
            "(a larger --time-limit may settle it)."
        )
    return Diagnosis(message=message, relaxations=relaxations, verified=bool(proven))


def _no_repair(
    instance: Instance, mandate: Mandate, request: DiagnosisRequest, status: object
) -> Diagnosis:
    """The elastic copy found no plan: a time-out, the kept limits, or a hard conflict."""
    if ENDINGS.get(status) is not Ending.INFEASIBLE:  # type: ignore[call-overload]
        return Diagnosis(
            message=(
                "The mandate is infeasible, and no repair was found within the time limit "
                "(a larger --time-limit may find one)."
            )
        )
    conflict = conflicting_forced_in(instance, mandate, request)
    if conflict is None:
        restricted = [f"keeping {', '.join(request.keep)}"] if request.keep else []
        if request.relax is not None:
            restricted.append(f"relaxing only {', '.join(request.relax)}")
        return Diagnosis(
            message=(
                f"The mandate is infeasible, and {' and '.join(restricted)} cannot repair it: "
                "the repair needs a limit outside those allowed (or a forced-in candidate "
                "dropped); diagnose without --keep/--relax to see which."
            )
        )
    ids, reasons = conflict
    return Diagnosis(
        message=(
            "The mandate is infeasible even with every limit relaxed: the forced-in "
            f"candidate(s) {', '.join(ids)} cannot all be chosen ({'; '.join(reasons)})."
        ),
        conflicting=tuple(ids),
    )


def _hard_only(instance: Instance, mandate: Mandate, forced: list[str], keep_cap: bool) -> Mandate:
    """The mandate's hard rules alone: horizon, force_in/out (and a kept lead-time cap)."""
    data: dict[str, object] = {
        "budget": sum(c.ticket_max for c in instance.candidates) + 1.0,
        "horizon": mandate.horizon.model_dump(),
        "force_in": forced,
        "force_out": list(mandate.force_out),
        "solver": mandate.solver.model_dump(),
    }
    if keep_cap and mandate.lead_time.max_lead_time is not None:
        data["lead_time"] = {"max_lead_time": mandate.lead_time.max_lead_time}
    return Mandate.model_validate(data)


def conflicting_forced_in(
    instance: Instance, mandate: Mandate, request: DiagnosisRequest
) -> tuple[list[str], list[str]] | None:
    """A smallest set of forced-in candidates that cannot all be chosen under the hard rules,
    and why; None when the hard rules alone are satisfiable (kept limits are at fault).

    A deletion filter: each forced-in candidate is dropped in turn and stays dropped if the
    rest still conflict, so every candidate left is needed for the conflict."""
    keep_cap = not allowed_keys(mandate, request)(LEAD_TIME_KEY)
    forced = list(mandate.force_in)

    def conflicts(ids: list[str]) -> bool:
        hard = _hard_only(instance, mandate, ids, keep_cap)
        return feasible(instance, hard, request.settings) is False

    if not forced or not conflicts(forced):
        return None
    for cid in list(forced):
        rest = [c for c in forced if c != cid]
        if rest and conflicts(rest):
            forced = rest
    return forced, _reasons(instance, mandate, forced, keep_cap)


def _reasons(instance: Instance, mandate: Mandate, ids: list[str], keep_cap: bool) -> list[str]:
    """The hard rules that tie the conflicting candidates, in words."""
    by_id, start, end = instance.by_id, mandate.horizon.start, mandate.horizon.end
    chosen, out = set(ids), set(mandate.force_out)
    reasons = []
    for cid in ids:
        c = by_id[cid]
        if c.latest_start < start or c.earliest_start > end:
            reasons.append(
                f"{cid} can start only in {c.earliest_start}-{c.latest_start}, outside the "
                f"horizon {start}-{end}"
            )
        cap = mandate.lead_time.max_lead_time
        if keep_cap and cap is not None and c.lead_time > cap:
            reasons.append(f"{cid} has lead time {c.lead_time:g} > the kept cap {cap:g}")
        for excluded in c.excludes:
            if excluded in chosen:
                reasons.append(f"{cid} excludes {excluded}")
        for other in instance.candidates:
            if cid in other.excludes and other.id in chosen and other.id not in c.excludes:
                reasons.append(f"{other.id} excludes {cid}")
        for needed in c.requires:
            required = by_id[needed]
            if needed in out:
                reasons.append(f"{cid} requires {needed}, which is forced out")
            elif required.earliest_start > min(c.latest_start, end):
                reasons.append(
                    f"{cid} requires {needed}, which cannot start by {min(c.latest_start, end)}"
                )
            else:
                reasons.append(f"{cid} requires {needed}")
    return list(dict.fromkeys(reasons)) or ["their start windows and requires/excludes relations"]
