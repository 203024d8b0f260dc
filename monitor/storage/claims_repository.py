"""`ClaimRepository`: service-credit claims in the store's database (`claims_models.py`).

    repo = ClaimRepository(store)
    repo.draft_for_period(contract, "2026-10", Decimal("1250.00"), date(2026, 11, 30), at)
    repo.apply("acme-connect-2026/2026-10", ClaimAction.SUBMIT, by="j.doe", at=now,
               reference="CLM-2026-10")
    repo.ledger("acme", 2026)

Guarantees:
- `draft_for_period` is idempotent: the first call inserts the claim and its `draft` event,
  every later call (another process, the next `slamon run` pass) returns the stored claim
  unchanged (insert-if-absent on the claim id).
- `apply` runs the pure `monitor.domain.claims.apply` on the stored claim and writes the
  result in ONE transaction with `UPDATE ... WHERE version = :read`: of two writers that
  read the same claim only the first lands; the second gets `ClaimError` and nothing of it
  is written. A refused transition raises `ClaimError` and writes nothing.
- Invoice lines (`record_invoice_line`) are stored once per (vendor, invoice, text,
  amount); a matched line and the claim's `credit` commit together.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from monitor.domain import claims as dc
from monitor.domain.claims import Claim, ClaimAction, ClaimEvent, ClaimState, LedgerRow
from monitor.domain.contract import Contract
from monitor.errors import ClaimError
from monitor.storage.claims_models import ClaimEventRow, ClaimRow, InvoiceLineRow
from monitor.storage.models import CreditRow, PeriodRow
from monitor.storage.repository import Store
from monitor.storage.state import _insert_ignore


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _values(claim: Claim) -> dict[str, Any]:
    return {
        "contract_id": claim.contract_id, "vendor": claim.vendor, "period": claim.period_label,
        "currency": claim.currency, "owed": str(claim.owed), "deadline": claim.deadline,
        "state": claim.state.value, "reference": claim.reference,
        "submitted_on": claim.submitted_on,
        "accepted_amount": _text(claim.accepted_amount),
        "credited_amount": _text(claim.credited_amount),
        "invoice_number": claim.invoice_number, "invoice_date": claim.invoice_date,
        "dispute_reason": claim.dispute_reason, "writeoff_reason": claim.writeoff_reason,
    }


def _event_values(claim_id: str, seq: int, e: ClaimEvent) -> dict[str, Any]:
    return {"claim_id": claim_id, "seq": seq, "action": e.action.value,
            "from_state": e.from_state.value if e.from_state else None,
            "to_state": e.to_state.value, "who": e.by, "at": e.at, "note": e.note,
            "fields": dict(e.fields)}


def _claim(row: Any, events: Sequence[ClaimEventRow]) -> Claim:
    """A claim from its row: a `ClaimRow`, or a Core row of the `claims` table (the same
    attribute names, without the ORM's per-object cost when listing thousands)."""
    return Claim(
        id=row.id, contract_id=row.contract_id, vendor=row.vendor, period_label=row.period,
        currency=row.currency, owed=Decimal(row.owed), deadline=row.deadline,
        state=ClaimState(row.state), reference=row.reference,
        accepted_amount=_dec(row.accepted_amount), credited_amount=_dec(row.credited_amount),
        invoice_number=row.invoice_number, invoice_date=row.invoice_date,
        dispute_reason=row.dispute_reason,
        events=tuple(
            ClaimEvent(e.at, e.who, ClaimAction(e.action),
                       ClaimState(e.from_state) if e.from_state else None,
                       ClaimState(e.to_state), e.note, dict(e.fields))
            for e in sorted(events, key=lambda x: x.seq)),
        submitted_on=row.submitted_on, writeoff_reason=row.writeoff_reason,
    )


@dataclass(frozen=True)
class UnclaimedCredit:
    """A period that has ended and owes a credit but is not final yet: no claim exists, and
    its claim window is already running."""

    contract_id: str
    period: str
    period_end: datetime
    owed: Decimal


@dataclass(frozen=True)
class StoredInvoiceLine:
    vendor: str
    invoice_number: str
    invoice_date: date
    text: str
    amount: Decimal
    source: str
    claim_id: str | None
    matched_by: str | None
    imported_at: datetime


class ClaimRepository:
    """Claims in the store's database; see the module docstring for the guarantees."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _load(self, s: Session, rows: Sequence[Any], events_too: bool = True
              ) -> builtins.list[Claim]:
        events: dict[str, builtins.list[ClaimEventRow]] = {r.id: [] for r in rows}
        if not rows or not events_too:
            return [_claim(r, events[r.id]) for r in rows]
        query = select(ClaimEventRow).where(ClaimEventRow.claim_id.in_(list(events)))
        for e in s.execute(query).scalars():
            events[e.claim_id].append(e)
        return [_claim(r, events[r.id]) for r in rows]

    def _get(self, s: Session, claim_id: str) -> tuple[Claim, int] | None:
        row = s.get(ClaimRow, claim_id, populate_existing=True)
        return None if row is None else (self._load(s, [row])[0], row.version)

    def draft_for_period(self, contract: Contract, period_label: str, owed: Decimal,
                         deadline: date, at: datetime, *, by: str = "slamon") -> Claim:
        """The period's claim, drafted now unless it exists (then returned unchanged)."""
        claim = dc.draft(contract.id, contract.vendor, period_label, contract.currency, owed,
                         deadline, by=by, at=at)
        with self.store.session() as s:
            if _insert_ignore(s, ClaimRow, {"id": claim.id, **_values(claim), "version": 1,
                                            "created_at": at, "updated_at": at}):
                _insert_ignore(s, ClaimEventRow, _event_values(claim.id, 0, claim.events[0]))
                return claim
            stored = self._get(s, claim.id)
            assert stored is not None  # the insert found it
            return stored[0]

    def get(self, claim_id: str) -> Claim | None:
        with self.store.session() as s:
            found = self._get(s, claim_id)
            return None if found is None else found[0]

    def apply(self, claim_id: str, action: ClaimAction | str, *, by: str, at: datetime,
              note: str = "", **fields: object) -> Claim:
        """Record `action` on the stored claim (atomic; see the module docstring)."""
        with self.store.session() as s:
            return self._apply(s, claim_id, action, by, at, note, fields)

    def _apply(self, s: Session, claim_id: str, action: ClaimAction | str, by: str,
               at: datetime, note: str, fields: dict[str, object]) -> Claim:
        found = self._get(s, claim_id)
        if found is None:
            raise ClaimError(f"no claim {claim_id!r} (see `slamon claims list`)")
        claim, version = found
        after = dc.apply(claim, action, by=by, at=at, note=note, **fields)
        result = s.execute(update(ClaimRow).where(
            ClaimRow.id == claim_id, ClaimRow.version == version).values(
            **_values(after), version=version + 1, updated_at=datetime.now(UTC)))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ClaimError(f"claim {claim_id} changed while {action} was being recorded; "
                             "nothing was written, look at it again (`slamon claims show`)")
        s.add(ClaimEventRow(**_event_values(claim_id, len(after.events) - 1,
                                            after.events[-1])))
        s.flush()
        return after

    def ledger(self, vendor: str, year: int, *, currency: str | None = None,
               today: date | None = None) -> LedgerRow:
        return dc.ledger(self.list(vendor=vendor, year=year), vendor, year,
                         currency=currency, today=today)

    def ledgers(self, year: int | None = None, today: date | None = None
                ) -> builtins.list[LedgerRow]:
        return dc.ledgers(self.list(year=year), today)

    def unclaimed(self, contract_id: str | None = None) -> builtins.list[UnclaimedCredit]:
        """Provisional periods whose stored credits add up to more than zero."""
        return self.owing("provisional", contract_id)

    def owing(self, status: str, contract_id: str | None = None
              ) -> builtins.list[UnclaimedCredit]:
        """Periods in `status` whose stored credits add up to more than zero (two queries,
        whatever the history: the scrape and every `slamon run` pass read this)."""
        periods = select(PeriodRow.contract_id, PeriodRow.label, PeriodRow.end).where(
            PeriodRow.status == status)
        if contract_id is not None:
            periods = periods.where(PeriodRow.contract_id == contract_id)
        with self.store.session() as s:
            ended = {(r.contract_id, r.label): r.end for r in s.execute(periods)}
            if not ended:
                return []
            owed: dict[tuple[str, str], Decimal] = {}
            credits = select(CreditRow.contract_id, CreditRow.period, CreditRow.amount).where(
                CreditRow.contract_id.in_({c for c, _ in ended}),
                CreditRow.period.in_({p for _, p in ended}))
            for r in s.execute(credits):
                key = (r.contract_id, r.period)
                if key in ended:
                    owed[key] = owed.get(key, Decimal(0)) + Decimal(r.amount)
        return [UnclaimedCredit(c, p, ended[(c, p)], amount)
                for (c, p), amount in sorted(owed.items()) if amount > 0]

    # --- invoices ---------------------------------------------------------------------------
    def record_invoice_line(self, vendor: str, invoice_number: str, invoice_date: date,
                            text: str, amount: Decimal, source: str, at: datetime, *,
                            claim_id: str | None = None, matched_by: str | None = None,
                            steps: Sequence[tuple[ClaimAction, dict[str, object]]] = (),
                            by: str = "invoice import") -> tuple[bool, Claim | None]:
        """Store one invoice line; with `claim_id` also apply `steps` (accept, credit) to
        that claim in the same transaction. Returns (stored now, the claim after the steps);
        a line stored before is left alone and applies nothing again."""
        with self.store.session() as s:
            new = _insert_ignore(s, InvoiceLineRow, {
                "vendor": vendor, "invoice_number": invoice_number, "text": text,
                "amount": str(amount), "invoice_date": invoice_date, "source": source,
                "claim_id": claim_id, "matched_by": matched_by, "imported_at": at})
            if not new or claim_id is None:
                return new, None
            claim = None
            for action, fields in steps:
                claim = self._apply(s, claim_id, action, by, at,
                                    f"invoice {invoice_number} ({source}), matched by "
                                    f"{matched_by}", dict(fields))
            return True, claim

    def stored_invoice_keys(self) -> set[tuple[str, str, str, str]]:
        """(vendor, invoice number, text, amount) of every line imported so far."""
        with self.store.session() as s:
            return {(r.vendor, r.invoice_number, r.text, r.amount) for r in s.execute(
                select(InvoiceLineRow)).scalars()}

    def invoice_lines(self, *, unmatched: bool = False) -> builtins.list[StoredInvoiceLine]:
        query = select(InvoiceLineRow).order_by(InvoiceLineRow.imported_at,
                                                InvoiceLineRow.source)
        if unmatched:
            query = query.where(InvoiceLineRow.claim_id.is_(None))
        with self.store.session() as s:
            return [StoredInvoiceLine(r.vendor, r.invoice_number, r.invoice_date, r.text,
                                      Decimal(r.amount), r.source, r.claim_id, r.matched_by,
                                      r.imported_at)
                    for r in s.execute(query).scalars()]

    def list(self, vendor: str | None = None, state: ClaimState | str | None = None,
             year: int | None = None, *, contract_id: str | None = None,
             events: bool = True) -> builtins.list[Claim]:
        """Claims, oldest period first; each filter narrows the list. `events=False` leaves
        `Claim.events` empty (the scrape needs amounts and states only)."""
        query = select(ClaimRow.__table__).order_by(ClaimRow.period, ClaimRow.id)
        if vendor is not None:
            query = query.where(ClaimRow.vendor == vendor)
        if state is not None:
            query = query.where(ClaimRow.state == ClaimState(state).value)
        if contract_id is not None:
            query = query.where(ClaimRow.contract_id == contract_id)
        if year is not None:
            query = query.where(ClaimRow.period.like(f"{int(year):04d}%"))
        with self.store.session() as s:
            return self._load(s, builtins.list(s.execute(query)), events)
