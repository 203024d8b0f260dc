"""The credit engine fed by the real compliance engine over several months: interval counts
in, `evaluate()` per month, the ordered evaluations into `assess_credits` (WE-10, WE-11)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from monitor.domain.contract import (
    AtRisk,
    Contract,
    CreditSpec,
    DefaultRule,
    Earnback,
    Metric,
    Target,
)
from monitor.domain.credits import assess_credits
from monitor.domain.evaluate import evaluate
from monitor.domain.measurements import Measurements
from monitor.domain.periods import period_for
from monitor.domain.results import Evaluation, PeriodCredits
from tests.credit_factories import pct
from tests.factories import contract as base_contract
from tests.factories import intervals, sla

D = Decimal


def sl_contract(*, minimum: Decimal | None = None, default_rule: DefaultRule | None = None,
                earnback: Earnback | None = None) -> Contract:
    """SL 80/20 with 60 % of a $60,000 at-risk amount (12 % of $500,000) behind it."""
    service_level = sla(
        "sl", Metric.SERVICE_LEVEL, "0.80", threshold=timedelta(seconds=20),
        minimum=minimum, default_rule=default_rule,
        credits=CreditSpec(allocation=pct(60), earnback=earnback),
    )
    return replace(base_contract([service_level]), fees={"monthly": D("500000.00")},
                   at_risk=AtRisk(percent_of_fees=pct(12), pool=pct(250)))


def monthly(contract: Contract, percents: Sequence[int]) -> list[Evaluation]:
    """One 30-minute interval on the 15th of each month of 2026 from January: 100 answered,
    `percent` of them within 20 seconds."""
    out = []
    for index, percent in enumerate(percents):
        period = period_for(contract, f"2026-{index + 1:02d}")
        rows = intervals([{
            "interval_start": (period.start + timedelta(days=14, hours=10)).isoformat(),
            "offered": 100, "answered": 100, "abandoned": 0,
            "answered_within_20s": percent, "abandoned_within_20s": 0,
        }])
        out.append(evaluate(contract, Measurements(intervals=rows), period,
                            as_of=period.end + timedelta(days=1)))
    return out


def totals(periods: list[PeriodCredits]) -> list[Decimal]:
    return [p.total for p in periods]


def test_we10_rolling_default_from_interval_data() -> None:
    contract = sl_contract(minimum=pct(75), default_rule=DefaultRule(misses=4, within_months=12))
    evaluations = monthly(contract, [79, 81, 78, 77, 79, 74])
    assert [e.result("sl").value for e in evaluations] == [
        pct(v) for v in (79, 81, 78, 77, 79, 74)]
    assert evaluations[0].result("sl").target == Target(pct(80))
    assert totals(assess_credits(contract, evaluations)) == [
        D(0), D(0), D(0), D(0), D("36000.00"), D("36000.00")]


def test_we11_earn_back_from_interval_data() -> None:
    contract = sl_contract(earnback=Earnback(months=3))
    kept = assess_credits(contract, monthly(contract, [79, 82, 83, 80]))
    assert [(p.total, p.held, p.earned_back) for p in kept] == [
        (D(0), D("36000.00"), D(0)), (D(0), D(0), D(0)), (D(0), D(0), D(0)),
        (D(0), D(0), D("36000.00"))]
    lost = assess_credits(contract, monthly(contract, [79, 82, 79, 85]))
    assert totals(lost) == [D(0), D(0), D("36000.00"), D(0)]
    assert lost[2].confirmed == D("36000.00")
