"""What a notifier sends and the one HTTP seam the HTTP notifiers share.

A `NotificationEvent` is a breach or a recovery of one SLA in one period. Its `dedup_key` is
stable for (contract, SLA, period), so PagerDuty resolves the incident it opened and the
sent-log can tell that a breach was already announced. Notifiers raise `TransientError`
(retry: timeouts, 429, 5xx) or `PermanentError` (don't: 4xx, bad configuration).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import requests

from monitor.errors import PermanentError, TransientError

BREACH = "breach"
RECOVERY = "recovery"
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class NotificationEvent:
    kind: str  # breach | recovery
    vendor: str
    contract: str
    sla: str
    period: str
    at: datetime  # tz-aware
    summary: str
    value: float | None = None
    target: float | None = None
    dashboard_url: str = ""
    runbook_url: str = ""

    @property
    def dedup_key(self) -> str:
        """Stable per (contract, SLA, period): the breach and its recovery share it."""
        raw = f"slamon/{self.contract}/{self.sla}/{self.period}".encode()
        return "slamon-" + hashlib.sha256(raw).hexdigest()[:32]

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "vendor": self.vendor, "contract": self.contract,
            "sla": self.sla, "period": self.period, "at": self.at.isoformat(),
            "summary": self.summary, "value": self.value, "target": self.target,
            "dashboard_url": self.dashboard_url, "runbook_url": self.runbook_url,
            "dedup_key": self.dedup_key,
        }


class Notifier(Protocol):
    channel: str  # "slack:#vendor-mgmt"-like name shown in listings; never a secret

    def send(self, event: NotificationEvent) -> None: ...


def post_json(session: requests.Session, url: str, body: dict[str, Any],
              ok: tuple[int, ...] = (200, 201, 202, 204)) -> requests.Response:
    """POST JSON; map failures to transient/permanent errors without echoing the URL
    (webhook URLs carry secrets)."""
    try:
        response = session.post(url, json=body, timeout=TIMEOUT_SECONDS)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise TransientError(f"connection failed: {type(exc).__name__}") from None
    if response.status_code in ok:
        return response
    if response.status_code == 429 or response.status_code >= 500:
        retry_after = response.headers.get("Retry-After")
        raise TransientError(
            f"HTTP {response.status_code}",
            retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
        )
    raise PermanentError(f"HTTP {response.status_code}: {response.text[:200]}")
