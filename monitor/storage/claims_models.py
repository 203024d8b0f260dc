"""Tables of the service-credit claims: one row per claim, one per event, one per imported
invoice line.

Typed SQLAlchemy 2 models on the storage package's `Base`; they never leave
`monitor.storage` (`claims_repository.py` turns them into `monitor.domain.claims.Claim`
values). Created by migration `0004_claims`.

Money is Decimal text (SQLite has no decimal type). `version` is the optimistic lock: a
transition is written with `UPDATE ... WHERE id = :id AND version = :read`, so of two people
acting on the same claim only the first one's change lands. Events are append-only, keyed
by (claim_id, seq). Invoice lines are keyed by (vendor, invoice number, line text, amount):
importing the same file twice stores and matches nothing twice.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from monitor.storage.models import Base


class ClaimRow(Base):
    __tablename__ = "claims"
    __table_args__ = (Index("ix_claims_vendor_state", "vendor", "state"),)
    id: Mapped[str] = mapped_column(String(300), primary_key=True)  # contract/period
    contract_id: Mapped[str] = mapped_column(String(200))
    vendor: Mapped[str] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    owed: Mapped[str] = mapped_column(String(60))
    deadline: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(30))
    reference: Mapped[str | None] = mapped_column(String(200), index=True)
    submitted_on: Mapped[date | None] = mapped_column(Date)
    accepted_amount: Mapped[str | None] = mapped_column(String(60))
    credited_amount: Mapped[str | None] = mapped_column(String(60))
    invoice_number: Mapped[str | None] = mapped_column(String(200))
    invoice_date: Mapped[date | None] = mapped_column(Date)
    dispute_reason: Mapped[str | None] = mapped_column(Text)
    writeoff_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ClaimEventRow(Base):
    __tablename__ = "claim_events"
    claim_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    who: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)


class InvoiceLineRow(Base):
    """A line of a vendor invoice as imported; `claim_id` is set when it matched a claim,
    otherwise it waits for review (`slamon claims invoices`)."""

    __tablename__ = "invoice_lines"
    vendor: Mapped[str] = mapped_column(String(100), primary_key=True)
    invoice_number: Mapped[str] = mapped_column(String(200), primary_key=True)
    text: Mapped[str] = mapped_column(String(1000), primary_key=True)
    amount: Mapped[str] = mapped_column(String(60), primary_key=True)
    invoice_date: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)  # file:line it came from
    claim_id: Mapped[str | None] = mapped_column(String(300))
    matched_by: Mapped[str | None] = mapped_column(String(30))  # reference | amount_period
    imported_at: Mapped[datetime]
