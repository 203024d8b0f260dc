"""Expected vs Minimum Service Level with the N-of-M rolling default rule (WE-10)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from monitor.domain.contract import AtRisk, Contract, CreditSpec, DefaultRule
from monitor.domain.credits import assess_credits
from tests.credit_factories import (
    credit_contract,
    credit_sla,
    evaluation,
    history,
    month,
    pct,
    result_for,
)

D = Decimal


def we10_contract(misses: int = 4, within: int = 12) -> Contract:
    sl = credit_sla("sl", pct(80), minimum=pct(75),
                    default_rule=DefaultRule(misses=misses, within_months=within),
                    credits=CreditSpec(allocation=pct(60)))
    return credit_contract([sl], monthly_fee="500000.00",
                           at_risk=AtRisk(percent_of_fees=pct(12), pool=pct(250)))


WE10 = [79, 81, 78, 77, 79, 74]


def test_we10_esl_misses_credit_from_the_fourth_in_twelve_months_and_msl_at_once() -> None:
    contract = we10_contract()
    periods = assess_credits(contract, history(contract, "2026-01", [{"sl": pct(v)} for v in WE10]))
    assert [(p.period, p.total) for p in periods] == [
        ("2026-01", D("0")), ("2026-02", D("0")), ("2026-03", D("0")), ("2026-04", D("0")),
        ("2026-05", D("36000.00")), ("2026-06", D("36000.00")),
    ]
    triggers = [p.lines[0].trigger for p in periods]
    assert triggers == ["expected_miss", "", "expected_miss", "expected_miss",
                        "expected_default", "minimum_default"]
    may = periods[4].lines[0]
    assert (may.mechanism, may.status) == ("default", "issued")
    assert "Expected Service Level default: 4th miss within 12 months" in may.explanation
    assert "Minimum Service Level default" in periods[5].lines[0].explanation


def test_we10_an_esl_miss_before_the_fourth_says_how_many_misses_are_counted() -> None:
    contract = we10_contract()
    periods = assess_credits(contract, history(contract, "2026-01", [{"sl": pct(v)} for v in WE10]))
    assert periods[3].lines[0].explanation == (
        "missed (77% vs 80%); Expected Service Level miss 3 of 4 within 12 months: "
        "no default yet")


def test_a_minimum_default_in_the_first_month_credits_whatever_the_count() -> None:
    contract = we10_contract()
    periods = assess_credits(contract, history(contract, "2026-01", [{"sl": pct(74)}]))
    assert periods[0].total == D("36000.00")


@pytest.mark.parametrize(
    ("within", "january_2026"),
    [(12, "0"), (13, "36000.00")],
    ids=[
        "misses in Jan-Mar 2025 and Jan 2026: only 3 fall in the 12 months to Jan 2026",
        "the same misses under a 13-month window: Jan 2026 is the 4th, a default",
    ],
)
def test_the_rolling_window_counts_calendar_months(within: int, january_2026: str) -> None:
    contract = we10_contract(within=within)
    sla = contract.sla("sl")
    evaluations = [evaluation(month(label), [result_for(sla, pct(79))])
                   for label in ("2025-01", "2025-02", "2025-03", "2026-01")]
    periods = assess_credits(contract, evaluations)
    assert [p.total for p in periods] == [D(0), D(0), D(0), D(january_2026)]


@pytest.mark.parametrize(
    ("values", "totals"),
    [
        ([79, 79, 81, 79], ["0", "36000.00", "0", "36000.00"]),
        ([79, 81, 81, 79], ["0", "0", "0", "0"]),
    ],
    ids=[
        "2 misses in 3 months: the 2nd and every later miss inside the window is a default",
        "2 misses 4 months apart fall outside a 3-month window: no default",
    ],
)
def test_a_two_in_three_rule(values: list[int], totals: list[str]) -> None:
    contract = we10_contract(misses=2, within=3)
    rows = [{"sl": pct(v)} for v in values]
    periods = assess_credits(contract, history(contract, "2026-01", rows))
    assert [p.total for p in periods] == [D(t) for t in totals]


def test_months_with_insufficient_data_are_not_counted_as_misses() -> None:
    contract = we10_contract(misses=2, within=12)
    periods = assess_credits(contract, history(contract, "2026-01",
                                               [{"sl": None}, {"sl": pct(79)}, {"sl": None}]))
    assert [p.total for p in periods] == [D(0), D(0), D(0)]
