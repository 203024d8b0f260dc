"""NICE CXone: per-skill interval counts from the Reporting API (research/vendor_apis_2.md §1).

Tokens and discovery are `monitor.collectors.nice_auth`'s. Two routes, `sources.route`:

- `summary`: `GET {api}/inContactAPI/services/v{ver}/skills/summary?startDate&endDate`, one
  request per 30-minute interval (the summary aggregates the whole range), all skills at
  once. offered = contactsOffered, answered = handled = contactsHandled, abandoned =
  abandonCount, answered_within_<T>s = contactsWithinSLA where T is the skill's own
  serviceLevelThreshold, answer_wait_seconds = averageSpeedToAnswer x contactsHandled and
  handle_seconds = averageHandleTime x contactsHandled (lossy: NICE gives averages),
  flowouts = offered - answered - abandoned (derived, never negative).
- `contacts`: `GET .../contacts/completed?startDate&endDate&top&skip`, paged by
  `_links.next` (else skip += top up to totalRecords), bucketed by contactStartDate into
  intervals per skillId. Inbound only (isOutbound false). abandoned = `abandoned` true
  (wait: `sources.abandon_wait_field`, default abandonSeconds [UNCERTAIN]); answered =
  not abandoned and agentSeconds > 0 [UNCERTAIN], wait inQueueSeconds; the rest are
  flowouts; handle = the sum of `sources.handle_fields` (default agentSeconds,acwSeconds
  [UNCERTAIN: hold inclusion]). Any threshold, short abandons included.
- `auto` (default): `contacts` when the contract counts abandons within a threshold
  (no summary has them) or when a skill's configured threshold is not the contract's;
  `summary` otherwise.

Values may arrive as strings ("1036", "False"), field names in any case, times with `Z`.
Seconds keep their fractions until summed in milliseconds. Settings: `auth`, `area`,
`auth_url`, `issuer`, `tenant_id`, `api_host`, `api_version`, `route`,
`abandon_wait_field`, `handle_fields`, `page_size`, `contacts_overlap_minutes`
(`monitor.collectors.platforms.NICE`, docs/collectors.md). Credentials: `access_key_id`,
`access_key_secret` (+ `client_id`, `client_secret` for `auth: password`).
"""

from __future__ import annotations

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
    iso_z,
    require_queues,
    setting,
    threshold_column,
    whole_seconds,
)
from monitor.collectors.http import HttpClient
from monitor.collectors.nice_auth import NiceAuth, _get, discover_api
from monitor.collectors.platforms import NICE_AREAS, NICE_ROUTES
from monitor.domain.contract import Contract
from monitor.errors import PermanentError

ISSUER = "https://cxone.niceincontact.com"
TRUE = {"true", "1", "yes"}


def number(value: Any) -> float:
    """NICE numbers come as numbers or strings ("1036", "179.5"); blank is 0."""
    if value is None or value == "":
        return 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        raise PermanentError(f"vendor payload: {value!r} is not a number") from None


def flag(value: Any) -> bool:
    return value is True or str(value).strip().lower() in TRUE


def millis(value: Any) -> int:
    return round(number(value) * 1000)


def parse_time(value: Any) -> datetime:
    text = str(value).strip()
    moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class NiceCxoneCollector:
    kind = "nice-cxone"
    limits = Limits(granularity=timedelta(minutes=30), max_span=timedelta(days=1),
                    history=timedelta(days=30), trailing=timedelta(hours=2))

    def __init__(self, contract: Contract, http: HttpClient, clock: Clock) -> None:
        self.contract, self.http, self.clock = contract, http, clock
        settings = contract.sources.settings
        require_queues(contract)
        self.route = setting(contract, "route", "auto")
        if self.route not in NICE_ROUTES:
            raise PermanentError(f"contract {contract.id}: sources.route must be one of "
                                 f"{', '.join(NICE_ROUTES)}, not {self.route!r}")
        area = setting(contract, "area", "na1")
        if area not in NICE_AREAS and not settings.get("auth_url"):
            raise PermanentError(f"contract {contract.id}: sources.area {area!r} is not a "
                                 f"CXone area ({', '.join(NICE_AREAS)})")
        mode = setting(contract, "auth", "access-key")
        self._explicit_api = explicit_api_host(contract)
        # An explicit API host (a simulator, a proxy) serves the token routes too.
        auth_base = settings.get("auth_url") or (
            api_base(self.contract, "") if self._explicit_api
            else f"https://{area}.nice-incontact.com")
        auth_base = (auth_base if "://" in auth_base else f"https://{auth_base}").rstrip("/")
        self.issuer = setting(contract, "issuer", ISSUER).rstrip("/")
        client = None
        if mode == "password":
            client = (credential(contract, "client_id"), credential(contract, "client_secret"))
        self.auth = NiceAuth(
            mode=mode,
            token_url=(f"{auth_base}/authentication/v1/token/access-key" if mode == "access-key"
                       else f"{self.issuer}/auth/token"),
            refresh_url=f"{auth_base}/public/user/refresh" if mode == "access-key" else None,
            key_id=credential(contract, "access_key_id"),
            key_secret=credential(contract, "access_key_secret"), client=client, clock=clock)
        self.version = setting(contract, "api_version", "30.0").removeprefix("v")
        self.abandon_field = setting(contract, "abandon_wait_field", "abandonSeconds")
        self.handle_fields = tuple(f.strip() for f in setting(
            contract, "handle_fields", "agentSeconds,acwSeconds").split(",") if f.strip())
        self.page_size = int(setting(contract, "page_size", "10000"))
        self.overlap = timedelta(minutes=int(setting(contract, "contacts_overlap_minutes",
                                                     "120")))
        self.thresholds = contract_thresholds(contract)
        self._api: str | None = None
        self._skill_sl: dict[str, int] = {}

    # -- the Protocol --------------------------------------------------------------------
    def collect(self, window: TimeWindow) -> CollectResult:
        before = self.http.stats()
        problems: list[str] = []
        route = self.route
        if route == "auto" and self.thresholds.abandoned:
            route = "contacts"
        rows: list[dict[str, Any]] = []
        if route in ("auto", "summary"):
            rows = self.collect_summaries(window)
            mismatch = self._threshold_mismatches()
            if mismatch and route == "auto":
                route = "contacts"
            else:
                problems.extend(mismatch)
        if route == "contacts":
            rows = self.collect_contacts(window)
        if self.thresholds.abandoned and route == "summary":
            problems.append("abandons within a threshold are not in NICE skill summaries; "
                            "use sources.route: contacts (or auto)")
        public = [{k: v for k, v in row.items() if not k.startswith("_")} for row in rows]
        return CollectResult(source=self.kind, window=window, intervals=frame_from_rows(public),
                             stats=self.http.stats().since(before), problems=tuple(problems))

    def commit(self, result: CollectResult) -> None:
        return None

    # -- endpoints -----------------------------------------------------------------------
    def api(self) -> str:
        if self._api is None:
            if self._explicit_api:
                base = api_base(self.contract, "")
            else:
                self.auth.token(self.http)
                tenant = self.contract.sources.settings.get("tenant_id") or self.auth.claims.get(
                    "tenantId")
                if not tenant:
                    raise PermanentError(f"contract {self.contract.id}: no tenant id for API "
                                         "discovery; set sources.tenant_id or sources.api_host")
                base = discover_api(self.http, self.issuer, str(tenant))
            self._api = f"{base}/inContactAPI/services/v{self.version}"
        return self._api

    def collect_summaries(self, window: TimeWindow) -> list[dict[str, Any]]:
        rows = []
        cursor = window.start
        while cursor < window.end:
            stop = cursor + self.limits.granularity
            body = self.http.get_json(f"{self.api()}/skills/summary", auth=self.auth,
                                      params={"startDate": iso_z(cursor),
                                              "endDate": iso_z(stop)})
            rows.extend(self.parse_summary(cursor, body))
            cursor = stop
        return rows

    def parse_summary(self, start: datetime, body: Any) -> list[dict[str, Any]]:
        found: dict[str, Mapping[str, Any]] = {}
        for item in _get(body, "skillSummaries") or []:
            found[str(_get(item, "skillId"))] = item
        rows = []
        for queue in self.contract.sources.queues:
            item = found.get(queue.id, {})
            row = self._zero(queue.id, queue.channel, start, per_contact=False)
            handled = int(number(_get(item, "contactsHandled")))
            offered = int(number(_get(item, "contactsOffered")))
            abandoned = int(number(_get(item, "abandonCount")))
            row.update(
                offered=offered, answered=handled, handled=handled, abandoned=abandoned,
                flowouts=max(0, offered - handled - abandoned),
                answer_wait_seconds=whole_seconds(
                    number(_get(item, "averageSpeedToAnswer")) * handled),
                handle_seconds=whole_seconds(number(_get(item, "averageHandleTime")) * handled),
            )
            threshold = _get(item, "serviceLevelThreshold")
            if threshold is not None:
                seconds = int(number(threshold))
                self._skill_sl[queue.id] = seconds
                row[threshold_column("answered_within_", seconds)] = int(
                    number(_get(item, "contactsWithinSLA")))
            rows.append(row)
        return rows

    def collect_contacts(self, window: TimeWindow) -> list[dict[str, Any]]:
        rows: dict[tuple[str, datetime], dict[str, Any]] = {}
        for queue in self.contract.sources.queues:
            cursor = window.start
            while cursor < window.end:
                rows[(queue.id, cursor)] = self._zero(queue.id, queue.channel, cursor,
                                                      per_contact=True)
                cursor += self.limits.granularity
        url: str | None = f"{self.api()}/contacts/completed"
        params: dict[str, Any] | None = {
            "startDate": iso_z(window.start), "endDate": iso_z(window.end + self.overlap),
            "top": self.page_size, "skip": 0}
        skip = 0
        while url is not None:
            body = self.http.get_json(url, auth=self.auth, params=params)
            page = _get(body, "completedContacts") or []
            for contact in page:
                self.add_contact(rows, window, contact)
            link = _get(_get(body, "_links") or {}, "next")
            total = int(number(_get(body, "totalRecords")))
            skip += len(page)
            if link:
                url, params = str(link), None
            elif page and skip < total and params is not None:
                params = {**params, "skip": skip}
            else:
                url = None
        return list(rows.values())

    def add_contact(self, rows: Mapping[tuple[str, datetime], dict[str, Any]],
                    window: TimeWindow, contact: Mapping[str, Any]) -> None:
        if flag(_get(contact, "isOutbound")):
            return
        start = parse_time(_get(contact, "contactStartDate"))
        if not window.start <= start < window.end:
            return
        step = self.limits.granularity
        bucket = window.start + ((start - window.start) // step) * step
        row = rows.get((str(_get(contact, "skillId")), bucket))
        if row is None:
            return  # a skill the contract does not watch
        row["offered"] += 1
        if flag(_get(contact, "abandoned")):
            wait = _get(contact, self.abandon_field, "abandonSeconds", "inQueueSeconds")
            row["abandoned"] += 1
            for seconds in self.thresholds.abandoned:
                column = threshold_column("abandoned_within_", seconds)
                row[column] = row.get(column, 0) + (millis(wait) <= seconds * 1000)
        elif number(_get(contact, "agentSeconds")) > 0:
            wait_ms = millis(_get(contact, "inQueueSeconds"))
            row["answered"] += 1
            row["handled"] += 1
            row["_wait_ms"] += wait_ms
            row["_handle_ms"] += sum(millis(_get(contact, f)) for f in self.handle_fields)
            row["answer_wait_seconds"] = whole_seconds(row["_wait_ms"] / 1000)
            row["handle_seconds"] = whole_seconds(row["_handle_ms"] / 1000)
            for seconds in self.thresholds.answered:
                column = threshold_column("answered_within_", seconds)
                row[column] = row.get(column, 0) + (wait_ms <= seconds * 1000)
        else:
            row["flowouts"] += 1

    # -- helpers -------------------------------------------------------------------------
    def _zero(self, queue: str, channel: str, start: datetime, *, per_contact: bool
              ) -> dict[str, Any]:
        row: dict[str, Any] = {
            "queue": queue, "channel": channel, "interval_start": start,
            "interval_minutes": int(self.limits.granularity.total_seconds() // 60),
            "offered": 0, "answered": 0, "abandoned": 0, "flowouts": 0,
            "answer_wait_seconds": 0, "handled": 0, "handle_seconds": 0}
        if per_contact:  # every threshold is countable: a quiet interval is a true 0
            row.update({"_wait_ms": 0, "_handle_ms": 0})
            for seconds in self.thresholds.answered:
                row[threshold_column("answered_within_", seconds)] = 0
            for seconds in self.thresholds.abandoned:
                row[threshold_column("abandoned_within_", seconds)] = 0
        return row

    def _threshold_mismatches(self) -> list[str]:
        problems = []
        for queue in self.contract.sources.queues:
            configured = self._skill_sl.get(queue.id)
            for want in self.thresholds.answered:
                if configured != want:
                    problems.append(
                        f"skill {queue.id}: NICE service-level threshold is {configured} s but "
                        f"the contract counts {want} s; answered_within_{want}s needs "
                        "sources.route: contacts (or auto)")
        return problems
