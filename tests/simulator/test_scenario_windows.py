"""`Scenario.served_starts`: the intervals a vendor API serves for a window, from the bounds
(a per-request scan of the month made a month of Twilio's one-interval requests take 2 min)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.simulator import Scenario

START = datetime(2026, 10, 1, tzinfo=UTC)
HALF = timedelta(minutes=30)


def scan(s: Scenario, start: datetime, end: datetime, now: datetime,
         overlapping: bool = False) -> list[datetime]:
    """The definition: every interval start, filtered one by one."""
    return [at for at in s.interval_starts()
            if (at + HALF > start if overlapping else at >= start) and at < end
            and s.visible(at, now)]


def test_a_window_gives_the_ended_intervals_that_start_inside_it() -> None:
    s = Scenario(seed=1, start=START, days=2)
    # 10:00-12:00 asked at 11:45: 10:00, 10:30 and 11:00 have ended, 11:30 has not
    got = s.served_starts(START + timedelta(hours=10), START + timedelta(hours=12),
                          START + timedelta(hours=11, minutes=45))
    assert got == [START + timedelta(hours=10, minutes=m) for m in (0, 30, 60)]
    # a start inside an interval: 10:10 skips 10:00 unless overlapping is asked for
    assert s.served_starts(START + timedelta(hours=10, minutes=10),
                           START + timedelta(hours=11), START + timedelta(days=3)) == [
        START + timedelta(hours=10, minutes=30)]
    assert s.served_starts(START + timedelta(hours=10, minutes=10),
                           START + timedelta(hours=11), START + timedelta(days=3),
                           overlapping=True) == [START + timedelta(hours=10),
                                                 START + timedelta(hours=10, minutes=30)]


def test_windows_beyond_the_scenario_are_clipped_and_equal_the_scan() -> None:
    s = Scenario(seed=1, start=START, days=2)
    late = START + timedelta(days=5)
    assert s.served_starts(START - timedelta(days=1), late, late) == s.interval_starts()
    assert s.served_starts(START - timedelta(days=1), START, late) == []
    assert s.served_starts(START, late, START + timedelta(minutes=29)) == []
    minutes = (-45, -30, 0, 10, 30, 725, 1440, 2850, 2880, 2900)
    for a in minutes:
        for b in minutes:
            for n in minutes:
                start, end, now = (START + timedelta(minutes=m) for m in (a, b, n))
                for overlapping in (False, True):
                    assert s.served_starts(start, end, now, overlapping=overlapping) == scan(
                        s, start, end, now, overlapping), (a, b, n, overlapping)
