"""Observed spans in the database: each import replaces what it decided, nothing else.

A check decides a window (`Classified.covered`) of one component from one source; storing
it replaces the stored spans of that source and component inside the window (spans reaching
across its edges are cut there, their outside parts kept) by the new ones. Importing the
same samples again therefore changes nothing, and a wider re-read corrects what an earlier
one could not decide yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from monitor.domain.evidence import Classified, from_ns
from monitor.domain.measurements import ObservedSpan
from monitor.storage.observations_models import ObservationRow

if TYPE_CHECKING:
    from monitor.storage.repository import Store

Key = tuple[datetime, datetime, str, str, str]


def _key(s: ObservedSpan) -> Key:
    return (s.start, s.end, s.state, s.query, ",".join(s.locations))


def _span(r: ObservationRow) -> ObservedSpan:
    return ObservedSpan(r.component, r.start, r.end, r.state, r.source, r.query,
                 tuple(x for x in r.locations.split(",") if x))


def _cut(s: ObservedSpan, start: datetime, end: datetime) -> list[ObservedSpan]:
    """The parts of `s` outside [start, end)."""
    out = []
    if s.start < start:
        out.append(ObservedSpan(s.component, s.start, min(s.end, start), s.state, s.source,
                         s.query, s.locations))
    if s.end > end:
        out.append(ObservedSpan(s.component, max(s.start, end), s.end, s.state, s.source,
                         s.query, s.locations))
    return out


def save(s: Session, contract_id: str, source: str, component: str, decided: Classified,
         at: datetime) -> tuple[int, int, int]:
    """Replace the window `decided.covered`; returns (new, removed, unchanged) rows."""
    start, end = from_ns(decided.covered[0]), from_ns(decided.covered[1])
    rows = s.execute(select(ObservationRow).where(
        ObservationRow.contract_id == contract_id, ObservationRow.source == source,
        ObservationRow.component == component, ObservationRow.start < end,
        ObservationRow.end > start)).scalars().all()
    old = {_key(_span(r)): r for r in rows}
    want: dict[Key, ObservedSpan] = {}
    for r in rows:
        for part in _cut(_span(r), start, end):
            want[_key(part)] = part
    for span in decided.spans:
        want[_key(span)] = span
    keep = old.keys() & want.keys()
    gone = [r.id for k, r in old.items() if k not in keep]
    if gone:
        s.execute(delete(ObservationRow).where(ObservationRow.id.in_(gone)))
    fresh = [want[k] for k in want.keys() - keep]
    for span in sorted(fresh, key=lambda x: x.start):
        s.execute(insert(ObservationRow).values(
            contract_id=contract_id, source=source, component=component, start=span.start,
            end=span.end, state=span.state, query=span.query,
            locations=",".join(span.locations), imported_at=at))
    return len(fresh), len(gone), len(keep)


def load(s: Session, contract_id: str, start: datetime, end: datetime
         ) -> tuple[ObservedSpan, ...]:
    rows = s.execute(select(ObservationRow).where(
        ObservationRow.contract_id == contract_id, ObservationRow.start < end,
        ObservationRow.end > start).order_by(ObservationRow.start, ObservationRow.component)
    ).scalars().all()
    return tuple(_span(r) for r in rows)


def save_all(store: Store, contract_id: str, source: str,
             decided: Iterable[tuple[str, Classified]]) -> tuple[int, int, int]:
    """Every component's window, in one transaction."""
    new = removed = unchanged = 0
    now = datetime.now(UTC)
    with store.session() as s:
        for component, one in decided:
            a, b, c = save(s, contract_id, source, component, one, now)
            new, removed, unchanged = new + a, removed + b, unchanged + c
    return new, removed, unchanged


def load_all(store: Store, contract_id: str, start: datetime, end: datetime
             ) -> tuple[ObservedSpan, ...]:
    with store.session() as s:
        return load(s, contract_id, start, end)
