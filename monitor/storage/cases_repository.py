"""The database `CaseRepository` and `SentLog` of `monitor.cases`, over a `Store`.

Same contract as the in-memory versions (`monitor/cases/repository.py`):

- `save(cases)` runs in ONE transaction: a version-1 case is inserted (a second writer's
  insert of the same id finds the row and is refused unless identical), a later version is
  written with `UPDATE ... WHERE version = :version - 1`; any refusal raises
  `StaleCaseError` and rolls the whole batch back. New timeline entries are appended.
- Saving a case identical to the stored one is a no-op.
- `CaseStoreSentLog` is the store's notifications table (unique dedup key).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from monitor.cases.model import (
    Case,
    CaseState,
    EvidenceSummary,
    TimelineEntry,
    Trigger,
)
from monitor.cases.repository import StaleCaseError
from monitor.cases.views import evidence_json
from monitor.storage import stamps
from monitor.storage.cases_models import CaseEntryRow, CaseRow
from monitor.storage.repository import Store
from monitor.storage.state import _insert_ignore


def _undec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def evidence_to_json(e: EvidenceSummary) -> dict[str, Any]:
    """The evidence as stored: `case_json`'s shape without the derived summary line."""
    stored = evidence_json(e)
    del stored["summary"]
    return stored


def evidence_from_json(d: dict[str, Any]) -> EvidenceSummary:
    at = d.get("evaluated_at")
    return EvidenceSummary(
        status=d["status"], value=_undec(d["value"]), target=_undec(d["target"]),
        direction=d["direction"], numerator=_undec(d["numerator"]),
        denominator=_undec(d["denominator"]), intervals=d["intervals"],
        formula=d["formula"], excluded_minutes=_undec(d["excluded_minutes"]),
        evaluation_status=d["evaluation_status"],
        evaluated_at=datetime.fromisoformat(at) if at else None,
        consequence=d["consequence"], periods=tuple(d["periods"]),
    )


def _values(case: Case, now: datetime) -> dict[str, Any]:
    return {
        "contract_id": case.contract_id, "sla_id": case.sla_id, "period": case.period,
        "vendor": case.vendor, "trigger": case.trigger.value, "state": case.state.value,
        "opened_at": case.opened_at, "version": case.version,
        "evidence": evidence_to_json(case.evidence),
        "chronic": {"items": [evidence_to_json(c) for c in case.chronic]},
        "causes": {"items": list(case.causes)},
        "notices": {"keys": sorted(case.notices)}, "updated_at": now,
    }


def _entry(case: Case, seq: int) -> dict[str, Any]:
    e = case.history[seq]
    return {"case_id": case.id, "seq": seq, "action": e.action,
            "from_state": e.from_state.value if e.from_state else None,
            "to_state": e.to_state.value, "who": e.who, "at": e.at, "note": e.note}


def _case(row: CaseRow, entries: Sequence[CaseEntryRow]) -> Case:
    history = tuple(
        TimelineEntry(e.action, CaseState(e.from_state) if e.from_state else None,
                      CaseState(e.to_state), e.who, e.at, e.note)
        for e in sorted(entries, key=lambda x: x.seq))
    return Case(
        contract_id=row.contract_id, sla_id=row.sla_id, period=row.period,
        trigger=Trigger(row.trigger), opened_at=row.opened_at, state=CaseState(row.state),
        evidence=evidence_from_json(row.evidence), history=history, vendor=row.vendor,
        chronic=tuple(evidence_from_json(c) for c in row.chronic["items"]),
        causes=tuple(row.causes["items"]), notices=frozenset(row.notices["keys"]),
        version=row.version,
    )


class StoreCaseRepository:
    """Cases in the store's database; see the module docstring for the guarantees."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _load(self, s: Session, rows: Sequence[CaseRow]) -> list[Case]:
        if not rows:
            return []
        ids = [r.id for r in rows]
        entries: dict[str, list[CaseEntryRow]] = {i: [] for i in ids}
        for e in s.execute(select(CaseEntryRow).where(CaseEntryRow.case_id.in_(ids))).scalars():
            entries[e.case_id].append(e)
        return [_case(r, entries[r.id]) for r in rows]

    def get(self, case_id: str) -> Case | None:
        with self.store.session() as s:
            row = s.get(CaseRow, case_id)
            return None if row is None else self._load(s, [row])[0]

    def list(self, contract_id: str | None = None,
             states: Iterable[CaseState] | None = None) -> list[Case]:
        query = select(CaseRow).order_by(CaseRow.opened_at, CaseRow.id)
        if contract_id is not None:
            query = query.where(CaseRow.contract_id == contract_id)
        if states is not None:
            query = query.where(CaseRow.state.in_([s.value for s in states]))
        with self.store.session() as s:
            return self._load(s, list(s.execute(query).scalars()))

    def save(self, cases: Sequence[Case]) -> None:
        now = datetime.now(UTC)
        with self.store.session() as s:
            stamps.bump(s, stamps.CASES, now)
            for case in cases:
                self._save_one(s, case, now)

    def _save_one(self, s: Session, case: Case, now: datetime) -> None:
        values = _values(case, now)
        if case.version == 1:
            written = _insert_ignore(s, CaseRow, {"id": case.id, **values})
        else:
            result = s.execute(update(CaseRow).where(
                CaseRow.id == case.id, CaseRow.version == case.version - 1).values(**values))
            written = bool(result.rowcount == 1)  # type: ignore[attr-defined]
        if not written:
            row = s.get(CaseRow, case.id)
            stored = None if row is None else self._load(s, [row])[0]
            if stored == case:
                return
            found = "none" if stored is None else str(stored.version)
            raise StaleCaseError(
                f"case {case.id} changed meanwhile: stored version {found}, this change is "
                f"based on version {case.version - 1}")
        for seq in range(len(case.history)):
            _insert_ignore(s, CaseEntryRow, _entry(case, seq))


class CaseStoreSentLog:
    """The store's notifications table as the cases' sent-log."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def seen(self, key: str) -> bool:
        return self.store.notification(key) is not None

    def record(self, key: str, at: datetime) -> bool:
        kind = "vendor_statement" if key.startswith("statement/") else "case"
        contract_id = key.split("/", 1)[0] if kind == "case" else None
        return self.store.record_notification(key, kind, {"key": key}, at,
                                              contract_id=contract_id)
