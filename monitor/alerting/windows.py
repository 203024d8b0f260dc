"""Multi-window, multi-burn-rate pairs (SRE workbook ch. 5), scaled to the SLA's period.

The workbook's pairs are for a 30-day window: spend 2 % of the budget in 1 h (14.4x) or 5 %
in 6 h (6x) -> page; 10 % in 1 d (3x) or 10 % in 3 d (1x) -> ticket. A contract period of a
quarter or a year holds 3x or ~12x the budget-minutes, so the windows are stretched by the
same factor and the burn rates stay the same: each pair still spends the same share of the
period's budget before it fires. Each pair is its own alert, so the page says which fired.

A pair whose threshold `burn_rate * budget` is 1 or more can never fire (the error ratio
cannot exceed 1): an 80 % service level has a 20 % budget, so 14.4x and 6x are skipped for it.

Short windows of contact-count SLAs are at least 30 minutes (see `min_short_for`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from monitor import conventions as C
from monitor.domain.contract import PeriodKind


@dataclass(frozen=True)
class WindowPair:
    long: str  # Prometheus durations
    short: str
    burn_rate: Decimal
    severity: str

    @property
    def name(self) -> str:
        return f"{self.long}/{self.short}"


_MINUTES = {"m": 1, "h": 60, "d": 1440}


def minutes(duration: str) -> int:
    return int(duration[:-1]) * _MINUTES[duration[-1]]


def duration(mins: int) -> str:
    for unit, size in (("d", 1440), ("h", 60)):
        if mins % size == 0:
            return f"{mins // size}{unit}"
    return f"{mins}m"


# (long, short) in minutes for a 30-day period, burn rate, severity
_WORKBOOK: tuple[tuple[int, int, str, str], ...] = (
    (60, 5, "14.4", C.SEVERITY_PAGE),
    (360, 30, "6", C.SEVERITY_PAGE),
    (1440, 120, "3", C.SEVERITY_TICKET),
    (4320, 360, "1", C.SEVERITY_TICKET),
)
_SCALE = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


# Contact counts arrive per closed 15- or 30-minute interval, so a counter of contacts moves
# in steps; a shorter window would see no change (0/0) most of the time and flap.
COUNTS_MIN_SHORT_MINUTES = 30


def pairs_for(kind: PeriodKind, min_short_minutes: int = 0) -> tuple[WindowPair, ...]:
    """The four pairs for `kind`, short windows no shorter than `min_short_minutes`."""
    scale = _SCALE[kind]
    return tuple(
        WindowPair(duration(long * scale), duration(max(short * scale, min_short_minutes)),
                   Decimal(rate), severity)
        for long, short, rate, severity in _WORKBOOK
    )


def min_short_for(metric: str) -> int:
    """Availability moves every poll; contact KPIs move once per closed interval."""
    return 0 if metric == "availability" else COUNTS_MIN_SHORT_MINUTES


def can_fire(pair: WindowPair, budgets: list[Decimal]) -> bool:
    """Whether some target in force over the term leaves the pair a reachable threshold."""
    return any(0 < pair.burn_rate * b < 1 for b in budgets)
