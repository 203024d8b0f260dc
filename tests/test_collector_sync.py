"""Polling into a real store: watermarks, a first look-back, and backfill after downtime."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.collectors import HttpClient, build_collector
from monitor.collectors.sync import sync, watermark_key
from monitor.simulator import (
    SIM_ENV,
    FaultInjector,
    Scenario,
    SimClock,
    Simulator,
    simulator_contract,
)
from monitor.storage import Store

SCENARIO = Scenario(seed=21)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path / 'slamon.db'}", check_revision=False)
    opened.upgrade()
    yield opened
    opened.close()


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    for key, value in SIM_ENV.items():
        monkeypatch.setenv(key, value)
    with Simulator(SCENARIO, FaultInjector(rate=0.1, seed=9, retry_after="0",
                                           timeout_delay=0.3)) as running:
        yield running


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, 5, hour, minute, tzinfo=UTC)


def test_a_poll_after_downtime_backfills_the_gap_and_moves_the_watermark(
        store: Store, sim: Simulator) -> None:
    contract = simulator_contract("genesys-cloud", sim.url, SCENARIO)
    store.save_contract(contract)
    http = HttpClient(timeout=0.2, max_retries=8, backoff=0.0, sleep=lambda s: None)
    genesys = build_collector(contract, http=http, clock=lambda: at(23))

    first = sync(genesys, contract, store, at(10, 10), initial=timedelta(hours=6))
    assert first.watermark == at(10)
    assert store.get_watermark(watermark_key(contract, genesys)) == at(10)

    # the poller was down from 10:10 until 20:10: the gap is fetched, 4 h of trailing too
    second = sync(genesys, contract, store, at(20, 10))
    assert second.gap is not None
    assert (second.gap.start, second.gap.end) == (at(10), at(16))
    assert second.watermark == at(20)

    stored = store.load_intervals(contract.id, at(0), at(23))
    truth = SCENARIO.truth(start=at(4), end=at(20))
    assert len(stored) == len(truth) == 3 * 32  # 3 queues x 16 hours, nothing twice
    assert int(stored.offered.sum()) == int(truth.offered.sum())
    assert int(stored.answered_within_20s.sum()) == int(truth.answered_within_20s.sum())


def test_the_status_page_is_persisted_on_every_poll(store: Store, sim: Simulator) -> None:
    contract = simulator_contract("genesys-cloud", sim.url, SCENARIO)
    store.save_contract(contract)
    statuspage = build_collector(contract, http=HttpClient(sleep=lambda s: None, timeout=0.2,
                                                           max_retries=8),
                                 clock=lambda: at(23), kind="statuspage")
    report = sync(statuspage, contract, store, at(23, 59))
    again = sync(statuspage, contract, store, at(23, 59))
    assert report.outages == again.outages == 4  # 3 outage spells + 1 maintenance
    kept = store.load_outages(contract.id, at(0), at(23, 59))
    assert sorted((o.service, o.impact, o.excluded) for o in kept) == [
        ("Chat", "degraded", False), ("Voice", "degraded", False), ("Voice", "full", False),
        ("Voice", "full", True)]


def test_the_trailing_re_poll_picks_up_late_posted_contacts(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in SIM_ENV.items():
        monkeypatch.setenv(key, value)
    real = [0.0]
    scenario = Scenario(seed=21)
    scenario.clock = SimClock(scenario.start, speed=3600.0, real=lambda: real[0])
    with Simulator(scenario) as running:
        contract = simulator_contract("genesys-cloud", running.url, scenario)
        store.save_contract(contract)
        genesys = build_collector(contract, http=HttpClient(sleep=lambda s: None),
                                  clock=scenario.clock.now)
        real[0] = 17.0  # 17:00 simulated: the 16:30 interval has ended, not all posted
        sync(genesys, contract, store, scenario.clock.now(), initial=timedelta(hours=6))
        recent = (at(16, 30), at(17))
        early = int(store.load_intervals(contract.id, *recent).offered.sum())
        real[0] = 19.0  # two hours later every 16:30 contact has completed
        sync(genesys, contract, store, scenario.clock.now())
        late = int(store.load_intervals(contract.id, *recent).offered.sum())
    final = int(scenario.truth(start=at(16, 30), end=at(17)).offered.sum())
    assert early < late == final
