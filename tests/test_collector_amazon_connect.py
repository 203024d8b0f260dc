"""Amazon Connect collector: GetMetricDataV2 through boto3, checked with botocore's Stubber
(which also validates our request parameters against the service model)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pandas as pd
import pytest
from botocore.stub import Stubber

from monitor.collectors import HttpClient, TimeWindow
from monitor.collectors.amazon_connect import AmazonConnectCollector
from monitor.domain.contract import Queue
from monitor.errors import PermanentError, TransientError
from monitor.simulator import make_contract

FIX = Path(__file__).parent / "fixtures" / "amazon_connect"
ARN = "arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555"
BILLING = "f8c742b9-b5ef-4948-8bbf-9a33c892023f"
CHAT = "9b1d2c3e-4f50-4a6b-8c7d-0e1f2a3b4c5d"
START = datetime(2024, 11, 27, 14, tzinfo=UTC)
END = datetime(2024, 11, 27, 15, tzinfo=UTC)
WINDOW = TimeWindow(START, END)


def fixture(name: str) -> Any:
    """The wire JSON as botocore hands it over: its rest-json parser drops `null` members,
    so a null `Value` reaches the collector as a missing key (Stubber validates that)."""
    return _drop_nulls(json.loads((FIX / name).read_text()))


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def expected_params(token: str | None = None) -> dict[str, Any]:
    lte = [{"Comparison": "LTE", "ThresholdValue": 20.0}]
    params: dict[str, Any] = {
        "ResourceArn": ARN, "StartTime": START, "EndTime": END,
        "Interval": {"TimeZone": "UTC", "IntervalPeriod": "THIRTY_MIN"},
        "Filters": [{"FilterKey": "QUEUE", "FilterValues": [BILLING, CHAT]}],
        "Groupings": ["QUEUE", "CHANNEL"],
        "Metrics": [
            {"Name": "CONTACTS_QUEUED"}, {"Name": "CONTACTS_HANDLED_BY_CONNECTED_TO_AGENT"},
            {"Name": "CONTACTS_ABANDONED"}, {"Name": "CONTACTS_HANDLED"},
            {"Name": "AVG_QUEUE_ANSWER_TIME"}, {"Name": "SUM_HANDLE_TIME"},
            {"Name": "SUM_CONTACTS_ANSWERED_IN_X", "Threshold": lte},
            {"Name": "SUM_CONTACTS_ABANDONED_IN_X",
             "Threshold": [{"Comparison": "LTE", "ThresholdValue": 5.0}]},
            {"Name": "SUM_CONTACTS_ABANDONED_IN_X", "Threshold": lte},
        ],
        "MaxResults": 100,
    }
    if token:
        params["NextToken"] = token
    return params


@pytest.fixture
def stubbed() -> Iterator[tuple[AmazonConnectCollector, Stubber, list[float]]]:
    client = boto3.client("connect", region_name="us-east-1", aws_access_key_id="AKIATEST",
                          aws_secret_access_key="test-secret")
    contract = make_contract("amazon-connect",
                             (Queue(BILLING, "Billing"), Queue(CHAT, "Chat", "chat")),
                             settings={"instance_arn": ARN})
    slept: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:  # fake time: sleeping moves the clock
        slept.append(seconds)
        now[0] += seconds

    http = HttpClient(sleep=sleep, max_retries=2, jitter=0, clock=lambda: now[0])
    collector = AmazonConnectCollector(contract, http, lambda: END, client=client)
    with Stubber(client) as stubber:
        yield collector, stubber, slept
        stubber.assert_no_pending_responses()


def row(frame: pd.DataFrame, queue: str, minute: int) -> pd.Series:
    at = pd.Timestamp(datetime(2024, 11, 27, 14, minute, tzinfo=UTC))
    match = frame[(frame.queue == queue) & (frame.interval_start == at)]
    assert len(match) == 1
    return match.iloc[0]


def test_it_follows_next_token_and_maps_every_metric(stubbed: Any) -> None:
    collector, stubber, _ = stubbed
    page1 = fixture("get_metric_data_v2_page1.json")
    stubber.add_response("get_metric_data_v2", page1, expected_params())
    stubber.add_response("get_metric_data_v2", fixture("get_metric_data_v2_page2.json"),
                         expected_params(page1["NextToken"]))
    result = collector.collect(WINDOW)
    first = row(result.intervals, BILLING, 0)
    assert (first.channel, first.offered, first.answered, first.abandoned) == ("voice", 52, 45, 7)
    assert first.answered_within_20s == 36
    assert (first.abandoned_within_5s, first.abandoned_within_20s) == (2, 4)
    assert first.answer_wait_seconds == 826  # 18.36 s average x 45 answered = 826.2 s
    assert (first.handled, first.handle_seconds) == (44, 13252)  # 13 251.7 s half-up
    assert result.stats.requests == 2


def test_null_values_count_as_zero(stubbed: Any) -> None:
    collector, stubber, _ = stubbed
    stubber.add_response("get_metric_data_v2", fixture("get_metric_data_v2_page2.json"),
                         expected_params())
    second = row(collector.collect(WINDOW).intervals, BILLING, 30)
    assert (second.offered, second.answered, second.abandoned) == (3, 0, 3)
    assert (second.answer_wait_seconds, second.handle_seconds) == (0, 0)
    assert (second.abandoned_within_5s, second.abandoned_within_20s) == (1, 3)


def test_an_empty_page_zero_fills_every_queue_and_interval(stubbed: Any) -> None:
    collector, stubber, _ = stubbed
    stubber.add_response("get_metric_data_v2", fixture("get_metric_data_v2_empty.json"),
                         expected_params())
    frame = collector.collect(WINDOW).intervals
    assert len(frame) == 4
    assert frame.offered.sum() == 0
    assert sorted(frame.channel.unique()) == ["chat", "voice"]


@pytest.mark.parametrize("name", ["throttling_exception.json",
                                  "internal_service_exception.json"],
                         ids=["ThrottlingException 429 is retried",
                              "InternalServiceException 500 is retried"])
def test_transient_service_errors_are_retried(stubbed: Any, name: str) -> None:
    collector, stubber, slept = stubbed
    stubber.add_client_error("get_metric_data_v2", **fixture(name))
    stubber.add_response("get_metric_data_v2", fixture("get_metric_data_v2_empty.json"),
                         expected_params())
    result = collector.collect(WINDOW)
    assert slept == [0.5]
    assert result.stats.retries == 1


def test_throttling_that_never_ends_is_a_transient_error(stubbed: Any) -> None:
    collector, stubber, slept = stubbed
    for _ in range(3):
        stubber.add_client_error("get_metric_data_v2", **fixture("throttling_exception.json"))
    with pytest.raises(TransientError, match="ThrottlingException Rate exceeded"):
        collector.collect(WINDOW)
    assert slept == [0.5, 1.0]


def test_an_invalid_parameter_is_permanent(stubbed: Any) -> None:
    collector, stubber, slept = stubbed
    stubber.add_client_error("get_metric_data_v2", **fixture("invalid_parameter_exception.json"))
    with pytest.raises(PermanentError, match="InvalidParameterException The time range"):
        collector.collect(WINDOW)
    assert slept == []


def test_requests_are_spaced_by_the_configured_rate(stubbed: Any) -> None:
    collector, stubber, slept = stubbed
    page1 = fixture("get_metric_data_v2_page1.json")
    stubber.add_response("get_metric_data_v2", page1, expected_params())
    stubber.add_response("get_metric_data_v2", fixture("get_metric_data_v2_page2.json"),
                         expected_params(page1["NextToken"]))
    collector.collect(WINDOW)
    assert slept == [pytest.approx(0.2)]  # 5 requests/s by default, no time passed between


def test_the_planner_never_asks_for_three_days_at_thirty_minutes() -> None:
    limits = AmazonConnectCollector.limits
    assert limits.max_span < pd.Timedelta(days=3)
    assert limits.granularity == pd.Timedelta(minutes=30)


def test_a_contract_without_an_instance_arn_is_refused() -> None:
    contract = make_contract("amazon-connect", (Queue(BILLING, "Billing"),))
    with pytest.raises(PermanentError, match=r"sources\.instance_arn is required"):
        AmazonConnectCollector(contract, HttpClient(), lambda: END, client=object())
