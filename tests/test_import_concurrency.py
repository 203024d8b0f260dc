"""Two `slamon import` processes on one PostgreSQL with overlapping files, at the same time:
the database ends with the union, every interval once."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from monitor.cli import main
from monitor.storage import Store
from tests.conftest import ROOT

ACME = str(ROOT / "contracts" / "acme-connect-2026.yaml")
QUEUES = ["f8c742b9-b5ef-4948-8bbf-9a33c892023f", "0d9a3c51-7e2f-4b8a-9c61-2f5e8d7a4b10"]


HALF_HOURS = 4416  # October to December 2026


def month_csv(path: Path, first: int, last: int) -> None:
    """Half-hours number `first`..`last`-1 from October 2026 for two queues; offered = i % 97."""
    starts = pd.date_range("2026-10-01T04:00:00Z", periods=HALF_HOURS, freq="30min")[first:last]
    frame = pd.DataFrame({
        "queue": [q for _ in starts for q in QUEUES],
        "interval_start": [s.strftime("%Y-%m-%dT%H:%M:%SZ") for s in starts for _ in QUEUES],
        "interval_minutes": 30,
    })
    index = [i for i in range(first, last) for _ in QUEUES]
    frame["offered"] = [i % 97 for i in index]
    frame["answered"] = frame["offered"]
    frame["abandoned"] = 0
    frame["answered_within_20s"] = frame["offered"] // 2
    frame.to_csv(path, index=False)


def test_two_processes_importing_overlapping_files_end_with_the_union(
        pg_url: str, tmp_path: Path) -> None:
    assert main(["db", "upgrade", "--db", pg_url]) == 0
    month_csv(tmp_path / "a.csv", 0, 3000)
    month_csv(tmp_path / "b.csv", 1500, HALF_HOURS)  # 1,500 half-hours in common
    command = [sys.executable, "-c", "from monitor.cli import run; run()", "import",
               "intervals", "--contract", ACME, "--db", pg_url]
    # hold the contract's ingest lock until both importers wait for it, so they really
    # collide instead of running one after the other
    holder = sa.create_engine(pg_url).connect()
    key = {"k": "slamon-intervals:acme-connect-2026"}
    holder.execute(sa.text("SELECT pg_advisory_lock(hashtext(:k))"), key)
    procs = [subprocess.Popen([*command, str(tmp_path / name)], cwd=ROOT, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for name in ("a.csv", "b.csv")]
    deadline = time.monotonic() + 60
    waiting = 0
    while waiting < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
        waiting = holder.execute(sa.text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND objsubid = 1 AND objid::bigint = (hashtext(:k)::bigint & 4294967295) "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ), key).scalar_one()
    holder.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:k))"), key)
    holder.close()
    outputs = [p.communicate(timeout=120) for p in procs]
    assert waiting == 2, "the two importers never waited for the lock together"
    assert [p.returncode for p in procs] == [0, 0], outputs
    counts = [re.search(r"(\d+) new, (\d+) updated, (\d+) unchanged", out) for out, _ in outputs]
    totals = [sum(int(m.group(g)) for m in counts if m) for g in (1, 2, 3)]
    # 6,000 + 5,832 rows read; the 3,000 in both files went in once
    assert totals == [2 * HALF_HOURS, 0, 3000], outputs
    store = Store.open(pg_url)
    stored = store.load_intervals("acme-connect-2026", datetime(2026, 10, 1, tzinfo=UTC),
                                  datetime(2027, 1, 2, tzinfo=UTC))
    assert len(stored) == 2 * HALF_HOURS
    assert not stored.duplicated(["queue", "channel", "interval_start"]).any()
    assert int(stored["offered"].sum()) == 2 * sum(i % 97 for i in range(HALF_HOURS))
    assert store.corrections("acme-connect-2026") == []
