"""NICE-CXone-shaped endpoints: access-key tokens, skill summaries, completed contacts.

Shapes follow research/vendor_apis_2.md §1: `POST /authentication/v1/token/access-key`,
`POST /public/user/refresh`, `GET /inContactAPI/services/v{ver}/skills/summary` (every
value a string, as singer's fixture shows) and `.../contacts/completed` (paged by top/skip
with an absolute `_links.next`, `totalRecords` as a string, `Z` times). Seconds carry
milliseconds so every threshold can be counted exactly from the same ground truth.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from monitor.collectors.base import iso_z, whole_seconds
from monitor.simulator.genesys_api import GenesysApi, error_body
from monitor.simulator.scenario import IntervalContacts, Scenario

Reply = tuple[int, Any, dict[str, str]]
KEY_ID, KEY_SECRET = "sim-key-id", "sim-key-secret"


def _secs(ms: int | float) -> str:
    return f"{int(ms) / 1000:.3f}"


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def contacts(scenario: Scenario, start: datetime, end: datetime, now: datetime
             ) -> Iterator[tuple[str, datetime, str, int, int]]:
    """(queue id, contact start, outcome, wait ms, handle ms) of every completed contact
    that started in [start, end), in start order within each interval."""
    for queue in scenario.queues:
        for at in scenario.served_starts(start, end, now, overlapping=True):
            c: IntervalContacts = scenario.served(queue.id, at, now)
            items = [(int(d - w - h), "answered", int(w), int(h)) for w, h, d in
                     zip(c.answered_wait, c.answered_handle, c.answered_done, strict=True)]
            items += [(int(d - w), "abandoned", int(w), 0)
                      for w, d in zip(c.abandoned_wait, c.abandoned_done, strict=True)]
            items += [(int(d - w), "flowout", int(w), 0)
                      for w, d in zip(c.flowout_wait, c.flowout_done, strict=True)]
            for arrival, outcome, wait, handle in sorted(items):
                when = at + timedelta(milliseconds=arrival)
                if start <= when < end:
                    yield queue.id, when, outcome, wait, handle


class NiceApi:
    def __init__(self, scenario: Scenario, tokens: GenesysApi, base_url: str = "") -> None:
        self.scenario, self.tokens = scenario, tokens
        self.base_url = base_url
        self.refresh_tokens: set[str] = set()
        self._lock = threading.Lock()

    def access_key(self, body: Any) -> Reply:
        if not isinstance(body, dict) or (body.get("accessKeyId"), body.get(
                "accessKeySecret")) != (KEY_ID, KEY_SECRET):
            return 401, {"error": "invalid_grant", "error_description": "bad access key"}, {}
        return 200, self._issue("access_token", "refresh_token", "expires_in"), {}

    def refresh(self, body: Any) -> Reply:
        token = (body or {}).get("token")
        with self._lock:
            known = token in self.refresh_tokens
            self.refresh_tokens.discard(token)
        if not known:
            return 401, {"error": "invalid_token"}, {}
        return 200, self._issue("token", "refreshToken", "tokenExpirationTimeSec"), {}

    def _issue(self, access: str, refresh: str, lifetime: str) -> dict[str, Any]:
        token = self.tokens.issue()
        refresh_token = f"rt-{token}"
        with self._lock:
            self.refresh_tokens.add(refresh_token)
        return {access: token, refresh: refresh_token, lifetime: self.tokens.token_ttl}

    # -- reporting -----------------------------------------------------------------------
    def skills_summary(self, query: dict[str, list[str]]) -> Reply:
        start, end = _when(_one(query, "startDate")), _when(_one(query, "endDate"))
        if start is None or end is None:
            return 400, error_body(400, "bad.request", "startDate and endDate are required"), {}
        now = self.scenario.clock.now()
        summaries = []
        for queue in self.scenario.queues:
            offered = handled = abandoned = within = wait_ms = handle_ms = 0
            for at in self.scenario.served_starts(start, end, now):
                c = self.scenario.served(queue.id, at, now)
                offered += c.offered
                handled += len(c.answered_wait)
                abandoned += len(c.abandoned_wait)
                within += int((c.answered_wait <= queue.sl_duration_ms).sum())
                wait_ms += int(c.answered_wait.sum())
                handle_ms += int(c.answered_handle.sum())
            asa = f"{wait_ms / handled / 1000:.17g}" if handled else "0"
            aht = f"{handle_ms / handled / 1000:.17g}" if handled else "0"
            summaries.append({
                "businessUnitId": "4600123", "skillId": queue.id, "skillName": queue.name,
                "mediaTypeName": "Phone Call" if queue.channel == "voice" else "Chat",
                "isOutbound": "False", "contactsOffered": str(offered),
                "contactsHandled": str(handled), "abandonCount": str(abandoned),
                "contactsWithinSLA": str(within), "contactsOutOfSLA": str(handled - within),
                "serviceLevelThreshold": str(queue.sl_duration_ms // 1000),
                "serviceLevelGoal": "80", "averageSpeedToAnswer": asa,
                "averageHandleTime": aht,
                "totalContactTime": str(whole_seconds(handle_ms / 1000))})
        return 200, {"skillSummaries": summaries}, {}

    def completed(self, path: str, query: dict[str, list[str]]) -> Reply:
        start, end = _when(_one(query, "startDate")), _when(_one(query, "endDate"))
        if start is None or end is None:
            return 400, error_body(400, "bad.request", "startDate and endDate are required"), {}
        top = min(10000, int(_one(query, "top") or 10000))
        skip = int(_one(query, "skip") or 0)
        rows = list(contacts(self.scenario, start, end, self.scenario.clock.now()))
        page = rows[skip:skip + top]
        if not rows:
            return 204, None, {}
        body: dict[str, Any] = {"totalRecords": str(len(rows)), "businessUnitId": 4600123,
                                "completedContacts": [_contact(n + skip, *row) for n, row in
                                                      enumerate(page)]}
        if skip + top < len(rows):  # absolute, as the tap follows it
            query_next = {k: v[0] for k, v in query.items()} | {"skip": str(skip + top)}
            body["_links"] = {"next": f"{self.base_url}{path}?{urlencode(query_next)}"}
        return 200, body, {}


def _contact(n: int, queue: str, when: datetime, outcome: str, wait: int, handle: int
             ) -> dict[str, Any]:
    agent = handle * 85 // 100  # the rest is after-contact work
    return {"contactId": str(100000 + n), "masterContactId": str(100000 + n),
            "skillId": queue, "contactStartDate": iso_z(when), "isOutbound": False,
            "abandoned": "True" if outcome == "abandoned" else "False",
            "abandonSeconds": _secs(wait) if outcome == "abandoned" else "0",
            "inQueueSeconds": _secs(wait),
            "agentSeconds": _secs(agent) if outcome == "answered" else "0",
            "acwSeconds": _secs(handle - agent) if outcome == "answered" else "0",
            "isShortAbandon": outcome == "abandoned" and wait <= 5000}


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name) or query.get(name.lower())
    return values[0] if values else None
