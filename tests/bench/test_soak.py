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
from bench.soak_checks import Bounds, Sample, growth_problems

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


def test_growth_is_judged_from_each_process_s_own_second_running_day() -> None:
    def day(pid: int, rss: float, fds: int = 10, conns: int = 2, ready: bool = True
            ) -> Sample:
        return Sample(pid, rss, fds, 7, conns, ready)

    steady = [day(1, 240.0), day(1, 250.0), day(1, 260.0), day(1, 275.0)]  # 275 = 1.1 x 250
    assert growth_problems({"w1": steady}, Bounds()) == []
    leaking = [*steady[:3], day(1, 275.1, fds=16, conns=5)]
    assert growth_problems({"w1": leaking}, Bounds()) == [
        "w1: RSS 250.0 -> 275.1 MB (> 1.10x)", "w1: fds 10 -> 16 (> +5)",
        "w1: DB connections 2 -> 5 (> +2)"]
    # killed on day 2, restarted, still importing on day 3: judged from day 5, not day 2
    restarted = [day(1, 100.0), day(1, 100.0), day(2, 150.0, 3, 0, ready=False),
                 day(2, 240.0), day(2, 250.0), day(2, 270.0)]
    assert growth_problems({"w0": restarted}, Bounds()) == []
    assert growth_problems({"w0": restarted[:4]}, Bounds()) == []  # one running day: not judged
    assert growth_problems({"w0": [*restarted[:2], None]}, Bounds()) == [
        "w0: not running at the end"]
    assert growth_problems({"w0": restarted[:3]}, Bounds()) == [
        "w0: its scheduler had not started by the last day"]
