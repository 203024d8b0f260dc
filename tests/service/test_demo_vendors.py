"""`slamon demo --vendor KIND` for the platforms added in issue 10: a simulated October,
collected through the real collector with 20 % of requests failing, stores exactly the
simulator's ground truth and evaluates to real figures."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor.domain.evaluate import evaluate
from monitor.domain.measurements import Measurements
from monitor.interchange import read_intervals, write_intervals
from monitor.service.checks import truth_frame, truth_gaps
from monitor.service.demo import DEMO_TZ, month_bounds, run_demo
from monitor.simulator import Scenario
from monitor.storage import Store


@pytest.mark.slow
@pytest.mark.parametrize("vendor", ["nice-cxone", "five9", "talkdesk"])
def test_a_month_with_faults_stores_the_truth_and_evaluates(tmp_path: Path, vendor: str
                                                            ) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = run_demo(url, tmp_path, month="2026-10", seed=7, fault_rate=0.2, vendor=vendor)
    assert result.contract.id == f"demo-{vendor}"
    assert result.contract.platform == vendor
    assert result.intervals == 31 * 48 * 3  # 4464: every half hour of every queue
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
