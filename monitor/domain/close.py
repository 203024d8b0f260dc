"""Period close: `open` → `provisional` → `final`, and restatements of final periods.

A period is `open` until it ends, then `provisional`: its figures may still change as late
data arrives or disputes are settled. It becomes `final` when a person closes it or when the
claim deadline (`claims.deadline_days_after_period`) has passed, whichever comes first.

A final period is never overwritten. When it is re-evaluated with changed data, `restate`
compares the final snapshot with the new figures and returns a `Restatement` — the old and
new value, status and money of every SLA that changed, the old and new total, the reason and
when — for storage to keep next to the final figures and for reports to show. Nothing
changed, no restatement.

Pure: the caller passes the instants (`as_of`, `at`); nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from monitor.domain.results import Evaluation, PeriodCredits
from monitor.errors import InputError


class PeriodState(StrEnum):
    OPEN = "open"
    PROVISIONAL = "provisional"
    FINAL = "final"


@dataclass(frozen=True)
class Closure:
    """A person closing a period: who, when, and why (optional)."""

    by: str
    at: datetime
    note: str = ""


def _aware(name: str, instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InputError(f"{name} must be timezone-aware, got {instant.isoformat()}")


def claim_deadline(period_end: datetime, days: int | None) -> datetime | None:
    """The instant after which credits can no longer be claimed (None: no deadline)."""
    _aware("period_end", period_end)
    return None if days is None else period_end + timedelta(days=days)


def close_period(period_end: datetime, by: str, at: datetime, note: str = "") -> Closure:
    """Record a person closing a period; only an ended period can be closed."""
    _aware("period_end", period_end)
    _aware("at", at)
    if not by.strip():
        raise InputError("closing a period needs the name of the person closing it")
    if at < period_end:
        raise InputError(
            f"a period can be closed only after it ends ({period_end.isoformat()}), "
            f"not at {at.isoformat()}"
        )
    return Closure(by=by.strip(), at=at, note=note)


def period_state(
    period_end: datetime,
    as_of: datetime,
    claim_deadline_days: int | None = None,
    closure: Closure | None = None,
) -> PeriodState:
    """The state of a period ending (exclusively) at `period_end`, seen at `as_of`."""
    _aware("period_end", period_end)
    _aware("as_of", as_of)
    if as_of < period_end:
        return PeriodState.OPEN
    if closure is not None and closure.at <= as_of:
        return PeriodState.FINAL
    deadline = claim_deadline(period_end, claim_deadline_days)
    if deadline is not None and as_of >= deadline:
        return PeriodState.FINAL
    return PeriodState.PROVISIONAL


@dataclass(frozen=True)
class SlaFigures:
    """One SLA's figures in a period: measured value, verdict, money owed and held."""

    sla_id: str
    value: Decimal | None
    status: str
    amount: Decimal
    held: Decimal


@dataclass(frozen=True)
class Snapshot:
    """The figures of one period as they stood at `taken_at` (e.g. when it became final)."""

    contract_id: str
    period: str
    currency: str
    figures: tuple[SlaFigures, ...]
    total: Decimal
    taken_at: datetime

    def figure(self, sla_id: str) -> SlaFigures | None:
        return next((f for f in self.figures if f.sla_id == sla_id), None)


def snapshot(evaluation: Evaluation, credits: PeriodCredits, at: datetime) -> Snapshot:
    """Freeze a period's evaluation and credits. Money per SLA adds every line of that SLA
    in the period (its own credit and any earn-back resolution)."""
    _aware("at", at)
    if evaluation.period.label != credits.period:
        raise InputError(
            f"evaluation is for {evaluation.period.label} but credits are for {credits.period}"
        )
    figures = []
    for result in evaluation.results:
        lines = [line for line in credits.lines if line.sla_id == result.sla_id]
        figures.append(
            SlaFigures(
                sla_id=result.sla_id,
                value=result.value,
                status=str(result.status),
                amount=sum((line.amount for line in lines), Decimal(0)),
                held=sum((line.held for line in lines), Decimal(0)),
            )
        )
    return Snapshot(
        contract_id=evaluation.contract_id,
        period=evaluation.period.label,
        currency=credits.currency,
        figures=tuple(figures),
        total=credits.total,
        taken_at=at,
    )


@dataclass(frozen=True)
class FigureChange:
    sla_id: str
    field: str  # value | status | amount | held
    old: Decimal | str | None
    new: Decimal | str | None


@dataclass(frozen=True)
class Restatement:
    """A final period re-evaluated with changed data: what changed, why and when."""

    contract_id: str
    period: str
    currency: str
    reason: str
    at: datetime
    old_total: Decimal
    new_total: Decimal
    changes: tuple[FigureChange, ...]
    previous: Snapshot
    current: Snapshot

    @property
    def delta(self) -> Decimal:
        """New total minus old total: positive means more credit is owed than was final."""
        return self.new_total - self.old_total


def _changes(old: Snapshot, new: Snapshot) -> Iterable[FigureChange]:
    ids = [f.sla_id for f in old.figures]
    ids += [f.sla_id for f in new.figures if f.sla_id not in ids]
    for sla_id in ids:
        before, after = old.figure(sla_id), new.figure(sla_id)
        for field in ("value", "status", "amount", "held"):
            a = getattr(before, field) if before is not None else None
            b = getattr(after, field) if after is not None else None
            if a != b:
                yield FigureChange(sla_id, field, a, b)


def restate(
    final: Snapshot,
    new_evaluation: Evaluation,
    new_credits: PeriodCredits,
    reason: str,
    at: datetime,
) -> Restatement | None:
    """Compare a final period with its re-evaluation; None when no figure changed."""
    if not reason.strip():
        raise InputError(f"restating {final.period} needs a reason")
    if new_evaluation.contract_id != final.contract_id:
        raise InputError(
            f"cannot restate {final.contract_id} {final.period} with an evaluation of "
            f"{new_evaluation.contract_id}"
        )
    if new_evaluation.period.label != final.period:
        raise InputError(
            f"cannot restate {final.period} with an evaluation of {new_evaluation.period.label}"
        )
    current = snapshot(new_evaluation, new_credits, at)
    changes = tuple(_changes(final, current))
    if not changes and current.total == final.total:
        return None
    return Restatement(
        contract_id=final.contract_id,
        period=final.period,
        currency=final.currency,
        reason=reason.strip(),
        at=at,
        old_total=final.total,
        new_total=current.total,
        changes=changes,
        previous=final,
        current=current,
    )
