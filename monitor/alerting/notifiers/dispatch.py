"""Send an event to every notifier once, with retries, recording each outcome.

Within a pass, retries follow a small policy: up to `attempts` tries for transient errors,
waiting `base * 2**n` seconds (or the server's Retry-After), never for permanent ones. The
sleep is injected so tests run instantly. A send still failed at the end of a pass stays in
the sent-log as `failed` with its reason and waits for its next pass (see `sentlog`).

The log says it once per notice: a warning when a notice first fails
(`event=notification_undeliverable`), an info line when it finally goes out
(`event=notification_delivered`), and only debug lines for the failed retries between.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from monitor.alerting.notifiers.base import NotificationEvent, Notifier
from monitor.alerting.notifiers.sentlog import SentLog, SentRecord
from monitor.errors import CollectorError, PermanentError

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
    status: str  # sent | failed | skipped (already sent) | waiting (failed; retry not due)
    attempts: int
    detail: str = ""


@dataclass
class Undeliverable:
    """A notifier that could not be built (its URL or key is not configured): sending
    through it fails with `reason`, so the notice is recorded as failed, listed by
    `slamon notifications --failed`, and goes out once the configuration is there. Its
    `channel` is the one the real notifier will have, so that send takes over this row."""

    channel: str
    reason: str

    def send(self, event: NotificationEvent) -> None:
        raise PermanentError(self.reason)


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
            held = sent.get(record.key)
            if held is not None and held.status == "failed":
                outcomes.append(Outcome(notifier.channel, "waiting", held.attempts,
                                        held.detail))
            else:
                outcomes.append(Outcome(notifier.channel, "skipped", 0, "already sent"))
            continue
        status, attempts, detail = send_with_retries(notifier, event, policy)
        done = sent.finish(record.key, status, attempts, detail)
        _log(event, done)
        outcomes.append(Outcome(notifier.channel, status, attempts, detail))
    return outcomes


def _log(event: NotificationEvent, done: SentRecord) -> None:
    where = (f"kind={event.kind} contract={event.contract} sla={event.sla} "
             f"period={event.period} channel={done.channel} attempts={done.attempts}")
    if done.status == "failed":
        retry = done.next_attempt_at.isoformat() if done.next_attempt_at else "-"
        level = logging.WARNING if done.failures == 1 else logging.DEBUG
        log.log(level, "event=notification_undeliverable %s next_attempt=%s error=%s", where,
                retry, done.detail)
    elif done.failures:
        log.info("event=notification_delivered %s after_failures=%d", where, done.failures)
