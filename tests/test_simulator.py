"""The vendor simulator: seeded days, fault injection, ground truth, and collectors that
read it back exactly through every fault."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import timedelta

import pandas as pd
import pytest

from monitor.collectors import HttpClient, TimeWindow, build_collector
from monitor.collectors.genesys import GenesysCollector
from monitor.collectors.windows import split_window
from monitor.simulator import (
    SIM_ENV,
    FaultInjector,
    Scenario,
    SimClock,
    Simulator,
    simulator_contract,
)

SCENARIO = Scenario(seed=11)
VOICE = [q.id for q in SCENARIO.queues if q.channel == "voice"]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in SIM_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def faulty() -> Iterator[Simulator]:
    faults = FaultInjector(rate=0.2, seed=5, retry_after="0", timeout_delay=0.4)
    with Simulator(SCENARIO, faults) as sim:
        yield sim


def http() -> HttpClient:
    return HttpClient(timeout=0.2, max_retries=8, backoff=0.0, jitter=0.0,
                      sleep=lambda s: None)


def collect_day(kind: str, sim: Simulator, scenario: Scenario = SCENARIO) -> pd.DataFrame:
    contract = simulator_contract(kind, sim.url, scenario)
    collector = build_collector(contract, http=http(), clock=scenario.clock.now)
    windows = split_window(scenario.start, scenario.end, timedelta(hours=2),
                           timedelta(minutes=30))
    frames = [collector.collect(w).intervals for w in windows]
    return pd.concat(frames, ignore_index=True).sort_values(
        ["queue", "channel", "interval_start"]).reset_index(drop=True)


def test_the_same_seed_gives_the_same_day_and_another_seed_another() -> None:
    again = Scenario(seed=11).truth()
    pd.testing.assert_frame_equal(SCENARIO.truth(), again)
    assert not Scenario(seed=12).truth().offered.equals(again.offered)


def test_the_day_has_a_volume_curve_and_a_bad_afternoon() -> None:
    truth = SCENARIO.truth()
    hours = truth.interval_start.dt.hour
    night, peak = truth[hours < 6].offered.sum(), truth[(hours >= 14) & (hours < 17)].offered.sum()
    assert peak > 10 * night
    bad = truth[(hours >= 18) & (hours < 22)]
    good = truth[(hours >= 10) & (hours < 14)]
    assert bad.answered_within_20s.sum() / bad.offered.sum() < 0.5
    assert good.answered_within_20s.sum() / good.offered.sum() > 0.8


def test_no_voice_contact_arrives_during_the_status_page_outage() -> None:
    truth = SCENARIO.truth()
    down = truth[truth.queue.isin(VOICE) & truth.interval_start.isin(
        [SCENARIO.start + timedelta(hours=14, minutes=30), SCENARIO.start + timedelta(hours=15)])]
    assert len(down) == 4
    assert down.offered.sum() == 0


def test_genesys_through_20_percent_faults_returns_exactly_the_ground_truth(
        env: None, faulty: Simulator) -> None:
    got = collect_day("genesys-cloud", faulty)
    pd.testing.assert_frame_equal(got, SCENARIO.truth(answered=(20,), abandoned=(5,)))
    faults = faulty.stats()["faults"]
    assert sum(faults.values()) >= 3  # the run really met faults (seeded)


def test_connect_through_boto3_and_20_percent_faults_returns_exactly_the_ground_truth(
        env: None, faulty: Simulator) -> None:
    got = collect_day("amazon-connect", faulty)
    want = SCENARIO.truth(answered=(20,), abandoned=(5, 20)).drop(columns=["flowouts"])
    pd.testing.assert_frame_equal(got[list(want.columns)], want)
    assert faulty.stats()["requests"]["POST /metrics/data"] > 12


def test_statuspage_reads_back_the_outages_and_the_maintenance(faulty: Simulator) -> None:
    contract = simulator_contract("genesys-cloud", faulty.url, SCENARIO)
    collector = build_collector(contract, http=http(), clock=SCENARIO.clock.now,
                                kind="statuspage")
    result = collector.collect(TimeWindow(SCENARIO.start, SCENARIO.end))
    key = lambda o: (o.service, o.start, o.end, o.impact, o.excluded)  # noqa: E731
    assert sorted(map(key, result.outages)) == sorted(map(key, SCENARIO.outages()))
    assert list(map(key, result.maintenances)) == list(map(key, SCENARIO.maintenances()))


def test_token_expiry_faults_make_the_collector_fetch_new_tokens(env: None) -> None:
    faults = FaultInjector(rate=0.5, kinds=("token_expiry",), seed=2)
    with Simulator(SCENARIO, faults) as sim:
        contract = simulator_contract("genesys-cloud", sim.url, SCENARIO)
        collector = build_collector(contract, http=http(), clock=SCENARIO.clock.now)
        assert isinstance(collector, GenesysCollector)
        for window in split_window(SCENARIO.start, SCENARIO.end, timedelta(hours=6),
                                   timedelta(minutes=30)):
            collector.collect(window)
        assert collector.auth.fetched == 1 + faults.injected["token_expiry"]
        assert faults.injected["token_expiry"] >= 2


def test_the_simulated_clock_only_serves_intervals_that_have_ended(env: None) -> None:
    real = [0.0]
    scenario = Scenario(seed=11)
    scenario.clock = SimClock(scenario.start, speed=1800.0, real=lambda: real[0])
    with Simulator(scenario) as sim:
        collector = build_collector(simulator_contract("genesys-cloud", sim.url, scenario),
                                    http=http(), clock=scenario.clock.now)
        window = TimeWindow(scenario.start, scenario.end)
        assert collector.collect(window).intervals.offered.sum() == 0
        real[0] = 30.0  # one real second is 30 simulated minutes: now 15:00
        seen = collector.collect(window).intervals
        served = seen[seen.offered > 0].interval_start
        assert served.max() == scenario.start + timedelta(hours=14, minutes=30)
        morning = scenario.truth(end=scenario.start + timedelta(hours=12))
        assert seen[seen.interval_start < scenario.start + timedelta(hours=12)].offered.sum() \
            == morning.offered.sum()


def test_recent_intervals_grow_as_their_contacts_complete() -> None:
    scenario = Scenario(seed=11)
    scenario.clock = SimClock(scenario.start, speed=1.0)
    queue, at = VOICE[1], scenario.start + timedelta(hours=16)
    final = scenario.contacts[(queue, at)]
    just_ended = scenario.served(queue, at, at + timedelta(minutes=30))
    later = scenario.served(queue, at, at + timedelta(hours=3))
    assert 0 < len(just_ended.answered_wait) < len(final.answered_wait)
    assert later.offered == final.offered > just_ended.offered


def test_truth_and_stats_are_served_over_http() -> None:
    with Simulator(SCENARIO) as sim:
        with urllib.request.urlopen(f"{sim.url}/_truth?answered=20,30&abandoned=") as answer:
            truth = json.load(answer)
        with urllib.request.urlopen(f"{sim.url}/_stats") as answer:
            stats = json.load(answer)
    first = truth["intervals"][0]
    assert {"answered_within_20s", "answered_within_30s"} <= set(first)
    assert not any(k.startswith("abandoned_within_") for k in first)
    assert len(truth["intervals"]) == 48 * len(SCENARIO.queues)
    assert [o["impact"] for o in truth["outages"]] == ["full", "degraded", "degraded"]
    assert stats["requests"] == {"GET /_truth": 1, "GET /_stats": 1}


def test_unknown_fault_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault kinds"):
        FaultInjector(rate=0.1, kinds=("gremlins",))


def test_it_runs_as_a_module_and_stops_on_sigterm() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor.simulator", "--port", "0", "--seed", "3"],
        stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "simulator listening on http://127.0.0.1:" in line
        url = line.split()[3]
        with urllib.request.urlopen(f"{url}/api/v2/components.json", timeout=5) as answer:
            names = [c["name"] for c in json.load(answer)["components"]]
        assert names == ["Contact Center", "Voice", "Chat", "Analytics"]
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
