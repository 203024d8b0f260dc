"""Continuous improvement: the target in force each period, computed from the history.

Sears/CSC wording (penalty_formulas.md §3.5): when actual performance exceeds the Service
Level for N (12) consecutive months, the Service Level rises to halfway between the
existing level and the average actual performance of those N months. Gap/IBM caps one
step at a share of the headroom `1 − target` (for a `max` target, lower is better and the
headroom is the target itself). The new level applies from the next period; a fresh run
of N months is needed for the next step. A contractual step (`targets:`) that is stricter
than the improved level replaces it; a laxer one never undoes an improvement.

Only SLAs with `continuous_improvement` move; every other SLA keeps the target the compliance
engine used. The improved target is kept to 6 decimals of the ratio (0.0001 %).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from monitor.domain.contract import Direction, Sla, Status, Target
from monitor.domain.outcomes import follows
from monitor.domain.results import Period, SlaResult

TARGET_QUANTUM = Decimal("0.000001")


def _stricter(a: Decimal, b: Decimal, direction: Direction) -> Decimal:
    return min(a, b) if direction is Direction.MAX else max(a, b)


def _exceeds(value: Decimal, target: Target) -> bool:
    if target.direction is Direction.MAX:
        return value < target.value
    return value > target.value


def _step(current: Target, run: Sequence[Decimal], cap: Decimal | None) -> Decimal:
    average = sum(run, Decimal(0)) / len(run)
    move = abs(average - current.value) / 2
    if cap is not None:
        headroom = current.value if current.direction is Direction.MAX else 1 - current.value
        move = min(move, cap * headroom)
    new = current.value - move if current.direction is Direction.MAX else current.value + move
    return new.quantize(TARGET_QUANTUM, rounding=ROUND_HALF_UP)


def effective_targets(sla: Sla, history: Sequence[tuple[Period, SlaResult]]) -> list[Target]:
    """The target in force for `sla` in each period of `history` (oldest first).

    `history` pairs each period with the SLA's result; the scheduled target is the one the
    compliance engine used (`result.target`).
    """
    rule = sla.continuous_improvement
    improved: Decimal | None = None
    run: list[Decimal] = []
    previous: Period | None = None
    targets: list[Target] = []
    for period, result in history:
        scheduled = result.target
        value = scheduled.value
        if improved is not None:
            value = _stricter(scheduled.value, improved, scheduled.direction)
        current = Target(value=value, direction=scheduled.direction)
        targets.append(current)
        if rule is None:
            continue
        if previous is not None and not follows(previous, period):
            run = []
        previous = period
        measured = result.value
        if (
            measured is not None
            and result.status is not Status.INSUFFICIENT_DATA
            and _exceeds(measured, current)
        ):
            run.append(measured)
        else:
            run = []
        if len(run) >= rule.months:
            improved = _step(current, run, rule.cap)
            run = []
    return targets
