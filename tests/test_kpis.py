"""Count-based KPIs and aggregation with the worked examples of penalty_formulas.md §5."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from monitor.domain.contract import (
    AbandonTreatment,
    Aggregation,
    AggregationMethod,
    AsaDenominator,
    CsatMethod,
    Direction,
    Metric,
    Sla,
    Status,
    Target,
)
from monitor.domain.evaluate import evaluate
from monitor.domain.measurements import Measurements
from monitor.domain.periods import period_for
from monitor.domain.results import SlaResult
from tests.factories import contract, intervals, sla

AS_OF = datetime(2026, 11, 5, tzinfo=UTC)
ICMI: dict[str, int] = {  # WE-1 / WE-15 inputs
    "offered": 1060, "answered": 1000, "abandoned": 60, "answered_within_20s": 860,
    "abandoned_within_20s": 20, "abandoned_within_5s": 10, "answer_wait_seconds": 24_000,
}
S20, S5 = timedelta(seconds=20), timedelta(seconds=5)


def result_of(one: Sla, rows: Sequence[Mapping[str, Any]]) -> SlaResult:
    c = contract([one])
    frame = intervals([{"interval_start": f"2026-10-01T{12 + i // 2:02d}:{30 * (i % 2):02d}Z",
                        **r} for i, r in enumerate(rows)])
    evaluation = evaluate(c, Measurements(frame), period_for(c, "2026-10"), AS_OF)
    return evaluation.result(one.id)


@pytest.mark.parametrize(
    ("treatment", "num", "den", "shown", "passes_82"),
    [
        pytest.param(AbandonTreatment.POSITIVE, 880, 1060, "83.0189", True,
                     id="F1 abandons within threshold are successes: 83.0189%"),
        pytest.param(AbandonTreatment.IGNORE, 860, 1000, "86.0000", True,
                     id="F2 answered only: 86.0000%"),
        pytest.param(AbandonTreatment.NEGATIVE, 860, 1060, "81.1321", False,
                     id="F3 every abandon fails: 81.1321% misses 82%"),
        pytest.param(AbandonTreatment.EXCLUDE_WITHIN_THRESHOLD, 860, 1040, "82.6923", True,
                     id="F4 abandons within threshold leave: 82.6923%"),
        pytest.param(AbandonTreatment.SHORT_AS_SUCCESS, 870, 1060, "82.0755", True,
                     id="F5 short abandons are successes: 82.0755%"),
        pytest.param(AbandonTreatment.EXCLUDE_SHORT, 860, 1050, "81.9048", False,
                     id="F6 short abandons leave, others fail: 81.9048% misses 82%"),
    ],
)
def test_we1_service_level_abandon_treatments(
    treatment: AbandonTreatment, num: int, den: int, shown: str, passes_82: bool
) -> None:
    r = result_of(sla("sl", target="0.82", abandons=treatment, threshold=S20, short_abandon=S5),
                  [ICMI])
    assert (r.evidence.numerator, r.evidence.denominator) == (num, den)
    assert r.value == Decimal(num) / Decimal(den)
    assert f"{r.value * 100:.4f}" == shown
    assert r.status is (Status.MET if passes_82 else Status.BREACHED)


@pytest.mark.parametrize(
    ("treatment", "expected"),
    [
        pytest.param(AbandonTreatment.EXCLUDE_WITHIN_THRESHOLD, Decimal(70) / Decimal(90),
                     id="Cisco ignore-abandoned is 77.7778%"),
        pytest.param(AbandonTreatment.NEGATIVE, Decimal("0.7"), id="Cisco negative is 70%"),
        pytest.param(AbandonTreatment.POSITIVE, Decimal("0.8"), id="Cisco positive is 80%"),
    ],
)
def test_we2_cisco_service_level_types(treatment: AbandonTreatment, expected: Decimal) -> None:
    # 70 answered within T, 10 abandoned within T, 20 exceeded T (answered late): 100 events.
    row = {"offered": 100, "answered": 90, "abandoned": 10, "answered_within_20s": 70,
           "abandoned_within_20s": 10}
    r = result_of(sla("sl", abandons=treatment, threshold=S20), [row])
    assert r.value == expected


WE3 = [(40, 38), (120, 84), (200, 150), (40, 40)]


def we3_rows() -> list[Mapping[str, Any]]:
    return [{"offered": o, "answered": o, "abandoned": 0, "answered_within_20s": a,
             "abandoned_within_20s": 0} for o, a in WE3]


@pytest.mark.parametrize(
    ("aggregation", "value", "status"),
    [
        pytest.param(Aggregation(), Decimal("0.78"), Status.BREACHED,
                     id="volume-weighted 312 of 400 is 78.0% and fails 80/20"),
        pytest.param(Aggregation(AggregationMethod.MEAN_OF_RATIOS), Decimal("0.85"), Status.MET,
                     id="a simple mean of interval ratios would wrongly pass at 85.0%"),
        pytest.param(Aggregation(AggregationMethod.INTERVAL_COMPLIANCE, Decimal("0.9")),
                     Decimal("0.5"), Status.BREACHED,
                     id="2 of 4 intervals meet 80%: 50% against a 90% share"),
        pytest.param(Aggregation(AggregationMethod.INTERVAL_COMPLIANCE, Decimal("0.5")),
                     Decimal("0.5"), Status.MET, id="a 50% share is met exactly at 2 of 4"),
    ],
)
def test_we3_aggregation_of_four_half_hours(
    aggregation: Aggregation, value: Decimal, status: Status
) -> None:
    r = result_of(sla("sl", threshold=S20, aggregation=aggregation), we3_rows())
    assert r.value == value
    assert r.status is status


@pytest.mark.parametrize(
    ("one", "value", "status"),
    [
        pytest.param(sla("asa", Metric.ASA, target_obj=Target(Decimal(30), Direction.MAX)),
                     Decimal(24), Status.MET, id="ASA on answered calls is 24.00 s"),
        pytest.param(sla("asa", Metric.ASA, denominator=AsaDenominator.OFFERED,
                         target_obj=Target(Decimal("22.5"), Direction.MAX)),
                     Decimal(24_000) / Decimal(1060), Status.BREACHED,
                     id="ASA on calls received is 22.64 s and misses 22.5 s"),
        pytest.param(sla("ab", Metric.ABANDON_RATE,
                         target_obj=Target(Decimal("0.05"), Direction.MAX)),
                     Decimal(60) / Decimal(1060), Status.BREACHED,
                     id="abandon rate over offered is 5.660% and fails 5%"),
        pytest.param(sla("ab", Metric.ABANDON_RATE, short_abandon=S5,
                         target_obj=Target(Decimal("0.05"), Direction.MAX)),
                     Decimal(50) / Decimal(1050), Status.MET,
                     id="without abandons under 5 s it is 4.762% and passes 5%"),
    ],
)
def test_we15_asa_and_abandon_denominators(one: Sla, value: Decimal, status: Status) -> None:
    r = result_of(one, [ICMI])
    assert r.value == value
    assert r.status is status
    assert f"{r.value:.4f}" in {"24.0000", "22.6415", "0.0566", "0.0476"}


def test_aht_and_fcr_are_sums_over_sums() -> None:
    rows = [{"offered": 10, "answered": 10, "abandoned": 0, "handled": 10,
             "handle_seconds": 3000, "fcr_resolved": 7, "fcr_eligible": 10},
            {"offered": 30, "answered": 30, "abandoned": 0, "handled": 30,
             "handle_seconds": 6000, "fcr_resolved": 27, "fcr_eligible": 30}]
    aht = result_of(sla("aht", Metric.AHT, target_obj=Target(Decimal(240), Direction.MAX)), rows)
    assert aht.value == Decimal(225)
    assert aht.status is Status.MET
    fcr = result_of(sla("fcr", Metric.FCR, target="0.85"), rows)
    assert fcr.value == Decimal("0.85")
    assert fcr.status is Status.MET


@pytest.mark.parametrize(
    ("method", "value"),
    [
        pytest.param(CsatMethod.TOP2BOX, Decimal("0.6"), id="top-2-box counts 4s and 5s: 60%"),
        pytest.param(CsatMethod.MEAN_SCORE, Decimal("0.65"),
                     id="mean score maps 5 to 100% and 1 to 0%: 26 of 40 is 65%"),
    ],
)
def test_csat_methods(method: CsatMethod, value: Decimal) -> None:
    # 10 answers: one 1, two 2s, one 3, two 4s, four 5s; mean-score points 0+2+2+6+16 = 26.
    row = {"offered": 10, "answered": 10, "abandoned": 0, "csat_1": 1, "csat_2": 2,
           "csat_3": 1, "csat_4": 2, "csat_5": 4}
    r = result_of(sla("csat", Metric.CSAT, method=method, target="0.85",
                      key_measurement=True), [row])
    assert r.value == value
    assert r.status is Status.KEY_MEASUREMENT_MISSED


def test_a_missing_column_is_insufficient_data_never_met_or_breached() -> None:
    r = result_of(sla("asa", Metric.ASA, target_obj=Target(Decimal(30), Direction.MAX)),
                  [{"offered": 5, "answered": 5, "abandoned": 0}])
    assert r.status is Status.INSUFFICIENT_DATA
    assert r.value is None
    assert r.evidence.details["missing_columns"] == "answer_wait_seconds"


def test_zero_volume_is_insufficient_data() -> None:
    r = result_of(sla("sl", threshold=S20), [{"offered": 0, "answered": 0, "abandoned": 0,
                                              "answered_within_20s": 0,
                                              "abandoned_within_20s": 0}])
    assert r.status is Status.INSUFFICIENT_DATA
    assert r.value is None


def test_a_value_exactly_on_target_is_met_by_exact_comparison() -> None:
    # 4/5 = 0.8 exactly; no float rounding can push it below.
    row = {"offered": 5, "answered": 5, "abandoned": 0, "answered_within_20s": 4,
           "abandoned_within_20s": 0}
    assert result_of(sla("sl", threshold=S20, target="0.8"), [row]).status is Status.MET
    assert result_of(sla("sl", threshold=S20, target="0.8000001"),
                     [row]).status is Status.BREACHED
