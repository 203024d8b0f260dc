"""Open-period states: a miss on day 6 that the rest of the month can still repair is
`at_risk`, not `breached`; only an ended period is breached; `--as-of` cuts the data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from monitor.domain.contract import Direction, Metric, Target
from monitor.domain.evaluate import evaluate
from monitor.domain.measurements import Measurements, Outage
from monitor.domain.outlook import Standing, needs_text, outlook_of
from monitor.domain.periods import period_for
from tests.factories import NY, contract, intervals, sla

S20 = timedelta(seconds=20)
SL = contract([sla("sl", threshold=S20)])
OCTOBER = period_for(SL, "2026-10")  # 31 days in New York, no DST change inside


def row(start: datetime, offered: int, within: int) -> dict[str, object]:
    return {"interval_start": start, "offered": offered, "answered": offered, "abandoned": 0,
            "answered_within_20s": within, "abandoned_within_20s": 0}


def measured(rows: list[dict[str, object]]) -> Measurements:
    return Measurements(intervals(rows), ())


FIRST_FIVE_DAYS = [row(datetime(2026, 10, d, 12, tzinfo=NY), 100, 75) for d in range(1, 6)]


def test_a_miss_on_day_six_that_can_still_be_repaired_is_at_risk_not_breached() -> None:
    # 375 of 500 within 20 s = 0.75 < 0.80. Five of 31 days gone: the month is expected to
    # bring 500 * 31 / 5 = 3,100 contacts, 2,600 still to come. Best case
    # (375 + 2,600) / 3,100 = 0.9597 meets 0.80; the rest must average
    # (0.80 * 3,100 - 375) / 2,600 = 2,105 / 2,600 = 0.8096.
    ev = evaluate(SL, measured(FIRST_FIVE_DAYS), OCTOBER, datetime(2026, 10, 6, tzinfo=NY))
    result = ev.result("sl")
    o = outlook_of(result)
    assert result.value == Decimal("0.75")
    assert o.standing is Standing.AT_RISK
    assert o.best_case is not None
    assert o.needed is not None
    assert round(o.best_case, 12) == round(Decimal(2975) / 3100, 12)
    assert round(o.needed, 12) == round(Decimal(2105) / 2600, 12)
    assert o.remaining_days == 26
    assert needs_text(SL.sla("sl"), o) == "needs 81.0 % for the remaining 26 days"


def test_the_same_figures_after_the_month_has_ended_are_breached() -> None:
    ev = evaluate(SL, measured(FIRST_FIVE_DAYS), OCTOBER, datetime(2026, 11, 2, tzinfo=UTC))
    o = outlook_of(ev.result("sl"))
    assert (o.standing, o.open, o.needed) == (Standing.BREACHED, False, None)


def test_a_miss_no_perfect_rest_of_month_can_repair_is_breach_certain() -> None:
    # 30 days gone with 3,000 offered and 1,500 within: expected 3,100, best case
    # (1,500 + 100) / 3,100 = 0.516 < 0.80.
    rows = [row(datetime(2026, 10, d, 12, tzinfo=NY), 100, 50) for d in range(1, 31)]
    ev = evaluate(SL, measured(rows), OCTOBER, datetime(2026, 10, 31, tzinfo=NY))
    o = outlook_of(ev.result("sl"))
    assert o.standing is Standing.BREACH_CERTAIN
    assert needs_text(SL.sla("sl"), o) == "cannot meet target in the remaining 24 hours"


def test_a_met_open_month_is_on_track() -> None:
    rows = [row(datetime(2026, 10, d, 12, tzinfo=NY), 100, 90) for d in range(1, 6)]
    ev = evaluate(SL, measured(rows), OCTOBER, datetime(2026, 10, 6, tzinfo=NY))
    assert outlook_of(ev.result("sl")).standing is Standing.ON_TRACK


def test_as_of_cuts_the_rows_after_it() -> None:
    # The 16th's terrible day happened after --as-of 2026-10-15: it must not count.
    rows = [*FIRST_FIVE_DAYS, row(datetime(2026, 10, 16, 12, tzinfo=NY), 1000, 0)]
    ev = evaluate(SL, measured(rows), OCTOBER, datetime(2026, 10, 15, tzinfo=NY))
    assert ev.result("sl").evidence.denominator == 500
    assert ev.result("sl").value == Decimal("0.75")


AVAIL = contract([sla("availability", Metric.AVAILABILITY, "0.999")])


@pytest.mark.parametrize(("down", "standing"), [
    pytest.param(5, Standing.AT_RISK,
                 id="5 min down on day 1: 1,435 / 1,440 misses 99.9 % so far, repairable"),
    pytest.param(45, Standing.BREACH_CERTAIN,
                 id="45 min down: even a perfect rest ends at 44,595 / 44,640 < 99.9 %"),
])
def test_open_month_availability_uses_elapsed_minutes(down: int, standing: Standing) -> None:
    # One day (1,440 minutes) of October's 44,640 gone; the value is over elapsed minutes
    # (1,440 - down) / 1,440, not over the whole month's.
    outage = Outage("voice", datetime(2026, 10, 1, 12, tzinfo=NY),
                    datetime(2026, 10, 1, 12, tzinfo=NY) + timedelta(minutes=down), "full")
    ev = evaluate(AVAIL, Measurements(Measurements.empty().intervals, (outage,)),
                  period_for(AVAIL, "2026-10"), datetime(2026, 10, 2, tzinfo=NY))
    result = ev.result("availability")
    assert result.value == Decimal(1440 - down) / 1440
    assert result.evidence.denominator == 1440
    assert outlook_of(result).standing is standing


def test_monitoring_that_began_late_in_the_month_judges_the_rest_by_its_own_rate() -> None:
    # Collection began on the 20th: 100 offered on the 20th, 30 within 20 s (0.30). Judged
    # on the 19 empty days before it, 100 contacts in 19 1/2 of 31 days would leave room
    # for only 59 more and call the miss certain; from the 20th on, half a day brought 100
    # (200 a day), so 11 1/2 days to come bring 2,300 more: best case 2,330 / 2,400 = 0.97.
    rows = [row(datetime(2026, 10, 20, 0, tzinfo=NY), 100, 30)]
    ev = evaluate(SL, measured(rows), OCTOBER, datetime(2026, 10, 20, 12, tzinfo=NY))
    o = outlook_of(ev.result("sl"))
    assert o.standing is Standing.AT_RISK
    assert o.best_case is not None
    assert round(o.best_case, 12) == round(Decimal(2330) / 2400, 12)


def test_a_ceiling_says_what_the_rest_must_stay_under() -> None:
    # Abandon rate <= 5 %: 30 of 500 abandoned (6 %) in the first five days; expected
    # 3,100 contacts, so the remaining 2,600 may abandon at most 0.05 * 3,100 - 30 = 125,
    # 125 / 2,600 = 4.8 %.
    ceiling = contract([sla("ab", Metric.ABANDON_RATE, target_obj=Target(
        Decimal("0.05"), Direction.MAX))])
    rows = [{"interval_start": datetime(2026, 10, d, 12, tzinfo=NY), "offered": 100,
             "answered": 94, "abandoned": 6} for d in range(1, 6)]
    ev = evaluate(ceiling, measured(rows), OCTOBER, datetime(2026, 10, 6, tzinfo=NY))
    o = outlook_of(ev.result("ab"))
    assert o.standing is Standing.AT_RISK
    assert needs_text(ceiling.sla("ab"), o) == "needs at most 4.8 % for the remaining 26 days"
