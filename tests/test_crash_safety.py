"""SIGKILL an importing process at random points: every committed batch is all there or not
at all, the rollups still agree with the raw rows, and a re-run ends identical to an
uninterrupted import. Runs on SQLite and PostgreSQL.

The importer is a forked child (it inherits the imported modules, so each of the 20 runs
starts at once); it builds its own engine and imports in batches that commit one by one.
Each run imports one of two versions of the same file (A and B differ in every row), so a
half-written batch would show as a batch mixing versions.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from monitor.storage import Store
from monitor.storage.intervals import lock_contract
from tests.factories import business_hours, contract, sla

CONTRACT = contract([sla(calendar="business-hours")],
                    calendars={"business-hours": business_hours()})
BATCH = 100
ROWS = 400
RUNS = 20
SPAN = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))


def version(marker: int) -> pd.DataFrame:
    """400 rows (4 batches): 4 queues x 100 half-hours; `offered` = 100*marker + row % 50."""
    starts = pd.date_range("2026-10-05T00:00:00Z", periods=ROWS // 4, freq="30min")
    queues = ["q1", "q2", "q3", "q4"]
    n = len(starts) * len(queues)
    offered = 100 * marker + np.arange(n) % 50
    frame = pd.DataFrame({
        "queue": np.tile(queues, len(starts)), "channel": "voice",
        "interval_start": np.repeat(starts, len(queues)), "interval_minutes": 30,
        "offered": offered, "answered": offered - 3, "abandoned": 3,
        "answered_within_20s": offered - 10,
    })
    frame["interval_start"] = frame["interval_start"].astype("datetime64[ns, UTC]")
    return frame


def _import(url: str, marker: int) -> None:
    store = Store.open(url)
    store.ingest_intervals(CONTRACT, version(marker), batch_size=BATCH, atomic=False)
    os._exit(0)


def run_importer(url: str, marker: int, kill_after: float | None) -> bool:
    """Import version `marker` in a child; SIGKILL it after `kill_after` s. True if killed."""
    child = multiprocessing.get_context("fork").Process(target=_import, args=(url, marker))
    child.start()
    if kill_after is not None:
        child.join(kill_after)
        if child.is_alive():
            os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
    child.join(60)
    assert child.exitcode in (0, -signal.SIGKILL), child.exitcode
    return child.exitcode == -signal.SIGKILL


def settled(store: Store) -> None:
    """Wait for the killed importer's transaction to end: its server backend may still be
    committing what the child sent just before SIGKILL, and reading the intervals before
    that commit and the rollups after it would pair two states. The contract's ingest lock
    is held until the transaction ends, so taking it waits exactly that long."""
    with store.session() as s:
        lock_contract(s.connection(), CONTRACT.id)


def snapshot(store: Store) -> tuple[pd.DataFrame, pd.DataFrame]:
    settled(store)
    raw = store.load_intervals(CONTRACT.id, *SPAN).sort_values(["interval_start", "queue"])
    roll = store.rollup_sums(CONTRACT.id, SPAN[0].date(), SPAN[1].date(),
                             calendar_id="business-hours", in_hours=None,
                             columns=["intervals", "offered", "answered_within_20s"])
    return raw.reset_index(drop=True), roll


def check_batches(store: Store) -> None:
    raw, roll = snapshot(store)
    stored = raw.set_index(["queue", "interval_start"])["offered"]
    for i in range(0, ROWS, BATCH):
        batch = version(1).iloc[i:i + BATCH].set_index(["queue", "interval_start"])
        got = stored.reindex(batch.index)
        markers = set((got.dropna() // 100).astype(int))
        # a batch is absent, or present in full and from one single run
        assert got.isna().all() or (got.notna().all() and len(markers) == 1), (i, markers)
    assert int(roll["intervals"].sum()) == len(raw)
    assert int(roll["offered"].sum()) == int(raw["offered"].sum())
    assert int(roll["answered_within_20s"].sum()) == int(raw["answered_within_20s"].sum())


def test_sigkill_at_random_points_leaves_whole_batches_and_a_rerun_matches(
        store: Store, store_url: str, tmp_path: Path) -> None:
    started = time.monotonic()
    run_importer(store_url, 1, None)  # warm-up and timing of one whole import
    duration = time.monotonic() - started
    rng = np.random.default_rng(20261005)
    killed = 0
    for run in range(RUNS):
        killed += run_importer(store_url, 2 + run % 2, float(rng.uniform(0, duration * 1.1)))
        check_batches(store)
    assert killed >= RUNS // 2  # most runs really died half-way
    run_importer(store_url, 5, None)
    raw, roll = snapshot(store)
    reference = Store.open(f"sqlite:///{tmp_path}/reference.db", check_revision=False)
    reference.upgrade()
    reference.ingest_intervals(CONTRACT, version(5), batch_size=BATCH)
    ref_raw, ref_roll = snapshot(reference)
    pd.testing.assert_frame_equal(raw, ref_raw)
    pd.testing.assert_frame_equal(roll, ref_roll)
