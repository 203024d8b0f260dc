"""RFC 5545 recurrence rules a contract may carry, checked so that every one terminates.

dateutil accepts rules it cannot finish: `INTERVAL=0` repeats one period forever (an
`evaluate` hung on it), `BYHOUR=99` validates and crashes later, and a rule no date can
satisfy (`BYMONTH=2;BYMONTHDAY=30`) makes every expansion scan to the year 9999, seconds per
call. So each part is checked against its RFC range here, sub-hourly frequencies are refused
(an exclusion window recurs at most hourly; a SECONDLY rule is millions of windows a month),
and the rule must occur at least once in a 28-year span, which holds every combination of
weekday and leap year.
"""

from __future__ import annotations

import re
from datetime import datetime

from dateutil.rrule import rrulestr

FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# part -> (lowest, highest, negatives allowed): RFC 5545 section 3.3.10
_NUMBERS = {
    "INTERVAL": (1, 1000, False),
    "COUNT": (1, 100_000, False),
    "BYSECOND": (0, 59, False),
    "BYMINUTE": (0, 59, False),
    "BYHOUR": (0, 23, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYMONTH": (1, 12, False),
    "BYSETPOS": (1, 366, True),
}
_LISTS = frozenset(_NUMBERS) - {"INTERVAL", "COUNT"}
_BYDAY = re.compile(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_UNTIL = re.compile(r"[0-9]{8}(T[0-9]{6}Z?)?")
_NUMBER = re.compile(r"[+-]?[0-9]{1,6}")
_PROBE_START = datetime(9972, 1, 1)  # 28 years before dateutil's last year: bounded scan


def check_rrule(text: str) -> None:
    """Raise ValueError naming the first part that is out of range or never terminates."""
    parts: dict[str, str] = {}
    for item in text.split(";"):
        name, sep, value = item.partition("=")
        name = name.strip().upper()
        if not sep or not value:
            raise ValueError(f"{item!r} is not NAME=VALUE")
        if name in parts:
            raise ValueError(f"{name} is given twice")
        parts[name] = value.strip().upper()
    known = {"FREQ", "UNTIL", "BYDAY", "WKST", *_NUMBERS}
    for name in parts:
        if name not in known:
            raise ValueError(f"unknown part {name}; known: " + ", ".join(sorted(known)))
    freq = parts.get("FREQ")
    if freq in ("MINUTELY", "SECONDLY"):
        raise ValueError(f"FREQ={freq} is not allowed: an exclusion recurs at most hourly")
    if freq not in FREQUENCIES:
        raise ValueError(f"FREQ must be one of {', '.join(FREQUENCIES)}, got {freq!r}")
    if "COUNT" in parts and "UNTIL" in parts:
        raise ValueError("use COUNT or UNTIL, not both")
    for name, (low, high, signed) in _NUMBERS.items():
        if name in parts:
            _numbers(name, parts[name], low, high, signed)
    if "BYDAY" in parts:
        _weekdays(parts["BYDAY"])
    if parts.get("WKST", "MO") not in WEEKDAYS:
        raise ValueError(f"WKST must be one of {', '.join(WEEKDAYS)}")
    if "UNTIL" in parts and not _UNTIL.fullmatch(parts["UNTIL"]):
        raise ValueError("UNTIL must look like 20261231 or 20261231T235959Z")


def never_occurs(text: str) -> bool:
    """True when no date satisfies the rule's BY* parts (scans 28 years, not 8,000)."""
    endless = ";".join(p for p in text.split(";")
                       if p.split("=")[0].strip().upper() not in ("COUNT", "UNTIL"))
    rule = rrulestr(endless, dtstart=_PROBE_START)
    return next(iter(rule), None) is None


def _numbers(name: str, value: str, low: int, high: int, signed: bool) -> None:
    items = value.split(",") if name in _LISTS else [value]
    for item in items:
        if not _NUMBER.fullmatch(item):
            raise ValueError(f"{name} must be whole numbers written with 0-9, got {item!r}")
        number = int(item)
        size = abs(number) if signed else number
        if not low <= size <= high:
            span = f"±{low}..{high}" if signed else f"{low}..{high}"
            raise ValueError(f"{name}={item} is out of range ({span})")


def _weekdays(value: str) -> None:
    for item in value.split(","):
        match = _BYDAY.fullmatch(item)
        if match is None:
            raise ValueError(f"BYDAY {item!r} must be a day MO..SU, optionally numbered (2MO)")
        if match.group(1) is not None and not 1 <= abs(int(match.group(1))) <= 53:
            raise ValueError(f"BYDAY {item!r}: the number must be ±1..53")
