"""When the vendor must act on a case: the contract's `performance_issue:` deadlines.

Two readings of a duration such as `acknowledge_within: 1d`:

- elapsed (the default, `business_days: false`): the deadline is `opened_at + duration`,
  real elapsed time, so a DST change in between neither adds nor removes an hour;
- business days (`business_days: true`): the duration is a count of whole business days
  (a part day counts as a whole one: "5d" is 5, "36h" is 2), and the deadline is the END of
  the N-th business day after the day the case opened, i.e. the following local midnight in
  the contract's zone. "Acknowledge within 1 business day" of a breach found on a Friday is
  therefore due at Tuesday 00:00 local: all of Monday is allowed, the usual reading of
  "by close of the next business day".

A business day is a day the `performance_issue.calendar` has open hours and that is not a
holiday or an extra closed date (`monitor.domain.calendars.is_closed_day`). The built-in
"24x7" calendar is open every day, which would make "business days" mean nothing, so with it
business days are Monday to Friday.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from monitor.domain.calendars import is_closed_day
from monitor.domain.contract import Calendar, Contract, PerformanceIssue
from monitor.domain.periods import local_midnight
from monitor.errors import InputError

from .model import Case


@dataclass(frozen=True)
class Deadlines:
    """The three instants (tz-aware, contract zone) a case is measured against."""

    acknowledge_by: datetime
    rca_by: datetime
    escalate_at: datetime


def is_business_day(calendar: Calendar, day: date) -> bool:
    if calendar.always_open:
        return day.weekday() < 5
    return bool(calendar.weekly.get(day.weekday())) and not is_closed_day(calendar, day)


def add_business_days(calendar: Calendar, day: date, count: int) -> date:
    """The `count`-th business day strictly after `day` (`count` >= 1); `day` itself if 0."""
    if count < 0:
        raise ValueError("count must not be negative")
    current, seen = day, 0
    for _ in range(count * 7 + 400):  # a year of closures at most; guards a closed calendar
        if seen == count:
            return current
        current += timedelta(days=1)
        if is_business_day(calendar, current):
            seen += 1
    raise InputError(f"calendar {calendar.id!r} has no business days to count {count} on")


def business_deadline(contract: Contract, calendar: Calendar, start: datetime,
                      duration: timedelta) -> datetime:
    """End of the N-th business day after `start`'s local day (see the module docstring)."""
    days = math.ceil(duration / timedelta(days=1))
    local_day = start.astimezone(contract.tz).date()
    last = add_business_days(calendar, local_day, days)
    return local_midnight(last + timedelta(days=1), contract.tz)


def deadline(contract: Contract, issue: PerformanceIssue, start: datetime,
             duration: timedelta) -> datetime:
    if start.tzinfo is None:
        raise InputError("case times must be timezone-aware")
    if not issue.business_days:
        # in UTC: aware arithmetic in one zone is wall-clock and would gain or lose an hour
        return (start.astimezone(UTC) + duration).astimezone(contract.tz)
    try:
        calendar = contract.calendar(issue.calendar)
    except KeyError:
        raise InputError(
            f"performance_issue.calendar: unknown calendar {issue.calendar!r}",
            file=contract.source_file,
        ) from None
    return business_deadline(contract, calendar, start, duration)


def due_dates(case: Case, contract: Contract) -> Deadlines:
    """The acknowledge, RCA and escalation deadlines of `case`, all counted from opening."""
    issue = contract.performance_issue
    if issue is None:
        raise InputError(
            f"contract {contract.id!r} has no performance_issue section",
            file=contract.source_file,
        )
    return Deadlines(
        acknowledge_by=deadline(contract, issue, case.opened_at, issue.acknowledge_within),
        rca_by=deadline(contract, issue, case.opened_at, issue.rca_due_within),
        escalate_at=deadline(contract, issue, case.opened_at, issue.escalate_after),
    )
