"""`snapshot_from_evaluations`: domain results to exporter values, worked by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest

from monitor.domain.contract import Contract, Status, Target
from monitor.domain.periods import period_for
from monitor.domain.results import (
    ChronicFailure,
    CreditLine,
    Evaluation,
    Evidence,
    PeriodCredits,
    SlaResult,
)
from monitor.exporter.from_results import in_business_hours, snapshot_from_evaluations
from monitor.exporter.snapshot import MetricsSnapshot, SlaSnapshot
from tests.metrics_samples import sample_contract


@pytest.fixture
def contract(tmp_path: Path) -> Contract:
    return sample_contract(tmp_path)


def result(sla_id: str, metric: str, value: D, den: D, target: Target,
           status: Status = Status.MET) -> SlaResult:
    return SlaResult(sla_id=sla_id, metric=metric, value=value, raw_value=value,
                     target=target, status=status,
                     evidence=Evidence(numerator=value * den, denominator=den, intervals=1,
                                       excluded_minutes=D(0), formula="test"))


def by_sla(snap: MetricsSnapshot, sla: str) -> SlaSnapshot:
    (found,) = [s for s in snap.slas if s.sla == sla]
    return found


def evaluation(contract: Contract, now: datetime, *results: SlaResult) -> Evaluation:
    return Evaluation(contract_id=contract.id, period=period_for(contract, "2026-11"),
                      as_of=now, status="open", results=results)


def test_availability_ten_days_and_an_hour_into_a_dst_november(contract: Contract) -> None:
    # November 2026 in New York has 43,260 real minutes (the clocks go back on the 1st).
    # At 2026-11-11 00:00 EST, 14,460 have gone; 30 minutes were down.
    now = datetime(2026, 11, 11, 5, 0, tzinfo=UTC)
    ev = evaluation(contract, now, result("availability", "availability",
                                          D(14430) / D(14460), D(14460), Target(D("0.999"))))
    credits = {contract.id: [PeriodCredits(
        period="2026-11", currency="USD", total=D("500.00"), cap=None,
        lines=(CreditLine("availability", "2026-11", "USD", D("500.00"), D("500.00"), "tier",
                          "issued"),),
        chronic=(ChronicFailure("any", "termination_right", ("2026-10", "2026-11"), "2026-11"),),
    )]}
    snap = snapshot_from_evaluations([contract], [ev], credits, now)
    s = by_sla(snap, "availability")
    assert s.elapsed_ratio == pytest.approx(14460 / 43260, rel=1e-12)
    assert s.best_case == pytest.approx(43230 / 43260, rel=1e-12)  # no more downtime
    assert s.required == pytest.approx(28786.74 / 28800, rel=1e-12)
    assert s.budget_remaining == pytest.approx(1 - 30 / 43.26, rel=1e-12)
    assert (s.good_events, s.valid_events) == (pytest.approx(14430), 14460.0)
    assert s.error_budget == pytest.approx(0.001)
    assert (s.credit_accrued, s.currency, s.period) == (D("500.00"), "USD", "2026-11")
    (c,) = snap.contracts
    assert (c.at_risk, c.period) == (D("1000.00"), "2026-11")  # 10 % of 10,000
    assert [(ch.rule, ch.raised) for ch in snap.chronic] == [("any", True)]


def test_availability_events_grow_with_elapsed_time_not_with_the_whole_month(
        contract: Contract) -> None:
    # The engine's availability counts the whole month (43,260 minutes, 30 down) as its
    # denominator; burn-rate counters must count only what has elapsed (14,460 minutes), or
    # rate() over them is flat and no availability burn-rate alert could ever fire.
    now = datetime(2026, 11, 11, 5, 0, tzinfo=UTC)
    ev = evaluation(contract, now, result("availability", "availability",
                                          D(43230) / D(43260), D(43260), Target(D("0.999"))))
    s = by_sla(snapshot_from_evaluations([contract], [ev], {}, now), "availability")
    assert (s.good_events, s.valid_events) == (pytest.approx(14430), 14460.0)
    assert s.attainment == pytest.approx(43230 / 43260, rel=1e-12)  # the contract figure
    assert s.best_case == pytest.approx(43230 / 43260, rel=1e-12)


def test_business_hours_sla_extrapolates_over_open_minutes_only(contract: Contract) -> None:
    # Mon-Fri 08:00-20:00: November 2026 has 21 weekdays = 15,120 open minutes; by Wednesday
    # the 11th at 10:00 EST, 7 full days (5,040) and 120 minutes have been open.
    now = datetime(2026, 11, 11, 15, 0, tzinfo=UTC)
    ev = evaluation(contract, now, result("service-level", "service_level", D("0.7"), D(1000),
                                          Target(D("0.8")), Status.BREACHED))
    s = by_sla(snapshot_from_evaluations([contract], [ev], {}, now), "service-level")
    assert s.elapsed_ratio == pytest.approx(5160 / 15120, rel=1e-12)
    expected = 1000 * 15120 / 5160
    assert s.best_case == pytest.approx((700 + expected - 1000) / expected, rel=1e-12)
    assert s.breached is True
    assert s.credit_accrued is None


def test_a_max_seconds_sla_has_no_events_for_burn_rates(contract: Contract) -> None:
    now = datetime(2026, 11, 11, 15, 0, tzinfo=UTC)
    ev = Evaluation(contract_id=contract.id, period=period_for(contract, "2026-Q4"), as_of=now,
                    status="open",
                    results=(result("asa", "asa", D(40), D(1000), Target(D(30), "max")),))  # type: ignore[arg-type]
    s = by_sla(snapshot_from_evaluations([contract], [ev], {}, now), "asa")
    assert (s.unit, s.period, s.period_kind, s.target) == ("seconds", "2026-Q4", "quarter", 30.0)
    assert s.good_events is None
    assert s.error_budget is None


@pytest.mark.parametrize(
    ("instant", "open_"),
    [
        pytest.param(datetime(2026, 11, 11, 12, 59, tzinfo=UTC), False,
                     id="07:59 EST on a Wednesday is before opening"),
        pytest.param(datetime(2026, 11, 11, 13, 0, tzinfo=UTC), True,
                     id="08:00 EST on a Wednesday is open"),
        pytest.param(datetime(2026, 7, 15, 12, 0, tzinfo=UTC), True,
                     id="08:00 EDT in July is 12:00 UTC and open"),
        pytest.param(datetime(2026, 11, 12, 0, 59, tzinfo=UTC), True,
                     id="19:59 EST is still open"),
        pytest.param(datetime(2026, 11, 12, 1, 0, tzinfo=UTC), False,
                     id="20:00 EST is closed"),
        pytest.param(datetime(2026, 11, 14, 15, 0, tzinfo=UTC), False,
                     id="a Saturday is closed"),
    ],
)
def test_business_hours_follow_the_contract_zone(contract: Contract, instant: datetime,
                                                 open_: bool) -> None:
    assert in_business_hours(contract, "business-hours", instant) is open_
    assert in_business_hours(contract, "24x7", instant) is True


@pytest.mark.parametrize(
    ("instant", "active"),
    [
        pytest.param(datetime(2026, 11, 15, 7, 30, tzinfo=UTC), True,
                     id="Sunday 02:30 EST is inside the 02:00-04:00 maintenance"),
        pytest.param(datetime(2026, 11, 15, 9, 0, tzinfo=UTC), False,
                     id="Sunday 04:00 EST the maintenance is over"),
        pytest.param(datetime(2026, 11, 14, 7, 30, tzinfo=UTC), False,
                     id="Saturday 02:30 EST has no maintenance"),
    ],
)
def test_recurring_exclusions_are_active_only_inside_their_window(
    contract: Contract, instant: datetime, active: bool
) -> None:
    snap = snapshot_from_evaluations([contract], [], {}, instant)
    assert [(e.exclusion, e.active) for e in snap.exclusions] == [("sunday-maintenance", active)]


def test_slas_without_stored_results_still_show_their_target_and_period(
    contract: Contract,
) -> None:
    now = datetime(2026, 11, 11, 15, 0, tzinfo=UTC)
    snap = snapshot_from_evaluations([contract], [], {}, now)
    assert [(s.sla, s.period, s.target, s.attainment) for s in snap.slas] == [
        ("availability", "2026-11", 0.999, None),
        ("service-level", "2026-11", 0.8, None),
        ("abandon-rate", "2026-11", 0.05, None),
        ("asa", "2026-Q4", 30.0, None),
    ]
    assert snap.contracts[0].period == "2026-11"


def test_a_history_of_evaluations_shows_each_sla_once_from_the_newest_period(
    contract: Contract,
) -> None:
    now = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    october = Evaluation(contract.id, period_for(contract, "2026-10"), now, "provisional", (
        result("availability", "availability", D("0.95"), D(100), Target(D("0.999"))),))
    november = Evaluation(contract.id, period_for(contract, "2026-11"), now, "open", (
        result("availability", "availability", D("0.99"), D(100), Target(D("0.999"))),))
    snap = snapshot_from_evaluations([contract], [october, november], {}, now)
    s = by_sla(snap, "availability")
    assert (s.period, s.attainment) == ("2026-11", 0.99)
