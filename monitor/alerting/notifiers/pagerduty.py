"""PagerDuty Events API v2 (`POST /v2/enqueue`): a breach triggers, a recovery resolves,
both with the event's stable `dedup_key` so the recovery closes the incident it opened.
PagerDuty answers 202; 400 is a bad event (permanent), 429 and 5xx are transient."""

from __future__ import annotations

from typing import Any

import requests

from monitor.alerting.notifiers.base import BREACH, NotificationEvent, post_json

EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"


def event_body(event: NotificationEvent, routing_key: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": "trigger" if event.kind == BREACH else "resolve",
        "dedup_key": event.dedup_key,
    }
    if event.kind == BREACH:
        body["payload"] = {
            "summary": event.summary[:1024],
            "source": f"slamon/{event.contract}",
            "severity": "error",
            "timestamp": event.at.isoformat(),
            "component": event.sla,
            "group": event.vendor,
            "class": "sla-breach",
            "custom_details": {"period": event.period, "value": event.value,
                               "target": event.target},
        }
        body["links"] = [{"href": url, "text": name} for name, url in
                         (("dashboard", event.dashboard_url), ("runbook", event.runbook_url))
                         if url]
    return body


class PagerDutyNotifier:
    def __init__(self, routing_key: str, session: requests.Session | None = None,
                 url: str = EVENTS_URL, channel: str = "pagerduty") -> None:
        self.routing_key, self.url, self.channel = routing_key, url, channel
        self.session = session or requests.Session()

    def send(self, event: NotificationEvent) -> None:
        post_json(self.session, self.url, event_body(event, self.routing_key), ok=(202,))
