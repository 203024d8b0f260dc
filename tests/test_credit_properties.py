"""Properties of the credit engine over random contracts and histories: totals never exceed a
cap in force, a met SLA never yields a credit, the order SLAs are listed in does not matter,
and later months never change an earlier one."""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.domain.atrisk import base_amount, monthly_cap
from monitor.domain.contract import (
    AtRisk,
    ChronicRule,
    Contract,
    CreditSpec,
    DefaultRule,
    Earnback,
    Sla,
    Status,
    Tier,
)
from monitor.domain.credits import assess_credits
from monitor.domain.results import Evaluation, PeriodCredits
from tests.credit_factories import credit_contract, credit_sla, evaluation, months, result_for

D = Decimal
TIERS = (
    Tier(credit=D("0.05"), below=D("0.95"), at_least=D("0.90")),
    Tier(credit=D("0.25"), below=D("0.90"), at_least=D("0.70")),
    Tier(credit=D("1"), below=D("0.70")),
)
VALUES = st.one_of(
    st.none(),
    st.integers(50, 100).map(lambda n: D(n) / 100),
    st.sampled_from([D("0.6"), D("0.96"), D("1")]),
)
RARELY = st.sampled_from([False, False, False, True])


@st.composite
def slas(draw: st.DrawFn, index: int) -> Sla:
    kind = draw(st.sampled_from(["tiers", "allocation", "allocation", "per_point", "none"]))
    cap = draw(st.one_of(st.none(), st.sampled_from([D("0.1"), D("0.5")])))
    earnback = draw(st.one_of(st.none(), st.integers(1, 3).map(lambda m: Earnback(months=m))))
    minimum_credit = draw(st.one_of(st.none(), st.sampled_from([D("1.00"), D("500.00")])))
    mechanism = {
        "tiers": CreditSpec(base="fees.monthly", tiers=TIERS),
        "allocation": CreditSpec(allocation=draw(st.sampled_from([D("0.2"), D("0.6")]))),
        "per_point": CreditSpec(base="fees.monthly", per_point=D("1234.56"),
                                round_up=draw(st.booleans())),
        "none": None,
    }[kind]
    spec = None if mechanism is None else replace(
        mechanism, cap=cap, earnback=earnback, minimum_credit=minimum_credit,
        unrelieved=draw(st.booleans()))
    gated = draw(RARELY)
    return credit_sla(
        f"sla-{index}", draw(st.sampled_from([D("0.80"), D("0.95")])), credits=spec,
        key_measurement=draw(RARELY) and kind != "none",
        minimum=D("0.70") if gated else None,
        default_rule=DefaultRule(misses=2, within_months=3) if gated else None,
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[Contract, list[Evaluation]]:
    count = draw(st.integers(1, 5))
    listed = [draw(slas(i)) for i in range(count)]
    at_risk = AtRisk(
        percent_of_fees=draw(st.sampled_from([D("0.05"), D("0.12")])),
        pool=D("10"),
        monthly_cap=draw(st.one_of(st.none(), st.sampled_from([D("777.77"), D("5000")]))),
    )
    chronic = (ChronicRule(sla="any", misses=2, within_months=2, consecutive=True,
                           consequence="termination_right"),)
    contract = credit_contract(listed, monthly_fee=draw(st.sampled_from(["20000.10", "15.00"])),
                               at_risk=at_risk, chronic=chronic)
    periods = months("2026-01", draw(st.integers(1, 7)))
    evaluations = [
        evaluation(period, [result_for(sla, draw(VALUES)) for sla in listed])
        for period in periods
    ]
    return contract, evaluations


def own_money(credits: PeriodCredits) -> Decimal:
    """What this period's own performance cost (owed now or held), without earlier periods'
    credits confirmed now."""
    return sum((line.amount + line.held for line in credits.lines
                if line.origin == credits.period), D(0))


def as_rows(periods: list[PeriodCredits]) -> list[object]:
    return [
        (p.period, p.total, p.held, p.confirmed, p.earned_back, p.cap, p.chronic,
         sorted((line.sla_id, line.origin or "", line.status, line.amount, line.held,
                 line.assessed) for line in p.lines))
        for p in periods
    ]


@settings(max_examples=150, deadline=None)
@given(cases())
def test_no_period_costs_more_than_a_cap_in_force(case: tuple[Contract, list[Evaluation]]) -> None:
    contract, evaluations = case
    for credits in assess_credits(contract, evaluations):
        assert credits.cap is not None
        assert credits.cap <= monthly_cap(contract)  # type: ignore[operator]
        assert own_money(credits) <= credits.cap
        assert credits.total == sum((line.amount for line in credits.lines), D(0))
        for line in credits.lines:
            assert line.currency == contract.currency
            spec = contract.sla(line.sla_id).credits
            if line.origin == credits.period and spec is not None and spec.cap is not None:
                assert line.amount + line.held <= spec.cap * base_amount(contract, spec)


@settings(max_examples=150, deadline=None)
@given(cases())
def test_a_met_sla_never_yields_a_credit(case: tuple[Contract, list[Evaluation]]) -> None:
    contract, evaluations = case
    for evaluation_, credits in zip(evaluations, assess_credits(contract, evaluations),
                                    strict=True):
        for result in evaluation_.results:
            if result.status is not Status.BREACHED:
                own = [line for line in credits.lines
                       if line.sla_id == result.sla_id and line.origin == credits.period]
                assert [(line.amount, line.held) for line in own] == [(D(0), D(0))]


@settings(max_examples=100, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_credits_do_not_depend_on_the_order_slas_are_listed(
    case: tuple[Contract, list[Evaluation]], rnd: random.Random
) -> None:
    contract, evaluations = case
    shuffled_slas = list(contract.slas)
    rnd.shuffle(shuffled_slas)
    shuffled = replace(contract, slas=tuple(shuffled_slas))
    reordered = [replace(e, results=tuple(reversed(e.results))) for e in evaluations]
    assert as_rows(assess_credits(shuffled, reordered)) == as_rows(
        assess_credits(contract, evaluations))


@settings(max_examples=100, deadline=None)
@given(cases())
def test_later_months_never_change_an_earlier_month(
    case: tuple[Contract, list[Evaluation]],
) -> None:
    contract, evaluations = case
    full = as_rows(assess_credits(contract, evaluations))
    for n in range(1, len(evaluations)):
        assert as_rows(assess_credits(contract, evaluations[:n])) == full[:n]
