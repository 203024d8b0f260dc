"""The record of what was sent, so each breach or recovery goes out once per channel.

`SentLog` is the seam to storage: `claim` inserts the (dedup_key, kind, channel) row if it
is absent and says whether this caller got it (a unique key in the database makes two
workers safe); `finish` records the outcome; `get` reads one row. `StoreSentLog` (over the
storage `Store`) implements it; `MemorySentLog` and `JsonlSentLog` serve tests and users
without a database.

A send that failed (the notifier refused it, or could not be built: an unset variable) is
kept as one `failed` row with its reason and claimed again only once `next_attempt_at` has
come: 1 min after the first failed pass, doubling up to 6 h (`retry_delay`), so a notice
that cannot be delivered costs a try now and then, not one per scheduler pass.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from monitor.errors import InputError


@dataclass(frozen=True)
class SentRecord:
    dedup_key: str
    kind: str  # breach | recovery
    channel: str
    contract: str
    sla: str
    period: str
    claimed_at: datetime
    status: str = "sending"  # sending | sent | failed
    attempts: int = 0  # every try, over all passes
    detail: str = ""  # why the last try failed
    failures: int = 0  # passes that ended failed
    next_attempt_at: datetime | None = None  # a failed send is not claimed before this

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.dedup_key, self.kind, self.channel)

    def as_payload(self) -> dict[str, Any]:
        """The JSON object stored for it (timestamps as ISO 8601)."""
        return asdict(self) | {
            "claimed_at": self.claimed_at.isoformat(),
            "next_attempt_at": (None if self.next_attempt_at is None
                                else self.next_attempt_at.isoformat())}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> SentRecord:
        """The inverse of `as_payload`; rows written before `failures` existed load too."""
        row = dict(payload)
        row["claimed_at"] = datetime.fromisoformat(str(row["claimed_at"]))
        if row.get("next_attempt_at"):
            row["next_attempt_at"] = datetime.fromisoformat(str(row["next_attempt_at"]))
        return cls(**row)

    def retry_due(self, now: datetime) -> bool:
        return self.status == "failed" and (self.next_attempt_at is None
                                            or now >= self.next_attempt_at)


FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=6)


def retry_delay(failures: int) -> timedelta:
    """The wait after the `failures`-th failed pass: 1 min, 2, 4, ... at most 6 h."""
    return min(FIRST_RETRY * 2 ** min(max(failures - 1, 0), 20), MAX_RETRY)


def finished(record: SentRecord, status: str, attempts: int, detail: str,
             now: datetime) -> SentRecord:
    """`record` (as claimed) after a pass that made `attempts` tries and ended `status`."""
    failures = record.failures + (1 if status == "failed" else 0)
    return replace(record, status=status, attempts=record.attempts + attempts, detail=detail,
                   failures=failures,
                   next_attempt_at=now + retry_delay(failures) if status == "failed" else None)


def reclaimed(record: SentRecord, old: SentRecord) -> SentRecord:
    """A retry of `old`: the new claim keeps its history (tries, failures, reason)."""
    return replace(record, attempts=old.attempts, failures=old.failures, detail=old.detail)


class SentLog(Protocol):
    def claim(self, record: SentRecord) -> bool: ...

    def finish(self, key: tuple[str, str, str], status: str, attempts: int,
               detail: str) -> SentRecord: ...

    def get(self, key: tuple[str, str, str]) -> SentRecord | None: ...

    def entries(self) -> list[SentRecord]: ...


class MemorySentLog:
    def __init__(self, wall: Callable[[], datetime] | None = None) -> None:
        self._rows: dict[tuple[str, str, str], SentRecord] = {}
        self._lock = threading.Lock()
        self._wall = wall or (lambda: datetime.now(UTC))

    def claim(self, record: SentRecord) -> bool:
        with self._lock:
            old = self._rows.get(record.key)
            if old is not None:
                if not old.retry_due(self._wall()):
                    return False  # sent, being sent, or a failure waiting for its retry
                record = reclaimed(record, old)
            self._rows[record.key] = record
            return True

    def finish(self, key: tuple[str, str, str], status: str, attempts: int,
               detail: str) -> SentRecord:
        with self._lock:
            done = finished(self._rows[key], status, attempts, detail, self._wall())
            self._rows[key] = done
            return done

    def get(self, key: tuple[str, str, str]) -> SentRecord | None:
        with self._lock:
            return self._rows.get(key)

    def entries(self) -> list[SentRecord]:
        with self._lock:
            return sorted(self._rows.values(), key=lambda r: (r.claimed_at, r.key))


class JsonlSentLog(MemorySentLog):
    """A MemorySentLog persisted as one JSON line per change (last line of a key wins)."""

    def __init__(self, path: Path, wall: Callable[[], datetime] | None = None) -> None:
        super().__init__(wall)
        self.path = path
        if path.exists():
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if line.strip():
                    try:
                        record = SentRecord.from_payload(json.loads(line))
                    except (ValueError, KeyError, TypeError) as exc:
                        raise InputError(f"not a sent-log record: {exc}", file=str(path),
                                         line=number) from None
                    self._rows[record.key] = record

    def _append(self, record: SentRecord) -> None:
        with self.path.open("a") as f:
            f.write(json.dumps(record.as_payload(), sort_keys=True) + "\n")

    def claim(self, record: SentRecord) -> bool:
        if not super().claim(record):
            return False
        self._append(self._rows[record.key])
        return True

    def finish(self, key: tuple[str, str, str], status: str, attempts: int,
               detail: str) -> SentRecord:
        done = super().finish(key, status, attempts, detail)
        self._append(done)
        return done
