"""Genesys-Cloud-shaped endpoints: OAuth token, conversation aggregates, routing queues.

Shapes follow research/vendor_apis.md §1: `{"results":[{"group":{...},"data":[{"interval":
"start/end","metrics":[{"metric":..,"stats":{..}}]}]}]}`, milliseconds, sparse output (a
metric with no events, an interval or a group without data is simply absent), `ErrorBody`
errors and `inin-ratelimit-*` headers.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from datetime import datetime
from typing import Any

import numpy as np

from monitor.collectors.base import iso_z
from monitor.simulator.scenario import INTERVAL, IntervalContacts, Scenario

Reply = tuple[int, Any, dict[str, str]]


def error_body(status: int, code: str, message: str) -> dict[str, Any]:
    return {"message": message, "code": code, "status": status,
            "contextId": secrets.token_hex(8), "details": [], "errors": []}


class GenesysApi:
    def __init__(self, scenario: Scenario, client_id: str = "sim-client",
                 client_secret: str = "sim-secret", token_ttl: int = 86399,
                 allowed_per_minute: int = 300) -> None:
        self.scenario = scenario
        self.client_id, self.client_secret = client_id, client_secret
        self.token_ttl, self.allowed = token_ttl, allowed_per_minute
        self.tokens: dict[str, float] = {}
        self.minute: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    # -- auth ------------------------------------------------------------------------------
    def token(self, headers: dict[str, str], form: dict[str, str]) -> Reply:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if headers.get("authorization") != f"Basic {expected}":
            return 401, {"error": "invalid_client",
                         "description": "client not found", "error_description":
                         "client not found"}, {}
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}, {}
        return 200, {"access_token": self.issue(), "token_type": "bearer",
                     "expires_in": self.token_ttl}, {}

    def issue(self) -> str:
        """A new bearer token (shared by every token-based API the simulator serves)."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.tokens[token] = time.monotonic() + self.token_ttl
        return token

    def check(self, headers: dict[str, str]) -> tuple[str | None, Reply | None]:
        value = headers.get("authorization", "")
        token = value.removeprefix("Bearer ") if value.startswith("Bearer ") else ""
        with self._lock:
            expiry = self.tokens.get(token)
        if expiry is None or expiry < time.monotonic():
            return None, (401, error_body(401, "bad.credentials",
                                          "Invalid login credentials."), {})
        return token, None

    def revoke(self, headers: dict[str, str]) -> None:
        token = headers.get("authorization", "").removeprefix("Bearer ")
        with self._lock:
            self.tokens.pop(token, None)

    def rate_headers(self, token: str) -> dict[str, str]:
        minute = int(time.time() // 60)
        with self._lock:
            start, count = self.minute.get(token, (minute, 0))
            count = count + 1 if start == minute else 1
            self.minute[token] = (minute, count)
        reset = 60 - int(time.time() % 60)
        return {"inin-ratelimit-count": str(count), "inin-ratelimit-allowed": str(self.allowed),
                "inin-ratelimit-reset": str(reset), "ININ-Correlation-Id": secrets.token_hex(8)}

    # -- data ------------------------------------------------------------------------------
    def queue(self, queue_id: str) -> Reply:
        queue = self.scenario.queue(queue_id)
        if queue is None:
            return 404, error_body(404, "not.found", "The requested queue was not found."), {}
        key = {"voice": "call"}.get(queue.channel, queue.channel)
        media: dict[str, Any] = {
            k: {"alertingTimeoutSeconds": 8, "serviceLevel": {
                "percentage": 0.8,
                "durationMs": queue.sl_duration_ms if k == key else 20000}}
            for k in ("call", "callback", "chat", "email", "message")}
        return 200, {"id": queue.id, "name": queue.name, "mediaSettings": media,
                     "selfUri": f"/api/v2/routing/queues/{queue.id}"}, {}

    def aggregates(self, body: Any) -> Reply:
        try:
            start_s, end_s = str(body["interval"]).split("/")
            start = datetime.fromisoformat(start_s.replace("Z", "+00:00"))
            end = datetime.fromisoformat(end_s.replace("Z", "+00:00"))
            metrics = list(body["metrics"])
        except (KeyError, TypeError, ValueError):
            return 400, error_body(400, "bad.request", "Invalid interval or metrics"), {}
        if body.get("granularity", "PT30M") != "PT30M":
            return 400, error_body(400, "bad.request",
                                   "The simulator serves PT30M granularity only"), {}
        wanted = {p["value"] for p in (body.get("filter") or {}).get("predicates", [])
                  if p.get("dimension") == "queueId"}
        now = self.scenario.clock.now()
        results = []
        for queue in self.scenario.queues:
            if wanted and queue.id not in wanted:
                continue
            data = []
            for at in self.scenario.served_starts(start, end, now):
                contacts = self.scenario.served(queue.id, at, now)
                if contacts.offered == 0:
                    continue  # sparse: nothing happened, nothing is returned
                data.append({"interval": f"{iso_z(at)}/{iso_z(at + INTERVAL)}",
                             "metrics": self._metrics(contacts, queue.sl_duration_ms,
                                                      metrics)})
            if data:
                results.append({"group": {"mediaType": queue.channel, "queueId": queue.id},
                                "data": data})
        return 200, ({"results": results} if results else {}), {}

    def _metrics(self, c: IntervalContacts, sl_ms: int, wanted: list[str]) -> list[Any]:
        short = c.abandoned_wait[c.abandoned_wait <= self.scenario.short_abandon_ms]
        timed = {"tAnswered": c.answered_wait, "tAbandon": c.abandoned_wait,
                 "tShortAbandon": short, "tFlowOut": c.flowout_wait,
                 "tHandle": c.answered_handle,
                 "tWait": np.concatenate([c.answered_wait, c.abandoned_wait, c.flowout_wait])}
        out: list[Any] = []
        for name in wanted:
            if name in timed and len(timed[name]):
                values = timed[name]
                out.append({"metric": name, "stats": {
                    "max": int(values.max()), "min": int(values.min()),
                    "count": len(values), "sum": int(values.sum())}})
            elif name == "nOffered" and c.offered:
                out.append({"metric": name, "stats": {"count": c.offered}})
            elif name == "nOverSla":
                over = int((c.answered_wait > sl_ms).sum())
                if over:
                    out.append({"metric": name, "stats": {"count": over}})
            elif name == "oServiceLevel":
                answered, abandoned = len(c.answered_wait), len(c.abandoned_wait)
                within = int((c.answered_wait <= sl_ms).sum())
                if answered + abandoned:
                    out.append({"metric": name, "stats": {
                        "ratio": within / (answered + abandoned), "numerator": within,
                        "denominator": answered + abandoned, "target": 0.8}})
        return out
