"""Parsers for the scalar values a contract file holds, used once, at the edge.

Each parser takes what the YAML reader produced (`str`, `int`, `Decimal` or `bool`; the
reader never produces `float`, see `yamlpos`) and returns a typed value or raises
`ValueError` with a message short enough to follow `file:line: path:`. The pydantic models
in `v1` call them through `Annotated` validators, so a bad value is reported with its path.

Why Decimal everywhere: "99.99%" must become exactly 0.9999 and "20000.00" exactly
20000.00; a binary float would make 99.99 % compare unequal to itself after a round trip.
"""

from __future__ import annotations

import decimal
import difflib
import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil.rrule import rrulestr

from monitor.domain.contract import TimeRange
from monitor.spec import recurrence

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ROUNDING_MODES = frozenset(
    name for name in dir(decimal) if name.startswith("ROUND_")
)

_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ms|d|h|m|s)")

# Ranges that keep every later computation inside what datetime, Decimal and the database
# hold (issue 17: a contract that validates must evaluate, report and run).
FIRST_DATE = date(2000, 1, 1)
LAST_DATE = date(2099, 12, 31)
MAX_DURATION = timedelta(days=3660)  # ten years: longer than any contract term
MAX_NUMBER = Decimal(10) ** 15  # a quadrillion: more than any fee, count or target
MAX_PLACES = 12
_DURATION_UNITS = {
    "d": Decimal(86400),
    "h": Decimal(3600),
    "m": Decimal(60),
    "s": Decimal(1),
    "ms": Decimal("0.001"),
}


def _number(raw: object, what: str) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError(f"must be {what}, not a boolean")
    if isinstance(raw, int | Decimal):
        value = Decimal(raw)
    elif isinstance(raw, float):  # only when a caller bypasses yamlpos
        value = Decimal(repr(raw))
    elif isinstance(raw, str):
        text = raw.strip().replace("_", "")
        if not text.isascii() or len(text) > 40:  # Decimal() reads Arabic-Indic digits too
            raise ValueError(f"must be {what} written with digits 0-9, got {raw!r}")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"must be {what}, got {raw!r}") from None
    else:
        raise ValueError(f"must be {what}, got {type(raw).__name__}")
    if not value.is_finite():
        raise ValueError(f"must be {what}, got {raw!r}")
    if abs(value) >= MAX_NUMBER:
        raise ValueError(f"is too large (at most {MAX_NUMBER:,.0f})")
    if value != 0 and -value.as_tuple().exponent > MAX_PLACES:  # type: ignore[operator]
        raise ValueError(f"has more than {MAX_PLACES} decimal places")
    return value


def parse_ratio(raw: object) -> Decimal:
    """'99.99%' or 0.9999 -> Decimal('0.9999'); may exceed 1 (an at-risk pool of 250%)."""
    if isinstance(raw, str) and raw.strip().endswith("%"):
        value = _number(raw.strip()[:-1], "a percentage such as '99.9%'") / 100
    else:
        value = _number(raw, "a percentage such as '99.9%' or a ratio such as 0.999")
    if value < 0:
        raise ValueError("must not be negative")
    return value


def parse_percent(raw: object) -> Decimal:
    """A percentage bounded to [0 %, 100 %], returned as a ratio in [0, 1]."""
    value = parse_ratio(raw)
    if value > 1:
        raise ValueError("must be between 0% and 100%" + percent_hint(raw))
    return value


def percent_hint(raw: object) -> str:
    """A bare 80 was almost certainly meant as 80 %: say how to write it."""
    if isinstance(raw, int | Decimal) and not isinstance(raw, bool) and 1 < raw <= 100:
        return f" (write '{raw}%' for {raw} percent)"
    return ""


def parse_duration(raw: object) -> timedelta:
    """'20s', '2h', '30d', '1h30m', '250ms' -> timedelta. A bare number has no unit: refused."""
    if isinstance(raw, timedelta):
        return raw
    if not isinstance(raw, str):
        raise ValueError(f"must be a duration with a unit such as '20s' or '2h', got {raw!r}")
    text = raw.strip()
    pos, total = 0, Decimal(0)
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            break
        total += Decimal(match.group(1)) * _DURATION_UNITS[match.group(2)]
        pos = match.end()
    if pos != len(text) or not text or len(text) > 40:
        raise ValueError(
            f"must be a duration such as '20s', '5m', '2h', '30d' or '1h30m', got {raw!r}"
        )
    if total > MAX_DURATION.days * _DURATION_UNITS["d"]:
        raise ValueError(f"must be at most {MAX_DURATION.days}d (ten years), got {raw!r}")
    return timedelta(microseconds=int(total * 10**6))


def duration_seconds(raw: object) -> Decimal:
    """A duration as exact seconds (Decimal), for targets such as `{max: 30s}`."""
    delta = parse_duration(raw)
    return Decimal(delta.days * 86400 + delta.seconds) + Decimal(delta.microseconds) / 10**6


def parse_money(raw: object) -> Decimal:
    """'20000.00' or 20000 -> Decimal. The reader keeps unquoted 20000.00 exact too."""
    value = _number(raw, "an amount such as '20000.00'")
    if value < 0:
        raise ValueError("must not be negative")
    return value


@dataclass(frozen=True)
class Measure:
    """A target or bound as written: a ratio ('85%'), seconds ('30s') or a plain number."""

    value: Decimal
    unit: str  # "ratio" | "seconds" | "number"

    def __str__(self) -> str:
        if self.unit == "ratio":
            return f"{(self.value * 100).normalize():f}%"
        if self.unit == "seconds":
            return f"{self.value.normalize():f}s"
        return f"{self.value.normalize():f}"


def parse_measure(raw: object) -> Measure:
    """'85%' -> ratio; '30s' / '2m' -> seconds; 0.85 or 30 -> a plain number.

    Which unit a metric needs is a semantic rule (`rules.check_units`), not a parse error.
    """
    if isinstance(raw, Measure):
        return raw
    if isinstance(raw, str) and raw.strip().endswith("%"):
        return Measure(parse_ratio(raw), "ratio")
    what = "a percentage such as '85%', a duration such as '30s' or a number"
    if isinstance(raw, str) and raw.strip() and raw.strip()[-1].isalpha():
        if not any(c.isdigit() for c in raw):  # 'eighty' is no duration gone wrong
            raise ValueError(f"must be {what}, got {raw!r}")
        return Measure(duration_seconds(raw), "seconds")
    value = _number(raw, what)
    if value < 0:
        raise ValueError("must not be negative")
    return Measure(value, "number")


def parse_zone(raw: object) -> str:
    """An IANA zone name, checked to exist in the tz database."""
    if not isinstance(raw, str) or not raw:
        raise ValueError("must be an IANA time zone such as 'America/New_York'")
    try:
        ZoneInfo(raw)
        if raw not in _zones():  # 'posixrules', 'Factory': files in tzdata, not zones
            raise ValueError(raw)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        hint = _zone_hint(raw)
        raise ValueError(
            f"unknown time zone {raw!r}" + (f" (did you mean {hint!r}?)" if hint else "")
            + "; use an IANA name such as 'Europe/London'"
        ) from None
    return raw


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones()) - {"posixrules", "Factory", "localtime"}


def _zone_hint(raw: object) -> str | None:
    lowered = str(raw).lower().replace(" ", "_")
    names = sorted(_zones())
    for name in names:
        if name.lower() == lowered or name.lower().endswith("/" + lowered):
            return name
    close = difflib.get_close_matches(str(raw), names, n=1, cutoff=0.8)
    return close[0] if close else None


def parse_currency(raw: object) -> str:
    """A three-letter ISO 4217 code in capitals."""
    if not isinstance(raw, str) or not re.fullmatch(r"[A-Z]{3}", raw):
        raise ValueError(f"must be a three-letter ISO 4217 code such as USD, got {raw!r}")
    return raw


def parse_slug(raw: object) -> str:
    """An id: letters, digits and - _ . : ; no spaces, at most 100 characters."""
    if not isinstance(raw, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}", raw):
        raise ValueError(
            f"must be an id of letters, digits, '-', '_', '.' or ':' (no spaces), got {raw!r}"
        )
    return raw


def parse_rrule(raw: object) -> str:
    """An RFC 5545 RRULE (without DTSTART; it is anchored in the contract zone)."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("must be an RRULE such as 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=2'")
    text = raw.strip().removeprefix("RRULE:")
    if "DTSTART" in text.upper():
        raise ValueError("must not carry DTSTART; a recurrence starts with the contract term")
    try:
        recurrence.check_rrule(text)
        rrulestr(text, dtstart=datetime(2026, 1, 1))
        never = recurrence.never_occurs(text)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"invalid RRULE {raw!r}: {exc}") from None
    if never:
        raise ValueError(f"RRULE {raw!r} never occurs: no date matches all its BY parts")
    return text


def parse_instant(raw: object) -> datetime:
    """An ISO-8601 timestamp with a UTC offset; a naive one is ambiguous and refused."""
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, str) and raw.strip().isascii():
        try:
            value = datetime.fromisoformat(raw.strip())
        except ValueError:
            raise ValueError(
                f"must be an ISO-8601 timestamp such as '2026-10-14T09:00:00-04:00', got {raw!r}"
            ) from None
    else:
        raise ValueError(f"must be an ISO-8601 timestamp, got {raw!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"timestamp {raw!r} has no UTC offset; write it like '2026-10-14T09:00:00-04:00'"
        )
    in_range(value.date())
    return value


def in_range(day: date) -> date:
    """Contract dates stay within FIRST_DATE..LAST_DATE (0001-01-01 validated, then crashed
    the period arithmetic)."""
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValueError(f"must be between {FIRST_DATE.isoformat()} and "
                         f"{LAST_DATE.isoformat()}, got {day.isoformat()}")
    return day


def parse_date(raw: object) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return in_range(raw)
    if isinstance(raw, str) and raw.strip().isascii():
        try:
            day = date.fromisoformat(raw.strip())
        except ValueError:
            pass
        else:
            return in_range(day)
    raise ValueError(f"must be a date such as '2026-01-01', got {raw!r}")


def parse_days(raw: str) -> tuple[int, ...]:
    """'mon-fri' -> (0..4); 'sat' -> (5,); 'mon,wed' -> (0, 2); 'fri-mon' wraps."""
    days: list[int] = []
    for part in raw.lower().replace(" ", "").split(","):
        ends = part.split("-")
        if len(ends) > 2 or any(end not in DAYS for end in ends):
            raise ValueError(
                f"unknown day {raw!r}; use mon..sun, a range 'mon-fri' or a list 'mon,wed'"
            )
        first = DAYS.index(ends[0])
        last = DAYS.index(ends[-1])
        span = (last - first) % 7
        days.extend((first + i) % 7 for i in range(span + 1))
    return tuple(days)


def _clock(text: str, *, allow_24: bool) -> time | None:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if allow_24 and hour == 24 and minute == 0:
        return time.max
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_time_range(raw: object) -> TimeRange:
    """'08:00-20:00' -> TimeRange; '00:00-24:00' ends at midnight (time.max)."""
    parts = raw.split("-") if isinstance(raw, str) else []
    start = _clock(parts[0], allow_24=False) if len(parts) == 2 else None
    end = _clock(parts[1], allow_24=True) if len(parts) == 2 else None
    if start is None or end is None:
        raise ValueError(f"must be a time range such as '08:00-20:00', got {raw!r}")
    if end != time.max and end <= start:
        raise ValueError(f"range {raw!r} ends before it starts; split ranges that cross midnight")
    return TimeRange(start=start, end=end, ends_at_midnight=end == time.max)
