"""Error budget and end-of-period projection for one SLA in an open period. Pure math.

An SLA's value is `numerator / denominator` with the denominator as its weight (offered
contacts for service level, answered contacts for ASA, measured minutes for availability).
The rest of the period is assumed to bring as much weight as the elapsed part did, pro rata
to time: `expected = denominator / elapsed_fraction`. From there:

- `projected`: the value at period end if the rest runs at the current rate (= current value;
  kept as its own figure so dashboards and alerts read one name whatever the method).
- `best_case`: the value at period end if the rest is perfect (every event good for a `min`
  ratio; no bad event / zero seconds for a `max` metric). Worse than target = breach certain.
- `required`: what the rest of the period must average for the period to end exactly on
  target. Above 1 (a `min` ratio) or below 0 (a `max` metric) means it cannot be done.
- `budget_remaining` (ratio metrics only): the share of the period's error budget still
  unspent, `1 - bad / (budget * expected)`; below 0 means the budget is overspent.

No clock, no I/O: the caller passes elapsed and total minutes of the SLA's calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np

from monitor.domain.calendars import open_spans, to_ns
from monitor.domain.contract import SECONDS_METRICS, Contract, Direction, Metric, Sla
from monitor.domain.results import Period, SlaResult

ZERO = Decimal(0)
ONE = Decimal(1)
NS_PER_MINUTE = Decimal(60_000_000_000)


@dataclass(frozen=True)
class Projection:
    projected: Decimal
    best_case: Decimal | None  # None: no best value (a `min` metric measured in seconds)
    required: Decimal | None  # None: nothing of the period is left
    budget: Decimal | None  # allowed bad-event share (ratio metrics)
    budget_remaining: Decimal | None
    good_events: Decimal | None
    valid_events: Decimal | None


def error_budget(target: Decimal, direction: Direction) -> Decimal:
    """Allowed share of bad events: `1 - target` for a `min` ratio, the target for a `max` one."""
    return ONE - target if direction is Direction.MIN else target


def good_events(numerator: Decimal, denominator: Decimal, direction: Direction) -> Decimal:
    """Events that count towards meeting the target (abandons are the bad ones for `max`)."""
    return numerator if direction is Direction.MIN else denominator - numerator


def project(
    numerator: Decimal,
    denominator: Decimal,
    target: Decimal,
    direction: Direction,
    *,
    ratio: bool,
    elapsed_minutes: Decimal,
    total_minutes: Decimal,
) -> Projection | None:
    """The projection, or None when nothing has been measured yet (no weight, no time)."""
    if denominator <= 0 or elapsed_minutes <= 0 or total_minutes <= 0:
        return None
    fraction = min(elapsed_minutes / total_minutes, ONE)
    expected = denominator / fraction
    remaining = expected - denominator
    value = numerator / denominator
    best_value: Decimal | None
    best_value = ZERO if direction is Direction.MAX else ONE if ratio else None
    best_case = (
        None if best_value is None else (numerator + remaining * best_value) / expected
    )
    required = None if remaining <= 0 else (target * expected - numerator) / remaining
    budget = remaining_budget = good = valid = None
    if ratio:
        budget = error_budget(target, direction)
        good = good_events(numerator, denominator, direction)
        valid = denominator
        bad = denominator - good
        if budget > 0:
            remaining_budget = ONE - bad / (budget * expected)
    return Projection(
        projected=value,
        best_case=best_case,
        required=required,
        budget=budget,
        budget_remaining=remaining_budget,
        good_events=good,
        valid_events=valid,
    )


def burn_rate_threshold(
    budget_fraction: Decimal, period_hours: Decimal, long_window_hours: Decimal
) -> Decimal:
    """SRE workbook: the burn rate that spends `budget_fraction` of the period's budget in
    `long_window_hours` (2 % of 720 h in 1 h -> 14.4)."""
    return budget_fraction * period_hours / long_window_hours


def calendar_minutes(contract: Contract, sla: Sla, period: Period,
                     now: datetime) -> tuple[Decimal, Decimal]:
    """Open minutes of the SLA's calendar gone by `now`, and in the whole period."""
    spans = open_spans(contract.calendar(sla.calendar), period.start, period.end, contract.tz)
    until = min(max(now, period.start), period.end)
    marks = np.array([to_ns(period.start), to_ns(until)], dtype=np.int64)
    before = spans.open_before(marks)
    return Decimal(int(before[1] - before[0])) / NS_PER_MINUTE, Decimal(spans.seconds) / 60


def project_result(contract: Contract, sla: Sla, result: SlaResult, period: Period,
                   now: datetime) -> Projection | None:
    """`project` for an engine result seen at `now`: the one place that turns a result into
    the figures dashboards, alerts and the case process share.

    Availability is the exception to "the denominator is the elapsed weight": the engine's
    figure counts the whole period's minutes and the rest of it as up, so it is restated on
    the elapsed minutes first — downtime cannot be won back, and the good/valid counters
    must grow with time for burn rates.
    """
    if result.value is None:
        return None
    elapsed, total = calendar_minutes(contract, sla, period, now)
    num, den = result.value * result.evidence.denominator, result.evidence.denominator
    if sla.metric is Metric.AVAILABILITY:
        down = result.evidence.denominator - result.evidence.numerator
        num, den = max(elapsed - down, ZERO), elapsed
    return project(num, den, result.target.value, result.target.direction,
                   ratio=sla.metric not in SECONDS_METRICS,
                   elapsed_minutes=elapsed, total_minutes=total)
