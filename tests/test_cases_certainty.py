"""When a breach in an open period is certain: availability lost cannot be won back, so a
case opens the day the downtime happens, not days later."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.cases.certainty import breach_certain
from monitor.domain.contract import Metric
from monitor.domain.evaluate import evaluate
from monitor.domain.measurements import Measurements, Outage
from monitor.domain.periods import period_for
from tests.factories import contract, sla

AVAILABILITY = contract([sla("availability", Metric.AVAILABILITY, "0.9999")])
OCTOBER = period_for(AVAILABILITY, "2026-10")  # 44,640 minutes; 99.99 % allows 4.464 down


def evaluated(outage_minutes: int, as_of: datetime) -> bool:
    outage = Outage("voice", datetime(2026, 10, 1, 14, tzinfo=UTC),
                    datetime(2026, 10, 1, 14, outage_minutes, tzinfo=UTC), "full")
    ev = evaluate(AVAILABILITY, Measurements(Measurements.empty().intervals, (outage,)),
                  OCTOBER, as_of)
    return breach_certain(AVAILABILITY, ev, ev.result("availability"))


@pytest.mark.parametrize(("minutes", "certain"), [
    pytest.param(35, True, id="35 minutes down on the 1st already miss 99.99% for October"),
    pytest.param(5, True, id="5 minutes down overrun October's 4.464-minute budget for good"),
])
def test_availability_downtime_makes_the_breach_certain_on_the_day(minutes: int,
                                                                   certain: bool) -> None:
    assert evaluated(minutes, datetime(2026, 10, 2, tzinfo=UTC)) is certain


def test_an_availability_miss_is_certain_from_the_first_hour() -> None:
    # An hour after a 35-minute outage, 99.9 % of the month is still to come: a projection
    # that scaled the minutes up would call the month recoverable; it is not.
    assert evaluated(35, datetime(2026, 10, 1, 15, 35, tzinfo=UTC)) is True
