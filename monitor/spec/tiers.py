"""Interval checks for credit tables: no overlap, no gap, nothing on the met side.

A tier is the set of values it `contains` (see `monitor.domain.contract.Tier`): `below` and
`above` are exclusive bounds, `at_least` and `at_most` inclusive, a missing bound open. The
values that miss a target are the *failing region*: `[0, target)` for a minimum, `(target,
1]` (percentages) or `(target, ∞)` (seconds) for a maximum. A complete table covers the
failing region exactly once and never reaches the met side, so every miss maps to one tier.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

INF = Decimal("Infinity")


@dataclass(frozen=True)
class Interval:
    lo: Decimal
    lo_closed: bool
    hi: Decimal
    hi_closed: bool

    def empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_closed and self.hi_closed))

    def intersect(self, other: Interval) -> Interval:
        if self.lo > other.lo or (self.lo == other.lo and not self.lo_closed):
            lo, lo_closed = self.lo, self.lo_closed
        else:
            lo, lo_closed = other.lo, other.lo_closed
        if self.hi < other.hi or (self.hi == other.hi and not self.hi_closed):
            hi, hi_closed = self.hi, self.hi_closed
        else:
            hi, hi_closed = other.hi, other.hi_closed
        return Interval(lo, lo_closed, hi, hi_closed)

    def describe(self, fmt: DescribeValue) -> str:
        left = "[" if self.lo_closed else "("
        right = "]" if self.hi_closed else ")"
        high = "∞" if self.hi == INF else fmt(self.hi)
        return f"{left}{fmt(self.lo)}, {high}{right}"


class DescribeValue:
    """Formats a bound the way the file writes it: '99.9%' for ratios, '30s' for seconds."""

    def __init__(self, ratio: bool) -> None:
        self.ratio = ratio

    def __call__(self, value: Decimal) -> str:
        if self.ratio:
            return f"{(value * 100).normalize():f}%"
        return f"{value.normalize():f}s"


def tier_interval(below: Decimal | None, at_least: Decimal | None,
                  above: Decimal | None, at_most: Decimal | None) -> Interval:
    lo, lo_closed = -INF, False
    if at_least is not None:
        lo, lo_closed = at_least, True
    if above is not None and (above > lo or (above == lo and lo_closed)):
        lo, lo_closed = above, False
    hi, hi_closed = INF, False
    if at_most is not None:
        hi, hi_closed = at_most, True
    if below is not None and (below < hi or (below == hi and hi_closed)):
        hi, hi_closed = below, False
    return Interval(lo, lo_closed, hi, hi_closed)


def regions(target: Decimal, minimum_direction: bool, ratio: bool) -> tuple[Interval, Interval]:
    """(failing, met) regions of a target."""
    top = Decimal(1) if ratio else INF
    if minimum_direction:
        return Interval(Decimal(0), True, target, False), Interval(target, True, top, ratio)
    return Interval(target, False, top, ratio), Interval(Decimal(0), True, target, True)


def gaps(tiers: list[Interval], failing: Interval) -> list[Interval]:
    """The parts of `failing` no tier covers, in order."""
    found: list[Interval] = []
    clipped = [t.intersect(failing) for t in tiers]
    clipped = sorted((c for c in clipped if not c.empty()), key=lambda c: (c.lo, not c.lo_closed))
    cur, cur_covered = failing.lo, not failing.lo_closed
    for tier in clipped:
        starts_in_time = tier.lo < cur or (tier.lo == cur and (tier.lo_closed or cur_covered))
        if not starts_in_time:
            found.append(Interval(cur, not cur_covered, tier.lo, not tier.lo_closed))
        if tier.hi > cur or (tier.hi == cur and tier.hi_closed and not cur_covered):
            cur, cur_covered = tier.hi, tier.hi_closed
    end_missing = cur < failing.hi or (cur == failing.hi and failing.hi_closed and not cur_covered)
    if end_missing:
        found.append(Interval(cur, not cur_covered, failing.hi, failing.hi_closed))
    return [g for g in found if not g.empty()]
