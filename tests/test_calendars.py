"""Business-hours calendars: weekly local hours, holidays, DST (penalty_formulas.md WE-17)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from monitor.domain.calendars import is_closed_day, open_spans, to_ns
from monitor.domain.contract import CALENDAR_24X7, Calendar
from tests.factories import NY, weekdays

NOV_2025 = (datetime(2025, 11, 1, tzinfo=NY), datetime(2025, 12, 1, tzinfo=NY))
THANKSGIVING = date(2025, 11, 27)
VETERANS_DAY = date(2025, 11, 11)


def we17_calendar() -> Calendar:
    return Calendar("we17", weekdays("08:00", "20:00"), closed_dates=frozenset({THANKSGIVING}))


def half_hours(start: datetime, end: datetime) -> np.ndarray:
    """Every real half-hour start in [start, end) as epoch ns."""
    return np.arange(to_ns(start), to_ns(end), 30 * 60 * 10**9, dtype=np.int64)


def ns(text: str) -> np.ndarray:
    return np.array([to_ns(datetime.fromisoformat(text))], dtype=np.int64)


def test_we17_november_2025_has_19_business_days_456_intervals_13680_minutes() -> None:
    spans = open_spans(we17_calendar(), *NOV_2025, NY)
    assert len(spans.starts) == 19
    assert spans.seconds == 13_680 * 60
    assert int(spans.contains(half_hours(*NOV_2025)).sum()) == 456


def test_country_holidays_with_an_exclude_list_give_the_same_19_days() -> None:
    # US holidays in Nov 2025: Veterans Day (11th) and Thanksgiving (27th); the centre works
    # Veterans Day.
    calendar = Calendar("us", weekdays("08:00", "20:00"), holiday_country="US",
                        open_dates=frozenset({VETERANS_DAY}))
    assert is_closed_day(calendar, THANKSGIVING)
    assert not is_closed_day(calendar, VETERANS_DAY)
    assert open_spans(calendar, *NOV_2025, NY).seconds == 13_680 * 60
    without_exclude = Calendar("us", weekdays("08:00", "20:00"), holiday_country="US")
    assert open_spans(without_exclude, *NOV_2025, NY).seconds == 18 * 720 * 60


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        pytest.param("2025-11-12T19:30:00-05:00", "2025-11-12T21:00:00-05:00", 30,
                     id="an outage 19:30-21:00 on a business day counts 30 minutes"),
        pytest.param("2025-11-12T01:00:00-05:00", "2025-11-12T03:00:00-05:00", 0,
                     id="an outage 01:00-03:00 counts nothing"),
        pytest.param("2025-11-27T09:00:00-05:00", "2025-11-27T12:00:00-05:00", 0,
                     id="an outage on Thanksgiving counts nothing"),
        pytest.param("2025-11-14T19:00:00-05:00", "2025-11-17T09:00:00-05:00", 120,
                     id="an outage over a weekend counts Friday evening and Monday morning"),
    ],
)
def test_outage_minutes_inside_business_hours(start: str, end: str, minutes: int) -> None:
    spans = open_spans(we17_calendar(), *NOV_2025, NY)
    assert int(spans.overlap_ns(ns(start), ns(end))[0]) == minutes * 60 * 10**9


def test_we17_a_24x7_day_of_fall_back_has_50_half_hours() -> None:
    day = (datetime(2025, 11, 2, tzinfo=NY), datetime(2025, 11, 3, tzinfo=NY))
    spans = open_spans(CALENDAR_24X7, *day, NY)
    assert spans.seconds == 25 * 3600
    assert len(half_hours(*day)) == 50
    spring = (datetime(2025, 3, 9, tzinfo=NY), datetime(2025, 3, 10, tzinfo=NY))
    assert len(half_hours(*spring)) == 46


@pytest.mark.parametrize(
    ("zone", "friday", "monday"),
    [
        pytest.param("America/New_York", date(2026, 3, 6), date(2026, 3, 9),
                     id="New York springs forward on 8 March 2026"),
        pytest.param("Europe/London", date(2026, 3, 27), date(2026, 3, 30),
                     id="London springs forward on 29 March 2026"),
    ],
)
def test_a_business_hours_month_with_a_dst_change_keeps_12_hour_days(
    zone: str, friday: date, monday: date
) -> None:
    tz = ZoneInfo(zone)
    month = (datetime(2026, 3, 1, tzinfo=tz), datetime(2026, 4, 1, tzinfo=tz))
    spans = open_spans(Calendar("bh", weekdays("08:00", "20:00")), *month, tz)
    # March 2026: 22 weekdays of 12 real hours each, whichever day the clocks change.
    assert spans.seconds == 22 * 720 * 60
    starts = half_hours(*month)
    assert len(starts) == 31 * 48 - 2  # the month itself is one hour short
    assert int(spans.contains(starts).sum()) == 22 * 24
    # Friday 19:00 to Monday 09:00 local across the change: 60 + 60 business minutes.
    a = datetime.combine(friday, datetime.min.time().replace(hour=19), tzinfo=tz)
    b = datetime.combine(monday, datetime.min.time().replace(hour=9), tzinfo=tz)
    assert int(spans.overlap_ns(ns(a.isoformat()), ns(b.isoformat()))[0]) == 120 * 60 * 10**9
    # Monday opens at 08:00 local, which is a different UTC hour than the Friday before.
    monday_open = datetime.combine(monday, datetime.min.time().replace(hour=8), tzinfo=tz)
    assert bool(spans.contains(ns(monday_open.isoformat()))[0])
    assert not bool(spans.contains(ns((monday_open - timedelta(minutes=1)).isoformat()))[0])
