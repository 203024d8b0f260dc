"""`SentLog` over the storage `Store`: each claim is one `notifications` row, so two workers
(threads or processes on one database) never send the same breach or recovery twice.

A claim inserts `<dedup_key>/<kind>/<channel>` with `status: sending` (insert-if-absent: the
row's unique key decides who sends). `finish` writes the outcome into the same row
(`Store.update_notification`). A row whose send `failed` may be claimed again once its
`next_attempt_at` has come (the backoff of `sentlog.retry_delay`), and one that stayed
`sending` longer than `stale_after` (its process died mid-send) at once: the re-claim is a
compare-and-set on the row's `sent_at`, so of several workers exactly one retries. Attempts
and failures add up across passes; the row keeps the reason of the last failure.
`entries()` lists the rows through `Store.notifications()` (older databases may also hold
`<claim>#<status>` outcome rows from the first version of this log; they are folded into
their claim).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from monitor.alerting.notifiers.sentlog import SentRecord, finished, reclaimed
from monitor.storage.state import StoredNotification

STALE_AFTER = timedelta(minutes=15)


class NotificationStore(Protocol):
    def record_notification(self, dedup_key: str, kind: str, payload: Mapping[str, Any],
                            at: datetime, contract_id: str | None = None) -> bool: ...

    def notification(self, dedup_key: str) -> StoredNotification | None: ...

    def notifications(self, contract_id: str | None = None) -> list[StoredNotification]: ...

    def update_notification(self, dedup_key: str, payload: Mapping[str, Any], at: datetime,
                            *, expect_at: datetime | None = None) -> bool: ...


def claim_key(key: tuple[str, str, str]) -> str:
    return "/".join(key)


def _payload(record: SentRecord) -> dict[str, Any]:
    return record.as_payload()


def _record(payload: Mapping[str, Any]) -> SentRecord:
    return SentRecord.from_payload(payload)


class StoreSentLog:
    def __init__(self, store: NotificationStore, stale_after: timedelta = STALE_AFTER,
                 wall: Callable[[], datetime] | None = None) -> None:
        self.store = store
        self.stale_after = stale_after
        self._wall = wall or (lambda: datetime.now(UTC))
        self._claimed: dict[tuple[str, str, str], SentRecord] = {}

    def claim(self, record: SentRecord) -> bool:
        """True when this caller is to send `record` (first claim, or a retry it won)."""
        key = claim_key(record.key)
        now = self._wall()
        if self.store.record_notification(key, record.kind, _payload(record), now,
                                          record.contract):
            self._claimed[record.key] = record
            return True
        row = self.store.notification(key)
        if row is None or not self._retryable(row, now):
            return False
        retry = reclaimed(record, _record(row.payload))
        if not self.store.update_notification(key, _payload(retry), now, expect_at=row.sent_at):
            return False  # another worker re-claimed it first
        self._claimed[record.key] = retry
        return True

    def _retryable(self, row: StoredNotification, now: datetime) -> bool:
        status = row.payload.get("status")
        if status == "failed":
            return _record(row.payload).retry_due(now)
        return status == "sending" and now - row.sent_at > self.stale_after

    def finish(self, key: tuple[str, str, str], status: str, attempts: int,
               detail: str) -> SentRecord:
        now = self._wall()
        done = finished(self._claimed.pop(key), status, attempts, detail, now)
        self.store.update_notification(claim_key(key), _payload(done), now)
        return done

    def get(self, key: tuple[str, str, str]) -> SentRecord | None:
        row = self.store.notification(claim_key(key))
        return None if row is None or "channel" not in row.payload else _record(row.payload)

    def entries(self) -> list[SentRecord]:
        """Every claim with its outcome, oldest first."""
        rows = {row.dedup_key: row.payload for row in self.store.notifications()}
        out = []
        for key, payload in rows.items():
            if "#" in key or "channel" not in payload:
                continue
            record = _record(payload)
            for status in ("sent", "failed"):  # outcome rows of the first version
                outcome = rows.get(f"{key}#{status}")
                if outcome is not None:
                    record = replace(record, status=status, attempts=outcome["attempts"],
                                     detail=outcome["detail"])
            out.append(record)
        return sorted(out, key=lambda r: (r.claimed_at, r.key))
