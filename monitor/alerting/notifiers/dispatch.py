"""Send an event to every notifier once, with retries, recording each outcome.

Retries follow a small policy: up to `attempts` tries for transient errors, waiting
`base * 2**n` seconds (or the server's Retry-After), never for permanent ones. The sleep is
injected so tests run instantly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from monitor.alerting.notifiers.base import NotificationEvent, Notifier
from monitor.alerting.notifiers.sentlog import SentLog, SentRecord
from monitor.errors import CollectorError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_seconds: float = 1.0
    max_seconds: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        wanted = retry_after if retry_after is not None else self.base_seconds * 2 ** attempt
        return min(wanted, self.max_seconds)


@dataclass(frozen=True)
class Outcome:
    channel: str
    status: str  # sent | failed | skipped (already sent)
    attempts: int
    detail: str = ""


def send_with_retries(notifier: Notifier, event: NotificationEvent,
                      policy: RetryPolicy) -> tuple[str, int, str]:
    for attempt in range(1, policy.attempts + 1):
        try:
            notifier.send(event)
            return "sent", attempt, ""
        except CollectorError as exc:
            if not exc.transient or attempt == policy.attempts:
                return "failed", attempt, str(exc)
            policy.sleep(policy.delay(attempt - 1, exc.retry_after))
    raise AssertionError("unreachable")


def dispatch(event: NotificationEvent, notifiers: Sequence[Notifier], sent: SentLog,
             policy: RetryPolicy | None = None) -> list[Outcome]:
    policy = policy or RetryPolicy()
    outcomes = []
    for notifier in notifiers:
        record = SentRecord(event.dedup_key, event.kind, notifier.channel, event.contract,
                            event.sla, event.period, event.at)
        if not sent.claim(record):
            outcomes.append(Outcome(notifier.channel, "skipped", 0, "already sent"))
            continue
        status, attempts, detail = send_with_retries(notifier, event, policy)
        sent.finish(record.key, status, attempts, detail)
        if status == "failed":
            log.warning("notification %s %s via %s failed after %d attempt(s): %s",
                        event.kind, event.dedup_key, notifier.channel, attempts, detail)
        outcomes.append(Outcome(notifier.channel, status, attempts, detail))
    return outcomes
