"""Slack incoming webhook: one message per breach or recovery (text + a colored attachment).

Slack answers 200 with body `ok`; 400/403/404 (`invalid_payload`, `no_service`) are
permanent, 429 and 5xx transient.
"""

from __future__ import annotations

from typing import Any

import requests

from monitor.alerting.notifiers.base import BREACH, NotificationEvent, post_json


def message(event: NotificationEvent) -> dict[str, Any]:
    icon = ":red_circle:" if event.kind == BREACH else ":large_green_circle:"
    title = f"{icon} {event.kind.upper()}: {event.vendor} / {event.contract} / {event.sla}"
    fields = [{"title": "Period", "value": event.period, "short": True}]
    if event.value is not None and event.target is not None:
        fields.append({"title": "Attainment / target",
                       "value": f"{event.value:g} / {event.target:g}", "short": True})
    links = " | ".join(f"<{url}|{name}>" for name, url in
                       (("dashboard", event.dashboard_url), ("runbook", event.runbook_url)) if url)
    return {
        "text": f"{title}\n{event.summary}",
        "attachments": [{"color": "danger" if event.kind == BREACH else "good",
                         "fields": fields, "footer": links or "slamon"}],
    }


class SlackNotifier:
    def __init__(self, url: str, session: requests.Session | None = None,
                 channel: str = "slack") -> None:
        self.url, self.channel = url, channel
        self.session = session or requests.Session()

    def send(self, event: NotificationEvent) -> None:
        post_json(self.session, self.url, message(event), ok=(200,))
