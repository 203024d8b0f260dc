"""Business-hours calendars as sorted, disjoint open spans of real time.

A calendar's weekly ranges are LOCAL wall-clock times in the contract zone, so a DST day
is 23 or 25 hours long and an 08:00-20:00 day is still 12 real hours (the change happens at
night). A day is closed when it is a holiday of `holiday_country` (and `holiday_subdivision`,
resolved with the `holidays` package) and not listed in `open_dates`, or when it is listed in
`closed_dates`.

Spans are kept as int64 nanoseconds since the epoch (UTC), which lets the engine answer
"is this interval start open?" and "how many open seconds lie inside this outage?" for
thousands of instants with `numpy.searchsorted`.

Two readings, chosen on purpose:
- count-based KPIs include an interval when its START lies in business hours (counts cannot
  be split; interchange intervals are 15/30/60-min aligned, so business hours on the quarter-
  or half-hour never split one);
- time-based KPIs (availability) count the open SECONDS inside each window, so an outage
  19:30-21:00 against an 08:00-20:00 day counts 30 minutes (penalty_formulas.md WE-17).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import numpy.typing as npt

from monitor.domain.contract import Calendar
from monitor.domain.periods import local_midnight

NS = 1_000_000_000
I64 = npt.NDArray[np.int64]


def to_ns(instant: datetime) -> int:
    """Aware datetime -> int nanoseconds since the epoch."""
    delta = instant.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * NS + delta.microseconds * 1000


@lru_cache(maxsize=256)
def _country_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year).keys())


def is_closed_day(calendar: Calendar, day: date) -> bool:
    """Closed all day: an extra closed date, or a country holiday not worked."""
    if day in calendar.closed_dates:
        return True
    if calendar.holiday_country is None or day in calendar.open_dates:
        return False
    return day in _country_holidays(calendar.holiday_country, calendar.holiday_subdivision,
                                    day.year)


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """Local wall-clock `at` on `day`; a time in a spring-forward gap maps to after it."""
    return datetime.combine(day, at).replace(tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True, eq=False)
class OpenSpans:
    """Disjoint open spans [starts[i], ends[i]) in epoch nanoseconds, sorted."""

    starts: I64
    ends: I64

    @property
    def seconds(self) -> int:
        return int((self.ends - self.starts).sum() // NS)

    def contains(self, instants: I64) -> npt.NDArray[np.bool_]:
        """For each instant (epoch ns), whether it lies in an open span."""
        idx = np.searchsorted(self.starts, instants, side="right") - 1
        safe = np.clip(idx, 0, max(len(self.ends) - 1, 0))
        if len(self.ends) == 0:
            return np.zeros(len(instants), dtype=bool)
        return (idx >= 0) & (instants < self.ends[safe])

    def open_before(self, instants: I64) -> I64:
        """Open nanoseconds in (-inf, instant) for each instant."""
        if len(self.starts) == 0:
            return np.zeros(len(instants), dtype=np.int64)
        lengths = self.ends - self.starts
        cumulative = np.concatenate(([0], np.cumsum(lengths)))
        idx = np.searchsorted(self.starts, instants, side="right") - 1
        safe = np.clip(idx, 0, len(self.starts) - 1)
        partial = np.clip(instants - self.starts[safe], 0, lengths[safe])
        result = np.where(idx >= 0, cumulative[safe] + partial, 0)
        return result.astype(np.int64)

    def overlap_ns(self, starts: I64, ends: I64) -> I64:
        """Open nanoseconds inside each window [starts[i], ends[i])."""
        return np.maximum(self.open_before(ends) - self.open_before(starts), 0)


def open_spans(calendar: Calendar, start: datetime, end: datetime, tz: ZoneInfo) -> OpenSpans:
    """The calendar's open time inside [start, end), as real (UTC) spans.

    Remembered per calendar VALUE and window (a quarterly SLA asks for its quarter in each
    of the quarter's months); the remembered arrays are read-only.
    """
    window = (_calendar_key(calendar), to_ns(start), to_ns(end), tz)
    spans = _SPANS.get(window)
    if spans is None:
        spans = _open_spans(calendar, start, end, tz)
        spans.starts.flags.writeable = False
        spans.ends.flags.writeable = False
        while len(_SPANS) >= _KEEP_SPANS:  # tolerant of another thread trimming too
            _SPANS.pop(next(iter(_SPANS), window), None)
        _SPANS[window] = spans
    return spans


_KEEP_SPANS = 256
_SPANS: dict[tuple[object, ...], OpenSpans] = {}


def _calendar_key(calendar: Calendar) -> str:
    """The calendar's value: its dataclass repr spells out every field (and, unlike `==`,
    the `fold` of a wall-clock time, which decides an ambiguous local hour)."""
    return repr(calendar)


def _open_spans(calendar: Calendar, start: datetime, end: datetime, tz: ZoneInfo) -> OpenSpans:
    lo, hi = to_ns(start), to_ns(end)
    if calendar.always_open:
        return OpenSpans(np.array([lo], dtype=np.int64), np.array([hi], dtype=np.int64))
    pairs: list[tuple[int, int]] = []
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date()
    while day <= last:
        ranges = calendar.weekly.get(day.weekday(), ())
        if ranges and not is_closed_day(calendar, day):
            for r in ranges:
                a = to_ns(_local(day, r.start, tz))
                if r.ends_at_midnight or r.end == time.max:
                    b = to_ns(local_midnight(day + timedelta(days=1), tz))
                else:
                    b = to_ns(_local(day, r.end, tz))
                a, b = max(a, lo), min(b, hi)
                if a < b:
                    pairs.append((a, b))
        day += timedelta(days=1)
    return _merge(pairs)


def _merge(pairs: list[tuple[int, int]]) -> OpenSpans:
    pairs.sort()
    merged: list[list[int]] = []
    for a, b in pairs:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return OpenSpans(
        np.array([m[0] for m in merged], dtype=np.int64),
        np.array([m[1] for m in merged], dtype=np.int64),
    )


def spans_from_windows(windows: list[tuple[int, int]]) -> OpenSpans:
    """Merge arbitrary [a, b) windows (epoch ns) into disjoint spans."""
    return _merge([(a, b) for a, b in windows if a < b])


def intersect(a: OpenSpans, b: OpenSpans) -> OpenSpans:
    """Spans open in both `a` and `b`."""
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a.starts) and j < len(b.starts):
        lo = max(int(a.starts[i]), int(b.starts[j]))
        hi = min(int(a.ends[i]), int(b.ends[j]))
        if lo < hi:
            pairs.append((lo, hi))
        if a.ends[i] < b.ends[j]:
            i += 1
        else:
            j += 1
    return _merge(pairs)
