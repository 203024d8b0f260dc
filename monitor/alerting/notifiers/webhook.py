"""Generic webhook: POSTs the event as JSON (`NotificationEvent.as_json`) to a URL."""

from __future__ import annotations

import requests

from monitor.alerting.notifiers.base import NotificationEvent, post_json


class WebhookNotifier:
    def __init__(self, url: str, session: requests.Session | None = None,
                 channel: str = "webhook") -> None:
        self.url, self.channel = url, channel
        self.session = session or requests.Session()

    def send(self, event: NotificationEvent) -> None:
        post_json(self.session, self.url, event.as_json())
