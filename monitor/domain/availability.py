"""Availability from outage spans, exact to the nanosecond (penalty_formulas.md §2.1).

Inputs are the SLA's calendar open time A in the period (24x7 or business hours), the
merged exclusion windows E (contract exclusions that apply to the SLA, plus outages the
vendor flagged `excluded` = announced maintenance) and the outages of the SLA's
`components` (all when empty). Open outages (no end) run to `as_of`; everything is clipped
to the period and the calendar; outages shorter than `min_downtime` are dropped; overlapping
outages are merged so no second counts twice.

Formulas (all four keep the same raw reading, (A - all downtime) / A, for `raw_value`):
- plain: (A - B) / A, B = full-impact downtime outside E. Excluded time is simply not
  downtime; A keeps every calendar minute. Partial/degraded impact is not downtime.
- add_back_excluded (Twilio 2021): (A - B + C) / A with B = ALL full-impact downtime and
  C = the part of it inside E (Twilio's "Excluded Monthly Times" are unavailability caused
  by exclusions). The figure equals plain; the evidence shows B and C apart.
- excusable_denominator (NICE): (x - y - z) / (x - y), x = A, y = excusable time (E inside
  the calendar, outage or not), z = full-impact downtime outside E.
- user_minutes (Microsoft): (A - D) / A, D = sum over time of the affected share of users
  (`affected_fraction`) for every impact level; where outages overlap the largest share
  counts, never the sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import pairwise

from monitor.domain.calendars import OpenSpans, intersect, spans_from_windows, to_ns
from monitor.domain.contract import AvailabilityFormula, Sla
from monitor.domain.measurements import Outage

MINUTE_NS = Decimal(60_000_000_000)


@dataclass(frozen=True)
class AvailabilityFigure:
    numerator: Decimal  # ns
    denominator: Decimal  # ns
    raw_numerator: Decimal
    raw_denominator: Decimal
    downtime_ns: Decimal  # counted downtime (after exclusions, weighted for user_minutes)
    excluded_downtime_ns: Decimal  # downtime that fell inside exclusions
    excusable_ns: Decimal  # exclusion time inside the calendar
    outages_counted: int
    formula: str


def _windows(
    sla: Sla, outages: tuple[Outage, ...], lo: int, hi: int, as_of: datetime
) -> tuple[list[tuple[int, int, Decimal]], list[tuple[int, int]], int]:
    """(weighted downtime windows, vendor-excluded windows, outages counted)."""
    cut = min(hi, to_ns(as_of))
    down: list[tuple[int, int, Decimal]] = []
    vendor_excluded: list[tuple[int, int]] = []
    min_ns = int(sla.min_downtime.total_seconds() * 1_000_000_000)
    counted = 0
    weighted = sla.formula is AvailabilityFormula.USER_MINUTES
    for o in outages:
        if sla.components and o.service not in sla.components:
            continue
        a = to_ns(o.start)
        b = to_ns(o.end) if o.end is not None else to_ns(as_of)
        b = min(b, to_ns(as_of))
        if b - a < min_ns or b <= a:
            continue
        a2, b2 = max(a, lo), min(b, cut)
        if a2 >= b2:
            continue
        if o.excluded:
            vendor_excluded.append((a2, b2))
        if weighted:
            weight = Decimal(str(o.affected_fraction))
        elif o.impact == "full":
            weight = Decimal(1)
        else:
            continue
        if weight > 0:
            down.append((a2, b2, weight))
            counted += 1
    return down, vendor_excluded, counted


def _weighted_ns(down: list[tuple[int, int, Decimal]], spans: OpenSpans) -> Decimal:
    """Sum over time of the largest weight in force, counting only time inside `spans`."""
    if not down:
        return Decimal(0)
    import numpy as np

    edges = sorted({x for a, b, _ in down for x in (a, b)})
    total = Decimal(0)
    for x, y in pairwise(edges):
        w = max((wt for a, b, wt in down if a <= x and b >= y), default=Decimal(0))
        if w == 0:
            continue
        inside = int(spans.overlap_ns(np.array([x], dtype=np.int64),
                                      np.array([y], dtype=np.int64))[0])
        total += w * inside
    return total


def availability(
    sla: Sla,
    outages: tuple[Outage, ...],
    calendar: OpenSpans,
    exclusions: OpenSpans,
    lo: int,
    hi: int,
    as_of: datetime,
) -> AvailabilityFigure:
    """Contractual and raw availability of `sla` over [lo, hi) (epoch ns)."""
    down, vendor_excluded, counted = _windows(sla, outages, lo, hi, as_of)
    excluded = spans_from_windows(
        list(zip(exclusions.starts.tolist(), exclusions.ends.tolist(), strict=True))
        + vendor_excluded
    )
    excused = intersect(calendar, excluded)
    # Calendar time outside every exclusion: where counted downtime can happen.
    pairs: list[tuple[int, int]] = []
    for a, b in zip(calendar.starts.tolist(), calendar.ends.tolist(), strict=True):
        cursor = a
        for ea, eb in zip(excused.starts.tolist(), excused.ends.tolist(), strict=True):
            if eb <= cursor or ea >= b:
                continue
            if ea > cursor:
                pairs.append((cursor, ea))
            cursor = max(cursor, eb)
        if cursor < b:
            pairs.append((cursor, b))
    chargeable = spans_from_windows(pairs)

    a_ns = Decimal(int((calendar.ends - calendar.starts).sum()))
    y_ns = Decimal(int((excused.ends - excused.starts).sum()))
    raw_down = _weighted_ns(down, calendar)
    b_counted = _weighted_ns(down, chargeable)
    in_excluded = raw_down - b_counted
    f = sla.formula
    if f is AvailabilityFormula.EXCUSABLE_DENOMINATOR:
        num, den = a_ns - y_ns - b_counted, a_ns - y_ns
        text = "NICE (x - y - z) / (x - y): x calendar, y excusable, z other downtime"
    elif f is AvailabilityFormula.ADD_BACK_EXCLUDED:
        num, den = a_ns - raw_down + in_excluded, a_ns
        text = "Twilio (A - B + C) / A: B all downtime, C downtime inside exclusions"
    elif f is AvailabilityFormula.USER_MINUTES:
        num, den = a_ns - b_counted, a_ns
        text = "user minutes (A - sum(duration x affected share)) / A"
    else:
        num, den = a_ns - b_counted, a_ns
        text = "plain (A - B) / A: B full-impact downtime outside exclusions"
    return AvailabilityFigure(
        numerator=num, denominator=den, raw_numerator=a_ns - raw_down, raw_denominator=a_ns,
        downtime_ns=b_counted, excluded_downtime_ns=in_excluded, excusable_ns=y_ns,
        outages_counted=counted, formula=text,
    )


def minutes(ns: Decimal) -> Decimal:
    """Nanoseconds as minutes; exact when whole seconds divide, else 6 places."""
    value = Decimal(ns) / MINUTE_NS
    rounded = value.quantize(Decimal("0.000001"))
    if rounded == rounded.to_integral_value():
        return rounded.quantize(Decimal(1))
    return rounded.normalize() if rounded == value else rounded
