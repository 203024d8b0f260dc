"""Builders for credit-engine tests: contracts with credit terms, periods, evaluations.

Percentages are written as the contract writes them (`pct("99.99")` is the ratio 0.9999);
a result's status is worked out from value and target unless given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from monitor.domain.contract import (
    AtRisk,
    ChronicRule,
    Contract,
    CreditSpec,
    Direction,
    Metric,
    PeriodKind,
    Rounding,
    Sla,
    Sources,
    Status,
    Target,
)
from monitor.domain.results import Evaluation, Evidence, Period, SlaResult

CONTRACT_ID = "credit-test"
DEFAULT_ROUNDING = Rounding()


def pct(text: str | int) -> Decimal:
    """`pct("99.99")` -> Decimal("0.9999"), exactly."""
    return Decimal(str(text)) / 100


def month(label: str) -> Period:
    """The calendar month "YYYY-MM" in UTC."""
    year, mon = map(int, label.split("-"))
    start = datetime(year, mon, 1, tzinfo=UTC)
    end = datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=UTC)
    return Period(label, PeriodKind.MONTH, start, end, start, end)


def months(first: str, count: int) -> list[Period]:
    year, mon = map(int, first.split("-"))
    out = []
    for i in range(count):
        y, m = divmod(mon - 1 + i, 12)
        out.append(month(f"{year + y:04d}-{m + 1:02d}"))
    return out


def credit_sla(
    id: str,
    target: str | Decimal,
    *,
    metric: Metric = Metric.SERVICE_LEVEL,
    direction: Direction = Direction.MIN,
    credits: CreditSpec | None = None,
    **kw: Any,
) -> Sla:
    value = target if isinstance(target, Decimal) else Decimal(target)
    return Sla(id=id, metric=metric, target=Target(value, direction), credits=credits, **kw)


def credit_contract(
    slas: Iterable[Sla],
    *,
    monthly_fee: str = "20000.00",
    fees: Mapping[str, Decimal] | None = None,
    at_risk: AtRisk | None = None,
    chronic: Sequence[ChronicRule] = (),
    rounding: Rounding = DEFAULT_ROUNDING,
    currency: str = "USD",
) -> Contract:
    return Contract(
        id=CONTRACT_ID, name="Credit test", vendor="csv", currency=currency, tz=ZoneInfo("UTC"),
        effective_from=date(2020, 1, 1), effective_to=None, rounding=rounding,
        fees=dict(fees) if fees is not None else {"monthly": Decimal(monthly_fee)},
        calendars={}, exclusions=(), sources=Sources(), slas=tuple(slas),
        at_risk=at_risk, chronic_failure=tuple(chronic),
    )


def result_for(sla: Sla, value: Decimal | None, *, status: Status | None = None) -> SlaResult:
    """The result the compliance engine would give `sla` for `value` (None = no data)."""
    target = sla.target
    if status is None:
        if value is None:
            status = Status.INSUFFICIENT_DATA
        elif sla.key_measurement:
            ok = value <= target.value if target.direction is Direction.MAX else (
                value >= target.value)
            status = Status.MET if ok else Status.KEY_MEASUREMENT_MISSED
        else:
            ok = value <= target.value if target.direction is Direction.MAX else (
                value >= target.value)
            status = Status.MET if ok else Status.BREACHED
    below = False
    if value is not None and sla.minimum is not None:
        below = value > sla.minimum if target.direction is Direction.MAX else value < sla.minimum
    evidence = Evidence(numerator=Decimal(0), denominator=Decimal(0), intervals=0,
                        excluded_minutes=Decimal(0), formula="test")
    return SlaResult(
        sla_id=sla.id, metric=str(sla.metric), value=value, raw_value=value, target=target,
        status=status, evidence=evidence, minimum=sla.minimum, below_minimum=below,
        key_measurement=sla.key_measurement,
    )


def evaluation(period: Period, results: Iterable[SlaResult]) -> Evaluation:
    return Evaluation(
        contract_id=CONTRACT_ID, period=period, as_of=period.end, status="provisional",
        results=tuple(results),
    )


def history(contract: Contract, first: str, rows: Sequence[Mapping[str, Decimal | None]]
            ) -> list[Evaluation]:
    """One evaluation per row, consecutive months from `first`; each row maps SLA id to
    value (SLAs not in a row are not measured that month)."""
    return [
        evaluation(period, [result_for(contract.sla(sla_id), value)
                            for sla_id, value in row.items()])
        for period, row in zip(months(first, len(rows)), rows, strict=True)
    ]
