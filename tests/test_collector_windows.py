"""Window planning: trailing re-polls, gaps after downtime, history limits, max spans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.collectors.base import Limits, TimeWindow
from monitor.collectors.windows import (
    ceil_to,
    floor_to,
    missing_intervals,
    plan_windows,
    split_window,
)

H = timedelta(hours=1)
LIMITS = Limits(granularity=timedelta(minutes=30), max_span=timedelta(days=1),
                history=timedelta(days=3), trailing=2 * H)


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=UTC)


def spans(windows: tuple[TimeWindow, ...]) -> list[tuple[datetime, datetime]]:
    return [(w.start, w.end) for w in windows]


def test_a_regular_poll_re_fetches_the_trailing_window_up_to_the_last_whole_interval() -> None:
    plan = plan_windows(t(5, 14, 0), t(5, 14, 40), LIMITS)
    assert spans(plan.windows) == [(t(5, 12), t(5, 14, 30))]
    assert plan.gap is None
    assert plan.lost is None


def test_the_first_poll_starts_the_initial_lookback_before_now() -> None:
    plan = plan_windows(None, t(5, 14, 40), LIMITS, initial=6 * H)
    assert spans(plan.windows) == [(t(5, 8, 30), t(5, 14, 30))]


def test_after_downtime_the_gap_is_backfilled_in_spans_the_vendor_allows() -> None:
    plan = plan_windows(t(3, 22), t(5, 14, 40), LIMITS)
    assert spans(plan.windows) == [
        (t(3, 20), t(4, 20)), (t(4, 20), t(5, 14, 30))]
    assert plan.gap == TimeWindow(t(3, 22), t(5, 12, 30))
    assert plan.lost is None


def test_a_gap_older_than_the_vendors_history_is_reported_lost() -> None:
    plan = plan_windows(t(1, 0), t(5, 14, 40), LIMITS)
    assert plan.lost == TimeWindow(t(1, 0), t(2, 15))
    assert plan.windows[0].start == t(2, 15)  # 3 days back, rounded up to an interval
    assert plan.windows[-1].end == t(5, 14, 30)


def test_a_watermark_in_the_future_re_polls_only_the_trailing_window() -> None:
    plan = plan_windows(t(6, 0), t(5, 14, 40), LIMITS)
    assert spans(plan.windows) == [(t(5, 12, 30), t(5, 14, 30))]


def test_nothing_to_fetch_before_the_first_interval_ends() -> None:
    limits = Limits(granularity=timedelta(minutes=30), trailing=timedelta(0))
    assert plan_windows(t(5, 14, 30), t(5, 14, 40), limits).windows == ()


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="tz-aware"):
        plan_windows(None, datetime(2026, 10, 5, 14), LIMITS)


@pytest.mark.parametrize(("moment", "floor", "ceil"), [
    (t(5, 14, 0), t(5, 14, 0), t(5, 14, 0)),
    (t(5, 14, 1), t(5, 14, 0), t(5, 14, 30)),
    (datetime(2026, 10, 5, 10, 45, tzinfo=ZoneInfo("America/New_York")), t(5, 14, 30),
     t(5, 15, 0)),
], ids=["on a boundary", "one minute past", "a New York time is cut in UTC"])
def test_floor_and_ceil_cut_on_utc_interval_boundaries(moment: datetime, floor: datetime,
                                                       ceil: datetime) -> None:
    step = timedelta(minutes=30)
    assert (floor_to(moment, step), ceil_to(moment, step)) == (floor, ceil)


def test_split_window_keeps_whole_intervals_even_with_an_odd_max_span() -> None:
    windows = split_window(t(5, 0), t(5, 3), timedelta(minutes=70), timedelta(minutes=30))
    assert spans(windows) == [(t(5, 0), t(5, 1)), (t(5, 1), t(5, 2)), (t(5, 2), t(5, 3))]


def test_missing_intervals_finds_the_holes() -> None:
    present = {t(5, 10), t(5, 11)}
    assert missing_intervals(present, TimeWindow(t(5, 10), t(5, 12)),
                             timedelta(minutes=30)) == (t(5, 10, 30), t(5, 11, 30))
