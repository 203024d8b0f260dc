"""THE HTTP seam: every vendor request goes through `HttpClient.request`.

It owns timeouts, retries with exponential backoff and jitter, `Retry-After` (seconds or an
HTTP date), the vendors' own rate-limit headers (`inin-ratelimit-*` from Genesys), a
client-side token bucket for a configured request rate, one transparent token refresh on
401, and the mapping of failures to `TransientError` (429, 5xx, 408, timeouts, connection
errors, truncated or empty JSON) and `PermanentError` (other 4xx). Vendor modules only
build requests and parse payloads.

Nothing secret reaches a log line or an exception: headers are never logged, query values
whose names look secret are masked, and every secret registered with `add_secret` (client
secrets, bearer tokens) is replaced by `***` in any text this module produces.

Sleep and both clocks are injected, so tests never really wait.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from monitor.collectors.base import RequestStats
from monitor.errors import CollectorError, CredentialsRefused, PermanentError, TransientError

log = logging.getLogger(__name__)
T = TypeVar("T")

TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_SECRET_PARAM = re.compile(r"(token|secret|password|passwd|key|signature|auth)", re.I)
_SECRET_PATTERNS = (
    re.compile(r"(?i)((?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r'(?i)("?(?:access_token|refresh_token|id_token|client_secret|password)"?\s*[:=]\s*)'
               r'"?[^",&\s}]+"?'),
)


@dataclass(frozen=True)
class JsonResponse:
    status: int
    headers: Mapping[str, str]
    data: Any
    url: str


class Auth(Protocol):
    """Supplies request headers; `invalidate` drops a cached token after a 401."""

    def headers(self, http: HttpClient) -> dict[str, str]: ...

    def invalidate(self) -> None: ...


class TokenBucket:
    """At most `rate` requests per second on average, bursts of up to `burst`."""

    def __init__(self, rate: float, burst: int = 1, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate, self.burst = rate, max(1, burst)
        self._clock, self._sleep = clock, sleep
        self._tokens = float(self.burst)
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping until one is there; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            wait = 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate
            self._tokens -= 1
        if wait > 0:
            self._sleep(wait)
        return wait


class WindowLimiter:
    """At most `count` requests in any `per` seconds (a sliding window).

    For limits a vendor counts per calendar minute (Five9: 16 `runReport` a minute): a
    token bucket would let a full burst plus its refill into one minute, a sliding window
    never lets more than `count` into any minute, whichever way the vendor's minute falls.
    """

    def __init__(self, count: int, per: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if count < 1 or per <= 0:
            raise ValueError("a window limit needs count >= 1 and per > 0")
        self.count, self.per = count, per
        self._clock, self._sleep = clock, sleep
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Wait until one more request fits in the window; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            while self._sent and self._sent[0] <= now - self.per:
                self._sent.popleft()
            wait = 0.0
            if len(self._sent) >= self.count:
                wait = self._sent[0] + self.per - now
                self._sent.popleft()
            self._sent.append(now + wait)
        if wait > 0:
            self._sleep(wait)
        return wait


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds: a number, or an HTTP date relative to `now`."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*,:")))


class HttpClient:
    """A `requests.Session` wrapped with the policies above. Thread-safe for stats."""

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        timeout: float = 10.0,
        max_retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        jitter: float = 0.25,
        max_retry_after: float = 120.0,
        rate_limit: float | None = None,
        burst: int = 1,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
        rng: random.Random | None = None,
    ) -> None:
        self.session = session or requests.Session()
        self.timeout, self.max_retries = timeout, max_retries
        self.backoff, self.max_backoff, self.jitter = backoff, max_backoff, jitter
        self.max_retry_after = max_retry_after
        self.sleep, self.clock, self.wall = sleep, clock, wall
        self.rng = rng or random.Random()
        self.bucket = (
            TokenBucket(rate_limit, burst, clock=clock, sleep=sleep) if rate_limit else None
        )
        self._secrets: set[str] = set()
        self._blocked_until = 0.0
        self._lock = threading.Lock()
        self._requests = self._retries = self._errors = 0
        self._limits: dict[str, WindowLimiter] = {}

    # -- per-operation limits ------------------------------------------------------------
    def limit(self, name: str, count: int, per: float = 60.0) -> None:
        """Declare a vendor's documented limit: at most `count` requests tagged `name` in
        any `per` seconds. Requests pass `limit=name`; a re-declaration keeps the first."""
        with self._lock:
            if name not in self._limits:
                self._limits[name] = WindowLimiter(count, per, clock=self.clock,
                                                   sleep=self.sleep)

    # -- secrets -------------------------------------------------------------------------
    def add_secret(self, value: str | None) -> None:
        if value and len(value) >= 4:
            self._secrets.add(value)

    def redact(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        for pattern in _SECRET_PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + "***", text)
        return text

    # -- stats ---------------------------------------------------------------------------
    def stats(self) -> RequestStats:
        with self._lock:
            return RequestStats(self._requests, self._retries, self._errors)

    def record_request(self) -> None:
        """Count a request sent by another transport (boto3) in the same stats."""
        self._count(request=1)

    def _count(self, *, request: int = 0, retry: int = 0, error: int = 0) -> None:
        with self._lock:
            self._requests += request
            self._retries += retry
            self._errors += error

    # -- retries -------------------------------------------------------------------------
    def backoff_delay(self, attempt: int, retry_after: float | None) -> float:
        """`Retry-After` wins when the server gave one; else exponential backoff plus jitter."""
        if retry_after is not None:
            return retry_after
        base = min(self.max_backoff, self.backoff * (2**attempt))
        return base + base * self.jitter * self.rng.random()

    def retrying(self, call: Callable[[], T], what: str = "request") -> T:
        """Run `call`, retrying it on `TransientError` up to `max_retries` times."""
        attempt = 0
        while True:
            try:
                return call()
            except TransientError as exc:
                self._count(error=1)
                if attempt >= self.max_retries:
                    raise TransientError(
                        f"{what}: gave up after {attempt + 1} attempts: {exc}", exc.retry_after
                    ) from exc
                if exc.retry_after is not None and exc.retry_after > self.max_retry_after:
                    raise
                delay = self.backoff_delay(attempt, exc.retry_after)
                log.info("event=request_retry retry=%d delay_seconds=%.2f request=%s error=%s",
                         attempt + 1, delay, what.replace(" ", "_"), exc)
                self._count(retry=1)
                self.sleep(delay)
                attempt += 1
            except PermanentError:
                self._count(error=1)
                raise

    # -- the request -----------------------------------------------------------------------
    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: Auth | None = None,
        basic: tuple[str, str] | None = None,
        limit: str | None = None,
    ) -> JsonResponse:
        """Send with retries; return the parsed JSON body of a 2xx answer."""
        refreshed = False

        def once() -> JsonResponse:
            nonlocal refreshed
            try:
                return self._interpret(*self._send(method, url, params, json, data, headers,
                                                   auth, basic, limit))
            except _Unauthorized as exc:
                if auth is None or refreshed:
                    raise CredentialsRefused(str(exc)) from None
                refreshed = True
                auth.invalidate()
                log.info("event=token_refresh method=%s url=%s reason=401", method,
                         redact_url(url))
                return self._interpret(*self._send(method, url, params, json, data, headers,
                                                   auth, basic, limit))

        try:
            return self.retrying(once, f"{method} {redact_url(url)}")
        except _Unauthorized as exc:  # the refreshed token refused too
            raise CredentialsRefused(str(exc)) from None

    def request_raw(
        self,
        method: str,
        url: str,
        *,
        data: bytes | str | Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        basic: tuple[str, str] | None = None,
        limit: str | None = None,
        passthrough: Callable[[requests.Response], bool] = lambda _r: False,
    ) -> requests.Response:
        """Like `request` for bodies that are not JSON (SOAP): same retries, limits and
        error mapping, and the `requests.Response` back. `passthrough(response)` picks
        failed answers the caller parses itself (a SOAP fault travels as a 500)."""

        def once() -> requests.Response:
            where, response = self._send(method, url, None, None, data, headers, None, basic,
                                         limit, accept="*/*")
            if response.status_code < 400 or passthrough(response):
                return response
            self._interpret(where, response)  # raises the mapped error
            return response

        try:
            return self.retrying(once, f"{method} {redact_url(url)}")
        except _Unauthorized as exc:
            raise CredentialsRefused(str(exc)) from None

    def get_json(self, url: str, **kwargs: Any) -> Any:
        return self.request("GET", url, **kwargs).data

    def post_json(self, url: str, **kwargs: Any) -> Any:
        return self.request("POST", url, **kwargs).data

    def _send(self, method: str, url: str, params: Mapping[str, Any] | None, json: Any,
              data: Any, headers: Mapping[str, str] | None, auth: Auth | None,
              basic: tuple[str, str] | None, limit: str | None = None,
              accept: str = "application/json") -> tuple[str, requests.Response]:
        wait = self._blocked_until - self.clock()
        if wait > 0:
            self.sleep(wait)
        if self.bucket is not None:
            self.bucket.acquire()
        if limit is not None:
            limiter = self._limits.get(limit)
            if limiter is None:
                raise ValueError(f"no limit named {limit!r} was declared with HttpClient.limit")
            limiter.acquire()
        sent = {"Accept": accept, **(headers or {})}
        if auth is not None:
            sent.update(auth.headers(self))
        where = f"{method} {redact_url(url)}"
        self._count(request=1)
        started = self.clock()
        try:
            response = self.session.request(
                method, url, params=params, json=json, data=data, headers=sent,
                auth=basic, timeout=self.timeout,
            )
        except requests.Timeout as exc:
            raise TransientError(f"{where}: timed out after {self.timeout}s") from exc
        except requests.RequestException as exc:  # connection reset, truncated chunk, DNS
            raise TransientError(
                f"{where}: {type(exc).__name__}: {self.redact(str(exc))[:200]}"
            ) from None
        log.debug("event=response status=%d seconds=%.3f request=%s", response.status_code,
                  self.clock() - started, where.replace(" ", "_"))
        self._note_rate_headers(response.headers)
        return where, response

    def _note_rate_headers(self, headers: Mapping[str, str]) -> None:
        """Genesys says how many requests the token has left; pause before the wall."""
        allowed, count = headers.get("inin-ratelimit-allowed"), headers.get("inin-ratelimit-count")
        reset = headers.get("inin-ratelimit-reset")
        try:
            if allowed and count and reset and int(count) >= int(allowed):
                self._blocked_until = max(self._blocked_until, self.clock() + float(reset))
        except ValueError:
            pass

    def _interpret(self, where: str, response: requests.Response) -> JsonResponse:
        status = response.status_code
        if status == 401:
            raise _Unauthorized(f"{where}: 401 {self._vendor_message(response)}")
        if status in TRANSIENT_STATUSES or status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), self.wall())
            if retry_after is None and status == 429:
                retry_after = parse_retry_after(response.headers.get("inin-ratelimit-reset"))
            raise TransientError(f"{where}: {status} {self._vendor_message(response)}",
                                 retry_after)
        if status >= 400:
            raise PermanentError(f"{where}: {status} {self._vendor_message(response)}")
        text = response.text
        if status == 204 or (not text.strip() and response.request.method == "DELETE"):
            return JsonResponse(status, response.headers, None, response.url)
        try:
            payload = response.json()
        except ValueError:
            raise TransientError(
                f"{where}: {status} with a truncated or invalid JSON body ({len(text)} bytes)"
            ) from None
        return JsonResponse(status, response.headers, payload, response.url)

    def _vendor_message(self, response: requests.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            parts = [str(body[k]) for k in ("code", "message", "Message", "error",
                                             "error_description") if body.get(k) is not None]
            text = ": ".join(parts)
        else:
            text = response.text
        return self.redact(" ".join(text.split()))[:300]


class _Unauthorized(CollectorError):
    def __init__(self, message: str) -> None:
        super().__init__(message, transient=False)
