"""`SentLog` over the storage `Store`: each claim is a `notifications` row, so two workers
never send the same breach or recovery (the row's unique key decides).

The Store offers `record_notification(dedup_key, kind, payload, at, contract_id) -> bool`
(insert-if-absent). A claim writes `<dedup_key>/<kind>/<channel>`; the outcome is a second
row, `<claim>#<status>`. A claim whose send failed is not re-claimed (rows are never
updated). `entries()` reads the table with plain SQL until the Store offers a listing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Engine, text

from monitor.alerting.notifiers.sentlog import SentRecord


class NotificationStore(Protocol):
    @property
    def engine(self) -> Engine: ...

    def record_notification(self, dedup_key: str, kind: str, payload: Mapping[str, Any],
                            at: datetime, contract_id: str | None = None) -> bool: ...


def claim_key(key: tuple[str, str, str]) -> str:
    return "/".join(key)


class StoreSentLog:
    def __init__(self, store: NotificationStore) -> None:
        self.store = store
        self._claimed: dict[tuple[str, str, str], SentRecord] = {}

    def claim(self, record: SentRecord) -> bool:
        payload = asdict(record) | {"claimed_at": record.claimed_at.isoformat()}
        won = self.store.record_notification(claim_key(record.key), record.kind, payload,
                                             record.claimed_at, record.contract)
        if won:
            self._claimed[record.key] = record
        return won

    def finish(self, key: tuple[str, str, str], status: str, attempts: int,
               detail: str) -> None:
        record = self._claimed.pop(key)
        self.store.record_notification(
            f"{claim_key(key)}#{status}", record.kind,
            {"status": status, "attempts": attempts, "detail": detail},
            datetime.now(UTC), record.contract)

    def entries(self) -> list[SentRecord]:
        """Every claim with its outcome, read from the `notifications` table."""
        rows: dict[str, dict[str, Any]] = {}
        with self.store.engine.connect() as conn:
            for key, payload in conn.execute(text("SELECT dedup_key, payload FROM notifications")):
                rows[str(key)] = json.loads(payload) if isinstance(payload, str) else payload
        out = []
        for key, row in rows.items():
            if "#" in key or "channel" not in row:
                continue
            record = SentRecord(**(row | {"claimed_at": datetime.fromisoformat(row["claimed_at"])}))
            for status in ("sent", "failed"):
                outcome = rows.get(f"{key}#{status}")
                if outcome is not None:
                    record = replace(record, status=status, attempts=outcome["attempts"],
                                     detail=outcome["detail"])
            out.append(record)
        return sorted(out, key=lambda r: (r.claimed_at, r.key))
