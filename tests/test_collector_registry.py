"""The explicit vendor-kind → collector registry and the poll loop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.collectors import COLLECTORS, HttpClient, build_collector, build_collectors
from monitor.collectors.poll import poll
from monitor.collectors.statuspage import StatuspageCollector
from monitor.collectors.twilio import TwilioFlexCollector
from monitor.domain.contract import Queue
from monitor.errors import PermanentError
from monitor.simulator import SIM_ENV, Scenario, Simulator, make_contract, simulator_contract

TW_CREDS = {"account_sid": "TW_SID", "auth_token": "TW_TOKEN"}


@pytest.fixture
def twilio_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TW_SID", "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    monkeypatch.setenv("TW_TOKEN", "secret-token")


def test_the_registry_names_every_built_vendor() -> None:
    assert sorted(COLLECTORS) == ["amazon-connect", "csv", "five9", "genesys-cloud",
                                  "nice-cxone", "statuspage", "talkdesk", "twilio-flex"]


def test_a_vendor_with_a_status_page_gets_two_collectors(twilio_env: None) -> None:
    contract = make_contract("twilio-flex", (Queue("WQ1", "Billing"),),
                             settings={"workspace_sid": "WS1"}, credentials_env=TW_CREDS,
                             status_page="https://status.twilio.com")
    kinds = [type(c) for c in build_collectors(contract, http=HttpClient())]
    assert kinds == [TwilioFlexCollector, StatuspageCollector]


def test_a_talkdesk_contract_gets_its_collector_and_its_status_page(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TD_ID", "id")
    monkeypatch.setenv("TD_SECRET", "secret")
    contract = make_contract("talkdesk", (Queue("billing", "Billing"),),
                             settings={"account": "acme"},
                             credentials_env={"client_id": "TD_ID", "client_secret": "TD_SECRET"},
                             status_page="https://status.talkdesk.com")
    assert [c.kind for c in build_collectors(contract)] == ["talkdesk", "statuspage"]


def test_a_collector_that_cannot_start_says_why() -> None:
    contract = make_contract("five9", (Queue("Billing", "Billing"),),
                             credentials_env={"username": "SLAMON_TEST_UNSET_F9_USER"})
    with pytest.raises(PermanentError, match="SLAMON_TEST_UNSET_F9_USER"):
        build_collectors(contract)


def test_an_unknown_vendor_is_a_permanent_error_listing_the_known_ones() -> None:
    with pytest.raises(PermanentError, match="no collector for platform 'avaya'; known: "
                                             "amazon-connect, csv, five9, genesys-cloud"):
        build_collectors(make_contract("avaya"))


def test_poll_fetches_the_planned_windows_oldest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in SIM_ENV.items():
        monkeypatch.setenv(key, value)
    scenario = Scenario(seed=4)
    with Simulator(scenario) as sim:
        collector = build_collector(simulator_contract("genesys-cloud", sim.url, scenario),
                                    http=HttpClient(sleep=lambda s: None))
        now = datetime(2026, 10, 5, 20, 10, tzinfo=UTC)
        watermark = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)  # down since 09:00
        results = list(poll(collector, watermark, now))
    assert [(r.window.start.hour, r.window.end.hour) for r in results] == [(5, 20)]
    total = sum(int(r.intervals.offered.sum()) for r in results)
    truth = scenario.truth(start=watermark - timedelta(hours=4), end=datetime(
        2026, 10, 5, 20, tzinfo=UTC))
    assert total == int(truth.offered.sum())
