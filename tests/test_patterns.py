"""Recurring causes and consistency across queues, on worked interval data.

The data: September to November 2026, New York, business hours Mon-Fri 08:00-20:00 with US
holidays (Labor Day, Columbus Day, Veterans Day, Thanksgiving closed), 30-minute intervals of
20 contacts each. Business days: 21 in September (3 Mondays), 21 in October (3 Mondays, the
12th is Columbus Day), 19 in November (5 Mondays). A day has 24 intervals = 480 contacts.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from monitor.domain.contract import (
    Calendar,
    Contract,
    Direction,
    Metric,
    Queue,
    Rounding,
    Sla,
    Sources,
    Status,
    Target,
    TimeRange,
)
from monitor.domain.patterns import (
    band_key,
    consistency,
    queue_key,
    rank,
    recurring_cells,
    repeat_misses,
    site_key,
)
from monitor.domain.periods import period_for
from monitor.domain.results import Evaluation, Evidence, SlaResult

NY = ZoneInfo("America/New_York")
BUSINESS = Calendar(id="business-hours",
                    weekly={d: (TimeRange(time(8), time(20)),) for d in range(5)},
                    holiday_country="US")
SL = Sla(id="sl-voice", metric=Metric.SERVICE_LEVEL, target=Target(Decimal("0.80")),
         calendar="business-hours", threshold=timedelta(seconds=20))
ASA = Sla(id="asa", metric=Metric.ASA, target=Target(Decimal(30), Direction.MAX),
          calendar="business-hours")
QUEUES = (Queue("q-bos", "Boston", site="boston"), Queue("q-den", "Denver", site="denver"),
          Queue("q-den2", "Denver 2", site="denver"))
CONTRACT = Contract(
    id="acme", name="ACME", vendor="csv", currency="USD", tz=NY,
    effective_from=date(2026, 1, 1), effective_to=None, rounding=Rounding(), fees={},
    calendars={"business-hours": BUSINESS}, exclusions=(), sources=Sources(queues=QUEUES),
    slas=(SL, ASA),
)
MONTHS = ("2026-09", "2026-10", "2026-11")
PERIODS = [period_for(CONTRACT, m) for m in MONTHS]


def slots() -> pd.DatetimeIndex:
    """Every 30-minute interval 08:00-20:00 local on every weekday (holidays included: the
    calendar, not the data, decides what counts)."""
    out: list[datetime] = []
    day = date(2026, 9, 1)
    while day < date(2026, 12, 1):
        if day.weekday() < 5:
            for k in range(24):
                local = datetime.combine(day, time(8)) + timedelta(minutes=30 * k)
                out.append(local.replace(tzinfo=NY))
        day += timedelta(days=1)
    return pd.DatetimeIndex(pd.to_datetime(out, utc=True))


def frame(starts: pd.DatetimeIndex, offered: np.ndarray, within: np.ndarray,
          queue: str = "q-bos", wait: np.ndarray | None = None) -> pd.DataFrame:
    df = pd.DataFrame({
        "queue": queue, "channel": "voice", "interval_start": starts, "interval_minutes": 30,
        "offered": offered, "answered": offered, "abandoned": 0,
        "answered_within_20s": within, "abandoned_within_20s": 0,
    })
    df["answer_wait_seconds"] = wait if wait is not None else offered * 10
    return df


def is_monday_morning(starts: pd.DatetimeIndex) -> np.ndarray:
    local = starts.tz_convert(NY)
    return np.asarray((local.day_of_week == 0) & (local.hour >= 8) & (local.hour < 10))


def seeded_exact() -> pd.DataFrame:
    """85 % everywhere, 40 % (8 of 20) on Monday 08:00-10:00."""
    starts = slots()
    offered = np.full(len(starts), 20)
    within = np.where(is_monday_morning(starts), 8, 17)
    return frame(starts, offered, within)


def noisy(rate_monday: float, rate_rest: float, seed: int, shuffle: bool = False
          ) -> pd.DataFrame:
    """Poisson volumes around 20 and binomial answers; `shuffle` permutes the counts among
    the intervals of each month, which keeps every monthly total and destroys any pattern."""
    rng = np.random.default_rng(seed)
    starts = slots()
    offered = rng.poisson(20, len(starts))
    p = np.where(is_monday_morning(starts), rate_monday, rate_rest)
    within = rng.binomial(offered, p)
    df = frame(starts, offered, within)
    if shuffle:
        month = starts.tz_convert(NY).month
        for m in (9, 10, 11):
            idx = np.flatnonzero(month == m)
            perm = rng.permutation(idx)
            for col in ("offered", "answered", "answered_within_20s", "answer_wait_seconds"):
                df.loc[idx, col] = df.loc[perm, col].to_numpy()
    return df


# --- weekday x time band ----------------------------------------------------------------

def test_a_monday_morning_band_failing_in_each_of_three_months_is_found_with_its_cost() -> None:
    """Shortfall per month = 80 % of the band's contacts - the 8-of-20 answered in time:
    Sep and Oct 3 Mondays x 4 intervals x 20 = 240 contacts: 192 - 96 = 96 of 10 080;
    Nov 5 Mondays = 400 contacts: 320 - 160 = 160 of 9 120 (Veterans Day and Thanksgiving)."""
    (cause,) = recurring_cells(seeded_exact(), CONTRACT, SL, PERIODS, band_key(2), "time_band")
    assert cause.subject == "Mon 08:00-10:00"
    assert cause.periods == MONTHS
    assert cause.costs == (Decimal(96) / 10080, Decimal(96) / 10080, Decimal(160) / 9120)
    assert f"{cause.cost * 100:.4f}" == "1.2197"  # (0.9524 + 0.9524 + 1.7544) / 3
    assert cause.describe() == (
        "sl-voice: Mon 08:00-10:00 fails in 2026-09, 2026-10, 2026-11; "
        "costs 1.22 points a period")


def test_a_noisy_seeded_band_is_found_and_nothing_else() -> None:
    causes = recurring_cells(noisy(0.40, 0.85, seed=7), CONTRACT, SL, PERIODS, band_key(),
                             "time_band")
    assert [c.subject for c in causes] == ["Mon 08:00-10:00"]


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (lambda: noisy(0.40, 0.85, seed=7, shuffle=True), "shuffled"),
        (lambda: noisy(0.80, 0.80, seed=11), "every cell exactly on target, noise only"),
        (lambda: noisy(0.70, 0.70, seed=13), "every cell below target alike"),
    ],
    ids=[
        "the same counts shuffled within each month show no pattern",
        "binomial noise around target is not a pattern",
        "a uniformly bad service has no band that stands out",
    ],
)
def test_random_failures_are_not_flagged(data: object, why: str) -> None:
    assert recurring_cells(data(), CONTRACT, SL, PERIODS, band_key(), "time_band") == []  # type: ignore[operator]


def test_a_band_that_fails_in_only_two_of_three_months_is_not_a_pattern() -> None:
    df = seeded_exact()
    november = df["interval_start"].dt.tz_convert(NY).dt.month == 11
    df.loc[november, "answered_within_20s"] = 17
    assert recurring_cells(df, CONTRACT, SL, PERIODS, band_key(), "time_band") == []


def test_fewer_periods_than_required_find_nothing() -> None:
    assert recurring_cells(seeded_exact(), CONTRACT, SL, PERIODS[:2], band_key(),
                           "time_band") == []


def test_a_slow_monday_morning_for_asa_is_found_in_seconds() -> None:
    """ASA target at most 30 s; Monday morning waits 60 s a contact, elsewhere 10-11 s.
    Excess per month = 60*n - 30*n = 30 s x contacts, over all answered contacts."""
    starts = slots()
    offered = np.full(len(starts), 20)
    rest = np.where(np.arange(len(starts)) % 2 == 0, 200, 220)
    wait = np.where(is_monday_morning(starts), 1200, rest)
    df = frame(starts, offered, np.full(len(starts), 17), wait=wait)
    (cause,) = recurring_cells(df, CONTRACT, ASA, PERIODS, band_key(), "time_band")
    assert cause.subject == "Mon 08:00-10:00"
    assert cause.costs == (Decimal(30 * 240) / 10080, Decimal(30 * 240) / 10080,
                           Decimal(30 * 400) / 9120)


# --- queues, sites, consistency ---------------------------------------------------------

def three_queues() -> pd.DataFrame:
    """Boston 90 % on 20 a slot, Denver 60 % on 10, Denver 2 85 % on 10."""
    starts = slots()
    n = len(starts)
    return pd.concat([
        frame(starts, np.full(n, 20), np.full(n, 18), "q-bos"),
        frame(starts, np.full(n, 10), np.full(n, 6), "q-den"),
        frame(starts, np.full(n, 10), np.full(n, 8) + (np.arange(n) % 2), "q-den2"),
    ], ignore_index=True)


def test_the_queue_dragging_the_aggregate_down_is_found_every_month() -> None:
    """Denver misses by 20 points on a quarter of the contacts: 0.20 x 1/4 = 5 points."""
    (cause,) = recurring_cells(three_queues(), CONTRACT, SL, PERIODS, queue_key, "queue")
    assert (cause.kind, cause.subject, cause.costs) == (
        "queue", "q-den", (Decimal("0.05"), Decimal("0.05"), Decimal("0.05")))


def test_consistency_ranks_each_queue_against_the_aggregate_weakest_first() -> None:
    """September: 21 days x 24 slots = 504 slots. Boston 10 080 contacts, 9 072 in time;
    Denver 5 040, 3 024; Denver 2 5 040, 4 032 + 252 = 4 284 (85 %). Aggregate
    16 380 / 20 160 = 81.25 %."""
    rows = consistency(three_queues(), CONTRACT, SL, PERIODS[0])
    assert [(r.subject, r.numerator, r.denominator, r.attainment, r.meets_target)
            for r in rows] == [
        ("q-den", 3024, 5040, Decimal("0.6"), False),
        ("q-den2", 4284, 5040, Decimal("0.85"), True),
        ("q-bos", 9072, 10080, Decimal("0.9"), True),
    ]
    assert {r.aggregate for r in rows} == {Decimal("0.8125")}
    assert [r.delta for r in rows] == [Decimal("-0.2125"), Decimal("0.0375"), Decimal("0.0875")]
    assert [r.cost for r in rows] == [Decimal("0.05"), Decimal(0), Decimal(0)]


def test_consistency_by_site_pools_the_queues_of_a_site() -> None:
    """Denver = 7 308 of 10 080 = 72.5 %; it needs 8 064 to meet 80 %: 756 / 20 160."""
    rows = consistency(three_queues(), CONTRACT, SL, PERIODS[0], key=site_key)
    assert [(r.subject, r.attainment, r.cost) for r in rows] == [
        ("denver", Decimal("0.725"), Decimal("0.0375")),
        ("boston", Decimal("0.9"), Decimal(0)),
    ]


# --- N of M -----------------------------------------------------------------------------

def evaluation(label: str, value: str, status: Status) -> Evaluation:
    r = SlaResult(sla_id="sl-voice", metric="service_level", value=Decimal(value),
                  raw_value=Decimal(value), target=SL.target, status=status,
                  evidence=Evidence(Decimal(0), Decimal(0), 0, Decimal(0), "F1"))
    return Evaluation("acme", period_for(CONTRACT, label), datetime(2027, 1, 1, tzinfo=NY),
                      "final", (r,))


HISTORY = [
    evaluation("2026-06", "0.70", Status.BREACHED),
    evaluation("2026-07", "0.78", Status.BREACHED),
    evaluation("2026-08", "0.82", Status.MET),
    evaluation("2026-09", "0.79", Status.BREACHED),
    evaluation("2026-10", "0.81", Status.MET),
    evaluation("2026-11", "0.76", Status.BREACHED),
]


@pytest.mark.parametrize(
    ("misses", "within", "expected"),
    [
        (3, 6, ("2026-06", "2026-07", "2026-09", "2026-11")),
        (3, 4, None),
        (2, 3, ("2026-09", "2026-11")),
    ],
    ids=[
        "4 misses in the last 6 months reach 3 of 6",
        "only 2 misses in the last 4 months do not reach 3 of 4",
        "2 of the last 3 months",
    ],
)
def test_the_same_sla_missed_in_n_of_the_last_m_periods(
        misses: int, within: int, expected: tuple[str, ...] | None) -> None:
    causes = repeat_misses(HISTORY, misses, within)
    assert [c.periods for c in causes] == ([] if expected is None else [expected])


def test_a_repeat_miss_costs_its_mean_gap_to_target() -> None:
    (cause,) = repeat_misses(HISTORY, 3, 6)
    assert cause.costs == (Decimal("0.10"), Decimal("0.02"), Decimal("0.01"), Decimal("0.04"))
    assert cause.cost == Decimal("0.0425")


def test_causes_rank_by_cost_then_kind_and_subject() -> None:
    band = recurring_cells(seeded_exact(), CONTRACT, SL, PERIODS, band_key(), "time_band")
    queue = recurring_cells(three_queues(), CONTRACT, SL, PERIODS, queue_key, "queue")
    repeat = repeat_misses(HISTORY, 3, 6)
    assert [c.kind for c in rank([*band, *repeat, *queue])] == [
        "queue", "repeat_miss", "time_band"]


def test_all_causes_of_a_contract_come_ranked_in_one_call() -> None:
    """Costs: Denver queue 5 points, the 3-of-6 repeat miss 4.25, Denver site 3.75, and
    Monday 08:00-10:00 (Boston at 4 of 20 there) about 0.8."""
    from monitor.domain.patterns import recurring_causes

    df = three_queues()
    monday = is_monday_morning(pd.DatetimeIndex(df["interval_start"]))
    df.loc[monday & (df["queue"] == "q-bos").to_numpy(), "answered_within_20s"] = 4
    causes = recurring_causes(CONTRACT, HISTORY, df, PERIODS)
    assert [(c.kind, c.sla_id, c.subject) for c in causes] == [
        ("queue", "sl-voice", "q-den"),
        ("repeat_miss", "sl-voice", "sl-voice"),
        ("site", "sl-voice", "denver"),
        ("time_band", "sl-voice", "Mon 08:00-10:00"),
    ]
