"""Genesys Cloud collector against fixtures shaped like the documented payloads."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import responses

from monitor.collectors import HttpClient, TimeWindow, build_collector
from monitor.collectors.genesys import GenesysCollector
from monitor.domain.contract import Queue
from monitor.errors import PermanentError, TransientError
from monitor.simulator import make_contract

FIX = Path(__file__).parent / "fixtures" / "genesys"
API = "https://api.mypurecloud.de"
LOGIN = "https://login.mypurecloud.de/oauth/token"
AGG = f"{API}/api/v2/analytics/conversations/aggregates/query"
BILLING = "05f1c285-6777-4ccc-806f-8db085ae0793"
SUPPORT = "f8c742b9-b5ef-4948-8bbf-9a33c892023f"
WINDOW = TimeWindow(datetime(2025, 1, 27, 14, tzinfo=UTC), datetime(2025, 1, 27, 15, tzinfo=UTC))
ENV = {"GEN_ID": "client-id-123", "GEN_SECRET": "s3cr3t-client-value"}


def body(name: str) -> Any:
    return json.loads((FIX / name).read_text())


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 1, 27, 15, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)


def collector(clock: Clock | None = None, queues: tuple[Queue, ...] | None = None,
              **settings: str) -> tuple[GenesysCollector, list[float]]:
    slept: list[float] = []
    contract = make_contract(
        "genesys-cloud",
        queues or (Queue(BILLING, "Billing"), Queue(SUPPORT, "Support")),
        settings={"region": "eu_central_1", "short_abandon_seconds": "5", **settings},
        credentials_env={"client_id": "GEN_ID", "client_secret": "GEN_SECRET"},
    )
    http = HttpClient(sleep=slept.append, max_retries=3, jitter=0)
    built = build_collector(contract, http=http, clock=clock or Clock())
    assert isinstance(built, GenesysCollector)
    return built, slept


def add_token(rsps: responses.RequestsMock, name: str = "token.json") -> None:
    def reply(request: Any) -> tuple[int, dict[str, str], str]:
        expected = base64.b64encode(b"client-id-123:s3cr3t-client-value").decode()
        assert request.headers["Authorization"] == f"Basic {expected}"
        assert request.body == "grant_type=client_credentials"
        return 200, {}, (FIX / name).read_text()

    rsps.add_callback(responses.POST, LOGIN, callback=reply)


def add_queues(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{API}/api/v2/routing/queues/{BILLING}", json=body("queue_billing.json"))
    rsps.get(f"{API}/api/v2/routing/queues/{SUPPORT}", json=body("queue_support.json"))


def add_aggregates(rsps: responses.RequestsMock, token: str = "gen-token-7f3c2a91d4") -> None:
    def reply(request: Any) -> tuple[int, dict[str, str], str]:
        assert request.headers["Authorization"] == f"Bearer {token}"
        query = json.loads(request.body)
        assert query["interval"] == "2025-01-27T14:00:00.000Z/2025-01-27T15:00:00.000Z"
        assert query["granularity"] == "PT30M"
        assert query["groupBy"] == ["queueId", "mediaType"]
        assert [p["value"] for p in query["filter"]["predicates"]] == [BILLING, SUPPORT]
        assert "oServiceLevel" not in query["metrics"]
        assert {"nOffered", "tAnswered", "nOverSla", "tAbandon", "tShortAbandon",
                "tFlowOut", "tHandle"} <= set(query["metrics"])
        return 200, {"inin-ratelimit-count": "3", "inin-ratelimit-allowed": "300",
                     "inin-ratelimit-reset": "41"}, (FIX / "aggregates_query.json").read_text()

    rsps.add_callback(responses.POST, AGG, callback=reply)


def row(frame: pd.DataFrame, queue: str, channel: str, hour: int, minute: int) -> pd.Series:
    at = pd.Timestamp(datetime(2025, 1, 27, hour, minute, tzinfo=UTC))
    match = frame[(frame.queue == queue) & (frame.channel == channel)
                  & (frame.interval_start == at)]
    assert len(match) == 1
    return match.iloc[0]


@responses.activate
def test_it_turns_milliseconds_into_whole_seconds_and_recomputes_service_level(env: None) -> None:
    add_token(responses.mock)
    add_queues(responses.mock)
    add_aggregates(responses.mock)
    result = collector()[0].collect(WINDOW)
    first = row(result.intervals, BILLING, "voice", 14, 0)
    assert first.offered == 877
    assert first.answered == 787
    assert first.answered_within_20s == 787 - 373  # 414: oServiceLevel's numerator agrees here
    assert first.abandoned == 83
    assert first.abandoned_within_5s == 7
    assert first.flowouts == 7
    assert first.answer_wait_seconds == 40280  # 40 279 740 ms, half-up
    assert first.handled == 817
    assert first.handle_seconds == 131580  # 131 580 101 ms
    assert first.interval_minutes == 30


@responses.activate
def test_missing_metrics_are_zero_and_o_service_level_is_ignored(env: None) -> None:
    add_token(responses.mock)
    add_queues(responses.mock)
    add_aggregates(responses.mock)
    result = collector()[0].collect(WINDOW)
    sparse = row(result.intervals, BILLING, "voice", 14, 30)
    # no nOverSla in the payload: all 12 answered were within 20 s, although oServiceLevel
    # (an admin toggle applied retroactively) says 0.5
    assert (sparse.offered, sparse.answered, sparse.answered_within_20s) == (12, 12, 12)
    assert (sparse.abandoned, sparse.abandoned_within_5s, sparse.flowouts) == (0, 0, 0)
    assert (sparse.answer_wait_seconds, sparse.handled, sparse.handle_seconds) == (96, 10, 3000)


@responses.activate
def test_a_queue_missing_from_the_answer_gets_zero_rows_for_every_interval(env: None) -> None:
    add_token(responses.mock)
    add_queues(responses.mock)
    add_aggregates(responses.mock)
    frame = collector()[0].collect(WINDOW).intervals
    support = frame[frame.queue == SUPPORT]
    assert list(support.interval_start.dt.strftime("%H:%M")) == ["14:00", "14:30"]
    assert support.offered.sum() == 0
    assert len(frame) == 5  # billing voice x2, billing callback x1, support voice x2


@responses.activate
def test_the_threshold_comes_from_each_queue_and_each_media_type(env: None) -> None:
    add_token(responses.mock)
    add_queues(responses.mock)
    add_aggregates(responses.mock)
    result = collector()[0].collect(WINDOW)
    callback = row(result.intervals, BILLING, "callback", 14, 0)
    assert callback.answered_within_60s == 2  # callback SL is 60 s on this queue
    assert pd.isna(callback.answered_within_20s)  # unknown, never a made-up 0
    support = row(result.intervals, SUPPORT, "voice", 14, 0)
    assert support.answered_within_30s == 0
    assert pd.isna(support.answered_within_20s)
    assert result.problems == (
        "abandoned_within_20s is not available from Genesys: tShortAbandon only counts "
        "abandons under the org's short-abandon setting (5 s); SLAs counting abandons within "
        "20 s (abandons: positive or exclude_within_threshold) lack data",
        f"queue {SUPPORT} (voice): Genesys service-level duration is 30 s but the contract "
        "counts 20 s; answered_within_20s is not available from Genesys",
    )


@responses.activate
def test_an_empty_answer_means_no_contacts(env: None) -> None:
    add_token(responses.mock)
    add_queues(responses.mock)
    responses.post(AGG, json=body("aggregates_empty.json"))
    frame = collector()[0].collect(WINDOW).intervals
    assert len(frame) == 4
    assert frame.offered.sum() == 0
    assert frame.answered_within_20s.sum() == 0


@responses.activate
def test_the_token_is_cached_and_queue_settings_are_read_once(env: None) -> None:
    add_token(responses.mock)
    add_queues(responses.mock)
    add_aggregates(responses.mock)
    add_aggregates(responses.mock)
    genesys, _ = collector()
    genesys.collect(WINDOW)
    genesys.collect(WINDOW)
    calls = [str(c.request.url) for c in responses.calls]
    assert calls.count(LOGIN) == 1
    assert sum("/routing/queues/" in u for u in calls) == 2
    assert genesys.auth.fetched == 1


@responses.activate
def test_a_token_near_its_expiry_is_refreshed_before_use(env: None) -> None:
    clock = Clock()
    add_token(responses.mock, "token_short.json")
    add_queues(responses.mock)
    responses.post(AGG, json=body("aggregates_empty.json"))
    genesys, _ = collector(clock)
    genesys.collect(WINDOW)
    clock.now += timedelta(seconds=241)  # 300 s token, refreshed 60 s early
    genesys.collect(WINDOW)
    assert genesys.auth.fetched == 2


@responses.activate
def test_an_expired_token_is_refreshed_once_and_the_query_retried(env: None) -> None:
    add_token(responses.mock)
    add_queues(responses.mock)
    responses.post(AGG, status=401, json=body("error_401.json"))
    add_aggregates(responses.mock)
    genesys, slept = collector()
    result = genesys.collect(WINDOW)
    assert result.intervals.offered.sum() == 877 + 12 + 3
    assert genesys.auth.fetched == 2
    assert slept == []


@responses.activate
def test_a_401_after_a_fresh_token_is_permanent_and_names_no_secret(env: None) -> None:
    add_token(responses.mock)
    add_queues(responses.mock)
    responses.post(AGG, status=401, json=body("error_401.json"))
    with pytest.raises(PermanentError, match=r"401 bad\.credentials") as info:
        collector()[0].collect(WINDOW)
    assert "gen-token" not in str(info.value)
    assert "s3cr3t" not in str(info.value)


@responses.activate
def test_429_waits_the_seconds_the_vendor_asks_then_succeeds(env: None) -> None:
    add_token(responses.mock)
    add_queues(responses.mock)
    responses.post(AGG, status=429, json=body("error_429.json"),
                   headers={"Retry-After": "12", "inin-ratelimit-reset": "40"})
    add_aggregates(responses.mock)
    genesys, slept = collector()
    result = genesys.collect(WINDOW)
    assert slept == [12.0]
    assert result.stats.retries == 1


@responses.activate
def test_429_without_retry_after_waits_for_the_rate_limit_reset(env: None) -> None:
    add_token(responses.mock)
    add_queues(responses.mock)
    responses.post(AGG, status=429, json=body("error_429.json"),
                   headers={"inin-ratelimit-reset": "17"})
    add_aggregates(responses.mock)
    genesys, slept = collector()
    genesys.collect(WINDOW)
    assert slept == [17.0]


@responses.activate
def test_500_and_a_truncated_body_are_retried_with_backoff(env: None) -> None:
    add_token(responses.mock)
    add_queues(responses.mock)
    responses.post(AGG, status=500, json=body("error_500.json"))
    responses.post(AGG, body=(FIX / "aggregates_truncated.txt").read_text(),
                   content_type="application/json")
    add_aggregates(responses.mock)
    genesys, slept = collector()
    assert genesys.collect(WINDOW).intervals.offered.sum() == 892
    assert slept == [0.5, 1.0]  # backoff 0.5 s doubling, jitter off


@responses.activate
def test_persistent_500s_give_up_as_a_transient_error(env: None) -> None:
    add_token(responses.mock)
    add_queues(responses.mock)
    for _ in range(4):
        responses.post(AGG, status=500, json=body("error_500.json"))
    with pytest.raises(TransientError, match="gave up after 4 attempts"):
        collector()[0].collect(WINDOW)


@responses.activate
def test_a_bad_request_is_permanent_and_not_retried(env: None) -> None:
    add_token(responses.mock)
    add_queues(responses.mock)
    responses.post(AGG, status=400, json=body("error_400.json"))
    genesys, slept = collector()
    with pytest.raises(PermanentError, match=r"400 bad\.request: Invalid interval"):
        genesys.collect(WINDOW)
    assert slept == []


def test_a_missing_secret_names_the_variable_not_a_value(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEN_ID", "client-id-123")
    monkeypatch.delenv("GEN_SECRET", raising=False)
    with pytest.raises(PermanentError, match="environment variable GEN_SECRET "
                                             r"\(sources.credentials_env.client_secret\)"):
        collector()


def test_an_unknown_region_is_refused(env: None) -> None:
    with pytest.raises(PermanentError, match="'mars_north_1' is not a Genesys Cloud region"):
        collector(region="mars_north_1")


@pytest.mark.parametrize(("region", "api"), [
    ("us_east_1", "https://api.mypurecloud.com"),
    ("eu_west_1", "https://api.mypurecloud.ie"),
    ("ap_southeast_2", "https://api.mypurecloud.com.au"),
], ids=["us-east-1 is mypurecloud.com", "eu-west-1 is the SDK's .ie host, not euw1",
        "ap-southeast-2 is mypurecloud.com.au"])
def test_regions_map_to_the_sdk_hosts(env: None, region: str, api: str) -> None:
    genesys, _ = collector(region=region)
    assert genesys.api_url == api
    assert genesys.auth.token_url == api.replace("api.", "login.") + "/oauth/token"


@responses.activate
def test_a_refused_client_is_permanent_and_the_secret_stays_out_of_the_error(env: None) -> None:
    responses.post(LOGIN, status=401, json={"error": "invalid_client",
                                            "description": "client not found",
                                            "error_description": "client not found"})
    with pytest.raises(PermanentError, match="oauth/token: 401 invalid_client") as info:
        collector()[0].collect(WINDOW)
    assert "s3cr3t-client-value" not in str(info.value)


@responses.activate
def test_fifteen_minute_granularity_asks_pt15m_and_fills_quarter_hours(env: None) -> None:
    add_token(responses.mock)
    add_queues(responses.mock)

    def reply(request: Any) -> tuple[int, dict[str, str], str]:
        assert json.loads(request.body)["granularity"] == "PT15M"
        return 200, {}, json.dumps({"results": [{
            "group": {"mediaType": "voice", "queueId": BILLING},
            "data": [{"interval": "2025-01-27T14:15:00.000Z/2025-01-27T14:30:00.000Z",
                      "metrics": [{"metric": "nOffered", "stats": {"count": 4}},
                                  {"metric": "tAnswered", "stats": {"count": 4, "sum": 20000,
                                                                    "min": 1000,
                                                                    "max": 9000}}]}]}]})

    responses.add_callback(responses.POST, AGG, callback=reply)
    genesys, _ = collector(granularity="PT15M")
    frame = genesys.collect(WINDOW).intervals
    billing = frame[frame.queue == BILLING]
    assert list(billing.interval_start.dt.strftime("%H:%M")) == ["14:00", "14:15", "14:30",
                                                                  "14:45"]
    assert list(billing.offered) == [0, 4, 0, 0]
    assert set(frame.interval_minutes) == {15}
    assert genesys.limits.granularity == timedelta(minutes=15)
