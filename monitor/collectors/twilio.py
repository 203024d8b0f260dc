"""Twilio Flex: TaskRouter `CumulativeStatistics` per task queue and interval.

Polls `GET https://taskrouter.twilio.com/v1/Workspaces/{WS}/TaskQueues/{WQ}/CumulativeStatistics`
with `StartDate`/`EndDate` (one 30-minute interval per request: the resource aggregates
the whole range), `TaskChannel` from the queue's channel and `SplitByWaitTime` at the
contract's thresholds. HTTP Basic auth (`AccountSid:AuthToken`); a 429 carries Twilio
error 20429 and is retried by the seam. History: the past 30 days.

Mapping (research/vendor_apis.md §3.3; TaskRouter has no SL percentage): offered =
tasks_entered, answered = reservations_accepted, abandoned = tasks_canceled,
answered_within_<T>s = split_by_wait_time["T"].below.reservations_accepted,
abandoned_within_<S>s = split_by_wait_time["S"].below.tasks_canceled,
answer_wait_seconds = wait_duration_in_queue_until_accepted.total (seconds),
handled = tasks_completed, flowouts = tasks_moved (left the queue for another one,
unanswered). Handle time is not in this resource.

Settings: `workspace_sid` (required), `api_host` (default the TaskRouter host).
Credentials: `account_sid`, `auth_token`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.collectors.base import (
    Clock,
    CollectResult,
    Limits,
    TimeWindow,
    api_base,
    contract_thresholds,
    credential,
    frame_from_rows,
    require_queues,
    setting,
    threshold_column,
    whole_seconds,
)
from monitor.collectors.http import HttpClient
from monitor.domain.contract import Contract, Queue
from monitor.errors import PermanentError

TASK_CHANNELS = {"voice": "voice", "chat": "chat", "message": "sms", "email": "email"}


class TwilioFlexCollector:
    kind = "twilio-flex"
    limits = Limits(granularity=timedelta(minutes=30), max_span=timedelta(days=1),
                    history=timedelta(days=30), trailing=timedelta(hours=1))

    def __init__(self, contract: Contract, http: HttpClient, clock: Clock) -> None:
        self.contract, self.http, self.clock = contract, http, clock
        self.workspace = setting(contract, "workspace_sid")
        self.base_url = api_base(contract, "https://taskrouter.twilio.com")
        self.account_sid = credential(contract, "account_sid")
        token = credential(contract, "auth_token")
        http.add_secret(token)
        self.basic = (self.account_sid, token)
        require_queues(contract)
        self.thresholds = contract_thresholds(contract)

    def collect(self, window: TimeWindow) -> CollectResult:
        before = self.http.stats()
        rows = []
        for queue in self.contract.sources.queues:
            cursor = window.start
            while cursor < window.end:
                stop = cursor + self.limits.granularity
                rows.append(self.parse(queue, cursor, self.fetch(queue, cursor, stop)))
                cursor = stop
        return CollectResult(source=self.kind, window=window, intervals=frame_from_rows(rows),
                             stats=self.http.stats().since(before))

    def commit(self, result: CollectResult) -> None:
        return None

    def fetch(self, queue: Queue, start: datetime, end: datetime) -> Any:
        params: dict[str, str] = {"StartDate": _iso(start), "EndDate": _iso(end)}
        if queue.channel in TASK_CHANNELS:
            params["TaskChannel"] = TASK_CHANNELS[queue.channel]
        if self.thresholds.all:
            params["SplitByWaitTime"] = ",".join(str(t) for t in self.thresholds.all)
        url = (f"{self.base_url}/v1/Workspaces/{self.workspace}/TaskQueues/{queue.id}"
               "/CumulativeStatistics")
        return self.http.get_json(url, params=params, basic=self.basic)

    def parse(self, queue: Queue, start: datetime, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise PermanentError("Twilio CumulativeStatistics: the answer is not an object")
        waits = body.get("wait_duration_in_queue_until_accepted") or {}
        row: dict[str, Any] = {
            "queue": queue.id, "channel": queue.channel, "interval_start": start,
            "interval_minutes": int(self.limits.granularity.total_seconds() // 60),
            "offered": int(body.get("tasks_entered") or 0),
            "answered": int(body.get("reservations_accepted") or 0),
            "abandoned": int(body.get("tasks_canceled") or 0),
            "answer_wait_seconds": whole_seconds(float(waits.get("total") or 0)),
            "handled": int(body.get("tasks_completed") or 0),
            "flowouts": int(body.get("tasks_moved") or 0),
        }
        split = body.get("split_by_wait_time") or {}
        for seconds in self.thresholds.answered:
            below = (split.get(str(seconds)) or {}).get("below") or {}
            row[threshold_column("answered_within_", seconds)] = int(
                below.get("reservations_accepted") or 0)
        for seconds in self.thresholds.abandoned:
            below = (split.get(str(seconds)) or {}).get("below") or {}
            row[threshold_column("abandoned_within_", seconds)] = int(
                below.get("tasks_canceled") or 0)
        return row


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
