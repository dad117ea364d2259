"""Independent plan checker: recompute every mandate limit from a plan and the input files.

The checker reads the instance CSVs and the raw mandate itself, with pandas and PyYAML
only, and imports no other ``allocator`` module: a bug in the loader, the mandate model
or the formulation cannot hide here, because no code is shared with them.

Cash flows are recomputed from the documented schedules: an investment of amount A made in
year t calls ``call_schedule[k]·A`` in year t + k and is expected to distribute
``(1 − loss_probability)·expected_multiple·distribution_schedule[k]·A`` in year t + hold + k
(``hold`` defaults to the lead time rounded up, at least the years of the call schedule).

Only a plan's ``investments`` (id, start_year, amount) are taken as the decision. Every
total, metric and objective term is recomputed from them, each mandate limit is checked
against the recomputation, and the numbers the plan reports are compared with it.

Violations carry a rule family and a key, the dotted mandate path of the broken limit:

=================  ==================================================================
rule               key
=================  ==================================================================
``status``         ``investments`` (a plan without a solution lists investments)
``unknown_id``     ``investments.<id>``
``duplicate``      ``investments.<id>``
``ticket``         ``tickets.<id>``
``start_year``     ``start_years.<id>``
``force_in``       ``force_in.<id>``
``force_out``      ``force_out.<id>``
``budget``         ``budget``
``recycling``      ``budget`` (commitments to a year above the budget plus recycled proceeds)
``min_deployment`` ``min_deployment``
``pacing``         ``pacing.annual_max.<year>``, ``pacing.annual_min.<year>``,
                   ``pacing.cumulative_max.<year>``, ``pacing.commit_max.<year>``,
                   ``pacing.commit_min.<year>``, ``pacing.net_max.<year>``
``deals``          ``deals.max_per_year``, ``deals.max_total``, ``deals.min_total``
``pillars``        ``pillars.<pillar_id>.<limit>``
``sub_areas``      ``sub_areas.<sub_area_id>.<limit>`` (also when set by ``default``)
``groups``         ``groups.<label>.<limit>``
``requires``       ``requires.<id>`` (the candidate whose requirement is unmet)
``excludes``       ``excludes.<id>`` (the candidate whose ``excludes`` lists the other)
``risk``           ``risk.max_expected_loss_share``, ``risk.max_high_risk_share``
``lead_time``      ``lead_time.max_lead_time``, ``lead_time.impact_by.<i>.<limit>``,
                   ``lead_time.sub_area_deadlines.<sub_area_id>.<limit>``
``limits``         ``limits.<i>.max``, ``limits.<i>.min``, ``limits.<i>.attribute``
``reported``       the plan's own path: ``totals.by_pillar.<id>``, ``metrics.deals``,
                   ``objective_terms.return``, ``objective``, ``cash_flows.<year>.net``,
                   ``metrics.irr``, ``metrics.outcomes.irr_p50``, ...
=================  ==================================================================
"""

from __future__ import annotations

import copy
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

KNOWN_COLUMNS = frozenset(
    "id name sub_area_id ticket_min ticket_max earliest_start latest_start lead_time"
    " loss_probability expected_multiple call_schedule impact hold distribution_schedule"
    " multiple_sigma value_by_start requires excludes group source notes".split()
)
_TEXT_COLUMNS = (
    "id",
    "sub_area_id",
    "call_schedule",
    "distribution_schedule",
    "value_by_start",
    "requires",
    "excludes",
    "group",
)
_OPTIONAL_DEFAULTS = {
    "call_schedule": "1",
    "impact": 1.0,
    "distribution_schedule": "1",
    "multiple_sigma": 0.0,
    "value_by_start": "",
    "requires": "",
    "excludes": "",
    "group": "",
}
_WITH_SOLUTION = frozenset({"optimal", "feasible"})
_ENTITY_LIMITS = tuple(
    f"{sense}_{measure}" for measure in ("share", "amount", "count") for sense in ("min", "max")
)
_REPORTED_NUMBERS = {
    "totals.committed": "committed",
    "metrics.deals": "deals",
    "metrics.expected_loss": "expected_loss",
    "metrics.high_risk_share": "high_risk_share",
    "objective_terms.strategic": "strategic",
    "objective_terms.return": "return",
    "objective": "objective",
}
_REPORTED_MAPS = {
    "totals.by_pillar": "by_pillar",
    "totals.by_sub_area": "by_sub_area",
    "totals.by_year_committed": "by_year_committed",
    "totals.by_year_called": "by_year_called",
    "metrics.dpi": "dpi",
}
_CASH_FLOW_COLUMNS = ("called", "distributed", "net", "cumulative_net", "nav")
# IRR: rates r > -99 % solving Σ net_k (1 + r)^-k = 0, searched up to 10,000 %
_IRR_LOWEST, _IRR_HIGHEST, _IRR_POINTS = -0.9999, 100.0, 2001
_TOTAL_LOSS_IRR = -1.0
_OUTCOME_QUANTILES = {"p5": 0.05, "p50": 0.5, "p95": 0.95}
# the mandate's defaults, written here again on purpose (a test compares them with the model's)
_DEFAULT_HIGH_RISK_THRESHOLD = 0.35
_DEFAULT_HORIZON_START, _DEFAULT_HORIZON_YEARS = 2026, 10
_DEFAULT_VALUE_HORIZON_AFTER = 10  # years after the horizon's last year
_DEFAULT_CVAR_ALPHA = 0.95
_DEFAULT_WEIGHTS = {
    "strategic_weight": 1.0,
    "return_weight": 1.0,
    "cvar_weight": 0.0,
    "discount_rate": None,  # no discounting: the undiscounted expected net return
}
_REPORTED_RELATIVE_TOL = 1e-6
_REPORTED_ABSOLUTE_TOL = 1e-4
_LIMIT_RELATIVE_TOL = 1e-5


@dataclass(frozen=True)
class Violation:
    """One broken limit: its rule family, dotted mandate path and what was found."""

    rule: str
    key: str
    message: str


@dataclass(frozen=True)
class CheckReport:
    """The violations of one plan and the values recomputed from its investments."""

    violations: tuple[Violation, ...]
    recomputed: dict[str, Any]

    @property
    def ok(self) -> bool:
        """Whether the plan keeps every limit and reports its own numbers truthfully."""
        return not self.violations


@dataclass(frozen=True)
class _Context:
    """What every rule family reads: mandate, instance, plan and its recomputation."""

    plan: Mapping[str, Any]
    mandate: Mapping[str, Any]
    candidates: pd.DataFrame  # candidates.csv indexed by id, defaults filled
    sub_area_ids: tuple[str, ...]
    investments: pd.DataFrame  # the plan's rows as given: id, start_year, amount
    chosen: pd.DataFrame  # rows whose id is a candidate, joined with its data
    years: range  # the horizon's calendar years
    basis: float  # what shares are measured against
    tol: float
    recomputed: dict[str, Any]

    def bound(
        self,
        rule: str,
        key: str,
        what: str,
        value: float,
        limit: float | None,
        sense: str,
    ) -> Iterator[Violation]:
        """Yield a violation when `value` breaks `limit` beyond the tolerance.

        `sense` is "max" or "min"; a limit of None is no limit. The tolerance grows
        with the limit so that solver round-off on large amounts is not reported.
        """
        if limit is None:
            return
        slack = _LIMIT_RELATIVE_TOL * max(1.0, abs(limit)) + self.tol
        if sense == "max" and value > limit + slack:
            yield Violation(rule, key, f"{what} is {value:.10g}, above {limit:.10g}")
        if sense == "min" and value < limit - slack:
            yield Violation(rule, key, f"{what} is {value:.10g}, below {limit:.10g}")

    def of_basis(self, share: float | None) -> float | None:
        """Turn a share limit into an amount (None stays no limit)."""
        return None if share is None else share * self.basis


Family = Callable[[_Context], Iterator[Violation]]


def check_plan(
    plan: Mapping[str, Any] | str | Path,
    instance_dir: str | Path,
    mandate: Mapping[str, Any] | str | Path,
    tol: float = 1e-6,
    scenarios: str | Path | None = None,
    *,
    edits: Mapping[str, Any] | None = None,
    recorded_edits: bool = True,
) -> CheckReport:
    """Check a plan against every limit of a mandate, recomputing all it reports.

    Parameters
    ----------
    plan
        The Plan JSON as a dict, or the path of a ``.json`` file.
    instance_dir
        The instance folder holding ``taxonomy.csv`` and ``candidates.csv``.
    mandate
        The raw mandate as a dict (None values mean "no limit"), or a YAML path.
    tol
        Absolute tolerance added to the relative one of every limit.
    scenarios
        A ``scenarios.csv`` for CVaR; by default the one in the instance folder, if any.
    edits
        Dotted-path edits (as ``--set`` takes them) applied to the mandate, after the plan's.
    recorded_edits
        Apply the edits the plan records in ``provenance.edits`` (the default), so that a plan
        made with ``--set`` is checked against the mandate it was solved under.

    Returns
    -------
    CheckReport
        The violations found, and the totals, metrics and objective terms
        recomputed from the plan's investments.
    """
    plan_data: Mapping[str, Any] = _read(plan, json.loads)
    mandate_data: Mapping[str, Any] = _read(mandate, yaml.safe_load)
    recorded = _lookup(plan_data, "provenance.edits") if recorded_edits else None
    for changes in (recorded, edits):
        if changes:
            mandate_data = apply_edits(mandate_data, changes)
    folder = Path(instance_dir)
    default = folder / "scenarios.csv"
    scenario_file = Path(scenarios) if scenarios else (default if default.is_file() else None)
    ctx = _context(plan_data, folder, mandate_data, tol, scenario_file)
    solved = plan_data.get("status") in _WITH_SOLUTION
    families = _FAMILIES if solved else (_check_no_investments,)
    violations = tuple(v for family in families for v in family(ctx))
    return CheckReport(violations, ctx.recomputed)


def apply_edits(mandate: Mapping[str, Any], edits: Mapping[str, Any]) -> dict[str, Any]:
    """The raw mandate with dotted-path edits, as ``--set`` makes them (docs/model.md): maps
    by key, lists by position, a digit segment under a year map by year, and a scalar pacing
    limit addressed by year turned into a map of every horizon year."""
    edited: dict[str, Any] = copy.deepcopy(dict(mandate))
    for path, value in edits.items():
        parts = str(path).split(".")
        node: Any = edited
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            if isinstance(node, list):
                index = int(part)
                if last:
                    node[index] = value
                else:
                    node = node[index]
                continue
            key: Any = next((k for k in node if str(k) == part), None)
            if key is None:
                key = int(part) if part.isdigit() and _year_keyed(node) else part
            if last:
                node[key] = value
                continue
            child = node.get(key)
            if child is None:
                child = node[key] = {}
            elif isinstance(child, int | float) and not isinstance(child, bool):
                child = node[key] = dict.fromkeys(_horizon(edited), child)
            node = child
    return edited


def _year_keyed(node: Mapping[Any, Any]) -> bool:
    """A map whose keys are years (or an empty one, which a year may start)."""
    return all(isinstance(k, int) or str(k).isdigit() for k in node)


def _read(source: Mapping[str, Any] | str | Path, parse: Callable[[str], Any]) -> Any:
    """Accept either the parsed document or the path of its file."""
    if isinstance(source, Mapping):
        return source
    return parse(Path(source).read_text())


def _get(mapping: Mapping[str, Any] | None, key: str, default: Any = None) -> Any:
    """Read a key, treating a missing section or an explicit None as absent."""
    value = (mapping or {}).get(key)
    return default if value is None else value


def _present(mapping: Mapping[str, Any] | None) -> dict[str, Any]:
    """Drop None entries, which a dumped pydantic mandate writes for unset keys."""
    return {key: value for key, value in (mapping or {}).items() if value is not None}


def _lookup(document: Mapping[str, Any], path: str) -> Any:
    """Follow a dotted path into nested dicts; None where it ends early."""
    value: Any = document
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _year_map(mapping: Mapping[Any, Any] | None) -> dict[int, float]:
    """Key a {year: amount} map by int, whether YAML or JSON wrote the years."""
    return {int(year): float(value) for year, value in _present(mapping).items()}


def _per_year(limit: Any, years: range) -> dict[int, float]:
    """Spread a pacing limit over horizon years: a number to all, a map to its own."""
    if isinstance(limit, Mapping):
        return {year: v for year, v in _year_map(limit).items() if year in years}
    return {} if limit is None else dict.fromkeys(years, float(limit))


def _ids(cell: str) -> tuple[str, ...]:
    """Split a `;`-separated id list cell."""
    return tuple(part.strip() for part in cell.split(";") if part.strip())


def _fractions(cell: str) -> tuple[float, ...]:
    """Split a `;`-separated schedule cell."""
    return tuple(float(part) for part in cell.split(";"))


def _year_values(cell: str) -> dict[int, float]:
    """Split a `year:value;...` cell."""
    pairs = (part.split(":") for part in cell.split(";") if part.strip())
    return {int(year): float(value) for year, value in pairs}


def _default_hold(lead_time: float, call_schedule: tuple[float, ...]) -> int:
    """Documented default of ``hold``: the lead time rounded up, at least the call years."""
    return max(math.ceil(round(float(lead_time), 9)), len(call_schedule))


def _read_candidates(instance_dir: Path) -> pd.DataFrame:
    """Read candidates.csv by id, optional columns at their documented defaults."""
    path = instance_dir / "candidates.csv"
    frame = pd.read_csv(path, dtype=dict.fromkeys(_TEXT_COLUMNS, str))
    for column, default in _OPTIONAL_DEFAULTS.items():
        frame[column] = frame[column].fillna(default) if column in frame else default
    frame["call_schedule"] = frame["call_schedule"].map(_fractions)
    frame["distribution_schedule"] = frame["distribution_schedule"].map(_fractions)
    frame["value_by_start"] = frame["value_by_start"].map(_year_values)
    given = frame["hold"] if "hold" in frame else pd.Series(np.nan, index=frame.index)
    frame["hold"] = [
        int(hold) if pd.notna(hold) else _default_hold(lead, schedule)
        for hold, lead, schedule in zip(
            given, frame["lead_time"], frame["call_schedule"], strict=True
        )
    ]
    frame["requires"] = frame["requires"].map(_ids)
    frame["excludes"] = frame["excludes"].map(_ids)
    return frame.set_index("id")


def _attribute_columns(candidates: pd.DataFrame) -> set[str]:
    """Numeric candidate columns outside the documented ones, which limits may bound."""
    numeric = candidates.select_dtypes("number").columns
    return {column for column in numeric if column not in KNOWN_COLUMNS}


def _read_investments(plan: Mapping[str, Any]) -> pd.DataFrame:
    """Take the plan's decision: one row per listed investment, as given."""
    columns = ["id", "start_year", "amount"]
    rows = [{key: row.get(key) for key in columns} for row in plan.get("investments") or []]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"id": str, "start_year": int, "amount": float})


def _horizon(mandate: Mapping[str, Any]) -> range:
    """Return the horizon's calendar years (default 2026 for 10 years)."""
    horizon = _get(mandate, "horizon", {})
    start = int(_get(horizon, "start", _DEFAULT_HORIZON_START))
    return range(start, start + int(_get(horizon, "years", _DEFAULT_HORIZON_YEARS)))


def _basis(mandate: Mapping[str, Any], committed: float) -> float:
    """Return what shares are measured against: the budget, or what is deployed."""
    if _get(mandate, "share_basis", "budget") == "deployed":
        return committed
    return float(mandate["budget"])


def _context(
    plan: Mapping[str, Any],
    instance_dir: Path,
    mandate: Mapping[str, Any],
    tol: float,
    scenarios: Path | None,
) -> _Context:
    """Load the instance, join the plan's investments with it and recompute."""
    taxonomy = pd.read_csv(
        instance_dir / "taxonomy.csv", dtype={"pillar_id": str, "sub_area_id": str}
    )
    candidates = _read_candidates(instance_dir)
    investments = _read_investments(plan)
    by_sub_area = taxonomy.set_index("sub_area_id")[["pillar_id", "gap_score"]]
    chosen = investments.join(candidates, on="id", how="inner").join(by_sub_area, on="sub_area_id")
    chosen = chosen.reset_index(drop=True)  # an empty join keeps the right index's "id" name
    years = _horizon(mandate)
    basis = _basis(mandate, float(chosen["amount"].sum()))
    table = None if scenarios is None else pd.read_csv(scenarios, dtype={"scenario": str})
    return _Context(
        plan=plan,
        mandate=mandate,
        candidates=candidates,
        sub_area_ids=tuple(taxonomy["sub_area_id"]),
        investments=investments,
        chosen=chosen,
        years=years,
        basis=basis,
        tol=tol,
        recomputed=_recompute(chosen, mandate, years, basis, table),
    )


def _loss_fractions(chosen: pd.DataFrame, table: pd.DataFrame) -> np.ndarray:
    """Loss fraction of each chosen investment (columns) in each scenario (rows).

    A candidate's loss fraction is its own column, else its sub-area's, else its pillar's,
    else the ``default`` column's, else 0.
    """
    fractions = np.zeros((len(table), len(chosen)))
    for k, row in enumerate(chosen.itertuples()):
        names = (row.id, row.sub_area_id, row.pillar_id, "default")
        column = next((c for c in names if c in table), None)
        if column is not None:
            fractions[:, k] = table[column].astype(float).to_numpy()
    return fractions


def _scenario_losses(chosen: pd.DataFrame, table: pd.DataFrame | None) -> pd.DataFrame | None:
    """Portfolio loss ($M) and probability per scenario, or None without scenarios."""
    if table is None:
        return None
    loss = _loss_fractions(chosen, table) @ chosen["amount"].to_numpy(dtype=float)
    return pd.DataFrame({"probability": table["probability"].astype(float), "loss": loss})


def _cvar(losses: pd.DataFrame, alpha: float) -> float:
    """CVaR_α as min over η of η + E[(L − η)+] / (1 − α), η ranging over the scenario losses."""
    loss = losses["loss"].to_numpy()
    probability = losses["probability"].to_numpy()
    excess = np.maximum(loss[None, :] - loss[:, None], 0.0) @ probability
    return float((loss + excess / (1.0 - alpha)).min())


def _sum_by(chosen: pd.DataFrame, column: str) -> dict[Any, float]:
    """Sum the committed amount per value of `column`."""
    sums = chosen.groupby(column)["amount"].sum()
    return {key: float(value) for key, value in sums.items()}


def _called_by_year(chosen: pd.DataFrame) -> dict[int, float]:
    """Capital called per calendar year, including years after the horizon."""
    called: defaultdict[int, float] = defaultdict(float)
    rows = zip(chosen["start_year"], chosen["amount"], chosen["call_schedule"], strict=True)
    for start, amount, schedule in rows:
        for offset, fraction in enumerate(schedule):
            called[int(start) + offset] += fraction * amount
    return dict(sorted(called.items()))


def _schedule_years(
    start: int, offset: int, schedule: tuple[float, ...]
) -> list[tuple[int, float]]:
    """(calendar year, fraction) of a schedule whose year 0 is ``start + offset``."""
    return [(int(start) + int(offset) + k, f) for k, f in enumerate(schedule)]


def _expected_multiple(row: Any) -> float:
    """Expected proceeds per $ committed: survival probability times the survivor multiple."""
    return (1 - row.loss_probability) * row.expected_multiple


def _cash_flow_table(chosen: pd.DataFrame, first_year: int) -> pd.DataFrame:
    """Expected cash flows by calendar year, from the first horizon year to the last flow.

    NAV at cost: each investment's capital called to date times the share of its distribution
    schedule not yet paid out.
    """
    called: defaultdict[int, float] = defaultdict(float)
    distributed: defaultdict[int, float] = defaultdict(float)
    holdings = []
    for row in chosen.itertuples():
        calls = _schedule_years(row.start_year, 0, row.call_schedule)
        payouts = _schedule_years(row.start_year, row.hold, row.distribution_schedule)
        for year, fraction in calls:
            called[year] += fraction * row.amount
        for year, fraction in payouts:
            distributed[year] += fraction * row.amount * _expected_multiple(row)
        holdings.append((calls, payouts, row.amount))
    flow_years = set(called) | set(distributed)
    if not flow_years:
        return pd.DataFrame(columns=list(_CASH_FLOW_COLUMNS), index=pd.Index([], name="year"))
    years = range(min(first_year, *flow_years), max(flow_years) + 1)
    nav = []
    for year in years:
        at_cost = 0.0
        for calls, payouts, amount in holdings:
            paid_in = sum(f for y, f in calls if y <= year) * amount
            paid_out = sum(f for y, f in payouts if y <= year)
            at_cost += paid_in * (1 - paid_out)
        nav.append(max(0.0, at_cost))
    table = pd.DataFrame(
        {
            "called": [called.get(y, 0.0) for y in years],
            "distributed": [distributed.get(y, 0.0) for y in years],
        },
        index=pd.Index(list(years), name="year"),
    )
    table["net"] = table["distributed"] - table["called"]
    table["cumulative_net"] = table["net"].cumsum()
    table["nav"] = nav
    return table


def _present_value(net: np.ndarray, rate: float) -> float:
    """Σ net_k / (1 + rate)^k."""
    return float(sum(value / (1 + rate) ** k for k, value in enumerate(net)))


def _bisect(f: Callable[[float], float], low: float, high: float) -> float:
    """A root of f between low and high, where f changes sign, to about 1e-13."""
    f_low = f(low)
    for _ in range(200):
        middle = (low + high) / 2
        f_middle = f(middle)
        if (f_middle > 0) == (f_low > 0):
            low, f_low = middle, f_middle
        else:
            high = middle
        if high - low < 1e-13:
            break
    return (low + high) / 2


def _irr(net: np.ndarray) -> float | None:
    """The documented IRR: of the rates, on a grid even in log(1 + r) between -99.99 % and
    10,000 %, between which the net flows' present value changes sign, the root in the cell
    nearest 0; None if the flows never change sign or no rate in range solves it."""
    if not (net > 0).any() or not (net < 0).any():
        return None
    grid = np.expm1(np.linspace(math.log1p(_IRR_LOWEST), math.log1p(_IRR_HIGHEST), _IRR_POINTS))
    values = [_present_value(net, r) for r in grid]
    cells = [k for k in range(len(grid) - 1) if (values[k] > 0) != (values[k + 1] > 0)]
    if not cells:
        return None
    nearest = min(
        cells, key=lambda k: abs(math.expm1((math.log1p(grid[k]) + math.log1p(grid[k + 1])) / 2))
    )
    return _bisect(lambda r: _present_value(net, r), grid[nearest], grid[nearest + 1])


def _payback(cumulative: pd.Series) -> int | None:
    """First year of the final run of years whose cumulative net flow is non-negative, if the
    cumulative was negative before it."""
    years = list(cumulative.index)
    run_start = None
    for year in reversed(years):
        if cumulative[year] < -1e-9:
            break
        run_start = year
    negative_before = run_start is not None and run_start != years[0]
    return int(run_start) if negative_before and run_start is not None else None


def _return_rate(row: Any, rate: float | None, base_year: int) -> float:
    """Return-term value per $ of one investment: its value_by_start for the start year if
    given; else undiscounted (1 - p)·multiple - 1; else the present value at the horizon start
    of its expected proceeds minus its calls."""
    if int(row.start_year) in row.value_by_start:
        return row.value_by_start[int(row.start_year)]
    if rate is None:
        return _expected_multiple(row) - 1
    discount = lambda year: (1 + rate) ** -(year - base_year)  # noqa: E731
    proceeds = sum(
        f * _expected_multiple(row) * discount(y)
        for y, f in _schedule_years(row.start_year, row.hold, row.distribution_schedule)
    )
    calls = sum(f * discount(y) for y, f in _schedule_years(row.start_year, 0, row.call_schedule))
    return proceeds - calls


def _weighted_quantile(values: np.ndarray, probability: np.ndarray, q: float) -> float:
    """The smallest value whose cumulative probability reaches q."""
    frame = pd.DataFrame({"v": values, "p": probability}).sort_values("v", kind="stable")
    reached = frame["p"].cumsum().to_numpy() >= q - 1e-12
    return float(frame["v"].to_numpy()[reached.argmax() if reached.any() else -1])


def _scenario_irr(net: np.ndarray) -> np.ndarray:
    """The documented IRR of each scenario's net flows (rows), as ``_irr``: -100 % where nothing
    comes back; where no rate in range solves it, the end of the range the flows lean to."""
    k = np.arange(net.shape[1])
    log_grid = np.linspace(math.log1p(_IRR_LOWEST), math.log1p(_IRR_HIGHEST), _IRR_POINTS)
    signs = np.sign(net @ np.exp(-log_grid[None, :] * k[:, None]))  # (scenarios, grid)
    crossing = (signs[:, :-1] > 0) != (signs[:, 1:] > 0)
    centre = np.abs(np.expm1((log_grid[:-1] + log_grid[1:]) / 2))
    cell = np.where(crossing, centre, np.inf).argmin(axis=1)
    solved = crossing[np.arange(len(net)), cell]
    low, high = log_grid[cell].copy(), log_grid[cell + 1].copy()
    low_positive = signs[np.arange(len(net)), cell] > 0
    for _ in range(80):
        middle = (low + high) / 2
        positive = (net * np.exp(-middle[:, None] * k[None, :])).sum(axis=1) > 0
        keep_low = positive == low_positive
        low, high = np.where(keep_low, middle, low), np.where(keep_low, high, middle)
    ends = np.where(net.sum(axis=1) > 0, _IRR_HIGHEST, _IRR_LOWEST)
    rates = np.where(solved, np.expm1((low + high) / 2), ends)
    return np.where((net > 0).any(axis=1), rates, _TOTAL_LOSS_IRR)


def _outcomes(
    chosen: pd.DataFrame, table: pd.DataFrame | None, hurdle: float | None
) -> dict[str, float | None] | None:
    """Portfolio multiple and IRR over the scenarios, from each investment's realised multiple
    ``1 - loss fraction``, paid on its distribution schedule."""
    if table is None or chosen.empty:
        return None
    multiple = 1 - _loss_fractions(chosen, table)
    amounts = chosen["amount"].to_numpy(dtype=float)
    probability = table["probability"].astype(float).to_numpy()
    portfolio = multiple @ amounts / amounts.sum()
    first, last = None, None
    rows = []
    for row in chosen.itertuples():
        calls = _schedule_years(row.start_year, 0, row.call_schedule)
        payouts = _schedule_years(row.start_year, row.hold, row.distribution_schedule)
        rows.append((calls, payouts, row.amount))
        years = [y for y, _ in calls + payouts]
        first = min(years) if first is None else min(first, *years)
        last = max(years) if last is None else max(last, *years)
    assert first is not None and last is not None
    net = np.zeros((len(table), last - first + 1))
    for k, (calls, payouts, amount) in enumerate(rows):
        for year, fraction in calls:
            net[:, year - first] -= fraction * amount
        for year, fraction in payouts:
            net[:, year - first] += fraction * amount * multiple[:, k]
    rates = _scenario_irr(net)
    found: dict[str, float | None] = {"multiple_mean": float(probability @ portfolio)}
    for name, q in _OUTCOME_QUANTILES.items():
        found[f"multiple_{name}"] = _weighted_quantile(portfolio, probability, q)
        found[f"irr_{name}"] = _weighted_quantile(rates, probability, q)
    found["p_multiple_below_1"] = float(probability[portfolio < 1 - 1e-12].sum())
    found["hurdle"] = hurdle
    below = None if hurdle is None else float(probability[rates < hurdle - 1e-12].sum())
    found["p_irr_below_hurdle"] = below
    return found


def _strategic(chosen: pd.DataFrame, years: range, value_horizon: int) -> float:
    """Gap-weighted capital-years of operation until the value horizon.

    Divided by 5 * (value_horizon - horizon start), so that the top gap score held
    for the whole span is worth its amount, comparable with money.
    """
    operating = (value_horizon - chosen["start_year"] - chosen["lead_time"]).clip(lower=0)
    value = chosen["gap_score"] * chosen["impact"] * chosen["amount"] * operating
    return float(value.sum()) / (5 * (value_horizon - years.start))


def _net_return(chosen: pd.DataFrame, rate: float | None, base_year: int) -> float:
    """Sum the return term: each investment's return rate per $ times its amount."""
    return float(
        sum(_return_rate(row, rate, base_year) * row.amount for row in chosen.itertuples())
    )


def _high_risk_amount(chosen: pd.DataFrame, mandate: Mapping[str, Any]) -> float:
    """Amount in candidates whose loss probability reaches the high-risk threshold."""
    risk = _get(mandate, "risk", {})
    threshold = _get(risk, "high_risk_threshold", _DEFAULT_HIGH_RISK_THRESHOLD)
    return float(chosen.loc[chosen["loss_probability"] >= threshold, "amount"].sum())


def _recompute(
    chosen: pd.DataFrame,
    mandate: Mapping[str, Any],
    years: range,
    basis: float,
    table: pd.DataFrame | None,
) -> dict[str, Any]:
    """Every total, metric and objective term the plan reports, from its investments."""
    value_horizon = int(_get(mandate, "value_horizon", years[-1] + _DEFAULT_VALUE_HORIZON_AFTER))
    weights = _get(mandate, "objective", {})
    rate = _get(weights, "discount_rate", _DEFAULT_WEIGHTS["discount_rate"])
    strategic = _strategic(chosen, years, value_horizon)
    net_return = _net_return(chosen, rate, years.start)
    losses = _scenario_losses(chosen, table)
    flows = _cash_flow_table(chosen, years.start)
    called = float(flows["called"].sum())
    cumulative = flows["called"].cumsum()
    dpi = (flows["distributed"].cumsum() / cumulative)[cumulative > 0]
    high_risk = _high_risk_amount(chosen, mandate)
    alpha = _get(_get(_get(mandate, "risk", {}), "cvar", {}), "alpha", _DEFAULT_CVAR_ALPHA)
    cvar = None if losses is None else _cvar(losses, alpha)
    penalty = _get(weights, "cvar_weight", _DEFAULT_WEIGHTS["cvar_weight"]) * (cvar or 0.0)
    return {
        "committed": float(chosen["amount"].sum()),
        "by_pillar": _sum_by(chosen, "pillar_id"),
        "by_sub_area": _sum_by(chosen, "sub_area_id"),
        "by_year_committed": _sum_by(chosen, "start_year"),
        "by_year_called": _called_by_year(chosen),
        "strategic": strategic,
        "return": net_return,
        "objective": _get(weights, "strategic_weight", _DEFAULT_WEIGHTS["strategic_weight"])
        * strategic
        + _get(weights, "return_weight", _DEFAULT_WEIGHTS["return_weight"]) * net_return
        - penalty,
        "cvar": cvar,
        "cash_flows": {int(y): row for y, row in flows.to_dict("index").items()},
        "tvpi": float(flows["distributed"].sum()) / called if called > 0 else None,
        "dpi": {int(y): float(v) for y, v in dpi.items()},
        "irr": _irr(flows["net"].to_numpy(dtype=float)),
        "payback_year": _payback(flows["cumulative_net"]) if len(flows) else None,
        "outcomes": _outcomes(chosen, table, rate),
        "expected_loss": float((chosen["loss_probability"] * chosen["amount"]).sum()),
        "high_risk_share": high_risk / basis if basis else 0.0,
        "deals": len(chosen),
    }


def _entity_limits(
    ctx: _Context,
    rule: str,
    prefix: str,
    limits: Mapping[str, Any] | None,
    members: pd.DataFrame,
) -> Iterator[Violation]:
    """Bound the amount (absolute or as a share of the basis) and count of `members`."""
    amount, count = float(members["amount"].sum()), len(members)
    for name in _ENTITY_LIMITS:
        sense, measure = name.split("_")
        limit = _get(limits, name)
        if measure == "share":
            limit = ctx.of_basis(limit)
        value = count if measure == "count" else amount
        what = f"{'count' if measure == 'count' else 'amount'} of {prefix}"
        yield from ctx.bound(rule, f"{prefix}.{name}", what, value, limit, sense)


def _check_no_investments(ctx: _Context) -> Iterator[Violation]:
    """Check that a plan without a solution lists no investments: nothing else applies."""
    if len(ctx.investments):
        status = ctx.plan.get("status")
        n = len(ctx.investments)
        yield Violation("status", "investments", f"status {status!r} with {n} investments")


def _check_ids(ctx: _Context) -> Iterator[Violation]:
    """Every investment names a candidate of the instance, at most once."""
    counts = ctx.investments["id"].value_counts()
    for id_, count in counts.items():
        if id_ not in ctx.candidates.index:
            message = f"{id_} is not a candidate of the instance"
            yield Violation("unknown_id", f"investments.{id_}", message)
        if count > 1:
            message = f"{id_} is listed {count} times"
            yield Violation("duplicate", f"investments.{id_}", message)


def _check_tickets(ctx: _Context) -> Iterator[Violation]:
    """Every amount lies within its candidate's ticket range."""
    for row in ctx.chosen.itertuples():
        key, what = f"tickets.{row.id}", f"amount of {row.id}"
        yield from ctx.bound("ticket", key, what, row.amount, row.ticket_min, "min")
        yield from ctx.bound("ticket", key, what, row.amount, row.ticket_max, "max")


def _check_start_years(ctx: _Context) -> Iterator[Violation]:
    """Every commitment is made in a year its candidate and the horizon allow."""
    for row in ctx.chosen.itertuples():
        first = max(int(row.earliest_start), ctx.years[0])
        last = min(int(row.latest_start), ctx.years[-1])
        if not first <= row.start_year <= last:
            message = f"{row.id} starts in {row.start_year}, allowed {first}-{last}"
            yield Violation("start_year", f"start_years.{row.id}", message)


def _check_force(ctx: _Context) -> Iterator[Violation]:
    """Forced-in candidates are in the plan and forced-out ones are not."""
    listed = set(ctx.investments["id"])
    for id_ in _get(ctx.mandate, "force_in", []):
        if id_ not in listed:
            message = f"{id_} is forced in but not in the plan"
            yield Violation("force_in", f"force_in.{id_}", message)
    for id_ in _get(ctx.mandate, "force_out", []):
        if id_ in listed:
            message = f"{id_} is forced out but in the plan"
            yield Violation("force_out", f"force_out.{id_}", message)


def _check_budget(ctx: _Context) -> Iterator[Violation]:
    """Check the commitment fits the budget and deploys at least the minimum share."""
    committed, budget = ctx.recomputed["committed"], float(ctx.mandate["budget"])
    deployment = _get(ctx.mandate, "min_deployment", 0.0) * budget
    if _get(ctx.mandate, "recycling") is None:  # else the recycling rows bound it
        yield from ctx.bound("budget", "budget", "committed", committed, budget, "max")
    yield from ctx.bound(
        "min_deployment", "min_deployment", "committed", committed, deployment, "min"
    )


def _check_pacing(ctx: _Context) -> Iterator[Violation]:
    """Capital called in horizon years, per year and cumulated, keeps the pacing."""
    pacing = _get(ctx.mandate, "pacing", {})
    called = ctx.recomputed["by_year_called"]
    for name, sense in (("annual_max", "max"), ("annual_min", "min")):
        for year, limit in _per_year(_get(pacing, name), ctx.years).items():
            value, what = called.get(year, 0.0), f"capital called in {year}"
            key = f"pacing.{name}.{year}"
            yield from ctx.bound("pacing", key, what, value, limit, sense)
    for year, limit in _year_map(_get(pacing, "cumulative_max")).items():
        value = sum(v for y, v in called.items() if ctx.years.start <= y <= year)
        what = f"capital called {ctx.years.start}-{year}"
        key = f"pacing.cumulative_max.{year}"
        yield from ctx.bound("pacing", key, what, value, limit, "max")


def _check_commitments(ctx: _Context) -> Iterator[Violation]:
    """New commitments made in each horizon year keep ``commit_max`` and ``commit_min``."""
    pacing = _get(ctx.mandate, "pacing", {})
    committed = ctx.recomputed["by_year_committed"]
    for name, sense in (("commit_max", "max"), ("commit_min", "min")):
        for year, limit in _per_year(_get(pacing, name), ctx.years).items():
            value, what = committed.get(year, 0.0), f"capital committed in {year}"
            yield from ctx.bound("pacing", f"pacing.{name}.{year}", what, value, limit, sense)


def _check_net_cash(ctx: _Context) -> Iterator[Violation]:
    """Capital called minus expected distributions in each horizon year within ``net_max``."""
    flows = ctx.recomputed["cash_flows"]
    limits = _per_year(_get(_get(ctx.mandate, "pacing", {}), "net_max"), ctx.years)
    for year, limit in limits.items():
        net_out = -float(flows.get(year, {}).get("net", 0.0))
        what = f"capital called less expected distributions in {year}"
        yield from ctx.bound("pacing", f"pacing.net_max.{year}", what, net_out, limit, "max")


def _check_recycling(ctx: _Context) -> Iterator[Violation]:
    """Commitments up to each horizon year within the budget plus the recycled share of the
    expected distributions received in earlier years, up to ``until``."""
    recycling = _get(ctx.mandate, "recycling")
    if recycling is None:
        return
    share = float(recycling["share"])
    until = int(_get(recycling, "until", ctx.years[-1]))
    budget = float(ctx.mandate["budget"])
    flows = ctx.recomputed["cash_flows"]
    committed = ctx.recomputed["by_year_committed"]
    for year in ctx.years:
        received = sum(r["distributed"] for y, r in flows.items() if y < year and y <= until)
        made = sum(v for y, v in committed.items() if y <= year)
        what = f"commitments to {year} less {share:g} of proceeds received before it"
        yield from ctx.bound("recycling", "budget", what, made - share * received, budget, "max")


def _check_deals(ctx: _Context) -> Iterator[Violation]:
    """Check the number of commitments, per horizon year and in total."""
    deals = _get(ctx.mandate, "deals", {})
    per_year = ctx.chosen["start_year"].value_counts()
    for year in ctx.years:
        value, what = int(per_year.get(year, 0)), f"deals committed in {year}"
        limit = _get(deals, "max_per_year")
        yield from ctx.bound("deals", "deals.max_per_year", what, value, limit, "max")
    total = ctx.recomputed["deals"]
    for name, sense in (("max_total", "max"), ("min_total", "min")):
        limit = _get(deals, name)
        yield from ctx.bound("deals", f"deals.{name}", "deals", total, limit, sense)


def _check_pillars(ctx: _Context) -> Iterator[Violation]:
    """Each listed pillar keeps its share, amount and count limits."""
    for pillar, limits in _present(_get(ctx.mandate, "pillars")).items():
        members = ctx.chosen[ctx.chosen["pillar_id"] == pillar]
        yield from _entity_limits(ctx, "pillars", f"pillars.{pillar}", limits, members)


def _check_sub_areas(ctx: _Context) -> Iterator[Violation]:
    """Each sub-area keeps its own limits, taken key by key over the default entry."""
    section = _present(_get(ctx.mandate, "sub_areas"))
    default = _present(section.get("default"))
    listed = [sub_area for sub_area in section if sub_area != "default"]
    for sub_area in ctx.sub_area_ids if default else listed:
        limits = {**default, **_present(section.get(sub_area))}
        members = ctx.chosen[ctx.chosen["sub_area_id"] == sub_area]
        prefix = f"sub_areas.{sub_area}"
        yield from _entity_limits(ctx, "sub_areas", prefix, limits, members)


def _check_groups(ctx: _Context) -> Iterator[Violation]:
    """Each labelled group holds no more and no fewer chosen members than allowed."""
    for label, limits in _present(_get(ctx.mandate, "groups")).items():
        members = ctx.chosen[ctx.chosen["group"] == label]
        yield from _entity_limits(ctx, "groups", f"groups.{label}", limits, members)


def _check_requires(ctx: _Context) -> Iterator[Violation]:
    """Check a candidate starts only once everything it requires is committed."""
    first_start = ctx.chosen.groupby("id")["start_year"].min().to_dict()
    for row in ctx.chosen.itertuples():
        for needed in row.requires:
            when = first_start.get(needed)
            if when is None or when > row.start_year:
                found = "is not in the plan" if when is None else f"starts in {when}"
                message = f"{row.id} starts in {row.start_year}; {needed} {found}"
                yield Violation("requires", f"requires.{row.id}", message)


def _check_excludes(ctx: _Context) -> Iterator[Violation]:
    """No two chosen candidates exclude each other, whichever of them lists it."""
    listed = set(ctx.chosen["id"])
    reported: set[frozenset[str]] = set()
    for row in ctx.chosen.itertuples():
        for other in row.excludes:
            pair = frozenset((row.id, other))
            if other in listed and pair not in reported:
                reported.add(pair)
                message = f"{row.id} excludes {other}, yet both are in the plan"
                yield Violation("excludes", f"excludes.{row.id}", message)


def _check_risk(ctx: _Context) -> Iterator[Violation]:
    """Check expected loss and high-risk amount (CVaR needs scenarios: not here)."""
    risk = _get(ctx.mandate, "risk", {})
    loss_limit = ctx.of_basis(_get(risk, "max_expected_loss_share"))
    loss = ctx.recomputed["expected_loss"]
    key = "risk.max_expected_loss_share"
    yield from ctx.bound("risk", key, "expected loss", loss, loss_limit, "max")
    high_limit = ctx.of_basis(_get(risk, "max_high_risk_share"))
    high = _high_risk_amount(ctx.chosen, ctx.mandate)
    key = "risk.max_high_risk_share"
    yield from ctx.bound("risk", key, "high-risk amount", high, high_limit, "max")


def _check_cvar(ctx: _Context) -> Iterator[Violation]:
    """CVaR of the scenario loss within ``risk.cvar.max_share`` and reported truthfully."""
    cvar = ctx.recomputed["cvar"]
    if cvar is None:
        return
    limit = ctx.of_basis(_get(_get(_get(ctx.mandate, "risk", {}), "cvar", {}), "max_share"))
    yield from ctx.bound("risk", "risk.cvar.max_share", "CVaR", cvar, limit, "max")
    yield from _compare("metrics.cvar.cvar", _lookup(ctx.plan, "metrics.cvar.cvar"), cvar)


def _impact_years(chosen: pd.DataFrame) -> pd.Series:
    """Return the year each investment's capacity comes online."""
    return chosen["start_year"] + chosen["lead_time"]


def _check_lead_time(ctx: _Context) -> Iterator[Violation]:
    """No chosen candidate takes longer than the maximum lead time."""
    limit = _get(_get(ctx.mandate, "lead_time", {}), "max_lead_time")
    for row in ctx.chosen.itertuples():
        what = f"lead time of {row.id}"
        key = "lead_time.max_lead_time"
        yield from ctx.bound("lead_time", key, what, row.lead_time, limit, "max")


def _check_impact_by(ctx: _Context) -> Iterator[Violation]:
    """Enough capital has its impact online by each listed year."""
    section = _get(ctx.mandate, "lead_time", {})
    online_year = _impact_years(ctx.chosen)
    for index, spec in enumerate(_get(section, "impact_by", [])):
        members = ctx.chosen[online_year <= spec["year"]]
        prefix = f"lead_time.impact_by.{index}"
        yield from _entity_limits(ctx, "lead_time", prefix, spec, members)


def _check_sub_area_deadlines(ctx: _Context) -> Iterator[Violation]:
    """Enough capital in each listed sub-area has its impact online by its deadline."""
    section = _get(ctx.mandate, "lead_time", {})
    online_year = _impact_years(ctx.chosen)
    for sub_area, spec in _present(_get(section, "sub_area_deadlines")).items():
        in_time = (online_year <= spec["year"]) & (ctx.chosen["sub_area_id"] == sub_area)
        prefix = f"lead_time.sub_area_deadlines.{sub_area}"
        yield from _entity_limits(ctx, "lead_time", prefix, spec, ctx.chosen[in_time])


def _check_limits(ctx: _Context) -> Iterator[Violation]:
    """Each generic limit bounds its attribute summed per deal or per dollar."""
    attributes = _attribute_columns(ctx.candidates)
    for index, spec in enumerate(_get(ctx.mandate, "limits", [])):
        attribute = spec["attribute"]
        if attribute not in attributes:
            message = f"{attribute!r} is not an attribute column of candidates.csv"
            yield Violation("limits", f"limits.{index}.attribute", message)
            continue
        values = ctx.chosen[attribute]
        if _get(spec, "per", "deal") == "dollar":
            values = values * ctx.chosen["amount"]
        total, what = float(values.sum()), f"{_get(spec, 'name', attribute)} total"
        for sense in ("max", "min"):
            key, limit = f"limits.{index}.{sense}", _get(spec, sense)
            yield from ctx.bound("limits", key, what, total, limit, sense)


def _compare(path: str, reported: Any, actual: float) -> Iterator[Violation]:
    """Flag a reported number that is missing or differs from the recomputed one."""
    is_number = isinstance(reported, int | float)
    tolerance = _REPORTED_RELATIVE_TOL * abs(actual) + _REPORTED_ABSOLUTE_TOL
    if not is_number or abs(reported - actual) > tolerance:
        message = f"plan reports {reported!r}, recomputed {actual:.10g}"
        yield Violation("reported", path, message)


def _compare_optional(path: str, reported: Any, actual: float | None) -> Iterator[Violation]:
    """Like ``_compare``, where both sides may be null (an IRR that does not exist)."""
    if actual is None or reported is None:
        if actual is not None or reported is not None:
            yield Violation("reported", path, f"plan reports {reported!r}, recomputed {actual!r}")
        return
    yield from _compare(path, reported, actual)


def _check_cash_flows(ctx: _Context) -> Iterator[Violation]:
    """The plan's cash-flow table, TVPI, IRR, payback year and scenario outcomes."""
    reported = {int(row["year"]): row for row in ctx.plan.get("cash_flows") or []}
    flows = ctx.recomputed["cash_flows"]
    for year in sorted(set(reported) | set(flows)):
        row, actual = reported.get(year, {}), flows.get(year, {})
        for column in _CASH_FLOW_COLUMNS:
            number = float(actual.get(column, 0.0))
            yield from _compare(f"cash_flows.{year}.{column}", row.get(column, 0.0), number)
    metrics = ctx.plan.get("metrics") or {}
    for name in ("tvpi", "irr"):
        yield from _compare_optional(f"metrics.{name}", metrics.get(name), ctx.recomputed[name])
    payback, actual_payback = metrics.get("payback_year"), ctx.recomputed["payback_year"]
    if payback != actual_payback:
        message = f"plan reports {payback!r}, recomputed {actual_payback!r}"
        yield Violation("reported", "metrics.payback_year", message)
    outcomes, actual_outcomes = metrics.get("outcomes"), ctx.recomputed["outcomes"]
    if (outcomes is None) != (actual_outcomes is None):
        message = f"plan reports {outcomes!r}, recomputed {actual_outcomes!r}"
        yield Violation("reported", "metrics.outcomes", message)
    for name, recomputed in (actual_outcomes or {}).items():
        value = (outcomes or {}).get(name)
        yield from _compare_optional(f"metrics.outcomes.{name}", value, recomputed)


def _check_reported(ctx: _Context) -> Iterator[Violation]:
    """Check the plan's totals, metrics and objective against the recomputation."""
    for path, name in _REPORTED_NUMBERS.items():
        yield from _compare(path, _lookup(ctx.plan, path), ctx.recomputed[name])
    for path, name in _REPORTED_MAPS.items():
        reported = {str(k): v for k, v in (_lookup(ctx.plan, path) or {}).items()}
        actual = {str(k): v for k, v in ctx.recomputed[name].items()}
        for key in sorted(reported.keys() | actual.keys()):
            value = reported.get(key, 0.0)
            yield from _compare(f"{path}.{key}", value, actual.get(key, 0.0))


_FAMILIES: tuple[Family, ...] = (
    _check_ids,
    _check_tickets,
    _check_start_years,
    _check_force,
    _check_budget,
    _check_recycling,
    _check_pacing,
    _check_commitments,
    _check_net_cash,
    _check_deals,
    _check_pillars,
    _check_sub_areas,
    _check_groups,
    _check_requires,
    _check_excludes,
    _check_risk,
    _check_cvar,
    _check_lead_time,
    _check_impact_by,
    _check_sub_area_deadlines,
    _check_limits,
    _check_reported,
    _check_cash_flows,
)
