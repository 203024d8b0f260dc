"""Earn-back: a credit is held, then returned or confirmed when its window closes.

A credit whose SLA has `earnback: {months: N}` (and is not `unrelieved`) is `held` in the
period it is assessed: nothing is owed yet. Each of the SLA's next N periods is checked:

- it meets the target in force (or `Earnback.trigger`, a stricter level, when set): the
  window advances; after the Nth such period the credit is `earned_back` (returned, 0 owed);
- it misses, or there is no data to show it met: the window fails at once and the held
  amount is `confirmed`, owed in that period.

The money therefore lands in the period where the window fails (confirmed) and the
original period's figures never change afterwards, which is what lets a final period stay
final. A resolution line names its `origin` (the period whose performance produced it).
The held amount is the line's amount after every cap of its own period; it is not capped
again in the period where it is confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from monitor.domain.contract import Target
from monitor.domain.outcomes import Outcome, SlaPeriod, meets
from monitor.domain.results import CreditLine
from monitor.domain.tiers import format_value


@dataclass(frozen=True)
class HeldCredit:
    sla_id: str
    origin: str  # the period the credit was assessed in
    amount: Decimal  # rounded and capped
    months: int  # window length
    trigger: Decimal | None = None
    met: int = 0  # window periods met so far


def _window_met(held: HeldCredit, entry: SlaPeriod) -> bool:
    if entry.outcome in (Outcome.NO_DATA, Outcome.KEY):
        return False
    if held.trigger is None:
        return entry.outcome is Outcome.MET
    value = entry.result.value
    return value is not None and meets(
        value, Target(value=held.trigger, direction=entry.target.direction)
    )


def advance(
    held: HeldCredit, entry: SlaPeriod, currency: str, label: str
) -> tuple[HeldCredit | None, CreditLine | None]:
    """Check one more period of the window: (still held, None) or (None, resolution line).
    `label` is the evaluation the resolution line belongs to."""
    level = "the target"
    if held.trigger is not None:
        level = f"the earn-back level {format_value(held.trigger, entry.result.metric)}"
    if not _window_met(held, entry):
        return None, CreditLine(
            sla_id=held.sla_id,
            period=label,
            currency=currency,
            amount=held.amount,
            assessed=held.amount,
            mechanism="earnback",
            status="confirmed",
            explanation=(
                f"credit held since {held.origin} is confirmed: {entry.period.label} did not "
                f"meet {level} "
                f"(period {held.met + 1} of {held.months} of the earn-back window)"
            ),
            origin=held.origin,
        )
    met = held.met + 1
    if met < held.months:
        return replace(held, met=met), None
    return None, CreditLine(
        sla_id=held.sla_id,
        period=label,
        currency=currency,
        amount=Decimal(0),
        assessed=held.amount,
        mechanism="earnback",
        status="earned_back",
        explanation=(
            f"credit held since {held.origin} is earned back: {held.months} following "
            f"periods met {level}"
        ),
        origin=held.origin,
    )
