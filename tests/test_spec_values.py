"""Scalar parsers: percentages, durations, money, zones, RRULEs, timestamps, day keys."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from monitor.spec import values
from monitor.spec.yamlpos import load_document


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("99.99%", Decimal("0.9999"), id="'99.99%' is the ratio 0.9999"),
        pytest.param(Decimal("0.9999"), Decimal("0.9999"), id="a ratio stays a ratio"),
        pytest.param("100%", Decimal(1), id="100% is 1"),
        pytest.param(0, Decimal(0), id="0 is 0%"),
        pytest.param(" 5 % ", Decimal("0.05"), id="spaces around a percentage are fine"),
    ],
)
def test_percent_parses_to_an_exact_ratio(raw: object, expected: Decimal) -> None:
    assert values.parse_percent(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param("180%", "must be between 0% and 100%", id="180% is out of range"),
        pytest.param(Decimal("1.5"), "must be between 0% and 100%", id="ratio 1.5 is too"),
        pytest.param("-1%", "must not be negative", id="a negative percentage"),
        pytest.param("ninety%", "must be a percentage", id="words are not a percentage"),
        pytest.param(True, "not a boolean", id="yes is not a percentage"),
    ],
)
def test_percent_refuses_bad_values(raw: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        values.parse_percent(raw)


def test_a_pool_ratio_may_exceed_one() -> None:
    assert values.parse_ratio("250%") == Decimal("2.5")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("20s", timedelta(seconds=20), id="20s"),
        pytest.param("2h", timedelta(hours=2), id="2h"),
        pytest.param("30d", timedelta(days=30), id="30d"),
        pytest.param("1h30m", timedelta(minutes=90), id="1h30m is 90 minutes"),
        pytest.param("250ms", timedelta(milliseconds=250), id="250ms"),
        pytest.param("1.5s", timedelta(milliseconds=1500), id="fractional seconds"),
    ],
)
def test_duration_parses_units(raw: str, expected: timedelta) -> None:
    assert values.parse_duration(raw) == expected


@pytest.mark.parametrize("raw", ["20", "20 seconds", "h", "", "2h30", "1w"],
                         ids=lambda r: f"{r!r} is not a duration")
def test_duration_refuses_text_without_a_known_unit(raw: str) -> None:
    with pytest.raises(ValueError, match="must be a duration"):
        values.parse_duration(raw)


def test_a_bare_number_is_not_a_duration() -> None:
    with pytest.raises(ValueError, match="with a unit"):
        values.parse_duration(20)


def test_money_keeps_cents_exactly() -> None:
    assert values.parse_money("20000.00") == Decimal("20000.00")
    assert values.parse_money(150) == Decimal(150)
    with pytest.raises(ValueError, match="must not be negative"):
        values.parse_money("-1.00")


def test_unquoted_decimals_are_read_from_their_text_not_as_floats() -> None:
    doc = load_document("fee: 20000.10\nratio: 0.9999\nwhen: 2026-01-01\n", "x.yaml")
    assert doc.data == {"fee": Decimal("20000.10"), "ratio": Decimal("0.9999"),
                        "when": "2026-01-01"}


@pytest.mark.parametrize(
    ("raw", "hint"),
    [
        pytest.param("America/New_Yrok", "did you mean 'America/New_York'", id="a typo"),
        pytest.param("london", "did you mean 'Europe/London'", id="a city without its region"),
        pytest.param("EST5EDT-ish", "use an IANA name", id="nonsense"),
    ],
)
def test_unknown_zone_is_refused_with_a_hint(raw: str, hint: str) -> None:
    with pytest.raises(ValueError, match=hint):
        values.parse_zone(raw)


def test_rrule_is_validated_and_dtstart_refused() -> None:
    assert values.parse_rrule("RRULE:FREQ=WEEKLY;BYDAY=SU") == "FREQ=WEEKLY;BYDAY=SU"
    with pytest.raises(ValueError, match="invalid RRULE"):
        values.parse_rrule("FREQ=WEEKLY;BYDAY=XX")
    with pytest.raises(ValueError, match="DTSTART"):
        values.parse_rrule("DTSTART:20260101T000000\nRRULE:FREQ=DAILY")


def test_instant_needs_a_utc_offset() -> None:
    assert values.parse_instant("2026-10-14T09:00:00-04:00") == datetime(2026, 10, 14, 13,
                                                                          tzinfo=UTC)
    with pytest.raises(ValueError, match="has no UTC offset"):
        values.parse_instant("2026-10-14T09:00:00")


@pytest.mark.parametrize(
    ("raw", "days"),
    [
        pytest.param("mon-fri", (0, 1, 2, 3, 4), id="mon-fri is Monday to Friday"),
        pytest.param("sat", (5,), id="sat alone"),
        pytest.param("mon,wed", (0, 2), id="a list"),
        pytest.param("fri-mon", (4, 5, 6, 0), id="a range may wrap the weekend"),
        pytest.param("mon-sun", (0, 1, 2, 3, 4, 5, 6), id="every day"),
    ],
)
def test_day_keys(raw: str, days: tuple[int, ...]) -> None:
    assert values.parse_days(raw) == days


def test_unknown_day_key_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown day 'weekdays'"):
        values.parse_days("weekdays")


def test_time_ranges_including_midnight_end() -> None:
    day = values.parse_time_range("08:00-20:00")
    assert (day.start, day.end, day.ends_at_midnight) == (time(8), time(20), False)
    full = values.parse_time_range("00:00-24:00")
    assert (full.start, full.end, full.ends_at_midnight) == (time(0), time.max, True)
    with pytest.raises(ValueError, match="ends before it starts"):
        values.parse_time_range("22:00-06:00")
    with pytest.raises(ValueError, match="must be a time range"):
        values.parse_time_range("08:00-25:00")


@pytest.mark.parametrize(
    ("raw", "unit", "value"),
    [
        pytest.param("85%", "ratio", Decimal("0.85"), id="a percentage is a ratio"),
        pytest.param("30s", "seconds", Decimal(30), id="a duration is seconds"),
        pytest.param("2m", "seconds", Decimal(120), id="minutes become seconds"),
        pytest.param(Decimal("0.85"), "number", Decimal("0.85"), id="a plain number"),
    ],
)
def test_measures_keep_their_unit(raw: object, unit: str, value: Decimal) -> None:
    measure = values.parse_measure(raw)
    assert (measure.unit, measure.value) == (unit, value)
