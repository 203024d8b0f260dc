"""Period results: statuses, restatements, final periods never overwritten, credits."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from monitor.domain.contract import Metric, Status, Target
from monitor.domain.periods import period_for
from monitor.domain.results import (
    AppliedExclusion,
    CreditLine,
    Evaluation,
    Evidence,
    PeriodCredits,
    SlaResult,
)
from monitor.errors import StorageError
from monitor.storage import Store
from tests.factories import contract, sla

CONTRACT = contract([sla("sl")])
AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
STORM = AppliedExclusion("storm", "force majeure", datetime(2026, 10, 14, 13, tzinfo=UTC),
                         datetime(2026, 10, 14, 15, 30, tzinfo=UTC), Decimal(150))


def evaluation(label: str, numerator: int, denominator: int, status: str = "provisional"
               ) -> Evaluation:
    value = Decimal(numerator) / Decimal(denominator)
    result = SlaResult(
        sla_id="sl", metric=Metric.SERVICE_LEVEL, value=value, raw_value=value,
        target=Target(Decimal("0.80")),
        status=Status.MET if value >= Decimal("0.80") else Status.BREACHED,
        evidence=Evidence(Decimal(numerator), Decimal(denominator), 456, Decimal(150),
                          "positive", exclusions=(STORM,)))
    return Evaluation(CONTRACT.id, period_for(CONTRACT, label), AT, status, (result,))


def credits(label: str, amount: str) -> PeriodCredits:
    line = CreditLine("sl", label, "USD", Decimal(amount), Decimal(amount), "allocation",
                      "issued" if Decimal(amount) else "none")
    return PeriodCredits(label, "USD", (line,), Decimal(amount), None)


def test_a_saved_evaluation_reads_back_exactly(store: Store) -> None:
    outcome = store.save_evaluation(evaluation("2026-10", 880, 1060), credits("2026-10", "0"),
                                    at=AT)
    assert outcome.saved
    assert outcome.restated == ()
    [r] = store.latest_results(CONTRACT.id)
    assert (r.period, r.period_status, r.sla_id, r.status) == ("2026-10", "provisional", "sl",
                                                               "met")
    assert r.value == Decimal(880) / Decimal(1060)
    assert r.target == Decimal("0.80")
    assert r.direction == "min"
    assert r.evidence["numerator"] == "880"
    assert r.evidence["denominator"] == "1060"
    assert r.evidence["exclusions"][0]["id"] == "storm"
    assert r.credit == Decimal(0)
    assert r.currency == "USD"
    assert r.period_start == datetime(2026, 10, 1, 4, tzinfo=UTC)
    assert store.period_status(CONTRACT.id, "2026-10") == "provisional"


def test_saving_the_same_figures_again_records_no_restatement(store: Store) -> None:
    store.save_evaluation(evaluation("2026-10", 880, 1060), at=AT)
    assert store.save_evaluation(evaluation("2026-10", 880, 1060), at=AT).restated == ()
    assert store.restatements(CONTRACT.id) == []


def test_a_changed_reevaluation_records_a_restatement_with_old_and_new_figures(
        store: Store) -> None:
    store.save_evaluation(evaluation("2026-10", 880, 1060), credits("2026-10", "0"), at=AT)
    later = datetime(2026, 11, 5, tzinfo=UTC)
    outcome = store.save_evaluation(evaluation("2026-10", 800, 1060),
                                    credits("2026-10", "1440.00"),
                                    reason="late Genesys handle times", at=later)
    assert outcome.restated == ("sl",)
    [rs] = store.restatements(CONTRACT.id, "2026-10")
    assert rs.at == later
    assert rs.reason == "late Genesys handle times"
    assert rs.old["status"] == "met"
    assert rs.new["status"] == "breached"
    assert Decimal(rs.old["value"]) == Decimal(880) / Decimal(1060)
    assert Decimal(rs.new["value"]) == Decimal(800) / Decimal(1060)
    assert (rs.old["credit"], rs.new["credit"]) == ("0", "1440")
    [r] = store.latest_results(CONTRACT.id)
    assert r.status == "breached"
    assert r.credit == Decimal(1440)


def test_a_final_period_is_never_overwritten(store: Store) -> None:
    store.save_evaluation(evaluation("2026-10", 880, 1060), at=AT)
    assert store.close_period(CONTRACT.id, "2026-10", by="procurement", at=AT) is True
    assert store.close_period(CONTRACT.id, "2026-10", by="procurement", at=AT) is False
    later = datetime(2026, 12, 2, tzinfo=UTC)
    outcome = store.save_evaluation(evaluation("2026-10", 100, 1060),
                                    reason="vendor re-posted October", at=later)
    assert (outcome.saved, outcome.restated) == (False, ("sl",))
    [r] = store.latest_results(CONTRACT.id)
    assert r.value == Decimal(880) / Decimal(1060)
    assert r.period_status == "final"
    [rs] = store.restatements(CONTRACT.id, "2026-10")
    assert (rs.old["status"], rs.new["status"], rs.reason) == ("met", "breached",
                                                                "vendor re-posted October")
    assert Decimal(rs.new["value"]) == Decimal(100) / Decimal(1060)
    # The same late data seen again on the next pass is logged once, not every pass.
    again = store.save_evaluation(evaluation("2026-10", 100, 1060), at=later)
    assert again.restated == ()
    assert len(store.restatements(CONTRACT.id, "2026-10")) == 1


def test_an_open_periods_figures_move_without_restatements(store: Store) -> None:
    for answered in (700, 750, 880):  # the month fills up during the month
        store.save_evaluation(evaluation("2026-10", answered, 1060, "open"), at=AT)
    assert store.restatements(CONTRACT.id) == []
    [r] = store.latest_results(CONTRACT.id)
    assert r.value == Decimal(880) / Decimal(1060)


def test_closing_a_period_never_evaluated_is_an_error(store: Store) -> None:
    with pytest.raises(StorageError, match="period 2026-09 of contract test-contract has no "
                       "stored evaluation"):
        store.close_period(CONTRACT.id, "2026-09", by="me", at=AT)


def test_history_lists_every_period_and_latest_only_the_newest(store: Store) -> None:
    store.save_evaluation(evaluation("2026-10", 880, 1060, "final"), at=AT)
    store.save_evaluation(evaluation("2026-11", 700, 1000, "open"), at=AT)
    assert [r.period for r in store.results_history(CONTRACT.id)] == ["2026-10", "2026-11"]
    [latest] = store.latest_results()
    assert (latest.period, latest.period_status, latest.status) == ("2026-11", "open",
                                                                    "breached")


def test_an_earn_back_settlement_is_stored_beside_the_slas_own_line(store: Store) -> None:
    """March holds the SLA's own (met) line and January's $36,000 confirmed in March: two
    lines for one SLA in one period, and the restatement figure is their sum."""
    own = CreditLine("sl", "2026-03", "USD", Decimal(0), Decimal(0), "none", "none")
    settled = CreditLine("sl", "2026-03", "USD", Decimal("36000.00"), Decimal("36000.00"),
                         "earnback", "confirmed", origin="2026-01")
    march = PeriodCredits("2026-03", "USD", (own, settled), Decimal("36000.00"), None)
    store.save_evaluation(evaluation("2026-03", 900, 1000), march, at=AT)
    lines = store.credit_lines(CONTRACT.id, "2026-03")
    assert [(x.origin, x.status, x.amount) for x in lines] == [
        ("2026-01", "confirmed", Decimal("36000.00")), (None, "none", Decimal(0))]
    [r] = store.latest_results(CONTRACT.id)
    assert r.credit == Decimal(0)  # the SLA's own line for March
    store.save_evaluation(evaluation("2026-03", 900, 1000),
                          PeriodCredits("2026-03", "USD", (own,), Decimal(0), None), at=AT)
    [restated] = store.restatements(CONTRACT.id, "2026-03")
    assert (restated.old["credit"], restated.new["credit"]) == ("36000", "0")
