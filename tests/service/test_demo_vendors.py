"""`slamon demo --vendor KIND --fault-rate 0.2` for each of the six platforms: a simulated
October, collected through the real collector with 20 % of requests failing, stores exactly
the simulator's ground truth (every column the platform's API reports) and evaluates to the
same figures as the equivalent interval CSV."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor.collectors import HttpClient
from monitor.domain.evaluate import evaluate
from monitor.domain.measurements import Measurements
from monitor.interchange import read_intervals, write_intervals
from monitor.service.checks import truth_frame, truth_gaps
from monitor.service.demo import DEMO_TZ, demo_id, month_bounds, run_demo, truth_line
from monitor.simulator import SIM_KINDS, Scenario
from monitor.storage import Store


def no_sleep() -> HttpClient:
    """The demo's client without its waits between retries: Twilio's one-interval requests
    meet about 900 faults in a month, which cost 95 s of backoff and timeouts otherwise."""
    return HttpClient(timeout=0.1, backoff=0.0, sleep=lambda _s: None)


@pytest.mark.slow
@pytest.mark.parametrize("vendor", SIM_KINDS)
def test_a_month_with_faults_stores_the_truth_and_evaluates(tmp_path: Path, vendor: str
                                                            ) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = run_demo(url, tmp_path, month="2026-10", seed=7, fault_rate=0.2, vendor=vendor,
                      http=no_sleep)
    assert result.contract.id == demo_id(vendor)
    assert result.contract.platform == vendor
    assert result.intervals == 31 * 48 * 3  # 4464: every half hour of every queue
    assert result.faults >= 0.15 * result.requests  # 20 % asked: the faults really happened
    assert result.truth_gaps == ()
    line = truth_line(result)
    assert line.startswith("Stored intervals equal the simulator's truth, column by column")
    assert ("not reported" in line) == (vendor in ("twilio-flex", "amazon-connect"))
    start, end = month_bounds("2026-10", ZoneInfo(DEMO_TZ))
    days = math.ceil((end - start) / timedelta(days=1))
    scenario = Scenario(seed=7, start=start, days=days, bad_day=days // 2)  # run_demo's
    store = Store.open(url, check_revision=False)
    try:
        assert truth_gaps(store, result.contract, scenario, start, end) == []
        outages = store.load_outages(result.contract.id, start, end)
    finally:
        store.close()
    # The same contract on the equivalent interval CSV gives the same figures.
    csv = tmp_path / "truth.csv"
    write_intervals(truth_frame(result.contract, scenario, now=end), csv)
    from_csv = evaluate(result.contract, Measurements(read_intervals(csv, result.contract),
                                                      outages),
                        result.evaluation.period, result.evaluation.as_of)
    assert [(r.sla_id, r.value) for r in from_csv.results] == [
        (r.sla_id, r.value) for r in result.evaluation.results]
    # The voice outage of 1 October on the status page: 35 min down of 44,640.
    availability = next(r for r in result.evaluation.results if r.sla_id == "availability")
    assert f"{availability.value:.6f}" == "0.999216"
