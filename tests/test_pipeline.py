"""The service's one pass (`collect_once`, `evaluate_once`) against the real simulator and
a real database (SQLite and PostgreSQL): what gets fetched, stored, skipped and evaluated."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.collectors import HttpClient, build_collectors
from monitor.collectors.base import Collector
from monitor.domain.contract import Contract
from monitor.domain.evaluate import evaluate
from monitor.domain.measurements import Measurements
from monitor.domain.periods import period_for
from monitor.service.checks import truth_frame, truth_gaps
from monitor.service.demo import demo_contract_yaml
from monitor.service.pipeline import (
    CollectPolicy,
    collect_once,
    evaluate_once,
    lease_key,
    source_key,
)
from monitor.service.runtime import retarget
from monitor.simulator import SIM_ENV, FaultInjector, Scenario, Simulator
from monitor.spec import load_contract
from monitor.storage import Store

START = datetime(2026, 10, 5, tzinfo=UTC)
END = START + timedelta(days=1)
AGGREGATES = "POST /api/v2/analytics/conversations/aggregates/query"


@pytest.fixture
def scenario() -> Scenario:
    sc = Scenario(seed=7, start=START, days=1)
    sc.clock.frozen_at = START
    return sc


@pytest.fixture
def sim(scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    for key, value in SIM_ENV.items():
        monkeypatch.setenv(key, value)
    with Simulator(scenario, FaultInjector()) as simulator:
        yield simulator


def sim_contract(tmp_path: Path, scenario: Scenario, url: str) -> Contract:
    path = tmp_path / "demo-genesys.yaml"
    path.write_text(demo_contract_yaml(scenario, "2026-10"), encoding="utf-8")
    return retarget(load_contract(path), url)


def collectors(contract: Contract, scenario: Scenario) -> list[Collector]:
    http = HttpClient(timeout=2.0, backoff=0.0, sleep=lambda _s: None)
    return build_collectors(contract, http=http, clock=scenario.clock.now)


def tick(scenario: Scenario, to: datetime) -> datetime:
    scenario.clock.frozen_at = to
    return to


POLICY = CollectPolicy(since=START)


def test_a_day_polled_every_two_hours_stores_exactly_the_simulators_truth(
        store: Store, sim: Simulator, scenario: Scenario, tmp_path: Path) -> None:
    contract = sim_contract(tmp_path, scenario, sim.url)
    sources = collectors(contract, scenario)
    now = START
    while now < END:
        now = tick(scenario, now + timedelta(hours=2))
        for source in sources:
            outcome = collect_once(store, contract, source, now, "me", POLICY)
            assert outcome.error is None
    assert truth_gaps(store, contract, scenario) == []
    assert len(store.load_intervals(contract.id, START, END)) == 3 * 48  # 3 queues, 48 slots
    assert store.get_watermark(source_key(contract.id, "genesys-cloud")) == END
    assert store.corrections(contract.id) == []  # re-polled hours came back identical
    # 12 ticks, one aggregates query each: the trailing re-poll rides along, never extra
    assert sim.stats()["requests"][AGGREGATES] == 12


def test_a_source_with_nothing_new_is_not_polled_again(
        store: Store, sim: Simulator, scenario: Scenario, tmp_path: Path) -> None:
    contract = sim_contract(tmp_path, scenario, sim.url)
    genesys = collectors(contract, scenario)[0]
    now = tick(scenario, START + timedelta(hours=3, minutes=10))
    first = collect_once(store, contract, genesys, now, "me", POLICY)
    before = sim.stats()["requests"]
    again = collect_once(store, contract, genesys, now + timedelta(minutes=15), "me", POLICY)
    assert [w.iso() for w in first.windows] == [
        "2026-10-05T00:00:00.000Z/2026-10-05T03:00:00.000Z"]
    assert first.rows == 3 * 6
    assert again.skipped == "fresh"
    assert again.windows == ()
    assert sim.stats()["requests"] == before


def test_a_source_leased_by_another_process_is_left_alone(
        store: Store, sim: Simulator, scenario: Scenario, tmp_path: Path) -> None:
    contract = sim_contract(tmp_path, scenario, sim.url)
    genesys = collectors(contract, scenario)[0]
    now = tick(scenario, START + timedelta(hours=4))
    wall = datetime.now(UTC)
    assert store.try_lease(lease_key(contract.id, "genesys-cloud"), "other:1",
                           timedelta(minutes=1), wall)
    outcome = collect_once(store, contract, genesys, now, "me", POLICY)
    assert outcome.skipped == "leased"
    assert AGGREGATES not in sim.stats()["requests"]
    assert store.get_watermark(source_key(contract.id, "genesys-cloud")) is None


def test_an_expired_lease_of_a_dead_process_is_taken_over(
        store: Store, sim: Simulator, scenario: Scenario, tmp_path: Path) -> None:
    contract = sim_contract(tmp_path, scenario, sim.url)
    genesys = collectors(contract, scenario)[0]
    now = tick(scenario, START + timedelta(hours=4))
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    store.try_lease(lease_key(contract.id, "genesys-cloud"), "dead:1", timedelta(minutes=2),
                    long_ago)
    outcome = collect_once(store, contract, genesys, now, "me", POLICY)
    assert outcome.skipped is None
    assert outcome.rows == 3 * 8


def test_a_transient_failure_keeps_the_watermark_and_the_next_tick_catches_up(
        store: Store, sim: Simulator, scenario: Scenario, tmp_path: Path) -> None:
    contract = sim_contract(tmp_path, scenario, sim.url)
    genesys = collectors(contract, scenario)[0]
    sim.faults.rate, sim.faults.kinds = 1.0, ("503",)
    now = tick(scenario, START + timedelta(hours=6))
    failed = collect_once(store, contract, genesys, now, "me", POLICY)
    assert failed.error is not None
    assert "503" in failed.error
    assert not failed.down
    assert store.get_watermark(source_key(contract.id, "genesys-cloud")) is None
    run = store.runs(source_key(contract.id, "genesys-cloud"))[0]
    assert run.rows == 0
    assert run.error is not None
    sim.faults.rate = 0.0
    now = tick(scenario, END)
    caught_up = collect_once(store, contract, genesys, now, "me", POLICY)
    assert caught_up.error is None
    assert caught_up.rows == 3 * 48
    assert truth_gaps(store, contract, scenario) == []


def test_a_rejected_login_is_a_refusal_the_service_counts_not_a_pause_by_itself(
        store: Store, sim: Simulator, scenario: Scenario, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLAMON_SIM_CLIENT_SECRET", "wrong-secret")
    contract = sim_contract(tmp_path, scenario, sim.url)
    genesys = collectors(contract, scenario)[0]
    now = tick(scenario, START + timedelta(hours=2))
    outcome = collect_once(store, contract, genesys, now, "me", POLICY)
    assert (outcome.refused, outcome.down) == (True, False)  # one refusal may be a storm
    assert outcome.error is not None
    assert "wrong-secret" not in outcome.error
    assert store.get_watermark(source_key(contract.id, "genesys-cloud")) is None


def test_a_stop_request_ends_the_pass_after_the_window_in_hand(
        store: Store, sim: Simulator, scenario: Scenario, tmp_path: Path) -> None:
    contract = sim_contract(tmp_path, scenario, sim.url)
    genesys = collectors(contract, scenario)[0]
    now = tick(scenario, END)
    asked = iter([False, True])
    outcome = collect_once(store, contract, genesys, now, "me",
                           CollectPolicy(since=START, max_span=timedelta(hours=6)),
                           stop=lambda: next(asked))
    assert [w.iso() for w in outcome.windows] == [
        "2026-10-05T00:00:00.000Z/2026-10-05T06:00:00.000Z"]
    assert store.get_watermark(source_key(contract.id, "genesys-cloud")) == (
        START + timedelta(hours=6))
    assert len(store.load_intervals(contract.id, START, END)) == 3 * 12


def test_the_evaluation_from_the_database_equals_the_evaluation_of_the_truth(
        store: Store, sim: Simulator, scenario: Scenario, tmp_path: Path) -> None:
    contract = sim_contract(tmp_path, scenario, sim.url)
    now = tick(scenario, END)
    for source in collectors(contract, scenario):
        assert collect_once(store, contract, source, now, "me", POLICY).error is None
    outcome = evaluate_once(store, contract, now)
    assert [e.period.label for e in outcome.evaluations] == ["2026-09", "2026-10"]
    october = outcome.current
    assert october is not None
    truth = Measurements(intervals=truth_frame(contract, scenario),
                         outages=scenario.outages() + scenario.maintenances())
    expected = evaluate(contract, truth, period_for(contract, "2026-10"), now,
                        keep_intervals=False)
    got = {r.sla_id: (r.value, r.status) for r in october.results}
    assert got == {r.sla_id: (r.value, r.status) for r in expected.results}
    # the voice outage (14:15-15:05 UTC, the last 15 min only degraded) breaches 99.99 %
    assert got["availability"][1] == "breached"
    stored = {r.sla_id: r for r in store.latest_results(contract.id)
              if r.period == "2026-10"}
    assert set(stored) == {"service-level-voice", "abandon-rate", "asa", "availability"}
