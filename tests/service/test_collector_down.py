"""A NICE CXone, Five9 or Talkdesk source that cannot start is never silent: `slamon run`
logs why and `/metrics` shows its collector down (issue 10, item 5)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client import generate_latest

from monitor.domain.contract import Queue
from monitor.exporter.server import build_registry
from monitor.exporter.store_source import StoreSource
from monitor.service.scheduler import Service
from monitor.simulator import make_contract
from monitor.storage import Store

NOW = datetime(2026, 11, 2, 12, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path / 'down.db'}", check_revision=False)
    opened.upgrade()
    try:
        yield opened
    finally:
        opened.close()


@pytest.mark.parametrize(("platform", "settings", "credentials", "reason"), [
    ("five9", {}, {"username": "SLAMON_TEST_UNSET_USER", "password": "SLAMON_TEST_UNSET_PW"},
     "SLAMON_TEST_UNSET_USER"),
    ("talkdesk", {"account": "acme", "region": "apac"}, {}, "'apac' is not a Talkdesk region"),
    ("nice-cxone", {"area": "mars1"}, {}, "'mars1' is not a CXone area"),
])
def test_a_source_that_cannot_start_is_logged_and_shown_down(
        store: Store, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
        platform: str, settings: dict[str, str], credentials: dict[str, str], reason: str
        ) -> None:
    monkeypatch.delenv("SLAMON_TEST_UNSET_USER", raising=False)
    contract = make_contract(platform, (Queue("Billing", "Billing"),), settings=settings,
                             credentials_env=credentials)
    with caplog.at_level(logging.ERROR, logger="slamon.service"):
        service = Service(store, [contract])
    assert service.sources == []
    [line] = [r.getMessage() for r in caplog.records if "event=source_unusable" in
              r.getMessage()]
    assert f"contract=sim-{platform}" in line
    assert reason in line
    text = generate_latest(build_registry(StoreSource(store, [contract], live=service),
                                          lambda: NOW)).decode()
    assert (f'slamon_collector_up{{contract="sim-{platform}",source="{platform}",'
            f'vendor="{platform}"}} 0.0') in text.splitlines()
