"""Worked examples from penalty_formulas.md, with the exact money, and the single-period rules
(tiers, minimum credit, per-point damages, rounding, caps, key measurements, no data)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pytest

from monitor.domain.contract import (
    AtRisk,
    Contract,
    CreditSpec,
    Direction,
    Metric,
    PeriodKind,
    Rounding,
    Sla,
    Tier,
)
from monitor.domain.credits import assess_credits, credits_for
from monitor.domain.results import CreditLine, PeriodCredits
from monitor.errors import ContractError, InputError
from tests.conftest import CONTRACTS
from tests.credit_factories import (
    DEFAULT_ROUNDING,
    credit_contract,
    credit_sla,
    evaluation,
    history,
    month,
    pct,
    result_for,
)

D = Decimal

CONNECT_TIERS = (
    Tier(credit=pct(5), below=pct("99.99"), at_least=pct("99.0")),
    Tier(credit=pct(15), below=pct("99.0"), at_least=pct("95.0")),
    Tier(credit=pct(100), below=pct("95.0")),
)


def connect_contract(monthly_fee: str = "20000.00", rounding: Rounding = DEFAULT_ROUNDING
                     ) -> Contract:
    availability = credit_sla(
        "availability", pct("99.99"), metric=Metric.AVAILABILITY,
        credits=CreditSpec(base="fees.monthly", tiers=CONNECT_TIERS, minimum_credit=D("1.00")),
    )
    return credit_contract([availability], monthly_fee=monthly_fee, rounding=rounding)


def uptime(downtime_minutes: int, month_minutes: int = 43_200) -> Decimal:
    return D(month_minutes - downtime_minutes) / D(month_minutes)


def only_line(credits: PeriodCredits, sla_id: str) -> CreditLine:
    lines = [line for line in credits.lines if line.sla_id == sla_id]
    assert len(lines) == 1, lines
    return lines[0]


def one_month(contract: Contract, values: Mapping[str, Decimal | None]) -> PeriodCredits:
    return credits_for(contract, history(contract, "2026-01", [values]))


# --- WE-4: Amazon Connect availability credit ------------------------------------------------


@pytest.mark.parametrize(
    ("downtime", "amount", "status"),
    [
        (4, "0.00", "none"),
        (5, "1000.00", "issued"),
        (50, "1000.00", "issued"),
        (432, "1000.00", "issued"),
        (433, "3000.00", "issued"),
        (2200, "20000.00", "issued"),
    ],
    ids=[
        "WE-4 4 min down is 99.99074% and meets 99.99%: no credit",
        "WE-4 5 min down falls below 99.99% into the 5% tier: $1,000",
        "WE-4 50 min down stays in the 5% tier: $1,000",
        "WE-4 432 min down is exactly 99.0% and stays in the 5% tier: $1,000",
        "WE-4 433 min down drops below 99.0% into the 15% tier: $3,000",
        "WE-4 2,200 min down is below 95% and credits 100%: $20,000",
    ],
)
def test_we4_amazon_connect_tiers_credit_the_exact_amount(
    downtime: int, amount: str, status: str
) -> None:
    credits = one_month(connect_contract(), {"availability": uptime(downtime)})
    line = only_line(credits, "availability")
    assert (line.amount, line.status, line.currency) == (D(amount), status, "USD")
    assert credits.total == D(amount)
    assert credits.cap is None


def test_we4_a_433_minute_outage_names_the_15_percent_tier() -> None:
    line = only_line(one_month(connect_contract(), {"availability": uptime(433)}), "availability")
    assert line.mechanism == "tier"
    assert line.tier == "<99%, >=95% -> 15%"


@pytest.mark.parametrize(
    ("fee", "amount", "status"),
    [
        ("15.00", "0.00", "below_minimum"),
        ("20.00", "0.00", "below_minimum"),
        ("20.09", "0.00", "below_minimum"),
        ("20.10", "1.01", "issued"),
    ],
    ids=[
        "Amazon Connect $15 of charges: 5% is $0.75, at or below $1, nothing is issued",
        "Amazon Connect $20 of charges: 5% is exactly $1.00, not more than $1, nothing issued",
        "Amazon Connect $20.09: 5% is $1.0045, rounds to $1.00, nothing issued",
        "Amazon Connect $20.10: 5% is $1.005, rounds half up to $1.01, issued",
    ],
)
def test_amazon_connect_issues_only_credits_above_one_dollar(
    fee: str, amount: str, status: str
) -> None:
    credits = one_month(connect_contract(fee), {"availability": uptime(50)})
    line = only_line(credits, "availability")
    assert (line.amount, line.status) == (D(amount), status)
    assert credits.total == D(amount)


# --- WE-8: Texas DIR pool credit ---------------------------------------------------------------


def test_we8_category_pool_credit_is_pool_share_times_allocation_times_at_risk() -> None:
    contract = credit_contract(
        [credit_sla("csl", pct(80), credits=CreditSpec(allocation=pct(40), category="ops"))],
        monthly_fee="100000.00",
        at_risk=AtRisk(percent_of_fees=pct(10), categories={"ops": pct(50)}),
    )
    credits = one_month(contract, {"csl": pct(79)})
    line = only_line(credits, "csl")
    assert (line.amount, line.mechanism, line.status) == (D("2000.00"), "allocation", "issued")
    assert credits.total == D("2000.00")
    assert credits.cap == D("10000.00")


# --- WE-9: several CSLs, at-risk cap, key measurements ---------------------------------------


def we9_contract() -> Contract:
    def csl(id: str, allocation: int, *, key: bool = False, max_target: bool = False) -> Sla:
        direction = Direction.MAX if max_target else Direction.MIN
        target = pct(5) if max_target else pct(80)
        return credit_sla(id, target, direction=direction, key_measurement=key,
                          credits=CreditSpec(allocation=pct(allocation)))

    return credit_contract(
        [csl("sl", 60), csl("abandon", 50, max_target=True), csl("fcr", 40, key=True),
         csl("qa", 50, key=True), csl("availability", 50)],
        monthly_fee="500000.00",
        at_risk=AtRisk(percent_of_fees=pct(12), pool=pct(250)),
    )


MET = {"sl": pct(85), "abandon": pct(3), "fcr": pct(85), "qa": pct(90), "availability": pct(99)}


def test_we9_month_a_only_service_level_missed_costs_36000() -> None:
    credits = one_month(we9_contract(), {**MET, "sl": pct(78)})
    assert only_line(credits, "sl").amount == D("36000.00")
    assert credits.total == D("36000.00")
    assert credits.cap == D("60000.00")


def test_we9_month_b_three_misses_of_96000_are_capped_at_the_60000_at_risk_amount() -> None:
    credits = one_month(we9_contract(), {**MET, "sl": pct(78), "abandon": pct(7),
                                         "availability": pct(70)})
    amounts = {line.sla_id: (line.assessed, line.amount, line.status) for line in credits.lines}
    assert amounts["sl"] == (D("36000.00"), D("22500.00"), "capped")
    assert amounts["abandon"] == (D("30000.00"), D("18750.00"), "capped")
    assert amounts["availability"] == (D("30000.00"), D("18750.00"), "capped")
    assert credits.total == D("60000.00")


def test_we9_month_c_missed_key_measurements_are_reported_and_cost_nothing() -> None:
    credits = one_month(we9_contract(), {**MET, "fcr": pct(60), "qa": pct(70)})
    for sla_id in ("fcr", "qa"):
        line = only_line(credits, sla_id)
        assert (line.amount, line.status) == (D(0), "key_measurement")
        assert "reported, never credited" in line.explanation
    assert credits.total == D(0)


# --- per-point damages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("round_up", "value", "amount"),
    [
        (True, "33.4", "8000.00"),
        (False, "33.4", "6800.00"),
        (True, "31", "2000.00"),
        (True, "30", "0.00"),
    ],
    ids=[
        "ASA 33.4s against 30s is 4 seconds or fraction thereof: 4 x $2,000",
        "ASA 33.4s against 30s without the fraction rule is 3.4 x $2,000",
        "ASA 31s against 30s is one whole second: $2,000",
        "ASA exactly 30s meets a 30s maximum: nothing",
    ],
)
def test_per_point_damages_on_seconds(round_up: bool, value: str, amount: str) -> None:
    asa = credit_sla("asa", D(30), metric=Metric.ASA, direction=Direction.MAX,
                     credits=CreditSpec(per_point=D("2000.00"), round_up=round_up))
    credits = one_month(credit_contract([asa]), {"asa": D(value)})
    assert only_line(credits, "asa").amount == D(amount)


def test_per_point_damages_count_percentage_points_or_fraction_thereof() -> None:
    sl = credit_sla("sl", pct(90), credits=CreditSpec(per_point=D("2000.00"), round_up=True))
    line = only_line(one_month(credit_contract([sl]), {"sl": pct("87.25")}), "sl")
    assert (line.amount, line.mechanism) == (D("6000.00"), "per_point")
    assert "2.75 percentage points short" in line.explanation


# --- rounding and caps -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "amount"),
    [("ROUND_HALF_UP", "1000.01"), ("ROUND_HALF_EVEN", "1000.00"), ("ROUND_UP", "1000.01")],
    ids=[
        "5% of $20,000.10 is $1,000.005, half up gives $1,000.01",
        "5% of $20,000.10 is $1,000.005, half even gives $1,000.00",
        "5% of $20,000.10 is $1,000.005, up gives $1,000.01",
    ],
)
def test_each_line_is_rounded_once_by_the_contract_rule(mode: str, amount: str) -> None:
    contract = connect_contract("20000.10", Rounding(places=2, mode=mode))
    assert one_month(contract, {"availability": uptime(50)}).total == D(amount)


def test_a_per_sla_cap_limits_the_line_to_its_share_of_the_base() -> None:
    sla = credit_sla("availability", pct("99.99"), metric=Metric.AVAILABILITY, credits=CreditSpec(
        base="fees.monthly", tiers=CONNECT_TIERS, cap=pct(50)))
    line = only_line(one_month(credit_contract([sla]), {"availability": pct(90)}), "availability")
    assert (line.assessed, line.amount, line.status) == (D("20000.00"), D("10000.00"), "capped")


def test_a_capped_line_is_rounded_down_so_the_cap_is_never_exceeded() -> None:
    """50% of $20,000.01 is $10,000.005: half up would give $10,000.01, one half cent over."""
    sla = credit_sla("availability", pct("99.99"), metric=Metric.AVAILABILITY, credits=CreditSpec(
        base="fees.monthly", tiers=CONNECT_TIERS, cap=pct(50)))
    contract = credit_contract([sla], monthly_fee="20000.01")
    line = only_line(one_month(contract, {"availability": pct(90)}), "availability")
    assert (line.assessed, line.amount) == (D("20000.01"), D("10000.00"))


def test_a_fractional_at_risk_cap_is_rounded_down_to_the_cent() -> None:
    """12% of $20,000.10 is $2,400.012: the cap in force is $2,400.01."""
    contract = credit_contract(
        [credit_sla("sl", pct(80), credits=CreditSpec(allocation=pct(150)))],
        monthly_fee="20000.10", at_risk=AtRisk(percent_of_fees=pct(12), pool=pct(150)))
    credits = one_month(contract, {"sl": pct(70)})
    assert (credits.cap, credits.total) == (D("2400.01"), D("2400.01"))


def test_a_capped_total_is_split_pro_rata_to_the_exact_cent() -> None:
    slas = [credit_sla(i, pct(80), credits=CreditSpec(allocation=pct(50))) for i in "cab"]
    contract = credit_contract(slas, monthly_fee="100.00",
                               at_risk=AtRisk(percent_of_fees=pct(100), pool=pct(150)))
    credits = one_month(contract, {"a": pct(70), "b": pct(70), "c": pct(70)})
    assert {line.sla_id: line.amount for line in credits.lines} == {
        "a": D("33.34"), "b": D("33.33"), "c": D("33.33")}
    assert credits.total == D("100.00")


def test_a_named_monthly_cap_below_the_at_risk_amount_is_the_one_in_force() -> None:
    contract = credit_contract(
        [credit_sla("sl", pct(80), credits=CreditSpec(allocation=pct(100)))],
        monthly_fee="500000.00",
        at_risk=AtRisk(percent_of_fees=pct(12), monthly_cap=D("25000.00")),
    )
    credits = one_month(contract, {"sl": pct(70)})
    assert (credits.total, credits.cap) == (D("25000.00"), D("25000.00"))


# --- what produces no money --------------------------------------------------------------------


def test_a_met_sla_has_a_line_with_nothing_owed() -> None:
    line = only_line(one_month(we9_contract(), MET), "sl")
    assert (line.amount, line.assessed, line.status) == (D(0), D(0), "none")
    assert line.explanation == "met: 85% vs target 80%"


def test_insufficient_data_credits_nothing_and_says_so() -> None:
    line = only_line(one_month(we9_contract(), {**MET, "sl": None}), "sl")
    assert (line.amount, line.status) == (D(0), "none")
    assert "insufficient data" in line.explanation


def test_an_sla_absent_from_an_evaluation_gets_no_line() -> None:
    credits = one_month(we9_contract(), {"sl": pct(70)})
    assert [line.sla_id for line in credits.lines] == ["sl"]


def test_a_missed_sla_without_credit_terms_is_explained_and_costs_nothing() -> None:
    contract = credit_contract([credit_sla("aht", D(300), metric=Metric.AHT,
                                           direction=Direction.MAX)])
    line = only_line(one_month(contract, {"aht": D(320)}), "aht")
    assert (line.amount, line.status) == (D(0), "none")
    assert line.explanation == "missed (320s vs 300s); no credit terms"


# --- bad input ---------------------------------------------------------------------------------


def test_allocations_beyond_the_pool_are_refused_with_the_field_named() -> None:
    slas = [credit_sla(i, pct(80), credits=CreditSpec(allocation=pct(60))) for i in "ab"]
    contract = credit_contract(slas, at_risk=AtRisk(percent_of_fees=pct(10), pool=pct(100)))
    with pytest.raises(ContractError) as caught:
        assess_credits(contract, [])
    assert [str(p) for p in caught.value.problems] == [
        "credit-test: slas[*].credits.allocation: allocations add up to 120%, more than "
        "the pool 100%"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (CreditSpec(allocation=pct(10)),
         "credit-test: slas[0].credits: refers to the at-risk amount but the contract has no "
         "at_risk section"),
        (CreditSpec(per_point=D(5), tiers=CONNECT_TIERS, base="fees.monthly"),
         "credit-test: slas[0].credits: per_point cannot be combined with tiers or allocation: "
         "choose one"),
        (CreditSpec(base="fees.seats", tiers=CONNECT_TIERS),
         "credit-test: slas[0].credits.base: names 'fees.seats', which is not in fees"),
    ],
    ids=["an allocation without an at-risk pool", "per-point damages mixed with tiers",
         "a base that is not a fee"],
)
def test_inconsistent_credit_terms_are_refused(spec: CreditSpec, message: str) -> None:
    contract = credit_contract([credit_sla("sl", pct(80), credits=spec)])
    with pytest.raises(ContractError) as caught:
        assess_credits(contract, [])
    assert [str(p) for p in caught.value.problems] == [message]


def test_a_history_out_of_order_is_refused() -> None:
    contract = connect_contract()
    sla = contract.sla("availability")
    evaluations = [evaluation(month("2026-02"), [result_for(sla, pct(100))]),
                   evaluation(month("2026-01"), [result_for(sla, pct(100))])]
    with pytest.raises(InputError, match="2026-01 comes after 2026-02"):
        assess_credits(contract, evaluations)


def test_credits_for_an_empty_history_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no evaluations"):
        credits_for(connect_contract(), [])


# --- an SLA measured over a longer period than the evaluation ---------------------------------


def test_a_quarterly_sla_in_month_evaluations_is_credited_once_when_the_quarter_ends() -> None:
    """ASA is quarterly: October and November carry the quarter to date and cost nothing;
    December reaches the end of 2026-Q4 and its 33.4s costs 4 x $2,000 once."""
    asa = credit_sla("asa", D(30), metric=Metric.ASA, direction=Direction.MAX,
                     period=PeriodKind.QUARTER,
                     credits=CreditSpec(per_point=D("2000.00"), round_up=True))
    contract = credit_contract([asa])
    periods = assess_credits(contract, history(contract, "2026-10", [{"asa": D("33.4")}] * 3))
    assert [p.total for p in periods] == [D(0), D(0), D("8000.00")]
    assert periods[0].lines[0].explanation == (
        "2026-Q4 to date: assessed in the evaluation that reaches the end of 2026-Q4")
    december = periods[2].lines[0]
    assert (december.period, december.origin) == ("2026-12", "2026-12")
    assert december.explanation.startswith("missed (2026-Q4 33.4s vs 30s)")


def test_every_shipped_contract_has_consistent_credit_terms() -> None:
    from monitor.domain.atrisk import credit_problems
    from monitor.spec import load_contract

    paths = sorted(CONTRACTS.glob("*.yaml"))
    assert paths, f"no contracts in {CONTRACTS}"
    for path in paths:
        assert credit_problems(load_contract(path)) == [], path
