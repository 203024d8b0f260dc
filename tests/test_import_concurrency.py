"""Two `slamon import` processes on one PostgreSQL with overlapping files, at the same time:
the database ends with the union, every interval once."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from monitor.cli import main
from monitor.storage import Store
from tests.conftest import ROOT

ACME = str(ROOT / "contracts" / "acme-connect-2026.yaml")
QUEUES = ["f8c742b9-b5ef-4948-8bbf-9a33c892023f", "0d9a3c51-7e2f-4b8a-9c61-2f5e8d7a4b10"]


def month_csv(path: Path, first: int, last: int) -> None:
    """Half-hours number `first`..`last`-1 of October 2026 for two queues; offered = index % 97."""
    starts = pd.date_range("2026-10-01T04:00:00Z", periods=1488, freq="30min")[first:last]
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
    month_csv(tmp_path / "a.csv", 0, 1000)
    month_csv(tmp_path / "b.csv", 500, 1488)  # 500 half-hours in common
    command = [sys.executable, "-c", "from monitor.cli import run; run()", "import",
               "intervals", "--contract", ACME, "--db", pg_url]
    procs = [subprocess.Popen([*command, str(tmp_path / name)], cwd=ROOT, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for name in ("a.csv", "b.csv")]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    counts = [re.search(r"(\d+) new, (\d+) updated, (\d+) unchanged", out) for out, _ in outputs]
    totals = [sum(int(m.group(g)) for m in counts if m) for g in (1, 2, 3)]
    # 2,000 + 1,976 rows read; the 1,000 in both files went in once
    assert totals == [2976, 0, 1000], outputs
    store = Store.open(pg_url)
    stored = store.load_intervals("acme-connect-2026", datetime(2026, 10, 1, tzinfo=UTC),
                                  datetime(2026, 11, 2, tzinfo=UTC))
    assert len(stored) == 2976
    assert not stored.duplicated(["queue", "channel", "interval_start"]).any()
    assert int(stored["offered"].sum()) == 2 * sum(i % 97 for i in range(1488))
    assert store.corrections("acme-connect-2026") == []
