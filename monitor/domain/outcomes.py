"""One SLA in one period as the credit rules see it: met, missed, below minimum, no data.

Every multi-month rule (rolling defaults, earn-back windows, chronic failure, continuous
improvement) reads the same per-SLA history built here, so they agree on what a "miss" is:

- the compliance engine's `status` decides met / breached, unless continuous improvement
  moved the target, in which case the value is compared with the effective target;
- `insufficient_data` (or no value) is neither a miss nor a success: nothing is concluded
  without data;
- a miss below the SLA's `minimum` (the Minimum Service Level) is `BELOW_MINIMUM`, which
  still counts as a miss of the expected level.

Months are counted on the calendar (`month_index`), not by position in the list, so a gap
in the history never shortens or stretches a rolling window.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from monitor.domain.contract import Direction, Sla, Status, Target
from monitor.domain.results import Period, SlaResult


class Outcome(StrEnum):
    MET = "met"
    MISSED = "missed"  # missed the (expected) target, not below the minimum
    BELOW_MINIMUM = "below_minimum"
    NO_DATA = "no_data"
    KEY = "key_measurement"  # reported, never credited, never counted

    @property
    def is_miss(self) -> bool:
        return self in (Outcome.MISSED, Outcome.BELOW_MINIMUM)


@dataclass(frozen=True, eq=False)
class SlaPeriod:
    """One SLA's result in one period, with the target in force and the verdict."""

    period: Period
    result: SlaResult
    target: Target  # the effective target (after continuous improvement)
    outcome: Outcome


def month_index(period: Period) -> int:
    """Months since year 0 of the calendar period's first month (for rolling windows)."""
    first = period.full_start
    return first.year * 12 + first.month - 1


def months_in(period: Period) -> int:
    """Calendar months the period spans (1 for a month, 3 for a quarter, 12 for a year)."""
    last = period.full_end
    return (last.year * 12 + last.month - 1) - month_index(period)


def follows(previous: Period, current: Period) -> bool:
    """True when `current` starts where `previous` ends (no gap between them)."""
    return previous.full_end == current.full_start


def meets(value: Decimal, target: Target) -> bool:
    """At least the target for `min` targets, at most the target for `max` targets."""
    if target.direction is Direction.MAX:
        return value <= target.value
    return value >= target.value


def below_minimum(value: Decimal, minimum: Decimal, direction: Direction) -> bool:
    """Worse than the Minimum Service Level (for a `max` target: above the minimum level)."""
    if direction is Direction.MAX:
        return value > minimum
    return value < minimum


def classify(sla: Sla, result: SlaResult, target: Target) -> Outcome:
    """The verdict for one SLA in one period against the effective `target`."""
    if sla.key_measurement or result.key_measurement:
        return Outcome.KEY
    value = result.value
    if result.status is Status.INSUFFICIENT_DATA or value is None:
        return Outcome.NO_DATA
    if target.value != result.target.value or target.direction != result.target.direction:
        met = meets(value, target)
    else:
        met = result.status is Status.MET
    if met:
        return Outcome.MET
    minimum = sla.minimum if sla.minimum is not None else result.minimum
    if result.below_minimum or (
        minimum is not None and below_minimum(value, minimum, target.direction)
    ):
        return Outcome.BELOW_MINIMUM
    return Outcome.MISSED
