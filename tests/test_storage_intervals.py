"""Interval ingestion on SQLite and PostgreSQL: idempotent upserts, corrections, bad rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from monitor.errors import InputError
from monitor.storage import Store
from tests.factories import BILLING, business_hours, contract, intervals, sla

OCT = datetime(2026, 10, 1, tzinfo=UTC)
NOV = datetime(2026, 11, 1, tzinfo=UTC)
SUPPORT = "support-queue"
CONTRACT = contract([sla(calendar="business-hours")],
                    calendars={"business-hours": business_hours()})


def day_of_intervals(n: int = 4) -> pd.DataFrame:
    """n half-hours on Mon 2026-10-05 from 12:00Z for two queues; numbers easy to follow."""
    rows = []
    for i in range(n):
        for q, base in ((BILLING, 10), (SUPPORT, 20)):
            rows.append({"queue": q, "interval_start": OCT + timedelta(days=4, hours=12,
                                                                         minutes=30 * i),
                         "offered": base + i, "answered": base + i - 2, "abandoned": 2,
                         "answered_within_20s": base + i - 3, "abandoned_within_5s": 1})
    return intervals(rows)


def table(store: Store) -> pd.DataFrame:
    return store.load_intervals(CONTRACT.id, OCT, NOV)


def test_first_import_stores_every_row_and_reads_back_the_same_frame(store: Store) -> None:
    frame = day_of_intervals()
    summary = store.ingest_intervals(CONTRACT, frame, source="a.csv")
    assert (summary.new, summary.updated, summary.unchanged) == (8, 0, 0)
    back = table(store)
    assert list(back.columns) == ["queue", "channel", "interval_start", "interval_minutes",
                                  "offered", "answered", "abandoned", "abandoned_within_5s",
                                  "answered_within_20s"]
    assert str(back["interval_start"].dtype) == "datetime64[ns, UTC]"
    expected = frame.sort_values(["interval_start", "queue"]).reset_index(drop=True)
    for column in expected.columns:
        assert back[column].tolist() == expected[column].tolist(), column
    assert back["offered"].sum() == 4 * 10 + 6 + 4 * 20 + 6


def test_reimporting_the_same_file_changes_nothing(store: Store) -> None:
    frame = day_of_intervals()
    store.ingest_intervals(CONTRACT, frame, source="a.csv")
    before = table(store)
    summary = store.ingest_intervals(CONTRACT, frame, source="a.csv")
    assert (summary.new, summary.updated, summary.unchanged) == (0, 0, 8)
    assert summary.corrections == ()
    pd.testing.assert_frame_equal(table(store), before)
    assert store.corrections(CONTRACT.id) == []


def test_a_corrected_file_updates_exactly_the_changed_intervals_and_records_them(
        store: Store) -> None:
    frame = day_of_intervals()
    store.ingest_intervals(CONTRACT, frame, source="a.csv", at=OCT)
    corrected = frame.copy()
    # Genesys posts late: interval 3 of Billing gains 2 answered calls, all within 20 s
    row = corrected.index[(corrected["queue"] == BILLING)][3]
    corrected.loc[row, ["offered", "answered", "answered_within_20s"]] = [15, 13, 12]
    at = datetime(2026, 10, 6, 9, 0, tzinfo=UTC)
    summary = store.ingest_intervals(CONTRACT, corrected, source="b.csv", at=at)
    assert (summary.new, summary.updated, summary.unchanged) == (1 - 1, 1, 7)
    back = table(store)
    key = (BILLING, OCT + timedelta(days=4, hours=13, minutes=30))
    [row_back] = [r for _, r in back.iterrows()
                  if (r["queue"], r["interval_start"]) == key]
    assert [int(row_back[c]) for c in ("offered", "answered", "abandoned",
                                       "answered_within_20s")] == [15, 13, 2, 12]
    [correction] = store.corrections(CONTRACT.id)
    assert correction.interval_start == key[1]
    assert correction.queue == BILLING
    assert correction.corrected_at == at
    assert correction.source == "b.csv"
    assert correction.old == {"offered": 13, "answered": 11, "answered_within_20s": 10}
    assert correction.new == {"offered": 15, "answered": 13, "answered_within_20s": 12}


def test_new_intervals_in_a_later_file_are_added_next_to_the_stored_ones(store: Store) -> None:
    store.ingest_intervals(CONTRACT, day_of_intervals(2))
    summary = store.ingest_intervals(CONTRACT, day_of_intervals(4))
    assert (summary.new, summary.updated, summary.unchanged) == (4, 0, 4)
    assert len(table(store)) == 8


def test_a_file_without_a_column_leaves_the_stored_values_of_that_column(store: Store) -> None:
    frame = day_of_intervals(1)
    frame["handle_seconds"] = [600, 900]
    store.ingest_intervals(CONTRACT, frame)
    fewer = frame.drop(columns=["handle_seconds", "abandoned_within_5s"])
    fewer["offered"] = [11, 20]  # Billing corrected from 10 to 11
    summary = store.ingest_intervals(CONTRACT, fewer)
    assert (summary.updated, summary.unchanged) == (1, 1)
    back = table(store)
    assert back["handle_seconds"].tolist() == [600, 900]
    assert back["abandoned_within_5s"].tolist() == [1, 1]
    assert back["offered"].tolist() == [11, 20]


def test_a_frame_with_one_bad_row_imports_nothing_and_names_the_row(store: Store) -> None:
    frame = day_of_intervals()
    frame["offered"] = frame["offered"].astype(object)
    frame.loc[5, "offered"] = -3
    with pytest.raises(InputError, match=r"a\.csv:6: offered: -3 is not a non-negative"):
        store.ingest_intervals(CONTRACT, frame, source="a.csv")
    assert table(store).empty


def test_a_failure_after_the_first_batch_rolls_the_whole_frame_back(store: Store) -> None:
    batches: list[int] = []

    def progress(rows: int) -> None:
        batches.append(rows)
        if len(batches) == 2:
            raise RuntimeError("interrupted after the second batch")

    with pytest.raises(RuntimeError, match="interrupted"):
        store.ingest_intervals(CONTRACT, day_of_intervals(), batch_size=3, progress=progress)
    assert batches == [3, 3]
    assert table(store).empty
    assert store.rollup_sums(CONTRACT.id, OCT.date(), NOV.date(), calendar_id="24x7").empty


def test_load_returns_only_the_intervals_that_start_in_the_range(store: Store) -> None:
    store.ingest_intervals(CONTRACT, day_of_intervals(4))
    start = OCT + timedelta(days=4, hours=12, minutes=30)
    part = store.load_intervals(CONTRACT.id, start, start + timedelta(hours=1))
    assert sorted(set(part["interval_start"])) == [start, start + timedelta(minutes=30)]
    assert len(part) == 4


def test_intervals_of_another_contract_stay_apart(store: Store) -> None:
    other = contract([sla()])
    other = type(other)(**{**other.__dict__, "id": "other"})
    store.ingest_intervals(CONTRACT, day_of_intervals(1))
    summary = store.ingest_intervals(other, day_of_intervals(1))
    assert summary.new == 2
    assert len(table(store)) == 2
