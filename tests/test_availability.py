"""Availability from outages: WE-4 uptime figures, WE-17 business hours, the four formulas."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from monitor.domain.contract import (
    AvailabilityFormula,
    Calendar,
    Exclusion,
    Metric,
    PeriodKind,
    Sla,
    Status,
    Tier,
)
from monitor.domain.evaluate import evaluate
from monitor.domain.measurements import Measurements, Outage
from monitor.domain.periods import period_for
from monitor.domain.results import SlaResult
from tests.factories import NY, contract, sla, weekdays

SEPT = "2026-09"  # 30 days, no DST change: 43,200 minutes
AS_OF = datetime(2026, 10, 2, tzinfo=UTC)
AWS_TIERS = (
    ("5%", Tier(Decimal("0.05"), below=Decimal("0.9999"), at_least=Decimal("0.99"))),
    ("15%", Tier(Decimal("0.15"), below=Decimal("0.99"), at_least=Decimal("0.95"))),
    ("100%", Tier(Decimal("1"), below=Decimal("0.95"))),
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def outage(start: str, minutes: float | None, service: str = "voice", impact: str = "full",
           fraction: float = 1.0, excluded: bool = False) -> Outage:
    begin = at(start)
    end = begin + timedelta(minutes=minutes) if minutes is not None else None
    return Outage(service, begin, end, impact, fraction, excluded)


def availability_of(
    outages: list[Outage], one: Sla | None = None, *, label: str = SEPT,
    exclusions: tuple[Exclusion, ...] = (), calendars: dict[str, Calendar] | None = None,
    as_of: datetime = AS_OF,
) -> SlaResult:
    one = one or sla("availability", Metric.AVAILABILITY, "0.9999")
    c = contract([one], exclusions=exclusions, calendars=calendars)
    measurements = Measurements.empty()
    measurements = Measurements(measurements.intervals, tuple(outages))
    return evaluate(c, measurements, period_for(c, label), as_of).result(one.id)


def tier_of(value: Decimal) -> str | None:
    return next((name for name, tier in AWS_TIERS if tier.contains(value)), None)


@pytest.mark.parametrize(
    ("down", "shown", "tier"),
    [
        pytest.param(4, "99.99074", None, id="4 min down is 99.99074% and earns no credit"),
        pytest.param(5, "99.98843", "5%", id="5 min down is 99.98843% in the 5% tier"),
        pytest.param(50, "99.88426", "5%", id="50 min down is 99.88426% in the 5% tier"),
        pytest.param(432, "99.00000", "5%",
                     id="432 min down in a 30-day month is exactly 99.0% and stays in the 5% tier"),
        pytest.param(433, "98.99769", "15%", id="433 min down is 98.99769% in the 15% tier"),
        pytest.param(2200, "94.90741", "100%", id="2,200 min down is 94.90741% in the 100% tier"),
    ],
)
def test_we4_amazon_connect_uptime(down: int, shown: str, tier: str | None) -> None:
    r = availability_of([outage("2026-09-10T10:00:00-04:00", down)])
    assert r.evidence.measured_minutes == 43_200
    assert r.value == Decimal(43_200 - down) / Decimal(43_200)
    assert f"{r.value * 100:.5f}" == shown
    assert tier_of(r.value) == tier
    assert r.status is (Status.MET if tier is None else Status.BREACHED)


def test_we4_432_minutes_is_exactly_99_percent() -> None:
    r = availability_of([outage("2026-09-10T10:00:00-04:00", 432)])
    assert r.value == Decimal("0.99")
    assert r.evidence.numerator == 42_768
    assert r.evidence.denominator == 43_200


def test_we17_business_hours_availability_counts_only_open_minutes() -> None:
    calendars = {"bh": Calendar("bh", weekdays("08:00", "20:00"),
                                closed_dates=frozenset({date(2025, 11, 27)}))}
    one = sla("availability", Metric.AVAILABILITY, "0.999", calendar="bh")
    r = availability_of([outage("2025-11-12T19:30:00-05:00", 90),
                         outage("2025-11-13T01:00:00-05:00", 120)], one, label="2025-11",
                        calendars=calendars, as_of=datetime(2025, 12, 5, tzinfo=UTC))
    assert r.evidence.measured_minutes == 13_680
    assert r.value == Decimal(13_650) / Decimal(13_680)
    assert f"{r.value * 100:.4f}" == "99.7807"


def test_overlapping_outages_never_count_twice() -> None:
    r = availability_of([outage("2026-09-10T10:00:00-04:00", 60),
                         outage("2026-09-10T10:30:00-04:00", 60, service="ccp")])
    assert r.evidence.details["downtime_minutes"] == "90"


def test_an_open_outage_runs_to_as_of() -> None:
    as_of = datetime(2026, 9, 10, 15, 0, tzinfo=UTC)  # 11:00 in New York
    r = availability_of([outage("2026-09-10T10:00:00-04:00", None)], as_of=as_of)
    assert r.evidence.details["downtime_minutes"] == "60"


def test_only_the_sla_components_count() -> None:
    one = sla("availability", Metric.AVAILABILITY, "0.9999", components=("voice",))
    r = availability_of([outage("2026-09-10T10:00:00-04:00", 30, service="reporting"),
                         outage("2026-09-11T10:00:00-04:00", 10)], one)
    assert r.evidence.details["downtime_minutes"] == "10"


def test_outages_shorter_than_min_downtime_are_dropped() -> None:
    one = sla("availability", Metric.AVAILABILITY, "0.9999", min_downtime=timedelta(minutes=1))
    r = availability_of([outage("2026-09-10T10:00:00-04:00", 0.5),
                         outage("2026-09-11T10:00:00-04:00", 3)], one)
    assert r.evidence.details["downtime_minutes"] == "3"


MAINTENANCE = Exclusion("sunday", "announced maintenance", None,
                        rrule="FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0",
                        duration=timedelta(hours=2))
# September 2026 has four Sundays (6, 13, 20, 27): 480 excluded minutes.
# Outages: 30 min inside the 13 Sept window, 60 min on a Tuesday afternoon.
FORMULA_OUTAGES = [outage("2026-09-13T02:30:00-04:00", 30),
                   outage("2026-09-15T14:00:00-04:00", 60)]


@pytest.mark.parametrize(
    ("formula", "value"),
    [
        pytest.param(AvailabilityFormula.PLAIN, Decimal(43_200 - 60) / Decimal(43_200),
                     id="plain leaves excluded downtime out and keeps every minute in A"),
        pytest.param(AvailabilityFormula.ADD_BACK_EXCLUDED,
                     Decimal(43_200 - 90 + 30) / Decimal(43_200),
                     id="Twilio adds the 30 excluded minutes back: (A - 90 + 30) / A"),
        pytest.param(AvailabilityFormula.EXCUSABLE_DENOMINATOR,
                     Decimal(43_200 - 480 - 60) / Decimal(43_200 - 480),
                     id="NICE takes the 480 excusable minutes out of both sides"),
    ],
)
def test_availability_formulas_treat_exclusions_as_documented(
    formula: AvailabilityFormula, value: Decimal
) -> None:
    one = sla("availability", Metric.AVAILABILITY, "0.9999", formula=formula)
    r = availability_of(FORMULA_OUTAGES, one, exclusions=(MAINTENANCE,))
    assert r.value == value
    assert r.raw_value == Decimal(43_200 - 90) / Decimal(43_200)
    assert r.evidence.excluded_minutes == 480
    assert [a.minutes for a in r.evidence.exclusions] == [120, 120, 120, 120]
    assert {a.reason for a in r.evidence.exclusions} == {"announced maintenance"}


def test_user_minutes_weight_partial_outages_by_affected_share() -> None:
    one = sla("availability", Metric.AVAILABILITY, "0.9999",
              formula=AvailabilityFormula.USER_MINUTES)
    r = availability_of([outage("2026-09-15T14:00:00-04:00", 60, impact="partial",
                                fraction=0.25),
                         outage("2026-09-15T14:30:00-04:00", 60, impact="partial",
                                fraction=0.5)], one)
    # 14:00-14:30 at 25 %, 14:30-15:30 at 50 % (the larger share, not the sum).
    assert r.value == (Decimal(43_200) - Decimal("7.5") - Decimal(30)) / Decimal(43_200)


def test_partial_outages_are_not_downtime_under_the_plain_formula() -> None:
    r = availability_of([outage("2026-09-15T14:00:00-04:00", 60, impact="degraded",
                                fraction=0.3)])
    assert r.value == 1
    assert r.status is Status.MET


def test_vendor_announced_maintenance_counts_as_excluded_time() -> None:
    r = availability_of([outage("2026-09-15T14:00:00-04:00", 45, excluded=True)])
    assert r.value == 1
    assert r.raw_value == Decimal(43_200 - 45) / Decimal(43_200)


def test_no_outage_feed_is_insufficient_data() -> None:
    one = sla("availability", Metric.AVAILABILITY, "0.9999")
    c = contract([one])
    ev = evaluate(c, Measurements.empty(), period_for(c, SEPT), AS_OF, availability_data=False)
    assert ev.result("availability").status is Status.INSUFFICIENT_DATA
    assert ev.problems == ("availability: insufficient data (no outage data supplied)",)


def test_a_maintenance_rrule_stays_at_local_two_am_across_dst() -> None:
    # 1 Nov 2026 (fall back): the 02:00 window is 02:00 EST, 7:00 UTC; on 25 Oct it is 6:00 UTC.
    one = sla("availability", Metric.AVAILABILITY, "0.9999", period=PeriodKind.QUARTER)
    c = contract([one], exclusions=(MAINTENANCE,))
    ev = evaluate(c, Measurements.empty(), period_for(c, "2026-Q4"),
                  datetime(2027, 1, 2, tzinfo=UTC))
    starts = [a.start.astimezone(NY) for a in ev.result("availability").evidence.exclusions]
    assert len(starts) == 13
    assert {(s.hour, s.minute) for s in starts} == {(2, 0)}
    assert starts[3].astimezone(UTC).hour == 6
    assert starts[4].astimezone(UTC).hour == 7


def test_a_maintenance_rrule_with_a_utc_until_stops_at_that_instant() -> None:
    # UNTIL 2026-09-14T06:00Z is 02:00 EDT on Monday 14 Sept: Sundays 6 and 13 only.
    until = Exclusion("sunday", "announced maintenance", None,
                      rrule="FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0;UNTIL=20260914T060000Z",
                      duration=timedelta(hours=2))
    r = availability_of([], exclusions=(until,))
    assert [a.start.day for a in r.evidence.exclusions] == [6, 13]
