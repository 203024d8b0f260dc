"""Chaos: a simulated day with 20 % of vendor requests failing (429, 500, 503, timeouts,
truncated JSON, revoked tokens) still stores exactly the simulator's ground truth — no
interval lost, none doubled, none different — in-process and across a SIGKILL of a real
`slamon run` process and its restart."""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.collectors import HttpClient, build_collectors
from monitor.service.checks import truth_gaps
from monitor.service.pipeline import CollectPolicy, collect_once, source_key
from monitor.service.runtime import retarget
from monitor.service.scheduler import Service
from monitor.simulator import SIM_ENV, FaultInjector, Scenario, Simulator
from monitor.storage import Store
from tests.test_service_support import slamon_run, wait_until, write_contract

START = datetime(2026, 10, 5, tzinfo=UTC)
END = START + timedelta(days=1)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """SQLite only: the PostgreSQL side of the same path is covered by test_pipeline and
    the three-process test, and this one is the suite's slowest in-process test."""
    store = Store.open(f"sqlite:///{tmp_path / 'chaos.db'}", check_revision=False)
    store.upgrade()
    try:
        yield store
    finally:
        store.close()


def test_a_day_ticked_every_half_hour_with_20_percent_faults_stores_the_exact_truth(
        sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = sqlite_store
    for key, value in SIM_ENV.items():
        monkeypatch.setenv(key, value)
    scenario = Scenario(seed=7, start=START, days=1)
    faults = FaultInjector(rate=0.2, seed=11, retry_after="0", timeout_delay=0.3)
    with Simulator(scenario, faults) as sim:
        contract = retarget(write_contract(tmp_path, scenario), sim.url)
        http = HttpClient(timeout=0.2, backoff=0.0, sleep=lambda _s: None, max_retries=2)
        sources = build_collectors(contract, http=http, clock=scenario.clock.now)
        policy = CollectPolicy(since=START)
        now = START
        for step in range(1, 49):  # 48 half hours
            now = START + step * timedelta(minutes=30)
            scenario.clock.frozen_at = now
            for source in sources:
                collect_once(store, contract, source, now, "me", policy)
        for _ in range(10):  # a pass stopped by a fault that outlasted the retries resumes
            outcomes = [collect_once(store, contract, s, END, "me", policy) for s in sources]
            if all(o.error is None for o in outcomes):
                break
        injected = sum(sim.faults.injected.values())
    assert injected >= 20  # the faults really happened ...
    assert http.stats().retries >= 10  # ... and were retried through
    assert store.get_watermark(source_key(contract.id, "genesys-cloud")) == END
    assert truth_gaps(store, contract, scenario) == []
    assert store.corrections(contract.id) == []
    outages = store.load_outages(contract.id, START, END)
    assert sorted((o.service, o.impact, o.excluded) for o in outages) == [
        ("Chat", "degraded", False), ("Voice", "degraded", False), ("Voice", "full", False),
        ("Voice", "full", True)]


def test_a_day_long_storm_then_calm_converges_to_the_truth_without_a_restart(
        sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 17: with every request failing for a simulated day, 0 of 144 intervals were
    stored and one more 401 after a token refresh paused the source until a restart. Now
    the sources back off (a few attempts an hour), stay unpaused, keep no watermark they
    did not earn, and once the vendor recovers the first good pass back-fills the whole
    day. Timeouts are left out of the fault kinds only to keep the test fast: each one
    costs the client's full timeout in real time."""
    store = sqlite_store
    for key, value in SIM_ENV.items():
        monkeypatch.setenv(key, value)
    scenario = Scenario(seed=7, start=START, days=1)
    faults = FaultInjector(rate=1.0, seed=13, retry_after="0",
                           kinds=("429", "500", "503", "truncated", "token_expiry"))
    wall = [START]
    with Simulator(scenario, faults) as sim:
        contract = retarget(write_contract(tmp_path, scenario), sim.url)
        service = Service(
            store, [contract], clock=scenario.clock.now, wall=lambda: wall[0],
            policy=CollectPolicy(since=START),
            http=lambda: HttpClient(timeout=2, backoff=0.0, sleep=lambda _s: None,
                                    max_retries=2))
        key = source_key(contract.id, "genesys-cloud")
        seen: Counter[str | None] = Counter()
        for step in range(1, 24 * 12 + 1):  # a tick every 5 minutes of the stormy day
            wall[0] = scenario.clock.frozen_at = START + step * timedelta(minutes=5)
            for source in service.sources:
                outcome = service.collect_source(source, evaluate=False)
                seen[outcome.skipped] += 1
                seen["windows"] += len(outcome.windows)
        assert store.get_watermark(key) is None  # nothing got through, nothing pretended
        assert seen["windows"] == 0
        # 2 sources x 288 ticks: after a short ramp (30 s, 1, 2, 4, 8 minutes) one attempt
        # every 15 minutes, about 100 a source instead of 288
        assert seen[None] <= 2 * 110
        assert seen["backoff"] >= 2 * 175
        assert service.paused_sources() == set()
        snapshot = service.snapshot(END)
        assert {(c.source, c.up, c.paused) for c in snapshot.collectors} == {
            ("genesys-cloud", False, False), ("statuspage", False, False)}
        faults.rate = 0.0  # the vendor recovers; the same process carries on
        for _ in range(6):  # the next half hour of wall time, data clock at the day's end
            wall[0] += timedelta(minutes=5)
            for source in service.sources:
                service.collect_source(source, evaluate=False)
        assert store.get_watermark(key) == END
    assert truth_gaps(store, contract, scenario) == []
    assert store.corrections(contract.id) == []
    assert service.paused_sources() == set()


@pytest.mark.slow
def test_a_killed_service_restarted_still_stores_the_exact_truth(tmp_path: Path) -> None:
    scenario = Scenario(seed=7, start=START, days=1)  # frozen at its end: all visible
    faults = FaultInjector(rate=0.2, seed=5, retry_after="0", timeout_delay=0.2)
    url = f"sqlite:///{tmp_path / 'slamon.db'}"
    contract = write_contract(tmp_path / "contracts", scenario)
    key = source_key(contract.id, "genesys-cloud")
    with Simulator(scenario, faults) as sim:
        args = ["--db", url, "--contracts", str(tmp_path / "contracts"), "--once",
                "--vendor-url", sim.url, "--now", END.isoformat(), "--since",
                START.isoformat(), "--max-window", "3600", "--lease-ttl", "1",
                "--retry-backoff", "0.01", "--http-timeout", "2"]
        store = Store.open(url, check_revision=False)
        store.upgrade()
        try:
            victim = slamon_run(args, tmp_path, tmp_path / "run.log")

            def mid_run() -> bool:
                mark = store.get_watermark(key)
                return mark is not None and mark >= START + timedelta(hours=3)

            wait_until(mid_run, 60, "the first windows to be stored", procs=[victim],
                       log=tmp_path / "run.log")
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
            killed_at = store.get_watermark(key)
            assert killed_at is not None
            assert killed_at < END, "killed too late to matter"
            for _attempt in range(6):  # a pass stops early on a fault that outlasts retries
                restarted = slamon_run(args, tmp_path, tmp_path / "run.log")
                assert restarted.wait(90) in (0, 1)
                if store.get_watermark(key) == END:
                    break
            assert store.get_watermark(key) == END
            assert truth_gaps(store, contract, scenario) == []
            assert store.corrections(contract.id) == []
            assert sum(sim.faults.injected.values()) >= 5
        finally:
            store.close()
