"""Collector state (watermarks, leases, runs) and the notifications already sent.

Leases are rows taken with one conditional statement, so several schedulers on one
PostgreSQL never fetch the same window twice: a free or expired lease is taken by exactly one
of them; its holder may renew it. Notifications are deduplicated by a unique key: the first
`record_notification` of a key returns True, every later one False; `update_notification`
rewrites a row's payload (its send outcome), optionally only if the row's `sent_at` is still
the one the caller read (compare-and-set: of two workers re-claiming a failed send, one wins).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, insert, literal_column, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from monitor.storage.bulk import is_postgres
from monitor.storage.models import LeaseRow, NotificationRow, RunRow, WatermarkRow


@dataclass(frozen=True)
class CollectorRun:
    id: int
    key: str
    started: datetime
    finished: datetime | None
    rows: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.finished is not None and self.error is None


@dataclass(frozen=True)
class StoredNotification:
    """One `notifications` row: its unique key, kind, contract, time and JSON payload."""

    dedup_key: str
    kind: str
    contract_id: str | None
    sent_at: datetime
    payload: Mapping[str, Any]


def _insert_ignore(s: Session, model: Any, values: Mapping[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when the row went in."""
    dialect = postgresql if is_postgres(s.connection()) else sqlite
    stmt = dialect.insert(model).values(**values).on_conflict_do_nothing()
    return s.execute(stmt.returning(literal_column("1"))).first() is not None


def get_watermark(s: Session, key: str) -> datetime | None:
    return s.execute(select(WatermarkRow.ts).where(WatermarkRow.key == key)).scalar_one_or_none()


def set_watermark(s: Session, key: str, ts: datetime, *, force: bool) -> bool:
    """Move the watermark to `ts`; never backwards unless `force`. True when it moved."""
    if _insert_ignore(s, WatermarkRow, {"key": key, "ts": ts}):
        return True
    condition = WatermarkRow.key == key
    if not force:
        condition = and_(condition, WatermarkRow.ts < ts)
    result = s.execute(update(WatermarkRow).where(condition).values(ts=ts))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def try_lease(s: Session, key: str, owner: str, ttl: timedelta, now: datetime) -> bool:
    expires = now + ttl
    if _insert_ignore(s, LeaseRow, {"key": key, "owner": owner, "expires_at": expires}):
        return True
    result = s.execute(
        update(LeaseRow)
        .where(LeaseRow.key == key, or_(LeaseRow.expires_at <= now, LeaseRow.owner == owner))
        .values(owner=owner, expires_at=expires)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def release_lease(s: Session, key: str, owner: str) -> bool:
    result = s.execute(delete(LeaseRow).where(LeaseRow.key == key, LeaseRow.owner == owner))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def record_run(s: Session, key: str, started: datetime, finished: datetime | None, rows: int,
               error: str | None) -> int:
    result = s.execute(insert(RunRow).values(key=key, started=started, finished=finished,
                                             rows=rows, error=error).returning(RunRow.id))
    return int(result.scalar_one())


def runs(s: Session, key: str | None, limit: int) -> list[CollectorRun]:
    query = select(RunRow).order_by(RunRow.started.desc(), RunRow.id.desc()).limit(limit)
    if key is not None:
        query = query.where(RunRow.key == key)
    return [CollectorRun(r.id, r.key, r.started, r.finished, r.rows, r.error)
            for r in s.execute(query).scalars()]


def record_notification(s: Session, dedup_key: str, kind: str, contract_id: str | None,
                        payload: Mapping[str, Any], at: datetime) -> bool:
    return _insert_ignore(s, NotificationRow, {
        "dedup_key": dedup_key, "kind": kind, "contract_id": contract_id, "sent_at": at,
        "payload": dict(payload)})


def notifications(s: Session, contract_id: str | None, key: str | None
                  ) -> list[StoredNotification]:
    query = select(NotificationRow).order_by(NotificationRow.sent_at, NotificationRow.dedup_key)
    if contract_id is not None:
        query = query.where(NotificationRow.contract_id == contract_id)
    if key is not None:
        query = query.where(NotificationRow.dedup_key == key)
    return [StoredNotification(r.dedup_key, r.kind, r.contract_id, r.sent_at, dict(r.payload))
            for r in s.execute(query).scalars()]


def update_notification(s: Session, dedup_key: str, payload: Mapping[str, Any], at: datetime,
                        expect_at: datetime | None) -> bool:
    condition = NotificationRow.dedup_key == dedup_key
    if expect_at is not None:
        condition = and_(condition, NotificationRow.sent_at == expect_at)
    result = s.execute(update(NotificationRow).where(condition)
                       .values(payload=dict(payload), sent_at=at))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
