"""The vendor scorecard: trend, periods met and consistency, on hand-worked numbers.

October's service level is 8 intervals of 1,250 offered with 1,100, 1,000, 900, 1,050,
1,000, 950, 900, 950 within 20 s: 0.88, 0.80, 0.72, 0.84, 0.80, 0.76, 0.72, 0.76. Sorted
0.72 0.72 0.76 0.76 0.80 0.80 0.84 0.88; linear quantiles at position q x 7:
p10 (0.7) = 0.72, p25 (1.75) = 0.75, median (3.5) = 0.78, p75 (5.25) = 0.81,
p90 (6.3) = 0.852; IQR 0.06, p10-p90 0.132; 4 of 8 intervals reach 80 %.
Monthly values 0.812 (met), 0.795, 0.785 (breached): slope -0.0135 per month, declining.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from decimal import Decimal

import pandas as pd
import pytest

from monitor.domain.contract import Direction, Status, Target
from monitor.domain.results import Evidence
from monitor.reports.scorecard import SlaScorecard, build_scorecard, interval_values, spread_of
from tests.test_report_model import acme_october, past_month, result

D = Decimal


def card_for(sla_id: str) -> SlaScorecard:
    card = build_scorecard(acme_october())
    return next(s for s in card.slas if s.sla_id == sla_id)


def test_scorecard_covers_the_history_and_the_reported_period_in_order() -> None:
    card = build_scorecard(acme_october())
    assert card.periods == ("2026-08", "2026-09", "2026-10")
    assert [s.sla_id for s in card.slas] == [
        "availability", "service-level-voice", "abandon-rate", "asa", "csat"]


def test_service_level_met_one_month_of_three_and_is_declining() -> None:
    sl = card_for("service-level-voice")
    assert [p.value for p in sl.points] == [D("0.812"), D("0.795"), D("0.785")]
    assert (sl.periods_met, sl.periods_measured) == (1, 3)
    assert sl.slope == pytest.approx(-0.0135)
    assert sl.trend == "declining"


def test_credits_across_periods_add_up_per_sla_and_in_total() -> None:
    card = build_scorecard(acme_october())
    assert card_for("service-level-voice").credits == D("2880.00")  # 0 + 1,440 + 1,440
    assert card.credit_total == D("0.00") + D("1440.00") + D("2400.00")


def test_consistency_is_the_spread_of_interval_results() -> None:
    spread = card_for("service-level-voice").points[-1].spread
    assert spread is not None
    assert spread.intervals == 8
    assert spread.p10 == pytest.approx(0.72)
    assert spread.p25 == pytest.approx(0.75)
    assert spread.median == pytest.approx(0.78)
    assert spread.p75 == pytest.approx(0.81)
    assert spread.p90 == pytest.approx(0.852)
    assert spread.iqr == pytest.approx(0.06)
    assert spread.p10_p90 == pytest.approx(0.132)
    assert spread.share_meeting_target == pytest.approx(0.5)


def test_periods_without_interval_evidence_have_no_spread() -> None:
    sl = card_for("service-level-voice")
    assert sl.points[0].spread is None
    assert sl.spread is not None
    assert sl.spread.intervals == 8  # October's alone


def test_a_key_measurement_miss_counts_as_measured_but_not_met() -> None:
    csat = card_for("csat")
    assert (csat.periods_met, csat.periods_measured) == (0, 1)
    assert csat.trend == "n/a"


def engine_frame() -> pd.DataFrame:
    """The engine's per-interval shape: numerator/denominator with calendar flags."""
    return pd.DataFrame({
        "interval_start": pd.date_range("2026-10-01 12:00", periods=5, freq="30min", tz=UTC),
        "numerator": [40, 30, 0, 50, 10],
        "denominator": [50, 50, 0, 50, 100],
        "in_calendar": [True, True, True, True, False],
        "excluded": [False, False, False, True, False],
    })


def test_interval_values_keep_only_counted_intervals_with_volume() -> None:
    evidence = Evidence(numerator=D(70), denominator=D(100), intervals=2,
                        excluded_minutes=D(30), formula="x", per_interval=engine_frame())
    # 40/50 and 30/50 count; the empty one, the excluded one and the closed one do not.
    assert interval_values(evidence).tolist() == [0.8, 0.6]


@pytest.mark.parametrize(
    ("direction", "share"),
    [(Direction.MIN, 0.5), (Direction.MAX, 0.75)],
    ids=["a minimum target is met at or above it", "a maximum target is met at or below it"],
)
def test_share_meeting_target_follows_the_direction(direction: Direction, share: float) -> None:
    values = pd.Series([20.0, 30.0, 31.0, 10.0])
    spread = spread_of(values, pd.Series([30.0] * 4), direction)
    assert spread is not None
    assert spread.share_meeting_target == share


def test_a_falling_asa_is_an_improving_trend() -> None:
    history = []
    for m, asa in ((8, "40"), (9, "35")):
        base = past_month(m, "1.0", "0.81", Status.MET, "0.00")
        ev = replace(base.evaluation, results=(
            result("asa", "asa", asa, Target(D("30"), Direction.MAX), Status.BREACHED,
                   "0", "0"),))
        history.append(replace(base, evaluation=ev))
    data = acme_october(history=tuple(history))
    card = next(s for s in build_scorecard(data).slas if s.sla_id == "asa")
    # 40, 35, then October's 24.6 s: slope -7.7 s per period, better for a maximum target.
    assert card.slope == pytest.approx(-7.7)
    assert card.trend == "improving"
    assert (card.periods_met, card.periods_measured) == (1, 3)


def test_a_change_within_a_tenth_of_a_point_is_steady() -> None:
    history = tuple(past_month(m, value, "0.81", Status.MET, "0.00")
                    for m, value in ((8, "0.9995"), (9, "0.9990")))
    ev = acme_october().evaluation
    avail = replace(ev.result("availability"), value=D("0.9990"))
    data = acme_october(history=history, evaluation=replace(
        ev, results=(avail, *ev.results[1:])))
    card = next(s for s in build_scorecard(data).slas if s.sla_id == "availability")
    assert card.slope == pytest.approx(-0.00025)
    assert card.trend == "steady"
