"""Exclusion windows: time that does not count against the vendor.

One-off exclusions have `start`/`end`; recurring ones an RFC 5545 RRULE expanded in the
CONTRACT ZONE from the contract's effective date (so "Sundays 02:00 for 2 h" stays at 02:00
local across DST; an occurrence in a spring-forward gap starts just after the gap) plus a
`duration`. Windows are per SLA (`Exclusion.applies`) and keep their reason, so evidence can
show why time was left out.

How the engine applies them (see `evaluate.py`): an interval KPI leaves out every interval
whose START lies inside a window; availability subtracts the excluded seconds (and treats
them per the SLA's formula).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from monitor.domain.calendars import OpenSpans, spans_from_windows, to_ns
from monitor.domain.contract import Contract, Exclusion, Sla
from monitor.domain.periods import local_midnight

MAX_OCCURRENCES = 50_000  # per exclusion and window: an hourly rule over five years


@dataclass(frozen=True)
class Window:
    exclusion: Exclusion
    start: datetime
    end: datetime


def expand(
    exclusion: Exclusion, contract: Contract, start: datetime, end: datetime
) -> list[Window]:
    """Occurrences of `exclusion` overlapping [start, end), clipped to it."""
    tz = contract.tz
    raw: list[tuple[datetime, datetime]] = []
    if exclusion.rrule:
        duration = exclusion.duration or timedelta(0)
        anchor = local_midnight(contract.effective_from, tz).replace(tzinfo=None)
        rule = rrulestr(_local_until(exclusion.rrule, tz), dtstart=anchor)
        lo = (start.astimezone(tz) - duration).replace(tzinfo=None) - timedelta(days=1)
        hi = end.astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
        # Bounded even for a rule built without the spec's checks (monitor.spec.recurrence)
        for naive in itertools.islice(rule.xafter(lo, inc=True), MAX_OCCURRENCES):
            if naive > hi:
                break
            begin = naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
            finish = (begin.astimezone(UTC) + duration).astimezone(tz)
            raw.append((begin, finish))
    elif exclusion.start is not None and exclusion.end is not None:
        raw.append((exclusion.start, exclusion.end))
    windows = []
    for a, b in raw:
        a2, b2 = max(a, start), min(b, end)
        if a2 < b2:
            windows.append(Window(exclusion, a2.astimezone(tz), b2.astimezone(tz)))
    return windows


_UNTIL_UTC = re.compile(r"UNTIL=(\d{8}T\d{6})Z", re.IGNORECASE)


def _local_until(rule: str, tz: ZoneInfo) -> str:
    """Rewrite a UTC `UNTIL=...Z` as local wall-clock time: the rule is expanded naive in
    the contract zone, and dateutil refuses a UTC UNTIL with a naive start."""

    def local(match: re.Match[str]) -> str:
        instant = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        return "UNTIL=" + instant.astimezone(tz).strftime("%Y%m%dT%H%M%S")

    return _UNTIL_UTC.sub(local, rule)


def windows_for(sla: Sla, contract: Contract, start: datetime, end: datetime) -> list[Window]:
    """Every exclusion window that applies to `sla` within [start, end), in time order."""
    out: list[Window] = []
    for exclusion in contract.exclusions:
        if exclusion.applies(sla.id, str(sla.metric)):
            out.extend(expand(exclusion, contract, start, end))
    return sorted(out, key=lambda w: (w.start, w.end))


def as_spans(windows: list[Window]) -> OpenSpans:
    """The merged union of windows (overlaps never count twice)."""
    return spans_from_windows([(to_ns(w.start), to_ns(w.end)) for w in windows])
