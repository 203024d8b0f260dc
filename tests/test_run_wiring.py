"""What `slamon run` wires around the service: its /metrics reads the stored results (plus
what only the running process knows), and its after-evaluation hook sends notifications."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import responses
from prometheus_client import generate_latest

from monitor.alerting.notifiers import MemorySentLog, RetryPolicy
from monitor.domain.contract import Contract, Status, Target
from monitor.domain.contract import Notifier as NotifierSpec
from monitor.domain.periods import period_for
from monitor.domain.results import (
    ChronicFailure,
    CreditLine,
    Evaluation,
    Evidence,
    PeriodCredits,
    SlaResult,
)
from monitor.exporter.server import build_registry
from monitor.exporter.store_source import StoreSource
from monitor.service.demo import DEMO_TZ, demo_contract_yaml, month_bounds
from monitor.service.pipeline import CollectPolicy, EvaluationOutcome
from monitor.service.runtime import retarget
from monitor.service.scheduler import Service, notifier
from monitor.simulator import SIM_ENV, Scenario, Simulator
from monitor.spec import load_contract
from monitor.storage import Store
from tests.metrics_samples import sample_contract

NOW = datetime(2026, 11, 11, 15, 0, tzinfo=UTC)
HOOK = "http://127.0.0.1:9/hooks/acme"


@pytest.fixture
def contract(tmp_path: Path) -> Contract:
    return sample_contract(tmp_path)  # no credentials: its Genesys source cannot be built


def evaluation(contract: Contract, label: str, status: Status, value: str) -> Evaluation:
    result = SlaResult("service-level", "service_level", D(value), D(value), Target(D("0.8")),
                       status, Evidence(D(700), D(1000), 10, D(0), "sl"))
    return Evaluation(contract.id, period_for(contract, label), NOW, "open", (result,))


def credits(label: str, chronic: tuple[ChronicFailure, ...] = ()) -> PeriodCredits:
    line = CreditLine("service-level", label, "USD", D("600.00"), D("600.00"), "allocation",
                      "issued")
    return PeriodCredits(label, "USD", (line,), D("600.00"), None, chronic)


def exposition(source: StoreSource) -> list[str]:
    text = generate_latest(build_registry(source, lambda: NOW)).decode()
    return [line for line in text.splitlines()
            if line.startswith(("slamon_chronic_failure{", "slamon_collector_up{",
                                "slamon_sla_attainment_ratio{"))]


@pytest.mark.parametrize(("live_label", "raised"), [
    pytest.param("2026-11", "1.0", id="the service's assessment of the stored period raises it"),
    pytest.param("2026-10", "0.0", id="an assessment of another period raises nothing"),
])
def test_the_run_exporter_adds_the_services_chronic_failures_and_unbuilt_sources(
        store: Store, contract: Contract, live_label: str, raised: str) -> None:
    store.save_evaluation(evaluation(contract, "2026-11", Status.BREACHED, "0.7"),
                          credits("2026-11"), at=NOW)
    service = Service(store, [contract])
    chronic = ChronicFailure("any", "termination_right", ("2026-10", "2026-11"), "2026-11")
    service.latest[contract.id] = EvaluationOutcome(
        contract.id, (evaluation(contract, live_label, Status.BREACHED, "0.7"),),
        (credits(live_label, (chronic,)),))
    chronic_series = ('slamon_chronic_failure{consequence="termination_right",'
                      'contract="acme-2026",rule="any",vendor="genesys-cloud"}')
    alone = exposition(StoreSource(store, [contract]))
    assert f"{chronic_series} 0.0" in alone
    assert not any(line.startswith("slamon_collector_up{") for line in alone)
    served = exposition(StoreSource(store, [contract], live=service))
    assert f"{chronic_series} {raised}" in served
    assert ('slamon_collector_up{contract="acme-2026",source="genesys-cloud",'
            'vendor="genesys-cloud"} 0.0') in served
    # The SLA figure is the stored one in both (the service holds no evaluation of its own
    # for 2026-11 in the second case: storage is what every process shows).
    [attainment] = [line for line in served if line.startswith("slamon_sla_attainment_ratio")]
    assert attainment.endswith(" 0.7")
    assert 'period="2026-11"' in attainment
    assert attainment in alone


@responses.activate
def test_the_after_evaluation_hook_sends_a_breach_once_per_pass_history(
        contract: Contract) -> None:
    responses.post(HOOK, status=200)
    subscribed = replace(contract, notifications=(NotifierSpec("webhook", "ACME_HOOK"),))
    sent = MemorySentLog()
    hook = notifier(sent, {"ACME_HOOK": HOOK}, RetryPolicy(sleep=lambda s: None))
    outcome = EvaluationOutcome(contract.id, (
        evaluation(contract, "2026-10", Status.MET, "0.85"),
        evaluation(contract, "2026-11", Status.BREACHED, "0.7")), ())
    hook(subscribed, outcome)
    hook(subscribed, outcome)
    assert len(responses.calls) == 1
    assert [(r.kind, r.period, r.status) for r in sent.entries()] == [
        ("breach", "2026-11", "sent")]


def test_a_notifier_without_its_url_records_the_notice_as_undeliverable_and_says_so_once(
        contract: Contract, caplog: pytest.LogCaptureFixture) -> None:
    subscribed = replace(contract, notifications=(NotifierSpec("webhook", "ACME_HOOK"),))
    wall = [datetime(2026, 11, 11, 15, 0, tzinfo=UTC)]
    sent = MemorySentLog(wall=lambda: wall[0])
    outcome = EvaluationOutcome(contract.id, (
        evaluation(contract, "2026-11", Status.BREACHED, "0.7"),), ())
    with caplog.at_level(logging.DEBUG):
        for minutes in (0, 1, 2, 3, 4, 5):  # passes every minute: retries at +1 and +3 min
            wall[0] = datetime(2026, 11, 11, 15, minutes, tzinfo=UTC)
            notifier(sent, {})(subscribed, outcome)
    [row] = sent.entries()
    assert (row.kind, row.channel, row.status, row.attempts, row.failures) == (
        "breach", "webhook:ACME_HOOK", "failed", 3, 3)
    assert row.detail.endswith("environment variable ACME_HOOK is not set")
    assert row.next_attempt_at == datetime(2026, 11, 11, 15, 7, tzinfo=UTC)
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warned) == 1
    assert warned[0].startswith("event=notification_undeliverable kind=breach "
                                "contract=acme-2026 sla=service-level period=2026-11 "
                                "channel=webhook:ACME_HOOK attempts=1 ")
    assert warned[0].endswith("ACME_HOOK is not set")


def test_the_stored_figures_served_equal_what_the_service_just_evaluated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Storage loses nothing the exporter shows: on a simulated October (the bad afternoon
    and the voice outage on the 1st), the SLA, contract and chronic series read back from
    the database are exactly those of the service's in-memory evaluation."""
    for key, value in SIM_ENV.items():
        monkeypatch.setenv(key, value)
    start, _ = month_bounds("2026-10", ZoneInfo(DEMO_TZ))
    scenario = Scenario(seed=7, start=start, days=31, bad_day=0)
    path = tmp_path / "demo.yaml"
    path.write_text(demo_contract_yaml(scenario, "2026-10"), encoding="utf-8")
    contract = load_contract(path)
    store = Store.open(f"sqlite:///{tmp_path / 'slamon.db'}", check_revision=False)
    store.upgrade()
    try:
        with Simulator(scenario) as sim:
            service = Service(store, [retarget(contract, sim.url)], clock=scenario.clock.now,
                              policy=CollectPolicy(since=start))
            source = StoreSource(store, [contract], live=service)
            for hours in (18, 240):
                scenario.clock.frozen_at = now = start + timedelta(hours=hours)
                service.run_once()
                stored, live = source.snapshot(now), service.snapshot(now)
                assert stored.slas == live.slas
                assert (stored.contracts, stored.chronic) == (live.contracts, live.chronic)
                abandon = next(s for s in stored.slas if s.sla == "abandon-rate")
                assert abandon.valid_events == {18: 1724, 240: 19752}[hours]
                # 18 hours in, the abandon rate misses target so far but the month can
                # still be met: at risk, not breached (a page would be a false alarm).
                assert (abandon.standing, abandon.breached) == (
                    {18: "at_risk", 240: "on_track"}[hours], False)
    finally:
        store.close()


def test_serve_metrics_alone_raises_chronic_failure_from_the_stored_history(
        store: Store, contract: Contract) -> None:
    """`slamon serve-metrics` has no running service: two stored months that missed make
    the contract's 2-in-2 rule hold, worked out by the credit engine over storage."""
    chronic_series = ('slamon_chronic_failure{consequence="termination_right",'
                      'contract="acme-2026",rule="any",vendor="genesys-cloud"}')
    store.save_evaluation(evaluation(contract, "2026-11", Status.BREACHED, "0.7"),
                          credits("2026-11"), at=NOW)
    source = StoreSource(store, [contract])
    assert f"{chronic_series} 0.0" in exposition(source)  # one miss is not chronic
    store.save_evaluation(evaluation(contract, "2026-10", Status.BREACHED, "0.7"),
                          credits("2026-10"), at=NOW + timedelta(seconds=1))
    assert f"{chronic_series} 1.0" in exposition(source)
