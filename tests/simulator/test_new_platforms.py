"""The chaos test of every platform: each of the six collected from the simulator equals
its ground truth (test_chaos.py adds the status page and a SIGKILLed `slamon run`).

Each platform's real collector (through the real HTTP seam, SOAP library, paging and job
polling) fills a SQLite store tick by tick, as `slamon run` would, and `truth_gaps`
compares every stored interval, every column, with what the simulator served: nothing
lost, nothing doubled, nothing different, with no faults and with 20 % of requests failing
(429, 500, 503, timeouts, truncated bodies, revoked tokens).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.collectors import HttpClient, build_collector
from monitor.service.checks import truth_gaps
from monitor.service.pipeline import CollectPolicy, collect_once, source_key
from monitor.simulator import (
    SIM_ENV,
    SIM_KINDS,
    FaultInjector,
    Scenario,
    Simulator,
    simulator_contract,
)
from monitor.storage import Store

# Spans 2026-11-01, when Pacific clocks fall back: Five9's rows repeat 01:00 and 01:30.
START = datetime(2026, 10, 30, tzinfo=UTC)
DAYS = 4
END = START + timedelta(days=DAYS)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path / 'platforms.db'}", check_revision=False)
    opened.upgrade()
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(autouse=True)
def sim_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in SIM_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.mark.parametrize("fault_rate", [0.0, 0.2], ids=["clean", "20% faults"])
@pytest.mark.parametrize("kind", SIM_KINDS)
def test_days_collected_tick_by_tick_store_exactly_the_truth(
        store: Store, kind: str, fault_rate: float) -> None:
    scenario = Scenario(seed=7, start=START, days=DAYS, bad_day=1)
    faults = FaultInjector(rate=fault_rate, seed=11, retry_after="0", timeout_delay=0.3)
    with Simulator(scenario, faults) as sim:
        contract = simulator_contract(kind, sim.url, scenario)
        store.save_contract(contract)
        http = HttpClient(timeout=0.2, backoff=0.0, sleep=lambda _s: None, max_retries=2)
        collector = build_collector(contract, http=http, clock=scenario.clock.now)
        policy = CollectPolicy(since=START)
        for step in range(1, DAYS * 6 + 1):  # every 4 hours: trailing re-polls overlap
            now = START + step * timedelta(hours=4)
            scenario.clock.frozen_at = now
            collect_once(store, contract, collector, now, "me", policy)
        for _ in range(10):  # a pass stopped by a fault that outlasted the retries resumes
            if collect_once(store, contract, collector, END, "me", policy).error is None:
                break
        injected = sum(sim.faults.injected.values())
    assert store.get_watermark(source_key(contract.id, kind)) == END
    # every column the platform reports (not TaskRouter's handle time, Connect's flow-outs);
    # Genesys counts abandons under the org's short-abandon setting (5 s) only, and its
    # collector names the 20 s count this contract's positive abandons need as missing
    genesys = ("abandoned_within_20s",) if kind == "genesys-cloud" else None
    assert truth_gaps(store, contract, scenario, unavailable=genesys) == []
    if fault_rate:
        assert injected >= 4
        assert http.stats().retries >= 3
