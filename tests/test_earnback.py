"""Earn-back across several months (WE-11): held, then earned back or confirmed."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from monitor.domain.contract import AtRisk, Contract, CreditSpec, Earnback
from monitor.domain.credits import assess_credits
from monitor.domain.results import PeriodCredits
from tests.credit_factories import credit_contract, credit_sla, history, pct

D = Decimal


def we11_contract(*, unrelieved: bool = False, trigger: Decimal | None = None) -> Contract:
    sl = credit_sla("sl", pct(80), credits=CreditSpec(
        allocation=pct(60), earnback=Earnback(months=3, trigger=trigger), unrelieved=unrelieved))
    return credit_contract([sl], monthly_fee="500000.00",
                           at_risk=AtRisk(percent_of_fees=pct(12), pool=pct(250)))


def run(contract: Contract, values: Sequence[int | None]) -> list[PeriodCredits]:
    rows = [{"sl": None if v is None else pct(v)} for v in values]
    return assess_credits(contract, history(contract, "2026-01", rows))


def summary(periods: list[PeriodCredits]) -> list[tuple[str, Decimal, Decimal, Decimal, Decimal]]:
    return [(p.period, p.total, p.held, p.confirmed, p.earned_back) for p in periods]


def test_we11_three_good_months_earn_the_36000_back() -> None:
    periods = run(we11_contract(), [79, 82, 83, 80])
    assert summary(periods) == [
        ("2026-01", D(0), D("36000.00"), D(0), D(0)),
        ("2026-02", D(0), D(0), D(0), D(0)),
        ("2026-03", D(0), D(0), D(0), D(0)),
        ("2026-04", D(0), D(0), D(0), D("36000.00")),
    ]
    held = periods[0].lines[0]
    assert (held.status, held.amount, held.held, held.assessed) == (
        "held", D(0), D("36000.00"), D("36000.00"))
    returned = [line for line in periods[3].lines if line.status == "earned_back"]
    assert len(returned) == 1
    assert (returned[0].origin, returned[0].amount, returned[0].assessed) == (
        "2026-01", D(0), D("36000.00"))


def test_we11_a_miss_inside_the_window_confirms_the_36000_in_that_month() -> None:
    periods = run(we11_contract(), [79, 82, 79, 85])
    assert summary(periods) == [
        ("2026-01", D(0), D("36000.00"), D(0), D(0)),
        ("2026-02", D(0), D(0), D(0), D(0)),
        ("2026-03", D("36000.00"), D("36000.00"), D("36000.00"), D(0)),
        ("2026-04", D(0), D(0), D(0), D(0)),
    ]
    march = {(line.origin, line.status): line.amount for line in periods[2].lines}
    assert march == {("2026-01", "confirmed"): D("36000.00"), ("2026-03", "held"): D(0)}


def test_a_month_without_data_does_not_earn_back() -> None:
    periods = run(we11_contract(), [79, 82, None])
    assert periods[2].confirmed == D("36000.00")
    assert "2026-03 did not meet the target" in periods[2].lines[0].explanation


def test_a_window_still_open_at_the_end_of_the_history_keeps_the_credit_held() -> None:
    periods = run(we11_contract(), [79, 82, 83])
    assert [p.total for p in periods] == [D(0), D(0), D(0)]
    assert sum(p.earned_back + p.confirmed for p in periods) == D(0)


def test_unrelieved_credits_are_owed_at_once_and_never_held() -> None:
    periods = run(we11_contract(unrelieved=True), [79, 82, 83, 80])
    assert [p.total for p in periods] == [D("36000.00"), D(0), D(0), D(0)]
    assert periods[0].lines[0].status == "issued"


def test_an_earn_back_level_above_the_target_must_be_reached() -> None:
    """Trigger 82%: 82 and 83 reach it, 80 meets the 80% target but not the trigger."""
    periods = run(we11_contract(trigger=pct(82)), [79, 82, 83, 80])
    assert periods[3].confirmed == D("36000.00")
    assert "did not meet the earn-back level 82%" in periods[3].lines[0].explanation


def test_adding_later_months_never_changes_an_earlier_month() -> None:
    contract = we11_contract()
    full = run(contract, [79, 82, 79, 85, 70, 90])
    for n in range(1, 7):
        prefix = run(contract, [79, 82, 79, 85, 70, 90][:n])
        assert summary(prefix) == summary(full[:n])
