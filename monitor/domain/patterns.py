"""Recurring causes of missed SLAs, and how evenly queues and sites perform. Pure.

A vendor that misses an SLA three months running has a problem to fix, not three credits
to pay. This module finds what repeats, on data the engine already has:

- `repeat_misses`: the same SLA missed in N of the last M periods (period results);
- `recurring_cells` with `band_key` / `queue_key` / `site_key`: the same weekday x
  time-of-day band, queue or site failing its target in every one of the periods looked at
  (interval frames in the interchange schema);
- `consistency`: each queue's (or site's) attainment against the aggregate, weakest first.

Every cause carries its **cost**: how much the aggregate value would improve if that cell
had exactly met target (its shortfall `target * denominator - numerator`, in the KPI's
counts, divided by the period's whole denominator). For service level 0.0121 means the
month would have been 1.21 points higher. Causes are ranked by mean cost.

Why a cell must pass three guards before it is called a pattern (`recurring_cells`):
with 5 weekdays x 6 two-hour bands there are 30 cells, and when the aggregate sits near
target each cell fails in a given month about half the time by chance, so "failed in each of
3 months" alone would flag 30 / 8 ~ 4 cells of pure noise. Hence, in EVERY period:
1. the cell misses target (a one-off bad month is not a pattern);
2. its cost is material (`min_cost`, default 0.25 points of the aggregate): a cell that
   misses by a hair costs nothing worth a root-cause analysis;
3. it is significantly worse than the rest of the period (`z`, default 3): for ratio KPIs a
   two-proportion z-score of the cell against all other cells; under shuffled data the
   cell and the rest share one rate and z > 3 happens with probability ~0.001 per period,
   so ~1e-9 for three periods across 30 cells. This also keeps a uniformly bad month
   (every cell below target) from flagging every cell: nothing stands out there.
Seconds KPIs (ASA, AHT) have no binomial variance; for them guard 3 compares the cell's
mean to the rest's mean and requires it to be worse by `z` times the standard error of the
interval means.

Exclusions are not applied: patterns describe how the service ran, not what is owed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from monitor.domain.aggregation import start_ns
from monitor.domain.calendars import open_spans
from monitor.domain.contract import Contract, Direction, Metric, Sla, Status
from monitor.domain.kpis import MissingColumns, ratio_for
from monitor.domain.results import Evaluation, Period

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
RATIO_METRICS = (Metric.SERVICE_LEVEL, Metric.ABANDON_RATE, Metric.FCR, Metric.CSAT)
MISSED = (Status.BREACHED, Status.KEY_MEASUREMENT_MISSED)


@dataclass(frozen=True)
class RecurringCause:
    """A pattern of failure. `costs` is per period (same order as `periods`); `cost` their
    mean, in the KPI's unit (a ratio, or seconds for ASA/AHT)."""

    kind: str  # repeat_miss | time_band | queue | site
    sla_id: str
    subject: str  # the SLA, "Mon 08:00-10:00", a queue id or a site
    periods: tuple[str, ...]
    costs: tuple[Decimal, ...]

    @property
    def cost(self) -> Decimal:
        return sum(self.costs, Decimal(0)) / len(self.costs) if self.costs else Decimal(0)

    def describe(self) -> str:
        what = {"repeat_miss": "missed", "time_band": "fails", "queue": "queue fails",
                "site": "site fails"}[self.kind]
        return (f"{self.sla_id}: {self.subject} {what} in {', '.join(self.periods)}; "
                f"costs {self.cost * 100:.2f} points a period")


def rank(causes: Sequence[RecurringCause]) -> list[RecurringCause]:
    """Most costly first; ties by kind and subject so the order is stable."""
    return sorted(causes, key=lambda c: (-c.cost, c.kind, c.subject))


# --- N of M -----------------------------------------------------------------------------

def repeat_misses(history: Sequence[Evaluation], misses: int = 3,
                  within: int = 6) -> list[RecurringCause]:
    """SLAs missed in at least `misses` of their last `within` evaluated periods (history
    oldest first). The cost of a missed period is its gap to target."""
    by_sla: dict[str, list[tuple[str, Status, Decimal]]] = {}
    for evaluation in history:
        for r in evaluation.results:
            gap = Decimal(0)
            if r.value is not None:
                gap = r.target.value - r.value
                if r.target.direction is Direction.MAX:
                    gap = -gap
            by_sla.setdefault(r.sla_id, []).append(
                (evaluation.period.label, r.status, max(gap, Decimal(0))))
    found: list[RecurringCause] = []
    for sla_id, rows in by_sla.items():
        missed = [(p, g) for p, s, g in rows[-within:] if s in MISSED]
        if len(missed) >= misses:
            found.append(RecurringCause("repeat_miss", sla_id, sla_id,
                                        tuple(p for p, _ in missed), tuple(g for _, g in missed)))
    return rank(found)


# --- cells of intervals -----------------------------------------------------------------

Key = Callable[[pd.DataFrame, Contract], pd.Series]


def band_key(hours: int = 2) -> Key:
    """Weekday x `hours`-long band of local time in the contract zone: "Mon 08:00-10:00"."""
    if hours <= 0 or 24 % hours:
        raise ValueError("band hours must divide 24")

    def key(frame: pd.DataFrame, contract: Contract) -> pd.Series:
        local = frame["interval_start"].dt.tz_convert(contract.tz)
        lo = (local.dt.hour // hours) * hours
        return (local.dt.day_of_week.map(lambda d: DAYS[d]) + " "
                + lo.map(lambda h: f"{h:02d}:00-{(h + hours) % 24:02d}:00"))

    return key


def queue_key(frame: pd.DataFrame, contract: Contract) -> pd.Series:
    return frame["queue"].astype(str)


def site_key(frame: pd.DataFrame, contract: Contract) -> pd.Series:
    """The queue's `site` from the contract's sources (queues without one: "(no site)")."""
    sites = {q.id: q.site or "(no site)" for q in contract.sources.queues}
    sites.update({q.name: q.site or "(no site)" for q in contract.sources.queues})
    return frame["queue"].astype(str).map(lambda q: sites.get(q, "(no site)"))


def _sla_rows(frame: pd.DataFrame, contract: Contract, sla: Sla, period: Period) -> pd.DataFrame:
    """The rows that count for `sla` in `period`: its queues and channel, calendar hours."""
    rows = frame
    if sla.queues:
        names = {q.id: q.name for q in contract.sources.queues}
        wanted = set(sla.queues) | {names[q] for q in sla.queues if q in names}
        rows = rows[rows["queue"].astype(str).isin(wanted)]
    if sla.channel is not None and "channel" in rows.columns:
        rows = rows[rows["channel"].fillna("voice").astype(str) == sla.channel]
    spans = open_spans(contract.calendar(sla.calendar), period.start, period.end, contract.tz)
    return rows[spans.contains(start_ns(rows))]


def _counts(rows: pd.DataFrame, sla: Sla) -> pd.DataFrame:
    def col(name: str) -> np.ndarray:
        if name not in rows.columns:
            raise MissingColumns([name])
        return rows[name].to_numpy(dtype=np.int64)

    ratio = ratio_for(sla, col)
    return pd.DataFrame({"num": ratio.numerator, "den": ratio.denominator}, index=rows.index)


def _shortfall(num: int, den: int, target: Decimal, direction: Direction) -> Decimal:
    """Counts the cell lacks to meet target exactly (0 when it meets)."""
    gap = target * den - num if direction is Direction.MIN else num - target * den
    return max(gap, Decimal(0))


def _stands_out(cell: pd.DataFrame, rest: pd.DataFrame, sla: Sla, z: float) -> bool:
    """Guard 3 of the module docstring: the cell is worse than the rest by `z` std errors."""
    n1, n2 = int(cell["den"].sum()), int(rest["den"].sum())
    if n1 == 0 or n2 == 0:
        return False
    sign = 1 if sla.target.direction is Direction.MIN else -1
    if sla.metric in RATIO_METRICS:
        p1, p2 = cell["num"].sum() / n1, rest["num"].sum() / n2
        p = (cell["num"].sum() + rest["num"].sum()) / (n1 + n2)
        se = math.sqrt(max(p * (1 - p), 1e-12) * (1 / n1 + 1 / n2))
        return bool(sign * (p2 - p1) / se > z)
    m1 = cell["num"] / cell["den"].where(cell["den"] > 0)
    m2 = rest["num"] / rest["den"].where(rest["den"] > 0)
    m1, m2 = m1.dropna(), m2.dropna()
    if len(m1) < 2 or len(m2) < 2:
        return False
    se = math.sqrt(m1.var() / len(m1) + m2.var() / len(m2)) or 1e-12
    return bool(sign * (m2.mean() - m1.mean()) / se > z)


def recurring_cells(frame: pd.DataFrame, contract: Contract, sla: Sla,
                    periods: Sequence[Period], key: Key, kind: str,
                    min_periods: int = 3, min_cost: Decimal = Decimal("0.0025"),
                    z: float = 3.0) -> list[RecurringCause]:
    """Cells (by `key`) that fail `sla` in every one of `periods` (at least `min_periods`
    of them) with a material cost and significantly worse than the rest; ranked by cost."""
    if len(periods) < min_periods:
        return []
    per_period: list[tuple[Period, pd.DataFrame]] = []
    for period in periods:
        rows = _sla_rows(frame, contract, sla, period)
        counts = _counts(rows, sla)
        counts["cell"] = key(rows, contract) if len(rows) else pd.Series(dtype=str)
        per_period.append((period, counts))
    candidates: set[str] | None = None
    costs: dict[str, list[Decimal]] = {}
    for period, counts in per_period:
        total = int(counts["den"].sum())
        target = sla.target_on(period.first_day)
        failing: set[str] = set()
        sums = counts.groupby("cell")[["num", "den"]].sum()
        for cell, row in sums.iterrows():
            num, den = int(row["num"]), int(row["den"])
            if den == 0 or total == 0:
                continue
            cost = _shortfall(num, den, target.value, target.direction) / total
            if cost < min_cost or cost == 0:
                continue
            mask = counts["cell"] == cell
            if _stands_out(counts[mask], counts[~mask], sla, z):
                failing.add(str(cell))
                costs.setdefault(str(cell), []).append(cost)
        candidates = failing if candidates is None else candidates & failing
    labels = tuple(p.label for p, _ in per_period)
    return rank([RecurringCause(kind, sla.id, cell, labels, tuple(costs[cell]))
                 for cell in sorted(candidates or ())])


# --- consistency ------------------------------------------------------------------------

@dataclass(frozen=True)
class Standing:
    """One queue's (or site's) attainment against the aggregate in one period.
    `delta` is attainment minus aggregate (negative = below, for `min` KPIs)."""

    subject: str
    numerator: int
    denominator: int
    attainment: Decimal
    aggregate: Decimal
    delta: Decimal
    cost: Decimal  # what the aggregate would gain if this one met target
    meets_target: bool


def consistency(frame: pd.DataFrame, contract: Contract, sla: Sla, period: Period,
                key: Key = queue_key) -> list[Standing]:
    """Each queue's (or site's, with `site_key`) attainment against the aggregate, weakest
    first, so the weakest locations are visible and the best ones can be copied."""
    rows = _sla_rows(frame, contract, sla, period)
    counts = _counts(rows, sla)
    counts["cell"] = key(rows, contract) if len(rows) else pd.Series(dtype=str)
    total_num, total = int(counts["num"].sum()), int(counts["den"].sum())
    if total == 0:
        return []
    target = sla.target_on(period.first_day)
    aggregate = Decimal(total_num) / Decimal(total)
    out: list[Standing] = []
    for cell, row in counts.groupby("cell")[["num", "den"]].sum().iterrows():
        num, den = int(row["num"]), int(row["den"])
        if den == 0:
            continue
        value = Decimal(num) / Decimal(den)
        short = _shortfall(num, den, target.value, target.direction)
        out.append(Standing(str(cell), num, den, value, aggregate, value - aggregate,
                            short / total, short == 0))
    worse_first = -1 if target.direction is Direction.MIN else 1
    return sorted(out, key=lambda s: (worse_first * -s.attainment, s.subject))


# --- everything for one contract --------------------------------------------------------

def recurring_causes(contract: Contract, history: Sequence[Evaluation], frame: pd.DataFrame,
                     periods: Sequence[Period], band_hours: int = 2) -> list[RecurringCause]:
    """All recurring causes of `contract`, ranked by cost: N-of-M misses from `history`
    (N and M from the contract's first chronic-failure rule, else 3 of 6), and for every
    count-based SLA the weekday x time bands, queues and sites failing in every one of
    `periods` (intervals of `frame`). SLAs whose columns are missing are skipped."""
    rule = contract.chronic_failure[0] if contract.chronic_failure else None
    found = repeat_misses(history, rule.misses if rule else 3, rule.within_months if rule else 6)
    has_sites = any(q.site for q in contract.sources.queues)
    keys: list[tuple[Key, str]] = [(band_key(band_hours), "time_band"), (queue_key, "queue")]
    if has_sites:
        keys.append((site_key, "site"))
    for sla in contract.slas:
        if sla.metric is Metric.AVAILABILITY:
            continue
        for key, kind in keys:
            try:
                found += recurring_cells(frame, contract, sla, periods, key, kind)
            except MissingColumns:
                break
    return rank(found)
