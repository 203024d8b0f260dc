"""Where an SLA stands at `as_of`: the one definition of the open-period states.

- `on_track`: the period is open and the value so far meets target;
- `at_risk`: the period is open, the value so far misses target, but a good enough rest of
  the period can still meet it (`needed` says how good);
- `breach_certain`: the period is open and even a perfect rest of it cannot meet target
  (the best case of `monitor.domain.budget.project`);
- `breached` / `met`: the period has ended; only then is a miss a breach;
- `no_data`: nothing measured yet.

Every output (evaluate, --json, reports, /metrics, alert rules, dashboards, cases) reads the
state from here, through the engine's result details, so they cannot disagree. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from monitor.domain.budget import project
from monitor.domain.contract import (
    SECONDS_METRICS,
    AggregationMethod,
    Direction,
    Sla,
    Status,
)
from monitor.domain.results import SlaResult

ZERO = Decimal(0)
MINUTES_PER_DAY = Decimal(1440)


class Standing(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACH_CERTAIN = "breach_certain"
    BREACHED = "breached"
    MET = "met"
    NO_DATA = "no_data"


LABELS = {
    Standing.ON_TRACK: "on track",
    Standing.AT_RISK: "at risk",
    Standing.BREACH_CERTAIN: "breach certain",
    Standing.BREACHED: "breached",
    Standing.MET: "met",
    Standing.NO_DATA: "no data",
}
# States that mean "this period will end (or has ended) as a miss": what pages on-call.
MISSES = (Standing.BREACH_CERTAIN, Standing.BREACHED)
OPEN_STATES = (Standing.ON_TRACK, Standing.AT_RISK, Standing.BREACH_CERTAIN)


@dataclass(frozen=True)
class Outlook:
    standing: Standing
    open: bool
    needed: Decimal | None = None  # what the rest must average to end exactly on target
    best_case: Decimal | None = None
    remaining_minutes: Decimal = ZERO  # calendar minutes of the SLA left in its period
    remaining_days: Decimal = ZERO  # wall-clock days left in the period

    @property
    def label(self) -> str:
        return LABELS[self.standing]

    def as_details(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "standing": str(self.standing), "period_open": self.open,
            "remaining_minutes": str(self.remaining_minutes),
            "remaining_days": str(self.remaining_days),
            "breach_certain": self.standing is Standing.BREACH_CERTAIN,
        }
        if self.needed is not None:
            out["needed"] = str(self.needed)
        if self.best_case is not None:
            out["best_case"] = str(self.best_case)
        return out


def _best_value(sla: Sla) -> Decimal | None:
    """The best a single event can be; None when unbounded (a `min` target in seconds)."""
    if sla.target.direction is Direction.MAX:
        return ZERO
    if sla.metric in SECONDS_METRICS:
        return None
    return Decimal(1)  # ratios, a CSAT mean score included (5 = 100 %)


def _misses(value: Decimal, target: Decimal, direction: Direction) -> bool:
    return value < target if direction is Direction.MIN else value > target


def outlook(sla: Sla, result: SlaResult, *, ended: bool, elapsed_minutes: Decimal,
            total_minutes: Decimal, remaining_days: Decimal) -> Outlook:
    """The standing of `result` for an SLA whose period has `ended` or not, seen when
    `elapsed_minutes` of its calendar's `total_minutes` have gone by."""
    if result.value is None or result.status is Status.INSUFFICIENT_DATA:
        return Outlook(Standing.NO_DATA, not ended)
    missed = result.status in (Status.BREACHED, Status.KEY_MEASUREMENT_MISSED)
    if ended:
        return Outlook(Standing.BREACHED if missed else Standing.MET, False)
    remaining = max(total_minutes - elapsed_minutes, ZERO)
    target, direction = result.target.value, result.target.direction
    num, den = result.evidence.numerator, result.evidence.denominator
    ratio = _best_value(sla) is not None
    if sla.aggregation.method is AggregationMethod.INTERVAL_COMPLIANCE:
        # Intervals that met their own target, against the share of intervals required.
        target = sla.aggregation.share if sla.aggregation.share is not None else Decimal(1)
        direction, ratio = Direction.MIN, True
    projection = project(num, den, target, direction, ratio=ratio,
                         elapsed_minutes=elapsed_minutes, total_minutes=total_minutes)
    if projection is None:
        standing = Standing.AT_RISK if missed else Standing.ON_TRACK
        return Outlook(standing, True, remaining_minutes=remaining,
                       remaining_days=remaining_days)
    best = projection.best_case
    if missed and (remaining == 0 or (best is not None and _misses(best, target, direction))):
        standing = Standing.BREACH_CERTAIN
    else:
        standing = Standing.AT_RISK if missed else Standing.ON_TRACK
    return Outlook(standing, True, needed=projection.required, best_case=best,
                   remaining_minutes=remaining, remaining_days=remaining_days)


def outlook_of(result: SlaResult) -> Outlook:
    """The outlook the engine stored in `result`'s evidence; results stored before it existed
    are read from their status (a stored miss without a standing counts as breached)."""
    return from_details(result.evidence.details, result.status)


def status_shown(result: SlaResult) -> str:
    """The status word outputs print: the open-period state (`on_track`, `at_risk`,
    `breach_certain`) while the period runs, the engine's status (`met`, `breached`,
    `key_measurement_missed`, `insufficient_data`) once it has ended or has no data."""
    o = outlook_of(result)
    if o.open and o.standing is not Standing.NO_DATA:
        return str(o.standing)
    return str(result.status)


def from_details(details: Mapping[str, Any], status: Status) -> Outlook:
    raw = details.get("standing")
    if raw is None:
        standing = {Status.MET: Standing.MET, Status.INSUFFICIENT_DATA: Standing.NO_DATA}.get(
            status, Standing.BREACHED)
        return Outlook(standing, False)
    needed, best = details.get("needed"), details.get("best_case")
    return Outlook(
        Standing(raw), bool(details.get("period_open")),
        needed=None if needed is None else Decimal(str(needed)),
        best_case=None if best is None else Decimal(str(best)),
        remaining_minutes=Decimal(str(details.get("remaining_minutes", "0"))),
        remaining_days=Decimal(str(details.get("remaining_days", "0"))),
    )


def needs_text(sla: Sla, o: Outlook) -> str:
    """"needs 83.1 % for the remaining 19 days" beside an open SLA; "" when nothing to say."""
    if not o.open or o.needed is None or o.standing is Standing.NO_DATA:
        return ""
    days = o.remaining_days
    span = f"{days:.0f} days" if days >= 2 else f"{days * 24:.0f} hours"
    if o.standing is Standing.BREACH_CERTAIN:
        return f"cannot meet target in the remaining {span}"
    seconds = sla.metric in SECONDS_METRICS
    if sla.aggregation.method is AggregationMethod.INTERVAL_COMPLIANCE:
        what = f"{max(o.needed, ZERO) * 100:.1f} % of intervals on target"
    elif seconds:
        what = f"an average of {max(o.needed, ZERO):.1f} s"
    else:
        what = f"{min(max(o.needed, ZERO), Decimal(1)) * 100:.1f} %"
    if sla.target.direction is Direction.MAX and \
            sla.aggregation.method is not AggregationMethod.INTERVAL_COMPLIANCE:
        what = f"at most {what}"  # an abandon rate or ASA ceiling: the rest must stay under
    return f"needs {what} for the remaining {span}"
