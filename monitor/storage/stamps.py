"""Change stamps: one counter per kind of stored state the exporter shows.

Every write of results, collector runs, watermarks or cases adds 1 to its scope's counter in
the same transaction, so a reader that sees the new stamp also sees the data behind it (a
reader reads the stamp first, then the data: at worst it caches newer data under an older
stamp and reads once more). `/metrics` keeps what it derived from storage until the sum of
the stamps moves (`monitor/exporter/store_source.py`): a scrape with nothing changed does no
engine work, and every process sharing the database sees every other one's writes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, bindparam, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from monitor.storage.models import Base, UtcDateTime

RESULTS = "results"
RUNS = "runs"
WATERMARKS = "watermarks"
CASES = "cases"


class ChangeStampRow(Base):
    __tablename__ = "change_stamps"
    scope: Mapped[str] = mapped_column(String(50), primary_key=True)
    stamp: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[datetime]


_BUMP = text("INSERT INTO change_stamps (scope, stamp, changed_at) VALUES (:s, 1, :at) "
             "ON CONFLICT (scope) DO UPDATE SET stamp = change_stamps.stamp + 1, "
             "changed_at = excluded.changed_at").bindparams(bindparam("at", type_=UtcDateTime()))


def bump(s: Session, scope: str, at: datetime) -> None:
    """Count one change of `scope`, committed (or rolled back) with the caller's write."""
    s.execute(_BUMP, {"s": scope, "at": at})


def total(s: Session) -> int:
    """The sum of every scope's counter: it grows with any committed change."""
    return int(s.execute(text("SELECT COALESCE(SUM(stamp), 0) FROM change_stamps")).scalar_one())
