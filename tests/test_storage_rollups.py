"""Rollups are the fast path; raw intervals are the evidence. These tests prove the two agree:
by hand on four intervals, and on a month of random data after corrections and after a
calendar change."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from monitor.domain.calendars import open_spans
from monitor.domain.contract import Contract, Exclusion
from monitor.domain.exclusions import as_spans, expand
from monitor.domain.periods import period_for
from monitor.storage import Store
from monitor.storage.rollups import calendars_of
from tests.factories import BILLING, business_hours, contract, intervals, sla

STORM = Exclusion(id="storm", reason="force majeure", applies_to=None,
                  start=datetime(2026, 10, 5, 12, 0, tzinfo=UTC),
                  end=datetime(2026, 10, 5, 12, 30, tzinfo=UTC))
SUNDAYS = Exclusion(id="sunday-maint", reason="maintenance", applies_to=frozenset({"avail"}),
                    rrule="FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0",
                    duration=timedelta(hours=2))
CONTRACT = contract([sla(calendar="business-hours")],
                    calendars={"business-hours": business_hours()},
                    exclusions=[STORM, SUNDAYS])
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


def test_four_intervals_split_by_business_hours_and_the_storm_exclusion(store: Store) -> None:
    # Monday 2026-10-05 in New York (UTC-4): 07:30 closed, 08:00 open (storm), 19:30 open,
    # 20:00 closed - all four on local day 2026-10-05
    starts = ["2026-10-05T11:30:00Z", "2026-10-05T12:00:00Z", "2026-10-05T23:30:00Z",
              "2026-10-06T00:00:00Z"]
    frame = intervals([{"interval_start": s, "offered": n, "answered": n, "abandoned": 0,
                        "answered_within_20s": n - 1 if n > 1 else 1}
                       for s, n in zip(starts, [1, 2, 4, 8], strict=True)])
    store.ingest_intervals(CONTRACT, frame)

    def total(calendar_id: str, in_hours: bool | None, exclude: frozenset[str] = frozenset()
              ) -> tuple[int, int, int]:
        sums = store.rollup_sums(CONTRACT.id, *OCTOBER, calendar_id=calendar_id,
                                 in_hours=in_hours, exclude=exclude,
                                 columns=["intervals", "offered", "answered_within_20s"])
        return tuple(int(sums[c].sum()) for c in ("intervals", "offered",  # type: ignore[return-value]
                                                  "answered_within_20s"))

    assert total("business-hours", True) == (2, 2 + 4, 1 + 3)
    assert total("business-hours", False) == (2, 1 + 8, 1 + 7)
    assert total("business-hours", True, frozenset({"storm"})) == (1, 4, 3)
    assert total("business-hours", True, frozenset({"sunday-maint"})) == (2, 6, 4)
    assert total("24x7", True) == (4, 15, 12)
    assert total("24x7", None, frozenset({"storm"})) == (3, 13, 11)
    # the whole month comes from the month rows, a single day from the day rows
    assert total("business-hours", True) == (2, 6, 4)
    one_day = store.rollup_sums(CONTRACT.id, date(2026, 10, 5), date(2026, 10, 5),
                                calendar_id="24x7", columns=["offered"])
    assert one_day["offered"].tolist() == [15]
    none = store.rollup_sums(CONTRACT.id, date(2026, 10, 6), date(2026, 10, 31),
                             calendar_id="24x7", columns=["offered"])
    assert none.empty
    period = period_for(CONTRACT, "2026-10")
    by_sla = store.sla_sums(CONTRACT, CONTRACT.slas[0], period, ["offered"])
    assert by_sla["offered"].tolist() == [4]  # in hours, storm applies to every SLA


def random_month(seed: int, queues: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    starts = pd.date_range("2026-10-01T04:00:00Z", "2026-11-01T03:30:00Z", freq="30min")
    rows = len(starts) * queues
    offered = rng.integers(0, 40, rows)
    answered = (offered * rng.uniform(0.7, 1.0, rows)).astype(int)
    frame = pd.DataFrame({
        "queue": np.repeat([BILLING, "sales", "support"][:queues], len(starts)),
        "channel": "voice",
        "interval_start": np.tile(starts, queues),
        "interval_minutes": 30, "offered": offered, "answered": answered,
        "abandoned": offered - answered,
        "answered_within_20s": (answered * 0.8).astype(int),
        "answer_wait_seconds": answered * rng.integers(5, 60, rows),
    })
    frame["interval_start"] = frame["interval_start"].astype("datetime64[ns, UTC]")
    return frame


def raw_sums(store: Store, contract_: Contract) -> pd.DataFrame:
    """The same split computed from the raw intervals, one calendar at a time."""
    raw = store.load_intervals(contract_.id, datetime(2026, 9, 1, tzinfo=UTC),
                               datetime(2026, 12, 1, tzinfo=UTC))
    lo, hi = datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    ns = raw["interval_start"].astype("int64").to_numpy().astype(np.int64)
    inside = {e.id: as_spans(expand(e, contract_, lo, hi)).contains(ns)
              for e in contract_.exclusions}
    tags = [",".join(eid for eid in sorted(inside) if inside[eid][i]) for i in range(len(raw))]
    parts = []
    assert calendars_of(contract_) == ["business-hours"]  # 24x7 is derived from its rows
    for calendar_id in calendars_of(contract_):
        spans = open_spans(contract_.calendar(calendar_id), lo, hi, contract_.tz)
        part = raw[["queue", "offered", "answered_within_20s", "answer_wait_seconds"]].copy()
        part["day"] = raw["interval_start"].dt.tz_convert(contract_.tz).dt.date
        part["calendar_id"] = calendar_id
        part["in_hours"] = spans.contains(ns)
        part["excluded_by"] = tags
        parts.append(part)
    keys = ["calendar_id", "day", "queue", "in_hours", "excluded_by"]
    return (pd.concat(parts).groupby(keys).sum().reset_index()
            .sort_values(keys).reset_index(drop=True))


def rollup_table(store: Store, contract_: Contract, grain: str) -> pd.DataFrame:
    keys = ["calendar_id", "day", "queue", "in_hours", "excluded_by"]
    with store.engine.connect() as conn:
        [slot] = conn.exec_driver_sql(
            "SELECT slot FROM interval_columns WHERE name = 'answered_within_20s'").one()
        frame = pd.read_sql(
            f"SELECT {', '.join(keys)}, offered, t{slot} AS answered_within_20s, "
            f"answer_wait_seconds FROM rollups WHERE contract_id = '{contract_.id}' "
            f"AND grain = '{grain}'", conn)
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    frame["in_hours"] = frame["in_hours"].astype(bool)
    return (frame[[*keys, "offered", "answered_within_20s", "answer_wait_seconds"]]
            .sort_values(keys).reset_index(drop=True))


def assert_agree(store: Store, contract_: Contract) -> None:
    """Day rows equal the raw intervals grouped by local day; month rows by local month."""
    daily = raw_sums(store, contract_)
    keys = ["calendar_id", "day", "queue", "in_hours", "excluded_by"]
    monthly = (daily.assign(day=[d.replace(day=1) for d in daily["day"]])
               .groupby(keys).sum().reset_index().sort_values(keys).reset_index(drop=True))
    for grain, expected in (("day", daily), ("month", monthly)):
        got = rollup_table(store, contract_, grain)
        for column in ("offered", "answered_within_20s", "answer_wait_seconds"):
            expected[column] = expected[column].astype("int64")
            got[column] = got[column].astype("int64")
        pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)


def test_rollups_agree_with_raw_intervals_after_batches_corrections_and_a_calendar_change(
        store: Store) -> None:
    month = random_month(seed=7)
    store.ingest_intervals(CONTRACT, month, batch_size=1000)
    assert_agree(store, CONTRACT)
    # corrections on 5 % of rows, in a file sorted differently and split in other batches
    rng = np.random.default_rng(8)
    fixed = month.sample(frac=0.05, random_state=3).copy()
    fixed["answered_within_20s"] = (fixed["answered"] * rng.uniform(0, 1, len(fixed))).astype(int)
    fixed["answer_wait_seconds"] = fixed["answer_wait_seconds"] + 17
    summary = store.ingest_intervals(CONTRACT, fixed, batch_size=50)
    assert summary.updated == len(fixed)
    assert_agree(store, CONTRACT)
    # the contract's hours change: the rollups are rebuilt to the new calendar
    later = replace(CONTRACT, calendars={"business-hours": business_hours(start="09:00",
                                                                          end="17:00")})
    assert store.save_contract(later) is True
    assert store.save_contract(later) is False
    assert_agree(store, later)


def test_a_range_across_months_adds_month_rows_and_the_leftover_days(store: Store) -> None:
    # 10 offered on each of: 30 Sep, 1 Oct, 31 Oct, 1 Nov, 2 Nov (noon in New York)
    days = ["2026-09-30", "2026-10-01", "2026-10-31", "2026-11-01", "2026-11-02"]
    store.ingest_intervals(CONTRACT, intervals(
        [{"interval_start": f"{d}T16:00:00Z", "offered": 10 * (i + 1), "answered": 0,
          "abandoned": 0} for i, d in enumerate(days)]))

    def offered(first: date, last: date) -> int:
        sums = store.rollup_sums(CONTRACT.id, first, last, calendar_id="24x7",
                                 columns=["offered"])
        return int(sums["offered"].sum())

    assert offered(date(2026, 9, 30), date(2026, 11, 1)) == 10 + 20 + 30 + 40
    assert offered(date(2026, 10, 1), date(2026, 10, 31)) == 20 + 30
    assert offered(date(2026, 10, 2), date(2026, 10, 31)) == 30
    assert offered(date(2026, 9, 1), date(2026, 12, 31)) == 150
    assert offered(date(2026, 11, 2), date(2026, 11, 2)) == 50


def test_a_contract_measured_around_the_clock_keeps_its_own_24x7_rows(store: Store) -> None:
    around_the_clock = contract([sla(calendar="24x7")])
    store.ingest_intervals(around_the_clock, intervals(
        [{"interval_start": "2026-10-04T06:00:00Z", "offered": 7, "answered": 7,
          "abandoned": 0}]))
    assert calendars_of(around_the_clock) == ["24x7"]
    sums = store.rollup_sums(around_the_clock.id, *OCTOBER, calendar_id="24x7",
                             columns=["offered"])
    assert sums["offered"].tolist() == [7]
    closed = store.rollup_sums(around_the_clock.id, *OCTOBER, calendar_id="24x7",
                               in_hours=False, columns=["offered"])
    assert closed.empty


def test_24x7_is_never_closed_when_derived_from_another_calendar(store: Store) -> None:
    store.ingest_intervals(CONTRACT, intervals(
        [{"interval_start": "2026-10-04T06:00:00Z", "offered": 7, "answered": 7,
          "abandoned": 0}]))  # Sunday 02:00 in New York: business hours closed
    assert store.rollup_sums(CONTRACT.id, *OCTOBER, calendar_id="24x7", in_hours=False,
                             columns=["offered"]).empty
    assert store.rollup_sums(CONTRACT.id, *OCTOBER, calendar_id="24x7",
                             columns=["offered"])["offered"].tolist() == [7]
