"""Amazon Connect: `GetMetricDataV2` (`POST /metrics/data`) through boto3.

SigV4 signing is botocore's; botocore's own retries are switched off (total_max_attempts 1) so
that retries, backoff and their counting live in one place, the HTTP seam's `retrying`.
One request covers the contract's queues (up to 100 filter values) for one window of less
than 3 days at `THIRTY_MIN`, grouped by QUEUE and CHANNEL, in UTC; `NextToken` is followed
by hand because botocore has no paginator for this operation.

Mapping (research/vendor_apis.md §2): offered = CONTACTS_QUEUED, answered =
CONTACTS_HANDLED_BY_CONNECTED_TO_AGENT, abandoned = CONTACTS_ABANDONED,
answered_within_<T>s = SUM_CONTACTS_ANSWERED_IN_X (LTE T), abandoned_within_<S>s =
SUM_CONTACTS_ABANDONED_IN_X (LTE S), with T and S the contract's thresholds;
answer_wait_seconds = AVG_QUEUE_ANSWER_TIME x answered (whole seconds, half-up), handled =
CONTACTS_HANDLED, handle_seconds = SUM_HANDLE_TIME. A null `Value` ("cannot be
calculated") counts as 0; an empty `MetricResults` means no contacts, so every interval
of every contract queue is zero-filled first. Flow-outs are not requested.

Settings: `instance_arn` (required), `region` (default: from the ARN), `api_host` (an
endpoint URL, e.g. the simulator's plain-http one; `endpoint_url` programmatically),
`rate_limit` (requests/s, default 5: the account quota of 10 per second is shared).
Credentials: `access_key_id`, `secret_access_key` (optional; otherwise botocore's chain).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    NoCredentialsError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)
from botocore.parsers import ResponseParserError

from monitor.collectors.base import (
    Clock,
    CollectResult,
    Limits,
    TimeWindow,
    contract_thresholds,
    credential,
    frame_from_rows,
    require_queues,
    setting,
    threshold_column,
    whole_seconds,
)
from monitor.collectors.http import HttpClient, TokenBucket
from monitor.domain.contract import Contract
from monitor.errors import PermanentError, TransientError

TRANSIENT_CODES = frozenset({"ThrottlingException", "InternalServiceException",
                             "ServiceUnavailableException", "TooManyRequestsException"})
MAX_FILTER_VALUES = 100
COUNTS = {"CONTACTS_QUEUED": "offered", "CONTACTS_HANDLED_BY_CONNECTED_TO_AGENT": "answered",
          "CONTACTS_ABANDONED": "abandoned", "CONTACTS_HANDLED": "handled"}


class AmazonConnectCollector:
    kind = "amazon-connect"
    limits = Limits(granularity=timedelta(minutes=30), max_span=timedelta(days=1),
                    history=timedelta(days=90), trailing=timedelta(hours=2))

    def __init__(self, contract: Contract, http: HttpClient, clock: Clock,
                 client: Any | None = None) -> None:
        self.contract, self.http, self.clock = contract, http, clock
        self.instance_arn = setting(contract, "instance_arn")
        settings = contract.sources.settings
        self.bucket = TokenBucket(float(settings.get("rate_limit", "5")), 1,
                                  clock=http.clock, sleep=http.sleep)
        require_queues(contract)
        self.client = client if client is not None else self._client()

    def _client(self) -> Any:
        settings = self.contract.sources.settings
        parts = self.instance_arn.split(":")
        region = settings.get("region") or (parts[3] if len(parts) > 3 else "")
        keys: dict[str, str] = {}
        if "access_key_id" in self.contract.sources.credentials_env:
            keys = {"aws_access_key_id": credential(self.contract, "access_key_id"),
                    "aws_secret_access_key": credential(self.contract, "secret_access_key")}
        config = Config(retries={"total_max_attempts": 1, "mode": "standard"},
                        connect_timeout=self.http.timeout, read_timeout=self.http.timeout)
        endpoint = settings.get("endpoint_url") or _endpoint(settings.get("api_host"))
        return boto3.client("connect", region_name=region or None, endpoint_url=endpoint,
                            config=config, **keys)

    # -- the Protocol --------------------------------------------------------------------
    def collect(self, window: TimeWindow) -> CollectResult:
        before = self.http.stats()
        rows: dict[tuple[str, str, datetime], dict[str, Any]] = {}
        for queue in self.contract.sources.queues:
            cursor = window.start
            while cursor < window.end:
                rows[(queue.id, queue.channel, cursor)] = self._zero(queue.id, queue.channel,
                                                                     cursor)
                cursor += self.limits.granularity
        queue_ids = [q.id for q in self.contract.sources.queues]
        for first in range(0, len(queue_ids), MAX_FILTER_VALUES):
            request = self.request(window, queue_ids[first:first + MAX_FILTER_VALUES])
            for row in self._pages(request):
                rows[(row["queue"], row["channel"], row["interval_start"])] = row
        return CollectResult(source=self.kind, window=window,
                             intervals=frame_from_rows(rows.values()),
                             stats=self.http.stats().since(before))

    def commit(self, result: CollectResult) -> None:
        return None

    # -- request and response ------------------------------------------------------------
    def request(self, window: TimeWindow, queue_ids: list[str]) -> dict[str, Any]:
        thresholds = contract_thresholds(self.contract)
        metrics: list[dict[str, Any]] = [{"Name": name} for name in COUNTS]
        metrics += [{"Name": "AVG_QUEUE_ANSWER_TIME"}, {"Name": "SUM_HANDLE_TIME"}]
        metrics += [{"Name": "SUM_CONTACTS_ANSWERED_IN_X",
                     "Threshold": [{"Comparison": "LTE", "ThresholdValue": float(t)}]}
                    for t in thresholds.answered]
        metrics += [{"Name": "SUM_CONTACTS_ABANDONED_IN_X",
                     "Threshold": [{"Comparison": "LTE", "ThresholdValue": float(t)}]}
                    for t in thresholds.abandoned]
        return {
            "ResourceArn": self.instance_arn,
            "StartTime": window.start, "EndTime": window.end,
            "Interval": {"TimeZone": "UTC", "IntervalPeriod": "THIRTY_MIN"},
            "Filters": [{"FilterKey": "QUEUE", "FilterValues": queue_ids}],
            "Groupings": ["QUEUE", "CHANNEL"],
            "Metrics": metrics,
            "MaxResults": 100,
        }

    def _pages(self, request: dict[str, Any]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            params = dict(request, NextToken=token) if token else request
            page = self.http.retrying(partial(self._call, params), "GetMetricDataV2")
            rows += [self.parse_result(r) for r in page.get("MetricResults") or []]
            token = page.get("NextToken")
            if not token:
                return rows

    def _call(self, params: dict[str, Any]) -> dict[str, Any]:
        self.bucket.acquire()
        self.http.record_request()
        try:
            page = dict(self.client.get_metric_data_v2(**params))
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
            message = f"GetMetricDataV2: {code} {error.get('Message', '')}".strip()
            if code in TRANSIENT_CODES or status == 429 or status >= 500:
                return _raise_transient(message)
            raise PermanentError(message) from None
        except NoCredentialsError:
            raise PermanentError("GetMetricDataV2: no AWS credentials") from None
        except (BotoConnectionError, HTTPClientError, ResponseParserError) as exc:
            return _raise_transient(f"GetMetricDataV2: {type(exc).__name__}")
        except BotoCoreError as exc:
            raise PermanentError(f"GetMetricDataV2: {type(exc).__name__}") from None
        if "MetricResults" not in page:
            # botocore's JSON parser turns a body it cannot decode (a truncated answer) into
            # {"message": <text>} instead of failing; an answer with no data still carries
            # "MetricResults": [], so a missing key is a broken body, never "no contacts".
            return _raise_transient("GetMetricDataV2: truncated or invalid JSON body")
        return page

    def parse_result(self, result: dict[str, Any]) -> dict[str, Any]:
        dims = result.get("Dimensions") or {}
        start = result["MetricInterval"]["StartTime"]
        if not isinstance(start, datetime):
            start = datetime.fromtimestamp(float(start), UTC)
        row = self._zero(dims.get("QUEUE", ""), _channel(dims.get("CHANNEL")),
                         start.astimezone(UTC))
        avg_answer = 0.0
        for item in result.get("Collections") or []:
            metric, value = item.get("Metric") or {}, item.get("Value")
            number = float(value) if value is not None else 0.0
            name = metric.get("Name")
            if name in COUNTS:
                row[COUNTS[name]] = round(number)
            elif name == "AVG_QUEUE_ANSWER_TIME":
                avg_answer = number
            elif name == "SUM_HANDLE_TIME":
                row["handle_seconds"] = whole_seconds(number)
            elif name in ("SUM_CONTACTS_ANSWERED_IN_X", "SUM_CONTACTS_ABANDONED_IN_X"):
                seconds = int(float((metric.get("Threshold") or [{}])[0]["ThresholdValue"]))
                prefix = "answered_within_" if "ANSWERED" in name else "abandoned_within_"
                row[threshold_column(prefix, seconds)] = round(number)
        row["answer_wait_seconds"] = whole_seconds(avg_answer * row["answered"])
        return row

    def _zero(self, queue: str, channel: str, start: datetime) -> dict[str, Any]:
        thresholds = contract_thresholds(self.contract)
        row: dict[str, Any] = {
            "queue": queue, "channel": channel, "interval_start": start,
            "interval_minutes": 30, "offered": 0, "answered": 0, "abandoned": 0,
            "answer_wait_seconds": 0, "handled": 0, "handle_seconds": 0}
        for t in thresholds.answered:
            row[threshold_column("answered_within_", t)] = 0
        for t in thresholds.abandoned:
            row[threshold_column("abandoned_within_", t)] = 0
        return row


def _endpoint(host: str | None) -> str | None:
    if not host:
        return None
    return host if "://" in host else f"https://{host}"


def _channel(value: str | None) -> str:
    return (value or "voice").lower()


def _raise_transient(message: str) -> dict[str, Any]:
    raise TransientError(message)
