"""Talkdesk: Explore API report jobs, bucketed into 30-minute intervals per ring group.

Flow (research/vendor_apis_2.md §3, Talkdesk's docs): a client-credentials token from
`https://{account}.talkdeskid.com/oauth/token` (EU `.talkdeskid.eu`, CA `.talkdeskidca.com`;
Basic client_id:secret), then `POST {api}/data/reports/{type}/jobs` with `format: json`, a
`timespan{from,to}` and the time zone UTC, `GET .../jobs/{id}` until the job is `done`
(Airbyte waits for `completed`: both accepted) or the answer redirects to the file, and
`GET .../files/{id}` (which may redirect to a short-lived storage URL; requests drops our
token on that hop). One job covers at most 28 days ("up to a month of data per request").
Talkdesk's legacy reports counted records by their end time, so the timespan is padded by
`sources.overlap_minutes` past the window and records are kept by their start.

`contacts` report (default; one record per ring-group leg): offered = direction IN;
answered = handled = contact_type Answered; abandoned = Abandoned or Short Abandoned
(wait: abandon_time, else short_abandon_time, else wait_time); flowouts = other inbound
(missed, voicemail); answered_within_<T>s = answered with wait_time <= T;
answer_wait_seconds = sum of wait_time; handle_seconds = sum of handle_time.
`calls` report, both shapes (before May 2026: call_type/start_time and durations in
fractions of a day [UNCERTAIN], `sources.legacy_duration_seconds`; after: type/start_at in
seconds): answered = type inbound, abandoned = abandoned/short_abandoned, flowouts =
missed/voicemail, handle = talk_time + hold_time (no after-call work in this report).
A record counts for every contract queue named in its ring groups ("agents+rg1").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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
    explicit_api_host,
    frame_from_rows,
    require_queues,
    setting,
    threshold_column,
    whole_seconds,
)
from monitor.collectors.http import HttpClient
from monitor.collectors.nice_cxone import number, parse_time
from monitor.collectors.oauth import ClientCredentials
from monitor.collectors.platforms import TALKDESK_REGIONS as REGIONS
from monitor.domain.contract import Contract
from monitor.errors import PermanentError, TransientError

DONE = {"done", "completed"}
FAILED = {"failed", "canceled", "cancelled", "deleted"}
CALL_ABANDONED = {"abandoned", "short_abandoned"}
CALL_FLOWOUT = {"missed", "voicemail"}
_SPLIT = re.compile(r"[+,;]")


def _norm(value: Any) -> str:
    return re.sub(r"[\s_-]+", " ", str(value or "")).strip().lower()


class TalkdeskCollector:
    kind = "talkdesk"
    limits = Limits(granularity=timedelta(minutes=30), max_span=timedelta(days=28),
                    history=timedelta(days=90), trailing=timedelta(hours=2))

    def __init__(self, contract: Contract, http: HttpClient, clock: Clock) -> None:
        self.contract, self.http, self.clock = contract, http, clock
        settings = contract.sources.settings
        require_queues(contract)
        region = setting(contract, "region", "us")
        if region not in REGIONS:
            raise PermanentError(f"contract {contract.id}: sources.region {region!r} is not a "
                                 f"Talkdesk region ({', '.join(REGIONS)})")
        id_suffix, api_host = REGIONS[region]
        self.api = api_base(contract, f"https://{api_host}")
        token_url = settings.get("token_url") or (
            f"{self.api}/oauth/token" if explicit_api_host(contract) else
            f"https://{setting(contract, 'account')}.{id_suffix}/oauth/token")
        self.auth = ClientCredentials(token_url, credential(contract, "client_id"),
                                      credential(contract, "client_secret"), clock)
        self.report = setting(contract, "report", "contacts")
        if self.report not in ("contacts", "calls"):
            raise PermanentError(f"contract {contract.id}: sources.report must be contacts "
                                 f"or calls, not {self.report!r}")
        self.tz_field = setting(contract, "timezone_field", "top")
        self.bucket_by = setting(contract, "bucket_by", "started_at")
        self.group_field = setting(contract, "ring_group_field", "ring_groups")
        self.answered_types = {_norm(v) for v in setting(
            contract, "answered_types", "Answered").split(",")}
        self.abandoned_types = {_norm(v) for v in setting(
            contract, "abandoned_types", "Abandoned,Short Abandoned").split(",")}
        self.overlap = timedelta(minutes=int(setting(contract, "overlap_minutes", "120")))
        self.poll_seconds = float(setting(contract, "poll_seconds", "2"))
        self.max_polls = int(setting(contract, "max_polls", "90"))
        self.legacy_unit = float(setting(contract, "legacy_duration_seconds", "86400"))
        self.thresholds = contract_thresholds(contract)
        self.queues = {q.id: q for q in contract.sources.queues}

    # -- the Protocol --------------------------------------------------------------------
    def collect(self, window: TimeWindow) -> CollectResult:
        before = self.http.stats()
        rows: dict[tuple[str, datetime], dict[str, Any]] = {}
        for queue in self.contract.sources.queues:
            cursor = window.start
            while cursor < window.end:
                rows[(queue.id, cursor)] = self._zero(queue.id, queue.channel, cursor)
                cursor += self.limits.granularity
        for record in self.entries(self.fetch(window)):
            self.add(rows, window, record)
        public = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows.values()]
        return CollectResult(source=self.kind, window=window, intervals=frame_from_rows(public),
                             stats=self.http.stats().since(before))

    def commit(self, result: CollectResult) -> None:
        return None

    # -- the job -------------------------------------------------------------------------
    def fetch(self, window: TimeWindow) -> Any:
        until = max(window.end, min(window.end + self.overlap, self.clock()))
        timespan: dict[str, str] = {"from": _iso(window.start), "to": _iso(until)}
        body: dict[str, Any] = {"name": f"slamon {self.contract.id} {_iso(window.start)}",
                                "format": "json", "timespan": timespan}
        if self.tz_field == "timespan":
            timespan["timezone"] = "UTC"
        else:
            body["timezone"] = "UTC"
        base = f"{self.api}/data/reports/{self.report}"
        created = self.http.post_json(f"{base}/jobs", json=body, auth=self.auth)
        job = (created or {}).get("job") or created or {}
        job_id = job.get("id")
        if not job_id:
            raise PermanentError(f"POST {base}/jobs: no job id in the answer")
        for attempt in range(self.max_polls):
            answer = self.http.get_json(f"{base}/jobs/{job_id}", auth=self.auth)
            if not isinstance(answer, dict) or "job" not in answer:
                return answer  # the status call redirected to the file: this is the report
            status = _norm(answer["job"].get("status"))
            if status in DONE:
                files = ((answer.get("_links") or {}).get("files") or {}).get("href")
                url = files if files and "://" in files else (
                    f"{self.api}{files}" if files else f"{base}/files/{job_id}")
                return self.http.get_json(url, auth=self.auth)
            if status in FAILED:
                raise TransientError(f"Talkdesk {self.report} job {job_id} ended {status}")
            if attempt + 1 < self.max_polls:
                self.http.sleep(self.poll_seconds)
        raise TransientError(f"Talkdesk {self.report} job {job_id} not done after "
                             f"{self.max_polls} checks")

    @staticmethod
    def entries(payload: Any) -> list[Mapping[str, Any]]:
        if isinstance(payload, list):
            return payload
        if isinstance(payload, dict):
            for key in ("entries", "data", "records"):
                if isinstance(payload.get(key), list):
                    return list(payload[key])
        raise PermanentError("Talkdesk report: no entries in the downloaded file")

    # -- records -------------------------------------------------------------------------
    def add(self, rows: Mapping[tuple[str, datetime], dict[str, Any]], window: TimeWindow,
            record: Mapping[str, Any]) -> None:
        fields = {str(k).lower(): v for k, v in record.items()}
        kind, wait, handle, abandon_wait, when = self._classify(fields)
        if kind is None or when is None or not window.start <= when < window.end:
            return
        step = self.limits.granularity
        bucket = window.start + ((when - window.start) // step) * step
        groups = {g.strip() for g in _SPLIT.split(str(fields.get(self.group_field) or ""))}
        for group in groups & set(self.queues):
            row = rows[(group, bucket)]
            row["offered"] += 1
            if kind == "answered":
                row["answered"] += 1
                row["handled"] += 1
                row["_wait_ms"] += round(wait * 1000)
                row["_handle_ms"] += round(handle * 1000)
                row["answer_wait_seconds"] = whole_seconds(row["_wait_ms"] / 1000)
                row["handle_seconds"] = whole_seconds(row["_handle_ms"] / 1000)
                for seconds in self.thresholds.answered:
                    row[threshold_column("answered_within_", seconds)] += (
                        round(wait * 1000) <= seconds * 1000)
            elif kind == "abandoned":
                row["abandoned"] += 1
                for seconds in self.thresholds.abandoned:
                    row[threshold_column("abandoned_within_", seconds)] += (
                        round(abandon_wait * 1000) <= seconds * 1000)
            else:
                row["flowouts"] += 1

    def _classify(self, f: Mapping[str, Any]
                  ) -> tuple[str | None, float, float, float, datetime | None]:
        """(answered|abandoned|flowout|None, wait s, handle s, abandon wait s, time)."""
        if self.report == "contacts":
            if not _norm(f.get("direction")).startswith("in"):
                return None, 0, 0, 0, None
            kind = _norm(f.get("contact_type"))
            when = f.get(self.bucket_by) or f.get("started_at")
            wait = number(f.get("wait_time"))
            abandon = next((number(f[k]) for k in ("abandon_time", "short_abandon_time")
                            if f.get(k) not in (None, "", 0, "0")), wait)
            outcome = ("answered" if kind in self.answered_types else
                       "abandoned" if kind in self.abandoned_types else "flowout")
            return outcome, wait, number(f.get("handle_time")), abandon, _when(when)
        legacy = "call_type" in f
        kind = _norm(f.get("call_type") if legacy else f.get("type")).replace(" ", "_")
        unit = self.legacy_unit if legacy else 1.0
        if kind.startswith("outbound") or not kind:
            return None, 0, 0, 0, None
        wait = number(f.get("waiting_time" if legacy else "wait_time")) * unit
        handle = (number(f.get("talk_time")) + number(
            f.get("holding_time" if legacy else "hold_time"))) * unit
        abandon = number(f.get("abandon_time")) * unit or wait
        when = f.get("start_time" if legacy else "start_at")
        outcome = ("answered" if kind == "inbound" else "abandoned" if kind in CALL_ABANDONED
                   else "flowout")
        return outcome, wait, handle, abandon, _when(when)

    def _zero(self, queue: str, channel: str, start: datetime) -> dict[str, Any]:
        row: dict[str, Any] = {
            "queue": queue, "channel": channel, "interval_start": start,
            "interval_minutes": int(self.limits.granularity.total_seconds() // 60),
            "offered": 0, "answered": 0, "abandoned": 0, "flowouts": 0,
            "answer_wait_seconds": 0, "handled": 0, "handle_seconds": 0,
            "_wait_ms": 0, "_handle_ms": 0}
        for seconds in self.thresholds.answered:
            row[threshold_column("answered_within_", seconds)] = 0
        for seconds in self.thresholds.abandoned:
            row[threshold_column("abandoned_within_", seconds)] = 0
        return row


def _when(value: Any) -> datetime | None:
    """Report times: ISO with Z, or "2022-06-30 16:42:24" in the job's zone (UTC here)."""
    if value in (None, ""):
        return None
    return parse_time(str(value).replace(" ", "T", 1)).astimezone(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
