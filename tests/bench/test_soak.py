"""The soak's CI variant (`bench/soak.py`, issue 18): three `slamon run` workers on one
PostgreSQL schema for three simulated days, 31 October to 2 November 2026 in New York, so
the October month end (1 Nov 04:00 UTC) and the end of daylight saving time (1 Nov 06:00
UTC, a 25-hour day) are both crossed. 10 % of vendor requests fail (seeded), worker 0 is
killed (SIGKILL) half a day in and restarted a quarter of a day later, and the vendor is
down for 6 simulated hours on 2 November (503s; the status page tells the outage).

It fails on any interval or outage lost, doubled or different from the simulator's truth;
on October not seen provisional on a daily sample and final at the end (its claim deadline
is two days after the period here: 3 Nov 04:00 UTC, the run's last instant), or its
figures differing from `slamon evaluate` on the truth as CSV; on a notification received
twice, or November's certain availability breach (the outage) not received; on a
collector still down after the outage; on a worker not exiting 0 on SIGTERM; and on
resource growth from the second simulated day to the third.

Growth bounds are looser than the full run's (10 % RSS): one day apart, a worker's RSS
still moves with the month's first evaluations and the allocator's arenas, so 20 % RSS,
+5 fds, +2 connections; a leak per poll or per day shows in `python -m bench.soak`'s 30
days. Wall time: about 2 minutes (20 real seconds a simulated day, as in the full run, plus
starting the workers and the final catch-up); the timeouts inside are generous, nothing is timed.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bench.soak import SoakConfig, print_verdict, run_soak
from bench.soak_checks import Bounds

CI_START = datetime(2026, 10, 31, tzinfo=ZoneInfo("America/New_York"))


@pytest.mark.slow
@pytest.mark.postgres
def test_three_simulated_days_of_three_workers_lose_double_and_leak_nothing(
        pg_url: str, tmp_path: Path) -> None:
    config = SoakConfig(days=3, day_seconds=20.0, start=CI_START, claim_days=2,
                        bounds=Bounds(rss_ratio=1.20, fds=5, connections=2))
    assert config.kill_at == 0.5  # 31 Oct, noon
    assert config.outage_day == 2  # 2 Nov
    out = io.StringIO()
    result = run_soak(config, pg_url, tmp_path, out)
    print_verdict(result, out)
    print(out.getvalue())
    assert result.problems == {"intervals": [], "outages": [], "month end": [],
                               "notifications": [], "resources": []}, out.getvalue()
    assert result.faults["outage"] > 0  # the vendor really was down ...
    assert 0.05 < result.fault_share < 0.2  # ... and flaky (10 %, seeded)
    assert result.kinds == {}
