"""The vendor scorecard: how each SLA did across periods, and how steady it was.

Three questions per SLA, all pure computations over `ReportData.history_with_current()`:

- trend: the contractual value per period and the least-squares slope across them, read
  in the SLA's direction (a falling ASA is "improving");
- periods met: how many measured periods met the target (insufficient data is not
  counted either way);
- consistency: the spread of interval-level results from `Evidence.per_interval` (p10,
  quartiles, p90, IQR, the p10-p90 width and the share of intervals that met the target).
  Customers value consistent service over occasional excellence: a month at 82 % made of
  intervals between 78 % and 86 % is a better month than 82 % made of 40 % and 100 %.

- across locations: each SLA's attainment per queue and per site in the reported period,
  weakest first, and the spread between the best and the worst
  (`monitor.domain.consistency`, carried in `ReportData.consistency`).

Interval values are read from the `value` column of `per_interval`, or computed as
`numerator / denominator` (the engine's frame); intervals outside the SLA's calendar
(`in_calendar` false), excluded ones (`excluded` true) and ones without a value (no
contacts) are left out. Quantiles are linear-interpolated (pandas' default).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from monitor.domain.consistency import Consistency
from monitor.domain.contract import Direction, Status
from monitor.domain.results import Evidence, SlaResult
from monitor.reports.model import HistoryEntry, ReportData
from monitor.reports.units import is_seconds

MEASURED = (Status.MET, Status.BREACHED, Status.KEY_MEASUREMENT_MISSED)


@dataclass(frozen=True)
class Spread:
    """Distribution of interval-level results (ratios, or seconds for ASA/AHT)."""

    intervals: int
    p10: float
    p25: float
    median: float
    p75: float
    p90: float
    share_meeting_target: float | None  # share of intervals at or better than target

    @property
    def iqr(self) -> float:
        return self.p75 - self.p25

    @property
    def p10_p90(self) -> float:
        return self.p90 - self.p10


@dataclass(frozen=True)
class PeriodPoint:
    period: str
    value: Decimal | None
    target: Decimal
    status: str
    credit: Decimal | None
    spread: Spread | None


@dataclass(frozen=True)
class SlaScorecard:
    sla_id: str
    metric: str
    direction: Direction
    points: tuple[PeriodPoint, ...]
    periods_met: int
    periods_measured: int
    slope: float | None  # change of value per period, in the metric's unit
    trend: str  # improving | declining | steady | n/a
    spread: Spread | None  # all intervals of all periods together

    @property
    def credits(self) -> Decimal:
        return sum((p.credit for p in self.points if p.credit is not None), Decimal(0))


@dataclass(frozen=True)
class Scorecard:
    contract_id: str
    periods: tuple[str, ...]
    slas: tuple[SlaScorecard, ...]
    credit_total: Decimal
    consistency: tuple[Consistency, ...] = ()


def interval_values(evidence: Evidence) -> pd.Series:
    """Per-interval results as floats, empty when the engine kept no per-interval frame."""
    frame = evidence.per_interval
    if frame is None or frame.empty:
        return pd.Series(dtype="float64")
    if "in_calendar" in frame.columns:  # the engine's frame: count only what counted
        frame = frame[frame["in_calendar"].astype(bool)]
    if "excluded" in frame.columns:
        frame = frame[~frame["excluded"].astype(bool)]
    if "value" in frame.columns:
        values = pd.to_numeric(frame["value"], errors="coerce")
    elif {"numerator", "denominator"} <= set(frame.columns):
        num = pd.to_numeric(frame["numerator"], errors="coerce").astype("float64")
        den = pd.to_numeric(frame["denominator"], errors="coerce").astype("float64")
        values = num / den.where(den != 0)
    else:
        return pd.Series(dtype="float64")
    return values.astype("float64").dropna().reset_index(drop=True)


def spread_of(values: pd.Series, targets: pd.Series | None, direction: Direction) -> Spread | None:
    """Quantiles of `values`; `targets` (same length) gives each interval's target."""
    if values.empty:
        return None
    q = values.quantile([0.10, 0.25, 0.50, 0.75, 0.90])
    share: float | None = None
    if targets is not None:
        met = values >= targets if direction == Direction.MIN else values <= targets
        share = float(met.mean())
    return Spread(
        intervals=len(values),
        p10=float(q.loc[0.10]),
        p25=float(q.loc[0.25]),
        median=float(q.loc[0.50]),
        p75=float(q.loc[0.75]),
        p90=float(q.loc[0.90]),
        share_meeting_target=share,
    )


def _steady_band(metric: str) -> float:
    """A slope smaller than this per period is noise: 0.1 percentage point, or 0.5 s."""
    return 0.5 if is_seconds(metric) else 0.001


def _trend(points: Sequence[PeriodPoint], metric: str, direction: Direction) -> tuple[
    float | None, str
]:
    xs = [i for i, p in enumerate(points) if p.value is not None]
    ys = [float(p.value) for p in points if p.value is not None]
    if len(xs) < 2:
        return None, "n/a"
    slope = float(np.polyfit(np.array(xs, dtype=float), np.array(ys, dtype=float), 1)[0])
    better = slope if direction == Direction.MIN else -slope
    if abs(slope) < _steady_band(metric):
        return slope, "steady"
    return slope, "improving" if better > 0 else "declining"


def _sla_scorecard(sla_id: str, entries: Sequence[HistoryEntry]) -> SlaScorecard | None:
    rows: list[tuple[str, SlaResult, Decimal | None]] = []
    for entry in entries:
        try:
            result = entry.evaluation.result(sla_id)
        except KeyError:
            continue
        credit = None
        if entry.credits is not None:
            for line in entry.credits.lines:
                if line.sla_id == sla_id:
                    credit = line.amount
        rows.append((entry.evaluation.period.label, result, credit))
    if not rows:
        return None
    direction = rows[-1][1].target.direction
    metric = rows[-1][1].metric
    points: list[PeriodPoint] = []
    all_values: list[pd.Series] = []
    all_targets: list[pd.Series] = []
    for label, result, credit in rows:
        values = interval_values(result.evidence)
        targets = pd.Series([float(result.target.value)] * len(values), dtype="float64")
        all_values.append(values)
        all_targets.append(targets)
        points.append(
            PeriodPoint(
                period=label,
                value=result.value,
                target=result.target.value,
                status=str(result.status),
                credit=credit,
                spread=spread_of(values, targets, result.target.direction),
            )
        )
    measured = [p for p in points if p.status in MEASURED and p.value is not None]
    slope, trend = _trend(points, metric, direction)
    combined_values = pd.concat(all_values, ignore_index=True)
    combined_targets = pd.concat(all_targets, ignore_index=True)
    return SlaScorecard(
        sla_id=sla_id,
        metric=metric,
        direction=direction,
        points=tuple(points),
        periods_met=sum(1 for p in measured if p.status == Status.MET),
        periods_measured=len(measured),
        slope=slope,
        trend=trend,
        spread=spread_of(combined_values, combined_targets, direction),
    )


def build_scorecard(data: ReportData) -> Scorecard:
    """The scorecard over the report's history, ending with the reported period."""
    entries = data.history_with_current()
    sla_ids: list[str] = [s.id for s in data.contract.slas]
    for entry in entries:  # SLAs that were evaluated but are no longer in the contract
        for r in entry.evaluation.results:
            if r.sla_id not in sla_ids:
                sla_ids.append(r.sla_id)
    cards = [c for c in (_sla_scorecard(s, entries) for s in sla_ids) if c is not None]
    total = sum(
        (e.credits.total for e in entries if e.credits is not None), Decimal(0)
    )
    return Scorecard(
        contract_id=data.contract.id,
        periods=tuple(e.evaluation.period.label for e in entries),
        slas=tuple(cards),
        credit_total=total,
        consistency=tuple(data.consistency),
    )
