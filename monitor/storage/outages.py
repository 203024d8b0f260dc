"""Outages and status-page incidents (with their update history).

An outage is keyed by (contract, service, start): re-ingesting the same span changes
nothing; a later version of it (the incident got an end, or its impact changed) replaces the
stored one and counts as updated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.orm import Session

from monitor.domain.measurements import Outage
from monitor.storage.models import IncidentUpdateRow, OutageRow
from monitor.storage.state import _insert_ignore

ANY_CONTRACT = "*"  # outages imported for no contract in particular apply to every contract


@dataclass(frozen=True)
class IncidentUpdate:
    contract_id: str
    ref: str
    at: datetime
    status: str
    body: str


def _fields(o: Outage) -> dict[str, object]:
    return {"end": o.end, "impact": o.impact, "affected_fraction": float(o.affected_fraction),
            "excluded": bool(o.excluded), "source": o.source, "ref": o.ref}


def ingest(s: Session, contract_id: str, outages: Iterable[Outage], at: datetime
           ) -> tuple[int, int, int]:
    """Upsert outages; returns (new, updated, unchanged)."""
    new = updated = unchanged = 0
    for outage in outages:
        row = s.execute(select(OutageRow).where(
            OutageRow.contract_id == contract_id, OutageRow.service == outage.service,
            OutageRow.start == outage.start)).scalar_one_or_none()
        fields = _fields(outage)
        if row is None:
            s.execute(insert(OutageRow).values(contract_id=contract_id, service=outage.service,
                                               start=outage.start, updated_at=at, **fields))
            new += 1
            continue
        stored = {"end": row.end, "impact": row.impact,
                  "affected_fraction": row.affected_fraction, "excluded": row.excluded,
                  "source": row.source, "ref": row.ref}
        if stored == fields:
            unchanged += 1
            continue
        s.execute(update(OutageRow).where(OutageRow.id == row.id)
                  .values(updated_at=at, **fields))
        updated += 1
    return new, updated, unchanged


def load(s: Session, contract_id: str, start: datetime, end: datetime) -> tuple[Outage, ...]:
    """Outages overlapping [start, end), the contract's and those stored for every contract
    (`ANY_CONTRACT`); an open one (no end) overlaps everything after its start."""
    query = select(OutageRow).where(
        OutageRow.contract_id.in_([contract_id, ANY_CONTRACT]), OutageRow.start < end,
        or_(OutageRow.end.is_(None), and_(OutageRow.end > start)),
    ).order_by(OutageRow.start, OutageRow.service)
    return tuple(Outage(service=r.service, start=r.start, end=r.end, impact=r.impact,
                        affected_fraction=r.affected_fraction, excluded=r.excluded,
                        source=r.source, ref=r.ref) for r in s.execute(query).scalars())


def record_update(s: Session, update_: IncidentUpdate) -> bool:
    return _insert_ignore(s, IncidentUpdateRow, {
        "contract_id": update_.contract_id, "ref": update_.ref, "at": update_.at,
        "status": update_.status, "body": update_.body})


def updates(s: Session, contract_id: str, ref: str) -> list[IncidentUpdate]:
    query = select(IncidentUpdateRow).where(IncidentUpdateRow.contract_id == contract_id,
                                            IncidentUpdateRow.ref == ref)
    return [IncidentUpdate(r.contract_id, r.ref, r.at, r.status, r.body)
            for r in s.execute(query.order_by(IncidentUpdateRow.at)).scalars()]
