"""`evaluate()`: periods per SLA, target schedules, exclusions, scope, status and evidence."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from monitor.domain.contract import (
    Calendar,
    Direction,
    Exclusion,
    Metric,
    PeriodKind,
    Queue,
    Status,
    Target,
    TargetStep,
)
from monitor.domain.evaluate import evaluate
from monitor.domain.measurements import Measurements
from monitor.domain.periods import period_for
from monitor.errors import InputError
from tests.factories import BILLING, NY, business_hours, contract, intervals, sla, weekdays

S20 = timedelta(seconds=20)
SALES = "0a0a0a0a-sales"


def row(start: str, offered: int, within: int, **kw: Any) -> Mapping[str, Any]:
    return {"interval_start": start, "offered": offered, "answered": offered, "abandoned": 0,
            "answered_within_20s": within, "abandoned_within_20s": 0, **kw}


def test_an_evaluation_is_open_before_the_period_ends_and_provisional_after() -> None:
    c = contract([sla("sl", threshold=S20)])
    m = Measurements(intervals([row("2026-10-05T14:00:00Z", 10, 9)]))
    p = period_for(c, "2026-10")
    assert evaluate(c, m, p, datetime(2026, 10, 20, tzinfo=UTC)).status == "open"
    assert evaluate(c, m, p, datetime(2026, 11, 1, 4, tzinfo=UTC)).status == "provisional"


def test_a_quarterly_sla_in_a_month_evaluation_covers_its_own_quarter() -> None:
    asa = sla("asa", Metric.ASA, period=PeriodKind.QUARTER,
              target_obj=Target(Decimal(30), Direction.MAX))
    c = contract([asa, sla("sl", threshold=S20)])
    m = Measurements(intervals([row("2026-10-05T14:00:00Z", 10, 9, answer_wait_seconds=100),
                                row("2026-11-05T14:00:00Z", 10, 9, answer_wait_seconds=500)]))
    ev = evaluate(c, m, period_for(c, "2026-10"), datetime(2026, 11, 10, tzinfo=UTC))
    result = ev.result("asa")
    assert result.evidence.details["period"] == "2026-Q4"
    assert result.evidence.details["period_end"] == "2027-01-01T00:00:00-05:00"
    assert result.value == Decimal(30)  # 600 s over 20 answered, both months
    assert ev.result("sl").evidence.details["period"] == "2026-10"
    assert ev.result("sl").evidence.denominator == 10


@pytest.mark.parametrize(
    ("label", "target"),
    [
        pytest.param("2026-12", Decimal("0.80"), id="before the first step the base target holds"),
        pytest.param("2027-01", Decimal("0.82"), id="a step from 1 January applies to January"),
        pytest.param("2028-06", Decimal("0.85"), id="the latest started step wins"),
    ],
)
def test_the_target_in_force_on_the_first_day_applies(label: str, target: Decimal) -> None:
    one = sla("sl", threshold=S20, targets=(
        TargetStep(date(2027, 1, 1), Target(Decimal("0.82"))),
        TargetStep(date(2028, 1, 1), Target(Decimal("0.85")))))
    c = contract([one])
    ev = evaluate(c, Measurements.empty(), period_for(c, label), datetime(2029, 1, 1, tzinfo=UTC))
    assert ev.result("sl").target.value == target


STORM = Exclusion("storm", "Force majeure, approved 2026-10-20", None,
                  start=datetime(2026, 10, 14, 9, 0, tzinfo=NY),
                  end=datetime(2026, 10, 14, 11, 30, tzinfo=NY))


def storm_day() -> pd.DataFrame:
    # 08:00-12:00 local on 14 Oct: 8 half-hours; the storm hits 09:00-11:30 (5 of them).
    rows = []
    for i in range(8):
        start = datetime(2026, 10, 14, 8, tzinfo=NY) + timedelta(minutes=30 * i)
        bad = datetime(2026, 10, 14, 9, tzinfo=NY) <= start < datetime(2026, 10, 14, 11, 30,
                                                                      tzinfo=NY)
        rows.append(row(start.isoformat(), 100, 20 if bad else 90))
    return intervals(rows)


def test_an_exclusion_removes_intervals_starting_inside_it_and_keeps_its_reason() -> None:
    c = contract([sla("sl", threshold=S20)], exclusions=[STORM])
    ev = evaluate(c, Measurements(storm_day()), period_for(c, "2026-10"),
                  datetime(2026, 11, 2, tzinfo=UTC))
    r = ev.result("sl")
    assert r.value == Decimal("0.9")
    assert r.status is Status.MET
    assert r.raw_value == Decimal(370) / Decimal(800)
    assert r.evidence.intervals == 3
    assert r.evidence.excluded_minutes == 150
    (applied,) = r.evidence.exclusions
    assert (applied.exclusion_id, applied.reason, applied.minutes) == (
        "storm", "Force majeure, approved 2026-10-20", 150)
    frame = r.evidence.per_interval
    assert frame is not None
    assert frame["excluded"].tolist() == [False] * 2 + [True] * 5 + [False]


def test_an_exclusion_for_another_sla_changes_nothing() -> None:
    storm = Exclusion("storm", "x", frozenset({"availability"}), STORM.start, STORM.end)
    c = contract([sla("sl", threshold=S20)], exclusions=[storm])
    r = evaluate(c, Measurements(storm_day()), period_for(c, "2026-10"),
                 datetime(2026, 11, 2, tzinfo=UTC)).result("sl")
    assert r.value == r.raw_value == Decimal(370) / Decimal(800)
    assert r.evidence.exclusions == ()


def test_an_sla_counts_only_its_queues_and_channel() -> None:
    queues = (Queue(BILLING, "Billing", "voice"), Queue(SALES, "Sales", "voice"),
              Queue("chat-1", "Web Chat", "chat"))
    c = contract([sla("billing", threshold=S20, queues=("Billing",)),
                  sla("voice", threshold=S20, channel="voice"),
                  sla("all", threshold=S20)], queues=queues)
    frame = intervals([row("2026-10-05T14:00:00Z", 10, 10),
                       row("2026-10-05T14:00:00Z", 10, 0, queue=SALES),
                       row("2026-10-05T14:00:00Z", 20, 0, queue="chat-1", channel="chat")])
    ev = evaluate(c, Measurements(frame), period_for(c, "2026-10"),
                  datetime(2026, 11, 2, tzinfo=UTC))
    assert ev.result("billing").value == 1
    assert ev.result("voice").value == Decimal("0.5")
    assert ev.result("all").value == Decimal("0.25")


def test_below_minimum_is_flagged_and_a_key_measurement_miss_is_its_own_status() -> None:
    c = contract([sla("sl", threshold=S20, minimum=Decimal("0.75")),
                  sla("km", threshold=S20, key_measurement=True)])
    m = Measurements(intervals([row("2026-10-05T14:00:00Z", 100, 70)]))
    ev = evaluate(c, m, period_for(c, "2026-10"), datetime(2026, 11, 2, tzinfo=UTC))
    assert ev.result("sl").status is Status.BREACHED
    assert ev.result("sl").below_minimum
    assert ev.result("km").status is Status.KEY_MEASUREMENT_MISSED


def test_an_unknown_sla_filter_is_an_input_error_and_a_naive_as_of_a_value_error() -> None:
    c = contract([sla("sl", threshold=S20)])
    p = period_for(c, "2026-10")
    with pytest.raises(InputError, match="no SLA nope"):
        evaluate(c, Measurements.empty(), p, datetime(2026, 11, 2, tzinfo=UTC), slas=["nope"])
    with pytest.raises(ValueError, match="timezone-aware"):
        evaluate(c, Measurements.empty(), p, datetime(2026, 11, 2))


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London"],
                         ids=["New York changes on 8 March", "London changes on 29 March"])
def test_a_business_hours_month_with_a_dst_change_counts_the_right_intervals(zone: str) -> None:
    tz = ZoneInfo(zone)
    start, end = datetime(2026, 3, 1, tzinfo=tz), datetime(2026, 4, 1, tzinfo=tz)
    times = pd.date_range(start.astimezone(UTC), end.astimezone(UTC), freq="30min",
                          inclusive="left")
    frame = intervals([row(t.isoformat(), 2, 1) for t in times])
    c = contract([sla("bh", threshold=S20, calendar="bh"), sla("all", threshold=S20)], tz=tz,
                 calendars={"bh": Calendar("bh", weekdays("08:00", "20:00"))})
    ev = evaluate(c, Measurements(frame), period_for(c, "2026-03"),
                  datetime(2026, 4, 2, tzinfo=UTC))
    assert len(frame) == 31 * 48 - 2
    assert ev.result("all").evidence.intervals == 31 * 48 - 2
    bh = ev.result("bh").evidence
    assert bh.intervals == 22 * 24
    assert bh.measured_minutes == 22 * 720
    assert bh.per_interval is not None
    local_hours = pd.DatetimeIndex(bh.per_interval.loc[bh.per_interval["in_calendar"],
                                                       "interval_start"]).tz_convert(zone).hour
    assert np.all((local_hours >= 8) & (local_hours < 20))


def test_the_holiday_calendar_drops_the_holiday_intervals() -> None:
    # Columbus Day, Monday 12 October 2026, is a US holiday.
    c = contract([sla("sl", threshold=S20, calendar="business-hours")],
                 calendars={"business-hours": business_hours()})
    frame = intervals([row("2026-10-12T14:00:00Z", 10, 0), row("2026-10-13T14:00:00Z", 10, 9)])
    r = evaluate(c, Measurements(frame), period_for(c, "2026-10"),
                 datetime(2026, 11, 2, tzinfo=UTC)).result("sl")
    assert r.value == Decimal("0.9")
    assert r.evidence.intervals == 1


def test_a_frame_edited_between_two_evaluations_gives_the_new_figures() -> None:
    """The engine remembers sums per frame for speed; an edit must never be answered from
    that memory."""
    c = contract([sla("sl", Metric.SERVICE_LEVEL, "0.80", threshold=timedelta(seconds=20))])
    frame = intervals([{"interval_start": "2026-10-15T10:00:00-04:00", "offered": 100,
                        "answered": 100, "abandoned": 0, "answered_within_20s": 90,
                        "abandoned_within_20s": 0}])
    period = period_for(c, "2026-10")
    as_of = datetime(2026, 11, 2, tzinfo=UTC)
    assert evaluate(c, Measurements(frame), period, as_of).result("sl").value == Decimal("0.9")
    frame.loc[0, "answered_within_20s"] = 70
    assert evaluate(c, Measurements(frame), period, as_of).result("sl").value == Decimal("0.7")
    frame.loc[0, "interval_start"] = pd.Timestamp("2026-09-15T14:00:00Z")
    moved = evaluate(c, Measurements(frame), period, as_of).result("sl")
    assert moved.value is None  # nothing left in October
