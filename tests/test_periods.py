"""Periods cut in the contract zone, pro-rated at the term's ends, in real elapsed minutes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from monitor.domain.contract import PeriodKind
from monitor.domain.periods import period_containing, period_for, period_seconds, periods_between
from monitor.errors import InputError
from tests.factories import NY, contract


@pytest.mark.parametrize(
    ("label", "start", "end", "minutes"),
    [
        pytest.param("2026-10", "2026-10-01T00:00:00-04:00", "2026-11-01T00:00:00-04:00",
                     31 * 1440, id="October 2026 has 44,640 minutes and no DST change"),
        pytest.param("2025-11", "2025-11-01T00:00:00-04:00", "2025-12-01T00:00:00-05:00",
                     43_260, id="November 2025 in New York is 43,260 real minutes, not 43,200"),
        pytest.param("2025-03", "2025-03-01T00:00:00-05:00", "2025-04-01T00:00:00-04:00",
                     31 * 1440 - 60, id="March 2025 in New York loses the spring-forward hour"),
        pytest.param("2026-Q4", "2026-10-01T00:00:00-04:00", "2027-01-01T00:00:00-05:00",
                     92 * 1440 + 60, id="the fourth quarter gains the fall-back hour"),
        pytest.param("2026", "2026-01-01T00:00:00-05:00", "2027-01-01T00:00:00-05:00",
                     365 * 1440, id="a year's DST changes cancel out"),
    ],
)
def test_labels_name_periods_in_the_contract_zone(
    label: str, start: str, end: str, minutes: int
) -> None:
    period = period_for(contract(), label)
    assert period.start == datetime.fromisoformat(start)
    assert period.end == datetime.fromisoformat(end)
    assert period.minutes == minutes
    assert period_seconds(period) == minutes * 60
    assert not period.prorated


def test_a_period_at_the_contract_start_is_pro_rated() -> None:
    c = contract(effective_from=date(2026, 10, 16), effective_to=date(2027, 3, 10))
    october = period_for(c, "2026-10")
    assert october.start == datetime(2026, 10, 16, tzinfo=NY)
    assert october.full_start == datetime(2026, 10, 1, tzinfo=NY)
    assert october.prorated
    assert october.minutes == 16 * 1440
    march = period_for(c, "2027-03")
    assert march.end == datetime(2027, 3, 11, tzinfo=NY)
    assert march.minutes == 10 * 1440


@pytest.mark.parametrize("label", ["2025-12", "2027-Q2", "2024"],
                         ids=["a month before the term", "a quarter after it", "a year before"])
def test_a_period_wholly_outside_the_term_is_an_input_error(label: str) -> None:
    c = contract(effective_from=date(2026, 1, 1), effective_to=date(2026, 12, 31))
    with pytest.raises(InputError, match="lies outside contract"):
        period_for(c, label)


@pytest.mark.parametrize("label", ["2026-13", "2026-Q5", "Oct 2026", ""])
def test_a_bad_label_is_an_input_error(label: str) -> None:
    with pytest.raises(InputError):
        period_for(contract(), label)


def test_period_containing_uses_the_local_date_of_the_instant() -> None:
    # 03:30 UTC on 1 Nov is still 31 Oct in New York.
    instant = datetime(2026, 11, 1, 3, 30, tzinfo=UTC)
    assert period_containing(contract(), PeriodKind.MONTH, instant).label == "2026-10"
    assert period_containing(contract(), PeriodKind.QUARTER, instant).label == "2026-Q4"
    tokyo = contract(tz=ZoneInfo("Asia/Tokyo"))
    assert period_containing(tokyo, PeriodKind.MONTH, instant).label == "2026-11"


def test_periods_between_lists_every_overlapping_period_in_the_term() -> None:
    c = contract(effective_from=date(2026, 2, 10), effective_to=date(2026, 5, 31))
    labels = [p.label for p in periods_between(
        c, PeriodKind.MONTH, datetime(2026, 1, 1, tzinfo=NY), datetime(2027, 1, 1, tzinfo=NY))]
    assert labels == ["2026-02", "2026-03", "2026-04", "2026-05"]
    quarters = list(periods_between(c, PeriodKind.QUARTER, datetime(2026, 1, 1, tzinfo=NY),
                                    datetime(2027, 1, 1, tzinfo=NY)))
    assert [q.label for q in quarters] == ["2026-Q1", "2026-Q2"]
    assert quarters[0].start == datetime(2026, 2, 10, tzinfo=NY)
