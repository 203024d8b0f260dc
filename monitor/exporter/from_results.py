"""Build a `MetricsSnapshot` from the domain's results (what storage keeps).

`snapshot_from_evaluations` is the one seam between storage and the exporter: the lead's
storage-backed `SnapshotSource` loads the latest `Evaluation` per contract and period kind,
the `PeriodCredits` history and collector health, then calls it. Pure apart from reading
`now`, which the caller passes.

Choices:
- the SLA's numerator is re-derived as `value * denominator`, so the projection agrees with
  the value the engine reported whatever the engine's evidence numerator means;
- elapsed and total period time are counted in the SLA's calendar (business minutes for a
  business-hours SLA), so the projection extrapolates volume over open hours only;
- "credit accrued" is the credit line's `amount` (what is owed now, after earn-back holds).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np

from monitor import conventions as C
from monitor.domain.budget import calendar_minutes, project_result
from monitor.domain.calendars import open_spans, to_ns
from monitor.domain.consistency import DIMENSIONS, detail_key
from monitor.domain.contract import SECONDS_METRICS, Contract, PeriodKind, Sla
from monitor.domain.exclusions import expand
from monitor.domain.outlook import outlook_of
from monitor.domain.periods import period_containing
from monitor.domain.results import Evaluation, PeriodCredits, SlaResult
from monitor.exporter.snapshot import (
    CalendarSnapshot,
    ChronicSnapshot,
    CollectorSnapshot,
    ContractSnapshot,
    ExclusionSnapshot,
    MetricsSnapshot,
    NotificationSnapshot,
    SlaSnapshot,
    SpreadSnapshot,
)


def unit_of(sla: Sla) -> str:
    return "seconds" if sla.metric in SECONDS_METRICS else "ratio"


def in_business_hours(contract: Contract, calendar_id: str, now: datetime) -> bool:
    """Whether `now` lies in the calendar's open hours (tz-aware, holidays included)."""
    spans = open_spans(
        contract.calendar(calendar_id), now - timedelta(days=1), now + timedelta(days=1),
        contract.tz,
    )
    return bool(spans.contains(np.array([to_ns(now)], dtype=np.int64))[0])


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def sla_snapshot(
    contract: Contract, sla: Sla, result: SlaResult, ev: Evaluation, now: datetime,
    credit: Decimal | None,
) -> SlaSnapshot:
    unit = unit_of(sla)
    target = result.target
    elapsed, total = calendar_minutes(contract, sla, ev.period, now)
    projection = project_result(contract, sla, result, ev.period, now)
    outlook = outlook_of(result)
    snap = SlaSnapshot(
        vendor=contract.vendor, contract=contract.id, sla=sla.id, metric=str(sla.metric),
        unit=unit, direction=str(target.direction), calendar=sla.calendar,
        period=ev.period.label, period_kind=str(ev.period.kind), target=float(target.value),
        attainment=_f(result.value), raw_attainment=_f(result.raw_value),
        elapsed_ratio=float(elapsed / total) if total > 0 else None,
        standing=str(outlook.standing),
        credit_accrued=credit, currency=contract.currency,
        evidence={key: float(Decimal(str(result.evidence.details[key])) * 60)
                  for _, _, key in C.EVIDENCE_FAMILIES if key in result.evidence.details},
    )
    if projection is None:
        return snap
    lo, hi = (0.0, 1.0) if unit == "ratio" else (0.0, float("inf"))
    required = projection.required
    return SlaSnapshot(
        **{**snap.__dict__,
           "projected": float(projection.projected),
           "best_case": _f(projection.best_case),
           "required": None if required is None else min(max(float(required), lo), hi),
           "error_budget": _f(projection.budget),
           "budget_remaining": _f(projection.budget_remaining),
           "good_events": _f(projection.good_events),
           "valid_events": _f(projection.valid_events)},
    )


def _unmeasured(contract: Contract, sla: Sla, now: datetime) -> SlaSnapshot:
    """An SLA with no stored evaluation yet: metadata and target, no attainment."""
    period = period_containing(contract, sla.period, now)
    target = sla.target_on(now.astimezone(contract.tz).date())
    elapsed, total = calendar_minutes(contract, sla, period, now)
    return SlaSnapshot(
        vendor=contract.vendor, contract=contract.id, sla=sla.id, metric=str(sla.metric),
        unit=unit_of(sla), direction=str(target.direction), calendar=sla.calendar,
        period=period.label, period_kind=str(period.kind), target=float(target.value),
        elapsed_ratio=float(elapsed / total) if total > 0 else None, currency=contract.currency,
    )


def snapshot_from_evaluations(
    contracts: Iterable[Contract],
    evaluations: Iterable[Evaluation],
    credits: Mapping[str, Sequence[PeriodCredits]],
    now: datetime,
    *,
    collectors: Iterable[CollectorSnapshot] = (),
    last_measurements: Mapping[str, datetime] | None = None,
    cases_overdue: Mapping[str, int] | None = None,
    notifications: Iterable[NotificationSnapshot] = (),
) -> MetricsSnapshot:
    """One snapshot from the latest evaluation of each (contract, period kind).

    `credits` maps a contract id to its `PeriodCredits` history (oldest first); the newest
    entry's chronic failures are the ones raised now.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    by_id = {c.id: c for c in contracts}
    slas: list[SlaSnapshot] = []
    periods: dict[str, str] = {}
    # One result per SLA, from the newest period: an SLA's series must be unique, and a
    # history (previous month still provisional + current month) shows the current one.
    newest: dict[tuple[str, str], tuple[Evaluation, SlaResult]] = {}
    for ev in evaluations:
        if ev.contract_id not in by_id:
            continue
        for result in ev.results:
            key = (ev.contract_id, result.sla_id)
            held = newest.get(key)
            if held is None or (ev.period.start, ev.as_of) >= (held[0].period.start,
                                                                held[0].as_of):
                newest[key] = (ev, result)
    for (contract_id, _), (ev, result) in sorted(newest.items()):
        contract = by_id[contract_id]
        lines = {
            (line.sla_id, line.period): line.amount
            for pc in credits.get(contract.id, ()) for line in pc.lines
        }
        sla = contract.sla(result.sla_id)
        credit = lines.get((sla.id, ev.period.label))
        slas.append(sla_snapshot(contract, sla, result, ev, now, credit))
        if ev.period.kind is PeriodKind.MONTH or contract.id not in periods:
            periods[contract.id] = ev.period.label
    seen = {(s.contract, s.sla) for s in slas}
    for contract in sorted(by_id.values(), key=lambda c: c.id):
        for sla in contract.slas:
            if (contract.id, sla.id) not in seen:
                slas.append(_unmeasured(contract, sla, now))
                if sla.period is PeriodKind.MONTH or contract.id not in periods:
                    periods[contract.id] = slas[-1].period
    contract_snaps: list[ContractSnapshot] = []
    calendars: list[CalendarSnapshot] = []
    chronic: list[ChronicSnapshot] = []
    exclusions: list[ExclusionSnapshot] = []
    for contract in sorted(by_id.values(), key=lambda c: c.id):
        contract_snaps.append(ContractSnapshot(
            vendor=contract.vendor, contract=contract.id,
            period=periods.get(contract.id, ""), currency=contract.currency,
            at_risk=contract.at_risk_amount(),
            cases_overdue=(cases_overdue or {}).get(contract.id, 0),
            last_measurement=(last_measurements or {}).get(contract.id),
        ))
        for cal_id in sorted({s.calendar for s in contract.slas}):
            calendars.append(CalendarSnapshot(
                vendor=contract.vendor, contract=contract.id, calendar=cal_id,
                open=in_business_hours(contract, cal_id, now),
            ))
        for exclusion in sorted(contract.exclusions, key=lambda e: e.id):
            exclusions.append(ExclusionSnapshot(
                vendor=contract.vendor, contract=contract.id, exclusion=exclusion.id,
                active=bool(expand(exclusion, contract, now, now + timedelta(seconds=1))),
            ))
        history = credits.get(contract.id, ())
        raised = {(f.rule_sla, f.consequence) for f in (history[-1].chronic if history else ())}
        for rule in contract.chronic_failure:
            chronic.append(ChronicSnapshot(
                vendor=contract.vendor, contract=contract.id, rule=rule.sla,
                consequence=rule.consequence, raised=(rule.sla, rule.consequence) in raised,
            ))
    return MetricsSnapshot(
        taken_at=now.astimezone(UTC), slas=tuple(slas), contracts=tuple(contract_snaps),
        calendars=tuple(calendars), collectors=tuple(collectors), chronic=tuple(chronic),
        exclusions=tuple(exclusions), notifications=tuple(notifications),
        spreads=tuple(_spreads(by_id, newest.values())),
    )


def _spreads(contracts: Mapping[str, Contract],
             newest: Iterable[tuple[Evaluation, SlaResult]]) -> list[SpreadSnapshot]:
    """The queue and site spreads the evaluation recorded (`monitor.domain.consistency`)."""
    out = []
    for ev, result in newest:
        contract = contracts[ev.contract_id]
        unit = "seconds" if result.metric in SECONDS_METRICS else "ratio"
        for dimension in DIMENSIONS:
            value = result.evidence.details.get(detail_key(dimension))
            if value is not None:
                out.append(SpreadSnapshot(contract.vendor, contract.id, result.sla_id,
                                          ev.period.label, dimension, unit, float(value)))
    return sorted(out, key=lambda s: (s.contract, s.sla, s.dimension))
