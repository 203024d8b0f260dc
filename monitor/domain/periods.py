"""Measurement periods cut in the contract's time zone.

A period runs from local midnight of its first day to local midnight after its last day
(`end` exclusive), so a month containing a DST change is 1 h shorter or longer than its
nominal length: "minutes in the period" are REAL ELAPSED minutes (November 2025 in
America/New_York is 43,260 minutes, not 43,200). Use `elapsed_seconds`, never naive
subtraction of two datetimes in the same zone (Python ignores the offset change then).

At the contract's start and end a period is pro-rated: `start`/`end` are clipped to the
effective dates while `full_start`/`full_end` keep the calendar period.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from monitor.domain.contract import Contract, PeriodKind
from monitor.domain.results import Period
from monitor.errors import InputError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """Start of `day` in `tz`; where midnight does not exist, the first instant after it."""
    naive = datetime(day.year, day.month, day.day)
    aware = naive.replace(tzinfo=tz)
    return aware.astimezone(UTC).astimezone(tz)


def elapsed_seconds(start: datetime, end: datetime) -> int:
    """Real seconds between two aware instants (through UTC, so DST changes count)."""
    return int((end.astimezone(UTC) - start.astimezone(UTC)).total_seconds())


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _bounds(kind: PeriodKind, year: int, index: int) -> tuple[date, date, str]:
    """First day, day after the last, and label of the `index`th period of `kind` in `year`."""
    if kind is PeriodKind.MONTH:
        ny, nm = _add_months(year, index, 1)
        return date(year, index, 1), date(ny, nm, 1), f"{year}-{index:02d}"
    if kind is PeriodKind.QUARTER:
        first = 3 * (index - 1) + 1
        ny, nm = _add_months(year, first, 3)
        return date(year, first, 1), date(ny, nm, 1), f"{year}-Q{index}"
    return date(year, 1, 1), date(year + 1, 1, 1), f"{year}"


def _make(contract: Contract, kind: PeriodKind, first: date, after: date, label: str) -> Period:
    tz = contract.tz
    full_start, full_end = local_midnight(first, tz), local_midnight(after, tz)
    start, end = full_start, full_end
    if contract.effective_from > first:
        start = local_midnight(contract.effective_from, tz)
    if contract.effective_to is not None and contract.effective_to + timedelta(days=1) < after:
        end = local_midnight(contract.effective_to + timedelta(days=1), tz)
    if start >= end:
        span = f"{contract.effective_from} to {contract.effective_to or 'open end'}"
        raise InputError(f"period {label} lies outside contract {contract.id} ({span})",
                         column="period")
    return Period(label=label, kind=kind, start=start, end=end,
                  full_start=full_start, full_end=full_end)


def parse_label(label: str) -> tuple[PeriodKind, int, int]:
    """"2026-10" -> (MONTH, 2026, 10); "2026-Q4" -> (QUARTER, 2026, 4); "2026" -> (YEAR, ...)."""
    text = label.strip()
    if m := _MONTH.match(text):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise InputError(f"{label!r}: month must be 01..12", column="period")
        return PeriodKind.MONTH, int(m.group(1)), month
    if m := _QUARTER.match(text):
        return PeriodKind.QUARTER, int(m.group(1)), int(m.group(2))
    if m := _YEAR.match(text):
        return PeriodKind.YEAR, int(m.group(1)), 1
    raise InputError(f"{label!r} is not a period; write 2026-10, 2026-Q4 or 2026",
                     column="period")


def period_for(contract: Contract, label: str) -> Period:
    """The period named by `label`, pro-rated to the contract's effective dates."""
    kind, year, index = parse_label(label)
    first, after, canonical = _bounds(kind, year, index)
    return _make(contract, kind, first, after, canonical)


def _index_of(kind: PeriodKind, day: date) -> int:
    if kind is PeriodKind.MONTH:
        return day.month
    if kind is PeriodKind.QUARTER:
        return (day.month - 1) // 3 + 1
    return 1


def period_containing(contract: Contract, kind: PeriodKind, instant: datetime) -> Period:
    """The period of `kind` (in the contract zone) that contains the aware `instant`."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    day = instant.astimezone(contract.tz).date()
    first, after, label = _bounds(kind, day.year, _index_of(kind, day))
    return _make(contract, kind, first, after, label)


def periods_between(
    contract: Contract, kind: PeriodKind, start: datetime, end: datetime
) -> Iterator[Period]:
    """Every period of `kind` overlapping [start, end) and the contract term, in order."""
    day = start.astimezone(contract.tz).date()
    day = max(day, contract.effective_from)
    year, index = day.year, _index_of(kind, day)
    while True:
        first, after, label = _bounds(kind, year, index)
        if local_midnight(first, contract.tz) >= end:
            return
        if contract.effective_to is not None and first > contract.effective_to:
            return
        yield _make(contract, kind, first, after, label)
        if kind is PeriodKind.MONTH:
            year, index = _add_months(year, index, 1)
        elif kind is PeriodKind.QUARTER:
            year, index = (year, index + 1) if index < 4 else (year + 1, 1)
        else:
            year += 1


def period_seconds(period: Period) -> int:
    return elapsed_seconds(period.start, period.end)
