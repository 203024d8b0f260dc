"""Twilio Flex (TaskRouter CumulativeStatistics) collector against documented payloads."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from monitor.collectors import HttpClient, TimeWindow, build_collector
from monitor.collectors.twilio import TwilioFlexCollector
from monitor.domain.contract import Queue
from monitor.errors import PermanentError
from monitor.simulator import make_contract

FIX = Path(__file__).parent / "fixtures" / "twilio"
WS = "WSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
WQ = "WQaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
URL = f"https://taskrouter.twilio.com/v1/Workspaces/{WS}/TaskQueues/{WQ}/CumulativeStatistics"
WINDOW = TimeWindow(datetime(2026, 10, 5, 14, tzinfo=UTC), datetime(2026, 10, 5, 15, tzinfo=UTC))
SID, TOKEN = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "twilio-auth-token-9f8e7d"


@pytest.fixture
def twilio(monkeypatch: pytest.MonkeyPatch) -> tuple[TwilioFlexCollector, list[float]]:
    monkeypatch.setenv("TW_SID", SID)
    monkeypatch.setenv("TW_TOKEN", TOKEN)
    contract = make_contract("twilio-flex", (Queue(WQ, "Billing"),),
                             settings={"workspace_sid": WS},
                             credentials_env={"account_sid": "TW_SID", "auth_token": "TW_TOKEN"})
    slept: list[float] = []
    built = build_collector(contract, http=HttpClient(sleep=slept.append, jitter=0,
                                                      max_retries=2),
                            clock=lambda: WINDOW.end)
    assert isinstance(built, TwilioFlexCollector)
    return built, slept


def stats_reply(name: str, start: str, end: str) -> Any:
    def reply(request: Any) -> tuple[int, dict[str, str], str]:
        basic = base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
        assert request.headers["Authorization"] == f"Basic {basic}"
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        assert query == {"StartDate": start, "EndDate": end, "TaskChannel": "voice",
                         "SplitByWaitTime": "5,20"}
        return 200, {}, (FIX / name).read_text()
    return reply


@responses.activate
def test_one_request_per_interval_mapped_to_interchange_counts(twilio: Any) -> None:
    collector, _ = twilio
    responses.add_callback(responses.GET, URL, callback=stats_reply(
        "cumulative_statistics.json", "2026-10-05T14:00:00Z", "2026-10-05T14:30:00Z"))
    responses.add_callback(responses.GET, URL, callback=stats_reply(
        "cumulative_statistics_idle.json", "2026-10-05T14:30:00Z", "2026-10-05T15:00:00Z"))
    frame = collector.collect(WINDOW).intervals
    first, idle = frame.iloc[0], frame.iloc[1]
    assert (first.offered, first.answered, first.abandoned, first.handled) == (64, 57, 6, 55)
    assert first.answered_within_20s == 48  # split "20" below: reservations_accepted
    assert (first.abandoned_within_5s, first.abandoned_within_20s) == (2, 5)
    assert first.answer_wait_seconds == 764  # in-queue total 763.5 s, half-up
    assert (idle.offered, idle.answered_within_20s, idle.abandoned_within_5s) == (0, 0, 0)


@responses.activate
def test_error_20429_is_retried_after_the_backoff(twilio: Any) -> None:
    collector, slept = twilio
    responses.get(URL, status=429, json=json.loads((FIX / "error_20429.json").read_text()))
    responses.get(URL, json=json.loads((FIX / "cumulative_statistics.json").read_text()))
    responses.get(URL, json=json.loads((FIX / "cumulative_statistics_idle.json").read_text()))
    assert collector.collect(WINDOW).intervals.offered.sum() == 64
    assert slept == [0.5]


@responses.activate
def test_an_unknown_queue_is_permanent_with_twilios_code(twilio: Any) -> None:
    collector, _ = twilio
    responses.get(URL, status=404, json=json.loads((FIX / "error_20404.json").read_text()))
    with pytest.raises(PermanentError, match="404 20404: The requested resource"):
        collector.collect(WINDOW)


@responses.activate
def test_bad_credentials_are_permanent_and_the_token_never_shows(twilio: Any) -> None:
    collector, _ = twilio
    responses.get(URL, status=401, json=json.loads((FIX / "error_20003.json").read_text()))
    with pytest.raises(PermanentError, match="401 20003: Authenticate") as info:
        collector.collect(WINDOW)
    assert TOKEN not in str(info.value)


@responses.activate
def test_the_api_base_can_be_redirected_for_a_simulator_or_proxy(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TW_SID", SID)
    monkeypatch.setenv("TW_TOKEN", TOKEN)
    for settings in ({"api_host": "http://127.0.0.1:9"}, {"base_url": "http://127.0.0.1:9/"}):
        contract = make_contract("twilio-flex", (Queue(WQ, "Billing"),),
                                 settings={"workspace_sid": WS, **settings},
                                 credentials_env={"account_sid": "TW_SID",
                                                  "auth_token": "TW_TOKEN"})
        twilio = TwilioFlexCollector(contract, HttpClient(), lambda: WINDOW.end)
        assert twilio.base_url == "http://127.0.0.1:9"
