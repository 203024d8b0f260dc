"""Properties of the engine that must hold for any data (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.domain.contract import (
    AbandonTreatment,
    Aggregation,
    AggregationMethod,
    AvailabilityFormula,
    Exclusion,
    Metric,
    Queue,
    Sla,
)
from monitor.domain.evaluate import evaluate
from monitor.domain.measurements import Measurements, Outage
from monitor.domain.periods import period_for
from tests.factories import BILLING, NY, contract, intervals, sla

AS_OF = datetime(2026, 11, 5, tzinfo=UTC)
OCT = datetime(2026, 10, 1, tzinfo=NY)
S20, S5 = timedelta(seconds=20), timedelta(seconds=5)
OTHER = "queue-b"
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def interval_row(draw: st.DrawFn) -> dict[str, Any]:
    answered = draw(st.integers(0, 300))
    abandoned = draw(st.integers(0, 60))
    ab20 = draw(st.integers(0, abandoned))
    return {
        "interval_start": (OCT + timedelta(minutes=30 * draw(st.integers(0, 1487)))).isoformat(),
        "offered": answered + abandoned + draw(st.integers(0, 5)),
        "answered": answered, "abandoned": abandoned,
        "answered_within_20s": draw(st.integers(0, answered)),
        "abandoned_within_20s": ab20, "abandoned_within_5s": draw(st.integers(0, ab20)),
        "csat_1": draw(st.integers(0, 5)), "csat_4": draw(st.integers(0, 5)),
        "csat_2": 0, "csat_3": 0, "csat_5": draw(st.integers(0, 5)),
    }


rows_strategy = st.lists(interval_row(), min_size=1, max_size=25,
                         unique_by=lambda r: r["interval_start"])

RATIO_SLAS: list[Sla] = [
    *(sla(f"sl-{t}", abandons=t, threshold=S20, short_abandon=S5) for t in AbandonTreatment),
    sla("sl-intervals", threshold=S20,
        aggregation=Aggregation(AggregationMethod.INTERVAL_COMPLIANCE, Decimal("0.9"))),
    sla("sl-mean", threshold=S20, aggregation=Aggregation(AggregationMethod.MEAN_OF_RATIOS)),
    sla("abandon", Metric.ABANDON_RATE, "0.05", short_abandon=S5),
    sla("csat", Metric.CSAT, "0.85"),
]
QUEUES = (Queue(BILLING, "Billing"), Queue(OTHER, "B"))


def values(frame: pd.DataFrame) -> dict[str, Decimal | None]:
    c = contract(RATIO_SLAS, queues=QUEUES)
    ev = evaluate(c, Measurements(frame), period_for(c, "2026-10"), AS_OF, keep_intervals=False)
    return {r.sla_id: r.value for r in ev.results}


@SETTINGS
@given(rows_strategy)
def test_ratio_attainment_is_always_between_0_and_1(rows: list[dict[str, Any]]) -> None:
    for value in values(intervals(rows)).values():
        assert value is None or 0 <= value <= 1


@SETTINGS
@given(rows_strategy, st.randoms(use_true_random=False))
def test_splitting_an_intervals_counts_across_rows_gives_the_same_result(
    rows: list[dict[str, Any]], rnd: Any
) -> None:
    split: list[dict[str, Any]] = []
    for r in rows:
        a, b = dict(r), dict(r, queue=OTHER)
        for key, value in r.items():
            if isinstance(value, int):
                a[key] = rnd.randint(0, value)
                b[key] = value - a[key]
        split += [a, b]
    assert values(intervals(split)) == values(intervals(rows))


@st.composite
def outage(draw: st.DrawFn) -> Outage:
    start = OCT + timedelta(minutes=draw(st.integers(-600, 44_640)))
    length = timedelta(minutes=draw(st.integers(0, 3000)))
    impact = draw(st.sampled_from(["full", "full", "partial", "degraded"]))
    return Outage(draw(st.sampled_from(["voice", "ccp"])), start, start + length, impact,
                  draw(st.sampled_from([0.1, 0.5, 1.0])), draw(st.booleans()))


@st.composite
def window(draw: st.DrawFn) -> Exclusion:
    start = OCT + timedelta(minutes=draw(st.integers(0, 44_640)))
    return Exclusion(f"w{draw(st.integers(0, 10**6))}", "test window", None, start,
                     start + timedelta(minutes=draw(st.integers(1, 5000))))


def availability(formula: AvailabilityFormula, outages: list[Outage],
                 exclusions: list[Exclusion]) -> Decimal | None:
    one = sla("availability", Metric.AVAILABILITY, "0.9999", formula=formula)
    c = contract([one], exclusions=exclusions)
    ev = evaluate(c, Measurements(Measurements.empty().intervals, tuple(outages)),
                  period_for(c, "2026-10"), AS_OF)
    return ev.result("availability").value


@SETTINGS
@given(st.sampled_from(list(AvailabilityFormula)), st.lists(outage(), max_size=6),
       st.lists(window(), max_size=3))
def test_availability_is_always_between_0_and_1(
    formula: AvailabilityFormula, outages: list[Outage], exclusions: list[Exclusion]
) -> None:
    value = availability(formula, outages, exclusions)
    assert value is None or 0 <= value <= 1


@SETTINGS
@given(st.sampled_from([AvailabilityFormula.PLAIN, AvailabilityFormula.ADD_BACK_EXCLUDED,
                        AvailabilityFormula.USER_MINUTES]),
       st.lists(outage(), max_size=6), st.lists(window(), max_size=3), window())
def test_adding_an_excluded_window_never_lowers_contractual_availability(
    formula: AvailabilityFormula, outages: list[Outage], exclusions: list[Exclusion],
    extra: Exclusion,
) -> None:
    before = availability(formula, outages, exclusions)
    after = availability(formula, outages, [*exclusions, extra])
    assert before is not None
    assert after is not None
    assert after >= before


def test_the_nice_formula_can_fall_when_excusable_time_grows_without_downtime() -> None:
    """Documented exception to the property above: (x - y - z) / (x - y) falls as y grows
    while z stays, because the denominator shrinks. That is NICE's formula, not a bug."""
    down = [Outage("voice", OCT + timedelta(days=2), OCT + timedelta(days=2, hours=1), "full")]
    quiet = Exclusion("quiet", "a window with no outage", None, OCT + timedelta(days=9),
                      OCT + timedelta(days=10))
    formula = AvailabilityFormula.EXCUSABLE_DENOMINATOR
    assert availability(formula, down, [quiet]) == Decimal(44_640 - 1440 - 60) / Decimal(
        44_640 - 1440)
    with_window, without = availability(formula, down, [quiet]), availability(formula, down, [])
    assert with_window is not None
    assert without is not None
    assert with_window < without


@SETTINGS
@given(rows_strategy, st.randoms(use_true_random=False))
def test_row_order_does_not_change_the_result(rows: list[dict[str, Any]], rnd: Any) -> None:
    # Time-sorted frames take the contiguous `reduceat` path, shuffled ones `bincount`.
    ordered = sorted(rows, key=lambda r: r["interval_start"])
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert values(intervals(ordered)) == values(intervals(shuffled))
