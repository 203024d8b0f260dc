"""Chronic failure rules: N misses within M months, consecutive or not, raise a consequence
that stays in every later period's credits."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from monitor.domain.contract import ChronicRule, Contract, CreditSpec, Direction, Tier
from monitor.domain.credits import assess_credits
from monitor.domain.results import ChronicFailure, PeriodCredits
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
TERMINATION = ChronicRule(sla="any", misses=2, within_months=2, consecutive=True,
                          consequence="termination_right")
ESCALATION = ChronicRule(sla="sl", misses=3, within_months=6, consequence="escalation")


def contract(*rules: ChronicRule) -> Contract:
    sl = credit_sla("sl", pct(80), credits=CreditSpec(base="fees.monthly",
                                                      tiers=(Tier(credit=pct(5), below=pct(80)),)))
    abandon = credit_sla("abandon", pct(5), direction=Direction.MAX)
    csat = credit_sla("csat", pct(85), key_measurement=True)
    return credit_contract([sl, abandon, csat], chronic=rules)


GOOD = {"sl": pct(85), "abandon": pct(3), "csat": pct(90)}


def run(rules: tuple[ChronicRule, ...], months: dict[str, dict[str, int]]) -> list[PeriodCredits]:
    c = contract(*rules)
    evaluations = []
    for label, bad in months.items():
        values = {**GOOD, **{k: pct(v) for k, v in bad.items()}}
        evaluations.append(evaluation(month(label), [result_for(c.sla(k), v)
                                                     for k, v in values.items()]))
    return assess_credits(c, evaluations)


def raised_in(periods: list[PeriodCredits]) -> list[list[str]]:
    return [[f"{f.consequence}@{f.raised_in}" for f in p.chronic] for p in periods]


def test_two_consecutive_missed_months_raise_a_termination_right_that_stays_open() -> None:
    periods = run((TERMINATION,), {"2026-01": {"sl": 70}, "2026-02": {"abandon": 9},
                                   "2026-03": {"sl": 70}, "2026-04": {}})
    assert raised_in(periods) == [[], ["termination_right@2026-02"],
                                  ["termination_right@2026-02"], ["termination_right@2026-02"]]
    assert periods[1].chronic[0] == ChronicFailure(
        rule_sla="any", consequence="termination_right", periods=("2026-01", "2026-02"),
        raised_in="2026-02")


@pytest.mark.parametrize(
    "months",
    [
        {"2026-01": {"sl": 70}, "2026-02": {}, "2026-03": {"sl": 70}},
        {"2026-01": {"sl": 70}, "2026-03": {"sl": 70}},
        {"2026-01": {"csat": 50}, "2026-02": {"csat": 50}},
    ],
    ids=[
        "misses in January and March with a good February are not consecutive",
        "misses in January and March with February not measured are not consecutive",
        "key measurements missed two months running do not count",
    ],
)
def test_no_termination_right_without_two_consecutive_credited_misses(
    months: dict[str, dict[str, int]],
) -> None:
    assert raised_in(run((TERMINATION,), months))[-1] == []


def test_a_failure_is_raised_again_only_after_the_rule_stopped_holding() -> None:
    periods = run((TERMINATION,), {"2026-01": {"sl": 70}, "2026-02": {"sl": 70},
                                   "2026-03": {}, "2026-04": {"sl": 70}, "2026-05": {"sl": 70}})
    assert raised_in(periods)[-1] == ["termination_right@2026-02", "termination_right@2026-05"]


@pytest.mark.parametrize(
    ("misses", "expected"),
    [
        (["2026-01", "2026-03", "2026-06"], ["escalation@2026-06"]),
        (["2026-01", "2026-03", "2026-07"], []),
        (["2026-01", "2026-02", "2026-03", "2026-04"], ["escalation@2026-03"]),
    ],
    ids=[
        "3 misses in the 6 months Jan-Jun escalate in June",
        "January has left the 6-month window when the 3rd miss comes in July",
        "a 4th miss in the same window raises nothing new",
    ],
)
def test_three_misses_within_six_months_escalate(misses: list[str], expected: list[str]) -> None:
    months = {f"2026-{m:02d}": ({"sl": 70} if f"2026-{m:02d}" in misses else {})
              for m in range(1, 8)}
    assert raised_in(run((ESCALATION,), months))[-1] == expected


def test_the_escalation_names_the_missed_periods_in_its_window() -> None:
    months = {f"2026-{m:02d}": ({"sl": 70} if m in (1, 3, 6) else {}) for m in range(1, 7)}
    failure = run((ESCALATION,), months)[-1].chronic[0]
    assert failure.periods == ("2026-01", "2026-03", "2026-06")


@pytest.mark.parametrize(
    ("values", "expected"),
    [([78, 78], []), ([74, 73], ["termination_right@2026-02"]), ([74, 78], [])],
    ids=[
        "two months below target but above the 75% minimum do not count at minimum level",
        "two consecutive months below the minimum raise the termination right",
        "one month below the minimum and one only below target is not two",
    ],
)
def test_a_minimum_level_rule_counts_only_misses_below_the_minimum(
    values: list[int], expected: list[str]
) -> None:
    sl = credit_sla("sl", pct(80), minimum=pct(75))
    rule = replace(TERMINATION, sla="sl", level="minimum")
    c = credit_contract([sl], chronic=(rule,))
    periods = assess_credits(c, history(c, "2026-01", [{"sl": pct(v)} for v in values]))
    assert raised_in(periods)[-1] == expected


def test_chronic_failures_appear_even_when_no_money_is_owed() -> None:
    periods = run((TERMINATION,), {"2026-01": {"abandon": 9}, "2026-02": {"abandon": 9}})
    assert periods[1].total == D(0)
    assert raised_in(periods)[1] == ["termination_right@2026-02"]
