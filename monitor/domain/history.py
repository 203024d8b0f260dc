"""A period and the ones before it, evaluated in order, with credits over that history.

The credit engine needs the ordered history of `Evaluation`s (earn-back windows, rolling
defaults, chronic failure), so every caller that shows money for a period — `slamon
evaluate`, `slamon report`, the service — evaluates the earlier periods from the same
measurements through this one function. Measurements come from an injected callable, so
this stays pure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pandas as pd

from monitor.domain.contract import Contract
from monitor.domain.credits import assess_credits
from monitor.domain.evaluate import evaluate
from monitor.domain.measurements import Measurements, Outage
from monitor.domain.periods import period_containing
from monitor.domain.results import Evaluation, Period, PeriodCredits
from monitor.errors import InputError

Measure = Callable[[datetime, datetime], Measurements]


@dataclass(frozen=True, eq=False)
class History:
    """Evaluations oldest first, the reported period last, with their credits."""

    evaluations: tuple[Evaluation, ...]
    credits: tuple[PeriodCredits, ...]

    @property
    def current(self) -> Evaluation:
        return self.evaluations[-1]

    @property
    def current_credits(self) -> PeriodCredits:
        return self.credits[-1]


def span_for(contract: Contract, period: Period) -> tuple[datetime, datetime]:
    """From the start to the end of every SLA period that contains `period` (a quarterly
    ASA inside a monthly evaluation needs the whole quarter's intervals)."""
    start, end = period.start, period.end
    for sla in contract.slas:
        if sla.period is period.kind:
            continue
        try:
            own = period_containing(contract, sla.period, period.start)
        except InputError:
            continue
        start, end = min(start, own.start), max(end, own.end)
    return start, end


def _overlapping(outages: Sequence[Outage], start: datetime, end: datetime) -> bool:
    return any(o.start < end and (o.end is None or o.end > start) for o in outages)


def has_data(measurements: Measurements, period: Period) -> bool:
    frame = measurements.intervals
    if not frame.empty:
        ts = frame["interval_start"]
        lo = pd.Timestamp(period.start).tz_convert("UTC")
        hi = pd.Timestamp(period.end).tz_convert("UTC")
        if bool(((ts >= lo) & (ts < hi)).any()):
            return True
    return _overlapping(measurements.outages, period.start, period.end)


def earlier_periods(contract: Contract, period: Period, count: int) -> list[Period]:
    """Up to `count` periods of the same kind before `period`, oldest first, inside the
    contract's term."""
    out: list[Period] = []
    cursor = period
    for _ in range(count):
        try:
            cursor = period_containing(contract, period.kind,
                                       cursor.full_start - timedelta(seconds=1))
        except InputError:
            break
        out.append(cursor)
    return list(reversed(out))


def evaluate_history(contract: Contract, period: Period, measure: Measure, as_of: datetime,
                     *, history: int = 12, availability_data: bool = True,
                     is_final: Callable[[str], bool] = lambda label: False,
                     require_data: bool = True, source: str = "the data") -> History:
    """Evaluate `period` and up to `history` earlier periods that have data; assess credits.

    A period with no interval or outage data at all is refused (`InputError`) unless
    `require_data` is False: an empty month is a gap in collection, not a perfect month.
    """
    current = measure(*span_for(contract, period))
    if require_data and not has_data(current, period):
        first, last = period.start.date(), (period.end - timedelta(days=1)).date()
        raise InputError(
            f"no interval or outage data for contract {contract.id} in period {period.label}"
            f" ({first} to {last}) in {source}", column="period")
    evaluations: list[Evaluation] = []
    for earlier in earlier_periods(contract, period, history):
        measured = measure(*span_for(contract, earlier))
        if has_data(measured, earlier):
            evaluations.append(evaluate(contract, measured, earlier, as_of,
                                        availability_data=availability_data))
    evaluations.append(evaluate(contract, current, period, as_of,
                                availability_data=availability_data))
    evaluations = [replace(e, status="final") if is_final(e.period.label) else e
                   for e in evaluations]
    return History(tuple(evaluations), tuple(assess_credits(contract, evaluations)))


def evaluate_periods(contract: Contract, periods: Sequence[Period], measure: Measure,
                     as_of: datetime, *, availability_data: bool = True) -> History:
    """Evaluate `periods` (oldest first) one at a time, each from the measurements of its own
    span only (`span_for`: a month, or the quarter of a quarterly SLA), and assess credits
    over all of them. Consecutive periods of the same span share one `measure` call; the
    span's measurements are released before the next span is measured, so peak memory grows
    with one span's data, not with the number of periods (a year of 10,000 queues)."""
    evaluations: list[Evaluation] = []
    held: tuple[tuple[datetime, datetime], Measurements] | None = None
    for period in periods:
        span = span_for(contract, period)
        if held is None or held[0] != span:
            held = None  # dropped before the next span is built
            held = (span, measure(*span))
        evaluations.append(evaluate(contract, held[1], period, as_of,
                                    availability_data=availability_data,
                                    keep_intervals=False))
    return History(tuple(evaluations), tuple(assess_credits(contract, evaluations)))
