"""Genesys Cloud: conversation aggregates per queue and media type.

Polls `POST https://api.{env}/api/v2/analytics/conversations/aggregates/query` with
`granularity` PT30M (or PT15M), `groupBy: [queueId, mediaType]` and an `or` filter on the
contract's queue ids, after a client-credentials token from `https://login.{env}`.
The service-level threshold is read from each queue (`GET /api/v2/routing/queues/{id}`,
`mediaSettings.<media>.serviceLevel.durationMs`), never assumed.

Mapping (research/vendor_apis.md §1.3): durations arrive in milliseconds and leave as
seconds; a metric, group or interval the response omits is 0. Service level is NOT taken
from `oServiceLevel`, whose admin toggles apply retroactively; the raw counts are kept:
answered = tAnswered.count, answered_within_<SL>s = tAnswered.count - nOverSla.count,
abandoned = tAbandon.count, abandoned_within_<S>s = tShortAbandon.count (S = the org's
short-abandon setting, `sources.short_abandon_seconds`), flowouts = tFlowOut.count,
offered = nOffered.count, answer_wait_seconds = tAnswered.sum / 1000, handled =
tHandle.count, handle_seconds = tHandle.sum / 1000 (both totals rounded half-up to whole
seconds per interval, as the interchange wants integers).

Settings (`sources`): `region` (SDK name such as `us_east_1`, the default) or `api_host`
(`api.{env}` gives `login.{env}`; any other host, e.g. the simulator's URL, serves both);
programmatic extras: `login_url`, `granularity` (PT30M | PT15M), `short_abandon_seconds`
(the org's short-abandon setting; default: the contract's one `short_abandon`).
Credentials (`sources.credentials_env`): `client_id`, `client_secret`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

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
from monitor.collectors.http import HttpClient
from monitor.collectors.oauth import ClientCredentials
from monitor.domain.contract import Contract, Queue
from monitor.errors import PermanentError

# SDK region -> the `{env}` of api.{env} / login.{env} (PureCloudRegionHosts).
REGIONS: dict[str, str] = {
    "us_east_1": "mypurecloud.com",
    "us_east_2": "use2.us-gov-pure.cloud",
    "us_west_2": "usw2.pure.cloud",
    "ca_central_1": "cac1.pure.cloud",
    "sa_east_1": "sae1.pure.cloud",
    "mx_central_1": "mxc1.pure.cloud",
    "eu_west_1": "mypurecloud.ie",
    "eu_west_2": "euw2.pure.cloud",
    "eu_central_1": "mypurecloud.de",
    "eu_central_2": "euc2.pure.cloud",
    "me_central_1": "mec1.pure.cloud",
    "ap_south_1": "aps1.pure.cloud",
    "ap_northeast_1": "mypurecloud.jp",
    "ap_northeast_2": "apne2.pure.cloud",
    "ap_northeast_3": "apne3.pure.cloud",
    "ap_southeast_1": "apse1.pure.cloud",
    "ap_southeast_2": "mypurecloud.com.au",
}
METRICS = ("nOffered", "tAnswered", "tAbandon", "tShortAbandon", "tFlowOut", "tHandle",
           "nOverSla")
MEDIA_SETTINGS_KEY = {"voice": "call", "callback": "callback", "chat": "chat",
                      "email": "email", "message": "message"}
GRANULARITIES = {"PT15M": timedelta(minutes=15), "PT30M": timedelta(minutes=30)}
QUEUES_PER_QUERY = 50  # keeps the filter's predicate list small
QUEUE_SETTINGS_TTL = timedelta(hours=1)


class GenesysCollector:
    kind = "genesys-cloud"

    def __init__(self, contract: Contract, http: HttpClient, clock: Clock) -> None:
        self.contract, self.http, self.clock = contract, http, clock
        settings = contract.sources.settings
        explicit = settings.get("api_host") or settings.get("api_url")
        env = REGIONS.get(settings.get("region") or "us_east_1")
        if env is None and not explicit:
            raise PermanentError(
                f"contract {contract.id}: sources.region {settings.get('region')!r} is not a "
                f"Genesys Cloud region ({', '.join(sorted(REGIONS))})"
            )
        if explicit:
            self.api_url = (explicit if "://" in explicit else f"https://{explicit}").rstrip("/")
            scheme, _, host = self.api_url.partition("://")
            login_url = settings.get("login_url") or (
                f"{scheme}://login.{host.removeprefix('api.')}" if host.startswith("api.")
                else self.api_url)
        else:
            self.api_url = f"https://api.{env}"
            login_url = settings.get("login_url") or f"https://login.{env}"
        login_url = login_url.rstrip("/")
        self.granularity = setting(contract, "granularity", "PT30M")
        if self.granularity not in GRANULARITIES:
            raise PermanentError(
                f"contract {contract.id}: sources.granularity must be PT15M or PT30M"
            )
        self.limits = Limits(granularity=GRANULARITIES[self.granularity],
                             max_span=timedelta(days=7), history=timedelta(days=90),
                             trailing=timedelta(hours=4))
        require_queues(contract)
        self.auth = ClientCredentials(
            f"{login_url}/oauth/token",
            credential(contract, "client_id"),
            credential(contract, "client_secret"),
            clock,
        )
        short = settings.get("short_abandon_seconds")
        self.short_abandon = int(short) if short else _single_short_abandon(contract)
        self._queue_sl: dict[str, tuple[datetime, dict[str, int]]] = {}

    # -- the Protocol --------------------------------------------------------------------
    def collect(self, window: TimeWindow) -> CollectResult:
        before = self.http.stats()
        problems: list[str] = []
        rows: dict[tuple[str, str, datetime], dict[str, Any]] = {}
        for queue in self.contract.sources.queues:
            cursor = window.start  # zero-fill: Genesys omits intervals with no events
            while cursor < window.end:
                rows[(queue.id, queue.channel, cursor)] = _zero_row(queue.id, queue.channel,
                                                                    cursor, self.limits)
                cursor += self.limits.granularity
        queues = list(self.contract.sources.queues)
        for first in range(0, len(queues), QUEUES_PER_QUERY):
            batch = queues[first:first + QUEUES_PER_QUERY]
            body = self.http.post_json(
                f"{self.api_url}/api/v2/analytics/conversations/aggregates/query",
                json=self.query(window, batch), auth=self.auth,
            )
            for row in self.parse(body):
                rows[(row["queue"], row["channel"], row["interval_start"])] = row
        self._add_thresholds(rows, problems)
        after = self.http.stats()
        return CollectResult(
            source=self.kind, window=window, intervals=frame_from_rows(rows.values()),
            stats=after.since(before), problems=tuple(problems),
        )

    def commit(self, result: CollectResult) -> None:
        return None

    # -- request and response ------------------------------------------------------------
    def query(self, window: TimeWindow, queues: list[Queue]) -> dict[str, Any]:
        return {
            "interval": window.iso(),
            "granularity": self.granularity,
            "groupBy": ["queueId", "mediaType"],
            "filter": {"type": "or", "predicates": [
                {"type": "dimension", "dimension": "queueId", "operator": "matches",
                 "value": q.id} for q in queues]},
            "metrics": list(METRICS),
        }

    def parse(self, body: Any) -> list[dict[str, Any]]:
        """`ConversationAggregateQueryResponse` → rows with raw counts (SL added later)."""
        if not isinstance(body, dict):
            raise PermanentError("Genesys aggregates: the answer is not a JSON object")
        rows: list[dict[str, Any]] = []
        for container in body.get("results") or []:
            group = container.get("group") or {}
            queue, media = group.get("queueId"), group.get("mediaType")
            if not queue or not media:
                continue
            for item in container.get("data") or []:
                start = datetime.fromisoformat(item["interval"].split("/")[0])
                stats = {m["metric"]: m.get("stats") or {} for m in item.get("metrics") or []}
                rows.append(_row(queue, media, start, stats, self.limits))
        return rows

    def service_level_seconds(self, queue_id: str) -> dict[str, int]:
        """Per media type, the queue's SL duration in seconds (`mediaSettings`)."""
        now = self.clock()
        cached = self._queue_sl.get(queue_id)
        if cached is not None and now - cached[0] < QUEUE_SETTINGS_TTL:
            return cached[1]
        body = self.http.get_json(f"{self.api_url}/api/v2/routing/queues/{queue_id}",
                                  auth=self.auth)
        media_settings = (body or {}).get("mediaSettings") or {}
        durations: dict[str, int] = {}
        for channel, key in MEDIA_SETTINGS_KEY.items():
            service_level = (media_settings.get(key) or {}).get("serviceLevel") or {}
            if service_level.get("durationMs") is not None:
                durations[channel] = int(service_level["durationMs"]) // 1000
        self._queue_sl[queue_id] = (now, durations)
        return durations

    def _add_thresholds(self, rows: Mapping[tuple[str, str, datetime], dict[str, Any]],
                        problems: list[str]) -> None:
        wanted = contract_thresholds(self.contract)
        for (queue_id, channel, _start), row in rows.items():
            over = row.pop("_over_sla")
            short = row.pop("_short_abandons")
            seconds = self.service_level_seconds(queue_id).get(channel)
            if seconds is not None:
                row[threshold_column("answered_within_", seconds)] = row["answered"] - over
            if self.short_abandon is not None:
                row[threshold_column("abandoned_within_", self.short_abandon)] = short
        for want in wanted.abandoned:
            if want != self.short_abandon:
                problems.append(
                    f"abandoned_within_{want}s is not available from Genesys: tShortAbandon "
                    f"only counts abandons under the org's short-abandon setting "
                    f"({self.short_abandon} s); SLAs counting abandons within {want} s "
                    "(abandons: positive or exclude_within_threshold) lack data"
                )
        for queue in self.contract.sources.queues:
            seconds = self.service_level_seconds(queue.id).get(queue.channel)
            for want in wanted.answered:
                if seconds != want:
                    problems.append(
                        f"queue {queue.id} ({queue.channel}): Genesys service-level duration "
                        f"is {seconds} s but the contract counts {want} s; "
                        f"answered_within_{want}s is not available from Genesys"
                    )


def _row(queue: str, media: str, start: datetime, stats: Mapping[str, Mapping[str, Any]],
         limits: Limits) -> dict[str, Any]:
    def count(metric: str) -> int:
        return int(stats.get(metric, {}).get("count") or 0)

    def seconds(metric: str) -> int:
        return whole_seconds(float(stats.get(metric, {}).get("sum") or 0) / 1000.0)

    row = _zero_row(queue, media, start, limits)
    row.update(
        offered=count("nOffered"), answered=count("tAnswered"), abandoned=count("tAbandon"),
        flowouts=count("tFlowOut"), answer_wait_seconds=seconds("tAnswered"),
        handled=count("tHandle"), handle_seconds=seconds("tHandle"),
        _over_sla=count("nOverSla"), _short_abandons=count("tShortAbandon"),
    )
    return row


def _zero_row(queue: str, channel: str, start: datetime, limits: Limits) -> dict[str, Any]:
    return {"queue": queue, "channel": channel, "interval_start": start,
            "interval_minutes": int(limits.granularity.total_seconds() // 60),
            "offered": 0, "answered": 0, "abandoned": 0, "flowouts": 0,
            "answer_wait_seconds": 0, "handled": 0, "handle_seconds": 0,
            "_over_sla": 0, "_short_abandons": 0}


def _single_short_abandon(contract: Contract) -> int | None:
    values = {int(s.short_abandon.total_seconds()) for s in contract.slas
              if s.short_abandon is not None}
    return values.pop() if len(values) == 1 else None

