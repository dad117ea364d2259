"""Shared helpers of the benchmarks: a direct numpy/scipy build of the allocator model, quiet HiGHS.

``direct_model(instance, mandate)`` writes the same mixed-integer program as
``allocator.formulation.build_model`` (same allowed pairs, same rows, same bounds and objective)
straight from the Instance and Mandate objects, every family vectorised over the pairs, as one
``scipy.sparse`` matrix. ``to_highs`` hands it to ``highspy.Highs.passModel``. It is the yardstick
that the Pyomo build and hand-off are measured against; CVaR (scenario risk) is not written.

Columns: ``z`` of pair p is column p, ``w`` of pair p is column P + p.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from allocator.inputs.instance import Instance
from allocator.inputs.mandate import SHARE_LIMIT_KINDS, Mandate, Pacing, year_limits

INF = highspy.kHighsInf


# --------------------------------------------------------------------------- quiet HiGHS


@contextlib.contextmanager
def fd1_silenced() -> Iterator[None]:
    """Send file descriptor 1 to /dev/null (the HiGHS C library writes its banner there)."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(devnull)
        os.close(saved)


def quiet_highs() -> None:
    """Create this process's first ``highspy.Highs`` with fd 1 silenced, so no banner leaks."""
    with fd1_silenced():
        highspy.Highs()


def new_highs(time_limit: float | None = None, gap: float | None = None) -> highspy.Highs:
    """A silent HiGHS object with an optional time limit and relative MIP gap."""
    with fd1_silenced():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    if gap is not None:
        h.setOptionValue("mip_rel_gap", float(gap))
    return h


def lp_relaxation_value(lp: Any) -> tuple[str, float]:
    """Solve the LP relaxation (integrality dropped) of a HighsLp or of ``allocator``'s
    ``Arrays``: (model status, objective)."""
    h = new_highs()
    if hasattr(lp, "pass_to"):
        lp.pass_to(h, relaxed=True)
    else:
        lp.integrality_ = []
        h.passModel(lp)
    h.run()
    return h.modelStatusToString(h.getModelStatus()), h.getInfo().objective_function_value


# --------------------------------------------------------------------------- the direct model


@dataclass
class DirectModel:
    """``max cost·x`` s.t. ``row_lower ≤ A x ≤ row_upper``, ``lower ≤ x ≤ upper``; z integer."""

    pairs: int
    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    matrix: sp.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray

    @property
    def rows(self) -> int:
        """Number of rows."""
        return self.matrix.shape[0]

    def to_lp(self, relax: bool = False) -> highspy.HighsLp:
        """The model as a row-wise HighsLp; ``relax`` leaves out integrality."""
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.matrix.shape[1], self.matrix.shape[0]
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = self.cost, self.lower, self.upper
        lp.row_lower_, lp.row_upper_ = self.row_lower, self.row_upper
        a = lp.a_matrix_
        a.format_ = highspy.MatrixFormat.kRowwise
        a.num_col_, a.num_row_ = lp.num_col_, lp.num_row_
        a.start_ = self.matrix.indptr.astype(np.int32)
        a.index_ = self.matrix.indices.astype(np.int32)
        a.value_ = self.matrix.data
        if not relax:
            kinds = [highspy.HighsVarType.kInteger] * self.pairs
            lp.integrality_ = kinds + [highspy.HighsVarType.kContinuous] * self.pairs
        return lp

    def to_highs(self, time_limit: float | None = None, gap: float | None = None) -> highspy.Highs:
        """A silent HiGHS object holding the model (``passModel``)."""
        h = new_highs(time_limit, gap)
        h.passModel(self.to_lp())
        return h


@dataclass
class _Rows:
    """Row blocks collected as COO triplets with their bounds."""

    count: int = 0
    rows: list[np.ndarray] = field(default_factory=list)
    cols: list[np.ndarray] = field(default_factory=list)
    vals: list[np.ndarray] = field(default_factory=list)
    lower: list[np.ndarray] = field(default_factory=list)
    upper: list[np.ndarray] = field(default_factory=list)

    def add(
        self, row: np.ndarray, col: np.ndarray, val: np.ndarray, values: np.ndarray, sense: str
    ) -> np.ndarray:
        """Add ``len(values)`` rows (local row index ``row`` per entry); return their indices."""
        values = np.asarray(values, dtype=float)
        n = len(values)
        self.rows.append(np.asarray(row, dtype=np.int64) + self.count)
        self.cols.append(np.asarray(col, dtype=np.int64))
        self.vals.append(np.broadcast_to(np.asarray(val, dtype=float), np.shape(row)))
        self.lower.append(values if sense in ("min", "eq") else np.full(n, -INF))
        self.upper.append(values if sense in ("max", "eq") else np.full(n, INF))
        self.count += n
        return np.arange(self.count - n, self.count)

    def extra(self, row: np.ndarray, col: np.ndarray, val: np.ndarray) -> None:
        """More entries in rows already added (global indices); duplicates are summed."""
        self.rows.append(np.asarray(row, dtype=np.int64))
        self.cols.append(np.asarray(col, dtype=np.int64))
        self.vals.append(np.broadcast_to(np.asarray(val, dtype=float), np.shape(row)))

    def matrix(self, columns: int) -> sp.csr_matrix:
        """The collected rows as one CSR matrix (duplicates summed, explicit zeros dropped)."""
        coo = sp.coo_matrix(
            (np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols))),
            shape=(self.count, columns),
        )
        csr = coo.tocsr()
        csr.sum_duplicates()
        csr.eliminate_zeros()
        return csr


@dataclass
class _Data:
    """Per-candidate arrays (length N) and per-pair arrays (length P)."""

    instance: Instance
    mandate: Mandate
    ids: list[str]
    tmin: np.ndarray
    tmax: np.ndarray
    lead: np.ndarray
    loss: np.ndarray
    net_return: np.ndarray
    impact: np.ndarray
    gap_score: np.ndarray
    sub_area: np.ndarray  # code into sub_area_ids
    pillar: np.ndarray  # code into pillar_ids
    group: np.ndarray  # label per candidate ("" = none)
    schedule: np.ndarray  # N × K call fractions, zero padded
    sub_area_ids: list[str]
    pillar_ids: list[str]
    first: np.ndarray  # first pair position of each candidate
    npairs: np.ndarray  # number of pairs of each candidate
    first_year: np.ndarray  # year of the first pair of each candidate
    cand: np.ndarray  # candidate of each pair
    year: np.ndarray  # year of each pair

    @property
    def p(self) -> int:
        """Number of pairs."""
        return len(self.cand)


def _ranges(start: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges ``start[i] .. start[i] + count[i] - 1``: (owner i, value) of every element."""
    count = np.maximum(count, 0)
    owner = np.repeat(np.arange(len(count)), count)
    offsets = np.cumsum(count) - count
    value = np.arange(owner.size) - offsets[owner] + np.asarray(start)[owner]
    return owner, value


def _data(instance: Instance, mandate: Mandate) -> _Data:
    """Read the candidates into arrays and enumerate the allowed pairs (candidate, then year)."""
    cands = instance.candidates
    subs = instance.sub_areas
    sub_area_ids = list(subs)
    pillar_ids = list(dict.fromkeys(s.pillar_id for s in instance.taxonomy))
    sub_code = {s: i for i, s in enumerate(sub_area_ids)}
    pillar_code = {p: i for i, p in enumerate(pillar_ids)}
    sub_area = np.fromiter((sub_code[c.sub_area_id] for c in cands), np.int64, len(cands))
    sub_pillar = np.array([pillar_code[subs[s].pillar_id] for s in sub_area_ids], dtype=np.int64)
    gaps = np.array([subs[s].gap_score for s in sub_area_ids], dtype=float)

    def column(name: str) -> np.ndarray:
        return np.fromiter((getattr(c, name) for c in cands), float, len(cands))

    longest = max(len(c.call_schedule) for c in cands)
    schedule = np.zeros((len(cands), longest))
    for j, c in enumerate(cands):
        schedule[j, : len(c.call_schedule)] = c.call_schedule
    loss, multiple = column("loss_probability"), column("expected_multiple")
    lo = np.maximum(column("earliest_start").astype(np.int64), mandate.horizon.start)
    hi = np.minimum(column("latest_start").astype(np.int64), mandate.horizon.end)
    npairs = np.maximum(hi - lo + 1, 0)
    cand, year = _ranges(lo, npairs)
    return _Data(
        instance=instance,
        mandate=mandate,
        ids=[c.id for c in cands],
        tmin=column("ticket_min"),
        tmax=column("ticket_max"),
        lead=column("lead_time"),
        loss=loss,
        net_return=(1.0 - loss) * multiple - 1.0,
        impact=column("impact"),
        gap_score=gaps[sub_area],
        sub_area=sub_area,
        pillar=sub_pillar[sub_area],
        group=np.array([c.group for c in cands], dtype=object),
        schedule=schedule,
        sub_area_ids=sub_area_ids,
        pillar_ids=pillar_ids,
        first=np.cumsum(npairs) - npairs,
        npairs=npairs,
        first_year=lo,
        cand=cand,
        year=year,
    )


def _sense(name: str) -> str:
    return "max" if name.startswith("max") else "min"


class _Builder:
    """Adds each constraint family of the allocator model as vectorised row blocks."""

    def __init__(self, d: _Data) -> None:
        self.d, self.m = d, d.mandate
        self.rows = _Rows()
        self.pos = np.arange(d.p)
        self.zcol, self.wcol = self.pos, self.pos + d.p
        self.deployed = self.m.share_basis == "deployed"

    # ----------------------------------------------------------------- helpers

    def grouped(
        self,
        key: np.ndarray,
        values: list[float],
        sense: str,
        measure: str,
        weight: np.ndarray | None = None,
        share: bool = False,
    ) -> None:
        """One row per value: Σ weight·(w or z) over the pairs whose ``key`` is the row's number
        (key −1: in no row) against the value; shares are times the basis."""
        values_arr = np.asarray(values, dtype=float)
        if not len(values_arr):
            return
        mask = key >= 0
        weight = np.ones(self.d.p) if weight is None else weight
        cols = self.wcol if measure == "amount" else self.zcol
        rhs = values_arr * self.m.budget if share and not self.deployed else values_arr
        if share and self.deployed:
            rhs = np.zeros(len(values_arr))
        index = self.rows.add(key[mask], cols[mask], weight[mask], rhs, sense)
        if share and self.deployed:  # lhs − value·Σw  (sense)  0
            owner, p = _ranges(np.zeros(len(index), np.int64), np.full(len(index), self.d.p))
            self.rows.extra(index[owner], self.wcol[p], -values_arr[owner])

    def one(
        self,
        mask: np.ndarray,
        value: float,
        sense: str,
        measure: str,
        weight: np.ndarray | None = None,
        share: bool = False,
    ) -> None:
        """A single row over the pairs in ``mask``."""
        self.grouped(np.where(mask, 0, -1), [value], sense, measure, weight, share)

    # ----------------------------------------------------------------- families

    def tickets(self) -> None:
        """``w = tmax·z`` when min = max, else ``w ≤ tmax·z``; ``w ≥ tmin·z`` when 0 < min < max."""
        d = self.d
        tmin, tmax = d.tmin[d.cand], d.tmax[d.cand]
        fixed = tmin == tmax
        for mask, coef, sense in (
            (fixed, tmax, "eq"),
            (~fixed, tmax, "max"),
            ((tmin > 0) & ~fixed, tmin, "min"),
        ):
            k = int(mask.sum())
            local = np.concatenate([np.arange(k), np.arange(k)])
            cols = np.concatenate([self.wcol[mask], self.zcol[mask]])
            vals = np.concatenate([np.ones(k), -coef[mask]])
            self.rows.add(local, cols, vals, np.zeros(k), sense)

    def once_only(self) -> None:
        """Forced candidates exactly once; others with more than one pair at most once."""
        d = self.d
        forced = np.isin(np.array(d.ids, dtype=object), list(self.m.force_in))
        for mask, value, sense in ((forced, 1.0, "eq"), (~forced & (d.npairs > 1), 1.0, "max")):
            chosen = np.flatnonzero(mask)
            owner, p = _ranges(d.first[chosen], d.npairs[chosen])
            self.rows.add(owner, self.zcol[p], 1.0, np.full(len(chosen), value), sense)

    def budget(self) -> None:
        """``Σw ≤ budget``; ``Σw ≥ min_deployment·budget``."""
        everything = np.ones(self.d.p, dtype=bool)
        self.one(everything, self.m.budget, "max", "amount")
        if self.m.min_deployment is not None:
            self.one(everything, self.m.min_deployment * self.m.budget, "min", "amount")

    def pacing(self) -> None:
        """Capital called per horizon year: annual max/min, cumulative max."""
        pacing, years = self.m.pacing, self.m.years
        if pacing == Pacing():
            return
        d, start, end = self.d, years[0], years[-1]
        entries = []  # (year called, pair, fraction)
        for k in range(d.schedule.shape[1]):
            frac = d.schedule[d.cand, k]
            mask = (frac != 0) & (d.year + k <= end)
            entries.append((d.year[mask] + k, self.pos[mask], frac[mask]))
        called = np.concatenate([e[0] for e in entries])
        pair = np.concatenate([e[1] for e in entries])
        frac = np.concatenate([e[2] for e in entries])
        for name, sense in (("annual_max", "max"), ("annual_min", "min")):
            limits = year_limits(getattr(pacing, name), years)
            if limits:
                row_of_year = np.full(end - start + 1, -1)
                row_of_year[np.array(list(limits)) - start] = np.arange(len(limits))
                key = row_of_year[called - start]
                mask = key >= 0
                values = list(limits.values())
                self.rows.add(key[mask], self.wcol[pair[mask]], frac[mask], values, sense)
        cumulative = year_limits(pacing.cumulative_max, years)
        for y, value in cumulative.items():
            mask = called <= y
            local = np.zeros(int(mask.sum()), np.int64)
            self.rows.add(local, self.wcol[pair[mask]], frac[mask], [value], "max")

    def portfolio(self) -> None:
        """Pillar, then sub-area share/amount/count limits."""
        d = self.d
        if self.m.pillars:
            self._share_level(self.m.pillars, d.pillar_ids, d.pillar[d.cand])
        sub_limits = self.m.sub_area_limits(d.sub_area_ids)
        if sub_limits:
            self._share_level(sub_limits, d.sub_area_ids, d.sub_area[d.cand])

    def _share_level(self, limits: dict, ids: list[str], code: np.ndarray) -> None:
        """Rows of one level: for each bound, one row per id that sets it."""
        for name, sense, measure in SHARE_LIMIT_KINDS:
            chosen = [(i, getattr(lim, name)) for i, lim in limits.items()]
            chosen = [(i, v) for i, v in chosen if v is not None]
            row_of = np.full(len(ids), -1)
            for r, (ident, _) in enumerate(chosen):
                row_of[ids.index(ident)] = r
            self.grouped(
                row_of[code],
                [v for _, v in chosen],
                sense,
                measure,
                share=name.endswith("share"),
            )

    def deals(self) -> None:
        """Deals per commitment year and in total."""
        d, deals, years = self.d, self.m.deals, self.m.years
        if deals.max_per_year is not None:
            key = np.where((d.year >= years[0]) & (d.year <= years[-1]), d.year - years[0], -1)
            self.grouped(key, [deals.max_per_year] * len(years), "max", "count")
        everything = np.ones(d.p, dtype=bool)
        for name in ("max_total", "min_total"):
            value = getattr(deals, name)
            if value is not None:
                self.one(everything, value, _sense(name), "count")

    def groups(self) -> None:
        """Chosen members of each group: max_count, then min_count."""
        if not self.m.groups:
            return
        labels = list(self.m.groups)
        group_of_pair = self.d.group[self.d.cand]
        for name in ("max_count", "min_count"):
            chosen = [g for g in labels if getattr(self.m.groups[g], name) is not None]
            row_of = {g: r for r, g in enumerate(chosen)}
            key = np.fromiter((row_of.get(g, -1) for g in group_of_pair), np.int64, self.d.p)
            values = [getattr(self.m.groups[g], name) for g in chosen]
            self.grouped(key, values, _sense(name), "count")

    def requires(self) -> None:
        """``z[j,t] − Σ_{t' ≤ t} z[i,t'] ≤ 0`` for each pair of j and each i it requires."""
        d = self.d
        index = {cid: k for k, cid in enumerate(d.ids)}
        edges = [
            (j, index[i])
            for j, c in enumerate(d.instance.candidates)
            for i in dict.fromkeys(c.requires)
        ]
        if not edges:
            return
        j, i = (np.array(x, dtype=np.int64) for x in zip(*edges, strict=True))
        edge, p = _ranges(d.first[j], d.npairs[j])  # one row per (edge, pair of j)
        req = i[edge]
        earlier = np.clip(d.year[p] - d.first_year[req] + 1, 0, d.npairs[req])
        row, q = _ranges(d.first[req], earlier)
        rows = np.arange(len(p))
        self.rows.add(
            np.concatenate([rows, row]),
            np.concatenate([self.zcol[p], self.zcol[q]]),
            np.concatenate([np.ones(len(p)), -np.ones(len(q))]),
            np.zeros(len(p)),
            "max",
        )

    def excludes(self) -> None:
        """``Σ z[a,·] + Σ z[b,·] ≤ 1`` for each excluded couple, both with pairs."""
        d = self.d
        index = {cid: k for k, cid in enumerate(d.ids)}
        couples = sorted(
            {tuple(sorted((c.id, i))) for c in d.instance.candidates for i in c.excludes}
        )
        pairs = [(index[a], index[b]) for a, b in couples]
        pairs = [(a, b) for a, b in pairs if d.npairs[a] > 0 and d.npairs[b] > 0]
        if not pairs:
            return
        a, b = (np.array(x, dtype=np.int64) for x in zip(*pairs, strict=True))
        ra, pa = _ranges(d.first[a], d.npairs[a])
        rb, pb = _ranges(d.first[b], d.npairs[b])
        self.rows.add(
            np.concatenate([ra, rb]),
            self.zcol[np.concatenate([pa, pb])],
            1.0,
            np.ones(len(a)),
            "max",
        )

    def risk(self) -> None:
        """Expected-loss share and high-risk share."""
        d, risk = self.d, self.m.risk
        loss = d.loss[d.cand]
        everything = np.ones(d.p, dtype=bool)
        if risk.max_expected_loss_share is not None:
            self.one(everything, risk.max_expected_loss_share, "max", "amount", loss, share=True)
        if risk.max_high_risk_share is not None:
            high = loss >= risk.high_risk_threshold
            self.one(high, risk.max_high_risk_share, "max", "amount", share=True)

    def impact_by(self) -> None:
        """Capital online by a year (``t + lead ≤ year``), overall and per sub-area deadline."""
        d, lead = self.d, self.m.lead_time
        online_year = d.year + d.lead[d.cand]
        rules = [(np.ones(d.p, dtype=bool), r) for r in lead.impact_by]
        rules += [
            (d.sub_area[d.cand] == d.sub_area_ids.index(sid), r)
            for sid, r in lead.sub_area_deadlines.items()
        ]
        for within, rule in rules:
            online = within & (online_year <= rule.year)
            if rule.min_share is not None:
                self.one(online, rule.min_share, "min", "amount", share=True)
            if rule.min_amount is not None:
                self.one(online, rule.min_amount, "min", "amount")

    def attributes(self) -> None:
        """Generic attribute limits, per deal (Σ a·z) or per dollar (Σ a·w)."""
        d = self.d
        for lim in self.m.limits:
            a = np.fromiter(
                (c.attributes.get(lim.attribute, 0.0) for c in d.instance.candidates),
                float,
                len(d.ids),
            )[d.cand]
            measure = "count" if lim.per == "deal" else "amount"
            for bound in ("max", "min"):
                value = getattr(lim, bound)
                if value is not None:
                    self.one(a != 0, value, bound, measure, a)

    def bounds_and_cost(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Column bounds (z ub 0 when excluded; w ≤ ticket_max) and the objective."""
        d, m = self.d, self.m
        excluded = np.isin(np.array(d.ids, dtype=object), list(m.force_out))
        if m.lead_time.max_lead_time is not None:
            excluded |= d.lead > m.lead_time.max_lead_time
        lower = np.zeros(2 * d.p)
        upper = np.concatenate([np.where(excluded[d.cand], 0.0, 1.0), d.tmax[d.cand]])
        horizon = m.effective_value_horizon
        operating = np.maximum(0.0, horizon - (d.year + d.lead[d.cand]))
        scale = 5.0 * (horizon - m.horizon.start)
        strategic = d.gap_score[d.cand] * d.impact[d.cand] * operating / scale
        weights = m.objective
        w_cost = weights.strategic_weight * strategic + weights.return_weight * d.net_return[d.cand]
        return lower, upper, np.concatenate([np.zeros(d.p), w_cost])


def direct_model(instance: Instance, mandate: Mandate) -> DirectModel:
    """The allocator model written directly as arrays (no CVaR)."""
    if mandate.risk.cvar is not None or mandate.objective.cvar_weight:
        raise NotImplementedError("the direct build does not write CVaR rows")
    d = _data(instance, mandate)
    b = _Builder(d)
    for family in (
        b.tickets,
        b.once_only,
        b.budget,
        b.pacing,
        b.portfolio,
        b.deals,
        b.groups,
        b.requires,
        b.excludes,
        b.risk,
        b.impact_by,
        b.attributes,
    ):
        family()
    lower, upper, cost = b.bounds_and_cost()
    matrix = b.rows.matrix(2 * d.p)
    return DirectModel(
        pairs=d.p,
        cost=cost,
        lower=lower,
        upper=upper,
        matrix=matrix,
        row_lower=np.concatenate(b.rows.lower) if b.rows.lower else np.zeros(0),
        row_upper=np.concatenate(b.rows.upper) if b.rows.upper else np.zeros(0),
    )
