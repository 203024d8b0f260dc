"""The set-based ingest (PostgreSQL: staging table + one comparison in SQL; SQLite: pandas)
ends the same on both backends: rows, corrections in batch order, rollups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from monitor.errors import InputError
from monitor.storage import Store
from tests.factories import BILLING, business_hours, contract, intervals, sla

MON = datetime(2026, 10, 5, 12, 0, tzinfo=UTC)  # 08:00 in New York: business hours
SUPPORT = "support-queue"
CONTRACT = contract([sla(calendar="business-hours")],
                    calendars={"business-hours": business_hours()})


def rows(n: int, **extra: int) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for i in range(n):
        for q, base in ((BILLING, 10), (SUPPORT, 20)):
            out.append({"queue": q, "interval_start": MON + timedelta(minutes=30 * i),
                        "offered": base + i, "answered": base + i - 2, "abandoned": 2,
                        "answered_within_20s": base + i - 3, **extra})
    return out


def offered(store: Store) -> int:
    sums = store.rollup_sums(CONTRACT.id, date(2026, 10, 5), date(2026, 10, 5),
                             calendar_id="business-hours",
                             columns=["offered", "answered_within_20s"])
    return int(sums["offered"].sum()) * 1000 + int(sums["answered_within_20s"].sum())


def test_new_changed_and_unchanged_rows_in_one_file_across_batches(store: Store) -> None:
    store.ingest_intervals(CONTRACT, intervals(rows(3)), source="a.csv", at=MON)
    # 3 half-hours x 2 queues: offered 10+11+12 + 20+21+22 = 96, within 20 s 96 - 6*3 = 78
    assert offered(store) == 96_078
    later = rows(4)  # one more half-hour (new: 13 and 23 offered)
    later[0]["offered"], later[0]["answered"] = 14, 12  # Billing 12:00: 10 -> 14
    later[5]["answered_within_20s"] = 0  # Support 13:00: 19 -> 0
    at = MON + timedelta(days=1)
    summary = store.ingest_intervals(CONTRACT, intervals(later), source="b.csv", at=at,
                                     batch_size=3)
    assert (summary.new, summary.updated, summary.unchanged) == (2, 2, 4)
    first, second = store.corrections(CONTRACT.id)  # in the file's order
    assert (first.queue, first.interval_start) == (BILLING, MON)
    assert (first.old, first.new) == ({"offered": 10, "answered": 8},
                                      {"offered": 14, "answered": 12})
    assert (second.queue, second.interval_start) == (SUPPORT, MON + timedelta(hours=1))
    assert (second.old, second.new) == ({"answered_within_20s": 19}, {"answered_within_20s": 0})
    assert (first.source, first.corrected_at) == ("b.csv", at)
    # offered 96 + 4 (correction) + 13 + 23 (new) = 136; within 78 - 19 + 10 + 20 = 89
    assert offered(store) == 136_089
    # the same file again: nothing changes, no correction, rollups untouched
    again = store.ingest_intervals(CONTRACT, intervals(later), source="b.csv", batch_size=3)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 8)
    assert len(store.corrections(CONTRACT.id)) == 2
    assert offered(store) == 136_089
    store.rebuild_rollups(CONTRACT)
    assert offered(store) == 136_089


def test_a_value_that_appears_or_disappears_is_a_correction(store: Store) -> None:
    first = intervals(rows(1, handled=5))
    store.ingest_intervals(CONTRACT, first)
    later = first.copy()
    later["handled"] = pd.array([None, 5], dtype="Int64")  # Billing no longer reports it
    later["abandoned_within_5s"] = pd.array([1, None], dtype="Int64")  # a new threshold
    summary = store.ingest_intervals(CONTRACT, later)
    # Support: handled 5 -> 5, no threshold before or now: unchanged
    assert (summary.updated, summary.unchanged) == (1, 1)
    (billing,) = store.corrections(CONTRACT.id)
    assert billing.queue == BILLING
    assert (billing.old, billing.new) == ({"handled": 5, "abandoned_within_5s": None},
                                          {"handled": None, "abandoned_within_5s": 1})
    # ingested once more, the corrected rows (thresholds rewritten by the update) compare
    # equal value by value: nothing is corrected twice
    again = store.ingest_intervals(CONTRACT, later)
    assert (again.updated, again.unchanged) == (0, 2)
    assert len(store.corrections(CONTRACT.id)) == 1


def test_a_threshold_only_stored_is_kept_when_others_are_corrected(store: Store) -> None:
    store.ingest_intervals(CONTRACT, intervals(rows(1, abandoned_within_5s=1)))
    fewer = intervals(rows(1)).assign(answered_within_20s=[0, 0])
    summary = store.ingest_intervals(CONTRACT, fewer)
    assert summary.updated == 2
    back = store.load_intervals(CONTRACT.id, MON, MON + timedelta(hours=1))
    assert back["abandoned_within_5s"].tolist() == [1, 1]
    assert back["answered_within_20s"].tolist() == [0, 0]


def quarter_hours(start: datetime, n: int, minutes: int = 15) -> pd.DataFrame:
    return intervals({"interval_start": start + timedelta(minutes=minutes * i),
                      "interval_minutes": minutes, "offered": 5, "answered": 5,
                      "abandoned": 0} for i in range(n))


@pytest.mark.parametrize(("stored", "batch", "clash"), [
    # a stored hour at 09:00 ends inside the first quarter of a day of new quarters
    (quarter_hours(MON - timedelta(hours=3), 1, minutes=60),
     quarter_hours(MON - timedelta(hours=2, minutes=15), 96), "2026-10-05T09:45:00"),
    # a stored quarter at 14:15 starts inside the last new hour, a day after the first
    (quarter_hours(MON + timedelta(days=1, hours=2, minutes=15), 1),
     quarter_hours(MON - timedelta(hours=2), 29, minutes=60), "2026-10-06T14:00:00"),
], ids=["before the batch", "after the batch"])
def test_a_new_span_is_refused_where_its_ends_overlap_stored_rows(
        store: Store, stored: pd.DataFrame, batch: pd.DataFrame, clash: str) -> None:
    """Nothing is stored inside the batch's span, so only its ends are compared with the
    stored rows (PostgreSQL's first-load path); both ends still refuse an overlap."""
    store.ingest_intervals(CONTRACT, stored)
    with pytest.raises(InputError, match=f"the interval at {clash}"):
        store.ingest_intervals(CONTRACT, batch)
    assert len(store.load_intervals(CONTRACT.id, MON - timedelta(days=1),
                                    MON + timedelta(days=3))) == 1


def test_planner_statistics_follow_a_table_that_doubled_and_wait_for_a_new_one(
        pg_url: str) -> None:
    """A bulk load (>= 50,000 rows) refreshes the statistics of a table it at least doubled
    since they were taken; a table never analyzed is left to autovacuum (the planner sizes
    it from its pages), which kept a 0.3 s ANALYZE out of every first load."""
    from bench.common import contract as bench_contract
    from bench.common import intervals as bench_intervals

    store = Store.open(pg_url, check_revision=False)
    store.upgrade()
    c = bench_contract(100)
    with store.engine.begin() as conn:  # only slamon analyzes here, not the server's daemon
        conn.exec_driver_sql("ALTER TABLE intervals SET (autovacuum_enabled = false)")

    def tuples() -> float:
        with store.engine.connect() as conn:
            return float(conn.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE oid = to_regclass('intervals')").scalar())

    try:
        store.ingest_intervals(c, bench_intervals(100, 600))  # 60,000 rows
        assert tuples() == -1  # never analyzed: left alone
        with store.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("ANALYZE intervals")
        assert tuples() == 60_000
        store.ingest_intervals(c, bench_intervals(100, 600, start="2026-11-01T04:00:00Z"))
        assert tuples() == 120_000  # doubled: refreshed
        store.ingest_intervals(c, bench_intervals(100, 600, start="2026-12-01T05:00:00Z"))
        assert tuples() == 120_000  # 1.5x: not yet
    finally:
        store.close()
