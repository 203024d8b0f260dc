"""A year evaluated period by period: each span measured once, only its own data held."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pandas as pd

from monitor.domain.contract import Direction, Metric, PeriodKind, Target
from monitor.domain.evaluate import evaluate
from monitor.domain.history import evaluate_periods
from monitor.domain.measurements import Measurements
from monitor.domain.periods import period_for
from tests.factories import contract, intervals, sla

SL = sla("sl", threshold=timedelta(seconds=20))
ASA = sla("asa", Metric.ASA, target_obj=Target(Decimal(30), Direction.MAX),
          period=PeriodKind.QUARTER)
CONTRACT = contract([SL, ASA])


def half_year() -> pd.DataFrame:
    """One noon interval per day, Jan-Jun 2026: 10 offered, 9 answered (8 within 20 s, no
    abandon within 20 s: service level 8 / 10);
    the answer wait is 20 s per call in Q1 and 40 s in Q2."""
    rows = []
    day = datetime(2026, 1, 1, 17, 0, tzinfo=UTC)
    while day < datetime(2026, 7, 1, tzinfo=UTC):
        wait = 20 if day.month <= 3 else 40
        rows.append({"interval_start": day, "offered": 10, "answered": 9, "abandoned": 1,
                     "answered_within_20s": 8, "abandoned_within_20s": 0,
                     "answer_wait_seconds": 9 * wait})
        day += timedelta(days=1)
    return intervals(rows)


def test_six_months_measure_two_quarters_and_match_the_whole_span() -> None:
    frame = half_year()
    asked: list[tuple[datetime, datetime]] = []

    def measure(start: datetime, end: datetime) -> Measurements:
        asked.append((start, end))
        inside = (frame["interval_start"] >= start) & (frame["interval_start"] < end)
        return Measurements(frame[inside].reset_index(drop=True))

    months = [period_for(CONTRACT, f"2026-{m:02d}") for m in range(1, 7)]
    as_of = datetime(2026, 7, 15, tzinfo=UTC)
    history = evaluate_periods(CONTRACT, months, measure, as_of)
    # the quarterly ASA needs its quarter: Q1 for Jan-Mar, Q2 for Apr-Jun, one call each
    q1, q2 = period_for(CONTRACT, "2026-Q1"), period_for(CONTRACT, "2026-Q2")
    assert asked == [(q1.start, q1.end), (q2.start, q2.end)]
    assert [e.period.label for e in history.evaluations] == [p.label for p in months]
    whole = Measurements(frame)
    for got, period in zip(history.evaluations, months, strict=True):
        expected = evaluate(CONTRACT, whole, period, as_of, keep_intervals=False)
        assert [(r.sla_id, r.value, r.status) for r in got.results] == [
            (r.sla_id, r.value, r.status) for r in expected.results]
    sl_values = {e.period.label: e.results[0].value for e in history.evaluations}
    assert set(sl_values.values()) == {Decimal(8) / 10}  # 8 of 10
    asa = {e.period.label: e.results[1].value for e in history.evaluations}
    assert (asa["2026-02"], asa["2026-05"]) == (20, 40)
    assert len(history.credits) == 6
