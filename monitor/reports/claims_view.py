"""Claims and ledgers as plain data: the JSON of `slamon claims --json`, the ledger report
and anything else that shows them (documented in docs/claims.md).

Money is a string with the currency's decimals (JSON numbers would lose cents); dates are
ISO 8601 (event instants in UTC). `overdue` and `days_left` are as of `today`, which the
caller passes.
"""

from __future__ import annotations

from datetime import UTC, date
from decimal import Decimal
from typing import Any

from monitor.domain.claims import Claim, LedgerRow


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def claim_json(claim: Claim, today: date) -> dict[str, Any]:
    return {
        "id": claim.id, "contract": claim.contract_id, "vendor": claim.vendor,
        "period": claim.period_label, "currency": claim.currency, "state": claim.state.value,
        "owed": _money(claim.owed), "deadline": _day(claim.deadline),
        "days_left": claim.days_left(today), "overdue": claim.is_overdue(today),
        "reference": claim.reference, "submitted_on": _day(claim.submitted_on),
        "dispute_reason": claim.dispute_reason,
        "accepted_amount": _money(claim.accepted_amount),
        "credited_amount": _money(claim.credited_amount),
        "invoice_number": claim.invoice_number, "invoice_date": _day(claim.invoice_date),
        "writeoff_reason": claim.writeoff_reason,
        "written_off": _money(claim.written_off), "outstanding": _money(claim.outstanding),
        "events": [
            {"at": e.at.astimezone(UTC).isoformat(), "by": e.by, "action": e.action.value,
             "from": e.from_state.value if e.from_state else None, "to": e.to_state.value,
             "note": e.note, "fields": dict(e.fields)}
            for e in claim.events],
    }


LEDGER_COLUMNS = ("owed", "claimed", "accepted", "credited", "written_off", "outstanding")


def ledger_json(row: LedgerRow) -> dict[str, Any]:
    return {"vendor": row.vendor, "year": row.year, "currency": row.currency,
            **{k: str(getattr(row, k)) for k in LEDGER_COLUMNS},
            "claims": row.claims, "overdue": row.overdue}


def status_text(claim: Claim, today: date) -> str:
    """The state as the CLI shows it, with OVERDUE on a draft past its window."""
    if claim.is_overdue(today):
        return f"{claim.state.value} OVERDUE"
    return claim.state.value
