"""Tables of the performance-issue cases: one row per case, one per timeline entry.

Typed SQLAlchemy 2 models on the storage package's `Base` (so Alembic and the schema test
see them); they never leave `monitor.storage` — `cases_repository.py` turns them into
`monitor.cases.model.Case` values. Created by migration `0003_cases`.

`version` is the optimistic lock: a change is written with
`UPDATE ... WHERE id = :id AND version = :version - 1`, so of two writers that read the same
case only the first one's change lands. Timeline entries are append-only, keyed by
(case_id, seq).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from monitor.storage.models import Base


class CaseRow(Base):
    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_contract_state", "contract_id", "state"),)
    id: Mapped[str] = mapped_column(String(700), primary_key=True)  # contract/sla/period
    contract_id: Mapped[str] = mapped_column(String(200))
    sla_id: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(20))
    vendor: Mapped[str] = mapped_column(String(100))
    trigger: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(30))
    opened_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    chronic: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"items": [evidence, ...]}
    causes: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"items": [text, ...]}
    notices: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"keys": [dedup key, ...]}
    updated_at: Mapped[datetime]


class CaseEntryRow(Base):
    __tablename__ = "case_entries"
    case_id: Mapped[str] = mapped_column(String(700), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    who: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text)
