"""Continuous improvement: the halfway rule, its cap, and its effect on credits."""

from __future__ import annotations

from decimal import Decimal

import pytest

from monitor.domain.contract import ContinuousImprovement, CreditSpec, Direction, Metric, Sla
from monitor.domain.credits import assess_credits
from monitor.domain.improvement import effective_targets
from tests.credit_factories import credit_contract, credit_sla, history, pct

D = Decimal


def sl(rule: ContinuousImprovement | None, target: str = "80") -> Sla:
    return credit_sla("sl", pct(target), continuous_improvement=rule,
                      credits=CreditSpec(base="fees.monthly", per_point=D("100.00")))


def targets(rule: ContinuousImprovement | None, values: list[str], target: str = "80"
            ) -> list[Decimal]:
    contract = credit_contract([sl(rule, target)])
    evaluations = history(contract, "2026-01", [{"sl": pct(v)} for v in values])
    pairs = [(e.period, e.result("sl")) for e in evaluations]
    return [t.value * 100 for t in effective_targets(contract.sla("sl"), pairs)]


@pytest.mark.parametrize(
    ("rule", "values", "expected"),
    [
        (ContinuousImprovement(months=3), ["84", "85", "86", "90"],
         ["80", "80", "80", "82.5"]),
        (ContinuousImprovement(months=3, cap=pct(10)), ["84", "85", "86", "90"],
         ["80", "80", "80", "82"]),
        (ContinuousImprovement(months=3), ["84", "80", "86", "90"], ["80"] * 4),
        (None, ["84", "85", "86", "90"], ["80"] * 4),
        (ContinuousImprovement(months=2), ["84", "86", "90", "88", "95"],
         ["80", "80", "82.5", "82.5", "85.75"]),
    ],
    ids=[
        "3 months above 80% averaging 85% move the target halfway, to 82.5%",
        "a 10% cap limits the step to 10% of the 20-point headroom: 82%",
        "a month exactly at target is not above it and restarts the count",
        "no continuous-improvement clause: the target never moves",
        "after a step a fresh run is needed: 90 and 88 above 82.5 average 89, next 85.75%",
    ],
)
def test_the_halfway_rule(rule: ContinuousImprovement | None, values: list[str],
                          expected: list[str]) -> None:
    assert targets(rule, values) == [D(e) for e in expected]


def test_a_max_target_improves_downwards() -> None:
    asa = credit_sla("asa", D(30), metric=Metric.ASA, direction=Direction.MAX,
                     continuous_improvement=ContinuousImprovement(months=2))
    contract = credit_contract([asa])
    evaluations = history(contract, "2026-01", [{"asa": D(20)}, {"asa": D(24)}, {"asa": D(25)}])
    pairs = [(e.period, e.result("asa")) for e in evaluations]
    assert [t.value for t in effective_targets(asa, pairs)] == [D(30), D(30), D(26)]


def test_a_month_that_meets_the_old_target_but_not_the_raised_one_is_credited() -> None:
    """Raised to 82.5% after 84, 85, 86; April at 81% meets 80% but misses 82.5% by 1.5
    points: 1.5 x $100."""
    contract = credit_contract([sl(ContinuousImprovement(months=3))])
    rows = [{"sl": pct(v)} for v in ("84", "85", "86", "81")]
    periods = assess_credits(contract, history(contract, "2026-01", rows))
    assert [p.total for p in periods] == [D(0), D(0), D(0), D("150.00")]
    assert "vs 82.5%" in periods[3].lines[0].explanation
