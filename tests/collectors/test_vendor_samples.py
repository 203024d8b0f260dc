"""The existing collectors on payloads their vendors published (issue 10, item 6).

- `fixtures/vendor_samples/genesys_results.json`: MyPureCloud/developercenter-tutorials
  `analytics-conversation-aggregate-query/results.json` (commit 3d24ddd9, © Genesys Cloud
  Services, MIT), the answer to the "Querying Queue Historical Statistics" tutorial.
- `fixtures/vendor_samples/twilio_cumulative_statistics.json`: twilio/twilio-python
  `tests/integration/taskrouter/v1/workspace/task_queue/
  test_task_queue_cumulative_statistics.py` (commit 6a3c255f, MIT), the SDK's own fixture
  (synthetic values: a shape test, not arithmetic).
- Amazon Connect: botocore's own model parses the answers in
  tests/test_collector_amazon_connect.py (Stubber), so its shapes are the vendor's already.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from monitor.collectors import HttpClient, build_collector
from monitor.collectors.genesys import GenesysCollector
from monitor.collectors.twilio import TwilioFlexCollector
from monitor.domain.contract import Metric, Queue, Sla, Target
from monitor.simulator import make_contract

FIX = Path(__file__).parent.parent / "fixtures" / "vendor_samples"


def test_genesys_tutorial_aggregates_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEN_ID", "id")
    monkeypatch.setenv("GEN_SECRET", "secret")
    queue = "c6fc6f57-4c1e-4812-980a-5154f500b5c6"
    contract = make_contract("genesys-cloud", (Queue(queue, "Chat", "chat"),),
                             settings={"region": "us_east_1"},
                             credentials_env={"client_id": "GEN_ID", "client_secret": "GEN_SECRET"})
    genesys = build_collector(contract, http=HttpClient())
    assert isinstance(genesys, GenesysCollector)
    [row] = genesys.parse(json.loads((FIX / "genesys_results.json").read_text()))
    assert (row["queue"], row["channel"]) == (queue, "chat")
    assert row["interval_start"] == datetime(2016, 3, 28, 15, 7, tzinfo=UTC)
    assert (row["offered"], row["answered"]) == (5, 5)
    assert row["answer_wait_seconds"] == 32  # tAnswered.sum 32,296 ms, half-up
    assert (row["abandoned"], row["handled"], row["handle_seconds"]) == (0, 0, 0)  # absent


def test_twilio_sdk_cumulative_statistics_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TW_SID", "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    monkeypatch.setenv("TW_TOKEN", "token-value")
    slas = (Sla(id="sl", metric=Metric.SERVICE_LEVEL, target=Target(Decimal("0.8")),
                threshold=timedelta(seconds=10), short_abandon=timedelta(seconds=5)),)
    contract = make_contract("twilio-flex", (Queue("WQaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "Q"),),
                             settings={"workspace_sid": "WSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
                             credentials_env={"account_sid": "TW_SID", "auth_token": "TW_TOKEN"},
                             slas=slas)
    twilio = build_collector(contract, http=HttpClient())
    assert isinstance(twilio, TwilioFlexCollector)
    start = datetime(2015, 7, 30, 20, tzinfo=UTC)
    row = twilio.parse(contract.sources.queues[0], start,
                       json.loads((FIX / "twilio_cumulative_statistics.json").read_text()))
    assert {k: v for k, v in row.items() if k not in ("queue", "channel", "interval_start")} == {
        "interval_minutes": 30, "offered": 100, "answered": 100, "abandoned": 100,
        "answer_wait_seconds": 0, "handled": 100, "flowouts": 100,
        "answered_within_10s": 0, "abandoned_within_5s": 0, "abandoned_within_10s": 0}
