"""The record of what was sent, so each breach or recovery goes out once per channel.

`SentLog` is the seam to storage: `claim` inserts the (dedup_key, kind, channel) row if it
is absent and says whether this caller got it (a unique key in the database makes two
workers safe); `finish` records the outcome. The storage `Store` implements the same three
methods; `MemorySentLog` and `JsonlSentLog` serve tests and users without a database.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

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
    attempts: int = 0
    detail: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.dedup_key, self.kind, self.channel)


class SentLog(Protocol):
    def claim(self, record: SentRecord) -> bool: ...

    def finish(self, key: tuple[str, str, str], status: str, attempts: int,
               detail: str) -> None: ...

    def entries(self) -> list[SentRecord]: ...


class MemorySentLog:
    def __init__(self) -> None:
        self._rows: dict[tuple[str, str, str], SentRecord] = {}
        self._lock = threading.Lock()

    def claim(self, record: SentRecord) -> bool:
        with self._lock:
            old = self._rows.get(record.key)
            if old is not None and old.status != "failed":
                return False  # a failed send may be claimed again on the next run
            self._rows[record.key] = record
            return True

    def finish(self, key: tuple[str, str, str], status: str, attempts: int,
               detail: str) -> None:
        with self._lock:
            self._rows[key] = replace(self._rows[key], status=status, attempts=attempts,
                                      detail=detail)

    def entries(self) -> list[SentRecord]:
        with self._lock:
            return sorted(self._rows.values(), key=lambda r: (r.claimed_at, r.key))


class JsonlSentLog(MemorySentLog):
    """A MemorySentLog persisted as one JSON line per change (last line of a key wins)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        if path.exists():
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if line.strip():
                    try:
                        row = json.loads(line)
                        row["claimed_at"] = datetime.fromisoformat(row["claimed_at"])
                        record = SentRecord(**row)
                    except (ValueError, KeyError, TypeError) as exc:
                        raise InputError(f"not a sent-log record: {exc}", file=str(path),
                                         line=number) from None
                    self._rows[record.key] = record

    def _append(self, record: SentRecord) -> None:
        row = asdict(record) | {"claimed_at": record.claimed_at.isoformat()}
        with self.path.open("a") as f:
            f.write(json.dumps(row, sort_keys=True) + "\n")

    def claim(self, record: SentRecord) -> bool:
        if not super().claim(record):
            return False
        self._append(record)
        return True

    def finish(self, key: tuple[str, str, str], status: str, attempts: int,
               detail: str) -> None:
        super().finish(key, status, attempts, detail)
        self._append(self._rows[key])
