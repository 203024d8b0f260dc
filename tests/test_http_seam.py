"""The one HTTP seam: retries, backoff, Retry-After, rate limits, error mapping, redaction."""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime

import pytest
import requests
import responses

from monitor.collectors.http import HttpClient, TokenBucket, parse_retry_after, redact_url
from monitor.errors import CredentialsRefused, PermanentError, TransientError

URL = "https://api.example.test/v1/things"
NOW = datetime(2026, 10, 5, 12, 0, 0, tzinfo=UTC)


class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def client(t: FakeTime, **kw: object) -> HttpClient:
    options: dict[str, object] = {"max_retries": 3, "backoff": 0.5, "jitter": 0.0}
    options.update(kw)
    return HttpClient(sleep=t.sleep, clock=t.clock, wall=lambda: NOW, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(("header", "seconds"), [
    ("7", 7.0),
    ("0", 0.0),
    ("Mon, 05 Oct 2026 12:00:30 GMT", 30.0),
    ("Mon, 05 Oct 2026 11:59:00 GMT", 0.0),
    ("soon", None),
    (None, None),
], ids=["seconds", "zero seconds", "an HTTP date 30 s ahead", "an HTTP date in the past is 0",
        "garbage is ignored", "absent"])
def test_retry_after_is_read_as_seconds_or_an_http_date(header: str | None,
                                                         seconds: float | None) -> None:
    assert parse_retry_after(header, NOW) == seconds


@responses.activate
def test_backoff_doubles_between_transient_failures() -> None:
    t = FakeTime()
    responses.get(URL, status=502)
    responses.get(URL, status=503)
    responses.get(URL, status=504)
    responses.get(URL, json={"ok": True})
    assert client(t).get_json(URL) == {"ok": True}
    assert t.slept == [0.5, 1.0, 2.0]


@responses.activate
def test_jitter_adds_at_most_the_configured_share() -> None:
    t = FakeTime()
    responses.get(URL, status=500)
    responses.get(URL, json={})
    rng = random.Random(3)
    expected = 0.5 + 0.5 * 0.25 * random.Random(3).random()
    client(t, jitter=0.25, rng=rng).get_json(URL)
    assert t.slept == [pytest.approx(expected)]
    assert 0.5 < t.slept[0] <= 0.625


@responses.activate
def test_retry_after_wins_over_backoff() -> None:
    t = FakeTime()
    responses.get(URL, status=429, headers={"Retry-After": "9"})
    responses.get(URL, json={})
    client(t).get_json(URL)
    assert t.slept == [9.0]


@responses.activate
def test_a_retry_after_longer_than_the_cap_is_handed_to_the_scheduler() -> None:
    t = FakeTime()
    responses.get(URL, status=429, headers={"Retry-After": "3600"})
    with pytest.raises(TransientError) as info:
        client(t, max_retry_after=120.0).get_json(URL)
    assert info.value.retry_after == 3600.0
    assert t.slept == []


@responses.activate
def test_exhausted_retries_raise_a_transient_error_with_the_last_cause() -> None:
    t = FakeTime()
    for _ in range(4):
        responses.get(URL, status=503, json={"message": "down for a bit"})
    with pytest.raises(TransientError, match=r"gave up after 4 attempts: .*503 down for a bit"):
        client(t).get_json(URL)
    assert client(t).stats().requests == 0  # stats are per client


@pytest.mark.parametrize("status", [400, 403, 404, 422],
                         ids=["400 bad request", "403 forbidden", "404 not found",
                              "422 unprocessable"])
@responses.activate
def test_client_errors_are_permanent_and_not_retried(status: int) -> None:
    t = FakeTime()
    responses.get(URL, status=status, json={"code": "nope", "message": "you asked wrong"})
    with pytest.raises(PermanentError, match=f"{status} nope: you asked wrong"):
        client(t).get_json(URL)
    assert t.slept == []


@responses.activate
def test_timeouts_and_connection_errors_are_transient() -> None:
    t = FakeTime()
    responses.get(URL, body=requests.ReadTimeout("read timed out"))
    responses.get(URL, body=requests.ConnectionError("connection reset by peer"))
    responses.get(URL, json={"ok": 1})
    http = client(t)
    assert http.get_json(URL) == {"ok": 1}
    assert http.stats().requests == 3
    assert http.stats().retries == 2


@responses.activate
def test_an_empty_or_cut_json_body_is_transient() -> None:
    t = FakeTime()
    responses.get(URL, body="")
    responses.get(URL, body='{"results": [{"gro')
    responses.get(URL, json={"results": []})
    assert client(t).get_json(URL) == {"results": []}
    assert t.slept == [0.5, 1.0]


@responses.activate
def test_the_token_bucket_spaces_requests_to_the_configured_rate() -> None:
    t = FakeTime()
    for _ in range(6):
        responses.get(URL, json={})
    http = client(t, rate_limit=5.0, burst=2)
    for _ in range(6):
        http.get_json(URL)
    # two at once (the burst), then one every 0.2 s
    assert t.slept == pytest.approx([0.2, 0.2, 0.2, 0.2])


def test_a_token_bucket_refills_while_time_passes() -> None:
    t = FakeTime()
    bucket = TokenBucket(2.0, 1, clock=t.clock, sleep=t.sleep)
    assert bucket.acquire() == 0.0
    t.now += 0.5
    assert bucket.acquire() == 0.0
    assert bucket.acquire() == pytest.approx(0.5)


@responses.activate
def test_a_spent_genesys_quota_pauses_until_the_reset() -> None:
    t = FakeTime()
    responses.get(URL, json={}, headers={"inin-ratelimit-count": "300",
                                         "inin-ratelimit-allowed": "300",
                                         "inin-ratelimit-reset": "21"})
    responses.get(URL, json={})
    http = client(t)
    http.get_json(URL)
    assert t.slept == []
    http.get_json(URL)
    assert t.slept == [21.0]


class _Auth:
    def __init__(self) -> None:
        self.token = "tok-first-000"
        self.invalidated = 0

    def headers(self, http: HttpClient) -> dict[str, str]:
        http.add_secret(self.token)
        return {"Authorization": f"Bearer {self.token}"}

    def invalidate(self) -> None:
        self.invalidated += 1
        self.token = "tok-second-111"


@responses.activate
def test_a_401_refreshes_the_token_once_without_sleeping() -> None:
    t = FakeTime()
    responses.get(URL, status=401, json={"message": "expired"})
    responses.get(URL, json={"ok": True})
    auth = _Auth()
    assert client(t).get_json(URL, auth=auth) == {"ok": True}
    assert auth.invalidated == 1
    assert responses.calls[1].request.headers["Authorization"] == "Bearer tok-second-111"
    assert t.slept == []


@responses.activate
def test_a_401_with_the_fresh_token_is_a_refusal_not_retried_and_not_yet_a_pause() -> None:
    """Issue 17: one more 401 after the refresh used to count as permanent at once; it is
    a `CredentialsRefused` now, which the service pauses on only when it repeats."""
    t = FakeTime()
    responses.get(URL, status=401, json={"message": "expired"})
    responses.get(URL, status=401, json={"message": "still expired"})
    auth = _Auth()
    with pytest.raises(CredentialsRefused, match="401 still expired"):
        client(t).get_json(URL, auth=auth)
    assert (auth.invalidated, len(responses.calls), t.slept) == (1, 2, [])


@responses.activate
def test_secrets_never_reach_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    t = FakeTime()
    caplog.set_level(logging.DEBUG, logger="monitor.collectors.http")
    responses.get(URL, status=500, json={"message": "token tok-first-000 rejected"})
    responses.get(URL, status=403,
                  json={"message": "denied", "error": "Authorization: Bearer abc.def.ghi"})
    with pytest.raises(PermanentError) as info:
        client(t).get_json(URL + "?api_key=k-123456&page=2", auth=_Auth())
    text = str(info.value) + "\n".join(r.getMessage() for r in caplog.records)
    assert "tok-first-000" not in text
    assert "abc.def.ghi" not in text
    assert "k-123456" not in text
    assert "Bearer ***" in str(info.value)
    assert "api_key=***" in text
    assert "page=2" in text


def test_redact_url_masks_only_secret_looking_parameters() -> None:
    assert redact_url("https://x.test/a?token=abc&StartDate=2026-10-05T14:00:00Z") == (
        "https://x.test/a?token=***&StartDate=2026-10-05T14:00:00Z")


@responses.activate
def test_a_retry_after_http_date_is_slept_relative_to_the_wall_clock() -> None:
    t = FakeTime()
    responses.get(URL, status=503, headers={"Retry-After": "Mon, 05 Oct 2026 12:00:45 GMT"})
    responses.get(URL, json={})
    client(t).get_json(URL)
    assert t.slept == [45.0]
