"""Period results, credit lines, applied exclusions and restatements.

A period moves open -> provisional -> final. `save` honours that: a final period is never
overwritten (the call says so and changes nothing); re-saving a period whose figures changed
(value, raw value, status, target or credit) records a restatement with the old and new
figures, when, and why. Figures are stored as Decimal text, so nothing drifts on a round trip.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session

from monitor.domain.results import CreditLine, Evaluation, PeriodCredits, SlaResult
from monitor.errors import StorageError
from monitor.storage.bulk import is_postgres
from monitor.storage.models import (
    CreditRow,
    ExclusionAppliedRow,
    PeriodRow,
    RestatementRow,
    ResultRow,
)

STATUSES = ("open", "provisional", "final")


@dataclass(frozen=True)
class SaveOutcome:
    saved: bool  # False: the period is final and was left alone
    restated: tuple[str, ...] = ()  # SLA ids whose figures changed


@dataclass(frozen=True)
class StoredResult:
    """One SLA's stored figure for one period: what exporters and reports read."""

    contract_id: str
    period: str
    period_kind: str
    period_start: datetime
    period_end: datetime
    period_status: str
    sla_id: str
    metric: str
    value: Decimal | None
    raw_value: Decimal | None
    target: Decimal
    direction: str
    status: str
    as_of: datetime
    evidence: Mapping[str, Any]
    credit: Decimal | None = None
    currency: str | None = None


@dataclass(frozen=True)
class Restatement:
    contract_id: str
    period: str
    sla_id: str
    at: datetime
    reason: str | None
    old: Mapping[str, Any]
    new: Mapping[str, Any]


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _money(value: Decimal | str) -> str:
    """Plain decimal text without trailing zeros or exponent: 1440.00 -> "1440"."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def evidence_json(result: SlaResult) -> dict[str, Any]:
    ev = result.evidence
    return {
        "numerator": str(ev.numerator), "denominator": str(ev.denominator),
        "intervals": ev.intervals, "excluded_minutes": str(ev.excluded_minutes),
        "formula": ev.formula, "tier": ev.tier, "measured_minutes": str(ev.measured_minutes),
        "details": _jsonable(dict(ev.details)),
        "exclusions": [{"id": x.exclusion_id, "reason": x.reason, "start": x.start.isoformat(),
                        "end": x.end.isoformat(), "minutes": str(x.minutes)}
                       for x in ev.exclusions],
    }


def _figures(value: str | None, raw: str | None, target: str, status: str,
             credit: str | None) -> dict[str, Any]:
    return {"value": value, "raw_value": raw, "target": target, "status": status,
            "credit": credit}


def save(s: Session, evaluation: Evaluation, credits: PeriodCredits | None,
         reason: str | None, at: datetime) -> SaveOutcome:
    if evaluation.status not in STATUSES:
        raise StorageError(f"unknown period status {evaluation.status!r}")
    cid, period = evaluation.contract_id, evaluation.period
    if is_postgres(s.connection()):
        s.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                     {"k": f"slamon-period:{cid}:{period.label}"})
    row = s.execute(select(PeriodRow).where(PeriodRow.contract_id == cid,
                                               PeriodRow.label == period.label)).first()
    # An open period's figures move freely. Once it has ended, a changed figure is a
    # restatement: a provisional period takes the new figures and keeps the old ones in the
    # log; a final one keeps its figures and logs what the new data would say.
    prior = None if row is None else row.PeriodRow.status
    final = prior == "final"
    values = {"kind": str(period.kind), "start": period.start, "end": period.end,
              "status": evaluation.status, "as_of": evaluation.as_of,
              "problems": {"problems": list(evaluation.problems)}}
    if row is None:
        s.execute(insert(PeriodRow).values(contract_id=cid, label=period.label, **values))
    elif not final:
        s.execute(update(PeriodRow).where(PeriodRow.contract_id == cid,
                                             PeriodRow.label == period.label).values(**values))
    # An SLA's money this period: its own line plus any earlier credit settled now.
    owed: dict[str, Decimal] = {}
    for line in credits.lines if credits else ():
        owed[line.sla_id] = owed.get(line.sla_id, Decimal(0)) + line.amount
    old_results = {r.sla_id: r for r in s.execute(select(ResultRow).where(
        ResultRow.contract_id == cid, ResultRow.period == period.label)).scalars()}
    old_owed: dict[str, Decimal] = {}
    for old_row in s.execute(select(CreditRow).where(
            CreditRow.contract_id == cid, CreditRow.period == period.label)).scalars():
        old_owed[old_row.sla_id] = old_owed.get(old_row.sla_id, Decimal(0)) + Decimal(
            old_row.amount)
    restated: list[str] = []
    for result in evaluation.results:
        old_amount = (_money(old_owed[result.sla_id]) if result.sla_id in old_owed
                      else None)
        new_amount = (_money(owed[result.sla_id]) if result.sla_id in owed
                      else None if credits else old_amount)
        new = _figures(_text(result.value), _text(result.raw_value),
                       str(result.target.value), str(result.status), new_amount)
        previous = old_results.get(result.sla_id)
        if previous is not None:
            old = _figures(previous.value, previous.raw_value, previous.target,
                           previous.status, old_amount)
            if old != new and prior in ("provisional", "final") and not (
                    final and _last_restated(s, cid, period.label, result.sla_id) == new):
                restated.append(result.sla_id)
                s.execute(insert(RestatementRow).values(
                    contract_id=cid, period=period.label, sla_id=result.sla_id, at=at,
                    reason=reason, old=old, new=new))
        if final:
            continue
        if previous is not None:
            s.execute(delete(ResultRow).where(ResultRow.contract_id == cid,
                                                 ResultRow.period == period.label,
                                                 ResultRow.sla_id == result.sla_id))
        s.execute(insert(ResultRow).values(
            contract_id=cid, period=period.label, sla_id=result.sla_id,
            metric=str(result.metric), value=new["value"], raw_value=new["raw_value"],
            target=new["target"], direction=str(result.target.direction),
            status=new["status"], evidence=evidence_json(result), as_of=evaluation.as_of))
        _save_exclusions(s, cid, period.label, result)
    if final:
        return SaveOutcome(saved=False, restated=tuple(restated))
    if credits is not None:
        s.execute(delete(CreditRow).where(CreditRow.contract_id == cid,
                                             CreditRow.period == period.label))
        rows = [{"contract_id": cid, "period": period.label, "sla_id": line.sla_id,
                 "origin": line.origin or period.label, "currency": line.currency,
                 "amount": str(line.amount), "assessed": str(line.assessed),
                 "held": str(line.held), "mechanism": line.mechanism, "status": line.status,
                 "tier": line.tier, "explanation": line.explanation}
                for line in credits.lines]
        if rows:
            s.execute(insert(CreditRow), rows)
    return SaveOutcome(saved=True, restated=tuple(restated))


def _last_restated(s: Session, cid: str, label: str, sla_id: str) -> Any:
    """The figures the newest restatement of one SLA's period recorded (None: none yet), so
    that re-evaluating a final period with the same late data logs it once."""
    return s.execute(select(RestatementRow.new).where(
        RestatementRow.contract_id == cid, RestatementRow.period == label,
        RestatementRow.sla_id == sla_id).order_by(RestatementRow.id.desc()).limit(1)
    ).scalar_one_or_none()


def _save_exclusions(s: Session, cid: str, label: str, result: SlaResult) -> None:
    s.execute(delete(ExclusionAppliedRow).where(
        ExclusionAppliedRow.contract_id == cid, ExclusionAppliedRow.period == label,
        ExclusionAppliedRow.sla_id == result.sla_id))
    rows = [{"contract_id": cid, "period": label, "sla_id": result.sla_id,
             "exclusion_id": x.exclusion_id, "reason": x.reason, "start": x.start,
             "end": x.end, "minutes": str(x.minutes)} for x in result.evidence.exclusions]
    if rows:
        s.execute(insert(ExclusionAppliedRow), rows)


def close(s: Session, contract_id: str, label: str, by: str, at: datetime) -> bool:
    """Make a period final. False if it was final already; StorageError if never saved."""
    row = s.execute(select(PeriodRow).where(PeriodRow.contract_id == contract_id,
                                               PeriodRow.label == label)).scalar_one_or_none()
    if row is None:
        raise StorageError(f"period {label} of contract {contract_id} has no stored "
                           "evaluation; evaluate it before closing")
    if row.status == "final":
        return False
    s.execute(update(PeriodRow).where(PeriodRow.contract_id == contract_id,
                                         PeriodRow.label == label)
                 .values(status="final", closed_by=by, closed_at=at))
    return True


def status(s: Session, contract_id: str, label: str) -> str | None:
    return s.execute(select(PeriodRow.status).where(
        PeriodRow.contract_id == contract_id, PeriodRow.label == label)).scalar_one_or_none()


def snapshots(s: Session, contract_id: str | None, latest_only: bool) -> list[StoredResult]:
    query = (select(ResultRow, PeriodRow, CreditRow)
             .join(PeriodRow, (PeriodRow.contract_id == ResultRow.contract_id)
                   & (PeriodRow.label == ResultRow.period))
             .outerjoin(CreditRow, (CreditRow.contract_id == ResultRow.contract_id)
                        & (CreditRow.period == ResultRow.period)
                        & (CreditRow.sla_id == ResultRow.sla_id)
                        & (CreditRow.origin == ResultRow.period)))
    if contract_id is not None:
        query = query.where(ResultRow.contract_id == contract_id)
    out: list[StoredResult] = []
    for r, p, c in s.execute(query.order_by(ResultRow.contract_id, PeriodRow.start,
                                               ResultRow.sla_id)).all():
        out.append(StoredResult(
            r.contract_id, r.period, p.kind, p.start, p.end, p.status, r.sla_id, r.metric,
            _dec(r.value), _dec(r.raw_value), Decimal(r.target), r.direction, r.status,
            r.as_of, r.evidence, None if c is None else Decimal(c.amount),
            None if c is None else c.currency))
    if latest_only:
        latest: dict[tuple[str, str, str], StoredResult] = {}
        for item in out:  # ordered by period start: the last one wins
            latest[(item.contract_id, item.period_kind, item.sla_id)] = item
        out = list(latest.values())
    return out


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def restatements(s: Session, contract_id: str, label: str | None) -> list[Restatement]:
    query = select(RestatementRow).where(RestatementRow.contract_id == contract_id)
    if label is not None:
        query = query.where(RestatementRow.period == label)
    return [Restatement(r.contract_id, r.period, r.sla_id, r.at, r.reason, r.old, r.new)
            for r in s.execute(query.order_by(RestatementRow.id)).scalars()]


def credit_lines(s: Session, contract_id: str, label: str) -> list[CreditLine]:
    rows = s.execute(select(CreditRow).where(
        CreditRow.contract_id == contract_id, CreditRow.period == label)
        .order_by(CreditRow.sla_id, CreditRow.origin)).scalars()
    return [CreditLine(sla_id=r.sla_id, period=r.period, currency=r.currency,
                       amount=Decimal(r.amount), assessed=Decimal(r.assessed),
                       mechanism=r.mechanism, status=r.status, tier=r.tier,
                       explanation=r.explanation,
                       origin=None if r.origin == r.period else r.origin,
                       held=Decimal(r.held)) for r in rows]
