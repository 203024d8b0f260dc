"""Claims as the console shows them: money only for roles that may see it, dates in the
contract's zone, what is overdue as of the contract's own calendar day."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from monitor.console import fmt
from monitor.domain.claims import FIELDS, TRANSITIONS, Claim, ClaimAction, ClaimState
from monitor.domain.contract import Contract
from monitor.storage import Store
from monitor.storage.claims_repository import ClaimRepository

# Fields of an action that are money: hidden, with the event's amount, from other roles.
MONEY_FIELDS = frozenset({"amount", "owed"})
LABELS: dict[ClaimAction, str] = {
    ClaimAction.SUBMIT: "Submit to vendor", ClaimAction.ACKNOWLEDGE: "Vendor acknowledged",
    ClaimAction.DISPUTE: "Vendor disputes", ClaimAction.ACCEPT: "Vendor accepts",
    ClaimAction.CREDIT: "Credit on invoice", ClaimAction.CLOSE: "Close",
    ClaimAction.WRITEOFF: "Write off",
}
FIELD_LABELS: dict[str, str] = {
    "reference": "Our claim reference", "date": "Date", "reason": "Reason",
    "amount": "Amount", "invoice_number": "Invoice number",
}


def today_for(claim: Claim, contracts: Mapping[str, Contract], now: datetime) -> date:
    contract = contracts.get(claim.contract_id)
    return (now.astimezone(contract.tz) if contract else now).date()


def card(claim: Claim, contracts: Mapping[str, Contract], now: datetime,
         money: bool) -> dict[str, Any]:
    today = today_for(claim, contracts, now)
    return {"claim": claim, "overdue": claim.is_overdue(today),
            "days_left": claim.days_left(today) if claim.is_open else None,
            "owed": fmt.money(claim.owed, claim.currency, money),
            "outstanding": fmt.money(claim.outstanding, claim.currency, money)}


def actions(claim: Claim) -> list[dict[str, Any]]:
    """The transitions the claim's state allows, each with the fields it records."""
    out = []
    for (state, action), _ in TRANSITIONS.items():
        if state is not claim.state:
            continue
        required, optional = FIELDS[action]
        out.append({"action": action.value, "label": LABELS[action],
                    "fields": [{"name": f, "label": FIELD_LABELS.get(f, f),
                                "required": f in required} for f in (*required, *optional)]})
    return out


def event_fields(fields: Mapping[str, str], money: bool) -> str:
    return "; ".join(f"{k}: {v}" for k, v in fields.items() if money or k not in MONEY_FIELDS)


def outstanding_by_vendor(store: Store, now: datetime) -> dict[str, tuple[int, Decimal, str]]:
    """vendor -> (open claims, money outstanding, currency). A vendor claimed in several
    currencies gets its count only (amounts in different currencies are never added)."""
    del now
    out: dict[str, tuple[int, Decimal, str]] = {}
    for claim in ClaimRepository(store).list():
        if claim.state not in (ClaimState.CLOSED, ClaimState.WRITTEN_OFF) and claim.outstanding:
            count, amount, currency = out.get(claim.vendor, (0, Decimal(0), claim.currency))
            same = currency == claim.currency
            out[claim.vendor] = (count + 1, amount + claim.outstanding if same else amount,
                                 currency if same else "")
    return out
