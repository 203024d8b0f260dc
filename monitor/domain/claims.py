"""Service-credit claims: from the credit a final period owes to the money on an invoice.

A period with a credit becomes final, and a claim is drafted for its credit total (`owed`),
due by the contract's claim window (`deadline`: the period's last day plus
`claims.deadline_days_after_period`). Procurement then walks it through:

    draft ─submit─> submitted ─acknowledge─> acknowledged ─dispute─> disputed
                       │  └──────────────dispute────────────────────────┘  │
                       └─accept─> accepted <─accept─(acknowledged, disputed)┘
    accepted ─credit─> credited ─close─> closed
    any open state (draft .. accepted) ─writeoff─> written_off

Every step is a `ClaimEvent` (who, when, what was recorded); anything not in `TRANSITIONS`
is refused with `ClaimError` and changes nothing.

Money: `owed` is the period's credit total, already rounded by the contract's rule; amounts
given later (accepted, credited) are taken as typed and refused when negative, larger than
owed, or finer than the currency's minor unit (1.005 EUR is not an amount anyone invoices).
The ledger follows one identity per claim, so its columns add up to the cent:

    owed = credited + written_off + outstanding

where `written_off` is what was given up: the whole shortfall `owed - credited` of a claim
written off or closed, nothing for a claim still open.

Pure: callers pass the instants (`at`) and dates (`today`); nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from types import MappingProxyType

from monitor.errors import ClaimError

ZERO = Decimal(0)
# Used only when a contract names no claim window: slamon still gives every claim a date to
# aim for, rather than letting an unclaimed credit wait forever (docs/claims.md).
DEFAULT_WINDOW_DAYS = 30
DEFAULT_NOTICE_DAYS = 7

# ISO 4217 minor units that are not 2 (the currencies a contract is likely to use).
_MINOR_UNITS: Mapping[str, int] = MappingProxyType({
    "JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "HUF": 2, "TWD": 2,
    "BHD": 3, "JOD": 3, "KWD": 3, "OMR": 3, "TND": 3, "IQD": 3, "LYD": 3,
})


def minor_units(currency: str) -> int:
    """Decimal places of `currency` (ISO 4217; 2 unless listed otherwise)."""
    return _MINOR_UNITS.get(currency.upper(), 2)


class ClaimState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    DISPUTED = "disputed"
    ACCEPTED = "accepted"
    CREDITED = "credited"
    CLOSED = "closed"
    WRITTEN_OFF = "written_off"


class ClaimAction(StrEnum):
    DRAFT = "draft"  # the creating event only; never applied
    SUBMIT = "submit"
    ACKNOWLEDGE = "acknowledge"
    DISPUTE = "dispute"
    ACCEPT = "accept"
    CREDIT = "credit"
    CLOSE = "close"
    WRITEOFF = "writeoff"


S, A = ClaimState, ClaimAction
OPEN_STATES: frozenset[ClaimState] = frozenset(
    {S.DRAFT, S.SUBMITTED, S.ACKNOWLEDGED, S.DISPUTED, S.ACCEPTED})
TRANSITIONS: Mapping[tuple[ClaimState, ClaimAction], ClaimState] = MappingProxyType({
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.ACKNOWLEDGE): S.ACKNOWLEDGED,
    (S.SUBMITTED, A.DISPUTE): S.DISPUTED,
    (S.SUBMITTED, A.ACCEPT): S.ACCEPTED,
    (S.ACKNOWLEDGED, A.DISPUTE): S.DISPUTED,
    (S.ACKNOWLEDGED, A.ACCEPT): S.ACCEPTED,
    (S.DISPUTED, A.ACCEPT): S.ACCEPTED,
    (S.ACCEPTED, A.CREDIT): S.CREDITED,
    (S.CREDITED, A.CLOSE): S.CLOSED,
    **{(state, A.WRITEOFF): S.WRITTEN_OFF for state in sorted(OPEN_STATES)},
})

# What each action records: required fields, then optional ones (anything else is refused).
FIELDS: Mapping[ClaimAction, tuple[tuple[str, ...], tuple[str, ...]]] = MappingProxyType({
    A.SUBMIT: (("reference",), ("date",)),
    A.ACKNOWLEDGE: ((), ()),
    A.DISPUTE: (("reason",), ()),
    A.ACCEPT: (("amount",), ()),
    A.CREDIT: (("invoice_number", "amount"), ("date",)),
    A.CLOSE: ((), ()),
    A.WRITEOFF: (("reason",), ()),
})


@dataclass(frozen=True)
class ClaimEvent:
    at: datetime
    by: str
    action: ClaimAction
    from_state: ClaimState | None  # None on the creating `draft` event
    to_state: ClaimState
    note: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Claim:
    id: str  # "<contract>/<period>", e.g. "acme-connect-2026/2026-10"
    contract_id: str
    vendor: str  # the company that owes the credit
    period_label: str
    currency: str
    owed: Decimal
    deadline: date  # last day the claim can be submitted
    state: ClaimState = ClaimState.DRAFT
    reference: str | None = None  # our claim reference, quoted back on the vendor's invoice
    accepted_amount: Decimal | None = None
    credited_amount: Decimal | None = None
    invoice_number: str | None = None
    invoice_date: date | None = None
    dispute_reason: str | None = None
    events: tuple[ClaimEvent, ...] = ()
    submitted_on: date | None = None
    writeoff_reason: str | None = None

    @property
    def year(self) -> int:
        return int(self.period_label[:4])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def written_off(self) -> Decimal:
        """What was given up: the shortfall of a claim written off or closed."""
        if self.state in (S.WRITTEN_OFF, S.CLOSED):
            return self.owed - (self.credited_amount or ZERO)
        return self.owed - self.owed  # zero with the currency's decimals: "0.00"

    @property
    def outstanding(self) -> Decimal:
        """Money still to recover: owed, less what was credited or given up."""
        return self.owed - (self.credited_amount or ZERO) - self.written_off

    def is_overdue(self, today: date) -> bool:
        """Still a draft after the last day it could be submitted."""
        return self.state is S.DRAFT and today > self.deadline

    def days_left(self, today: date) -> int:
        return (self.deadline - today).days


def claim_id(contract_id: str, period_label: str) -> str:
    return f"{contract_id}/{period_label}"


def claim_deadline(period_last_day: date, window_days: int | None) -> date:
    """The last day to submit: the period's last day plus the contract's window
    ("within 30 days after the end of the month": October's claims by 30 November)."""
    return period_last_day + timedelta(
        days=DEFAULT_WINDOW_DAYS if window_days is None else window_days)


def window_end(period_end: datetime, tz: tzinfo, window_days: int | None) -> date:
    """`claim_deadline` of a period ending (exclusively) at the instant `period_end`: its
    last day is taken in the contract's zone `tz` (a New York October ends at 04:00 UTC on
    1 November, and its last day is still 31 October)."""
    if period_end.tzinfo is None:
        raise ClaimError(f"period end {period_end.isoformat()} must be timezone-aware")
    last_day = (period_end.astimezone(tz) - timedelta(microseconds=1)).date()
    return claim_deadline(last_day, window_days)


def _aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ClaimError(f"claim events need a timezone-aware instant, got {at.isoformat()}")


def _who(by: str) -> str:
    if not by.strip():
        raise ClaimError("a claim event needs the name of the person recording it (--by)")
    return by.strip()


def money(value: object, currency: str, what: str) -> Decimal:
    """`value` as an amount of `currency`: finite, not negative, no finer than its minor
    unit. Raises `ClaimError` naming `what` otherwise."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ClaimError(f"{what}: {value!r} is not an amount") from None
    if not amount.is_finite():
        raise ClaimError(f"{what}: {value!r} is not an amount")
    if amount < 0:
        raise ClaimError(f"{what}: {amount} is negative")
    places = minor_units(currency)
    step = Decimal(1).scaleb(-places)
    if amount != amount.quantize(step):
        raise ClaimError(f"{what}: {amount} has more decimals than {currency} allows "
                         f"({places})")
    return amount.quantize(step)


def _day(value: object, what: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ClaimError(f"{what}: {value!r} is not a date (YYYY-MM-DD)") from None


def draft(contract_id: str, vendor: str, period_label: str, currency: str, owed: Decimal,
          deadline: date, *, by: str, at: datetime) -> Claim:
    """A new claim for a final period's credit total."""
    _aware(at)
    # `owed` was rounded once by the contract's own rule; it is kept exactly as assessed.
    amount = Decimal(owed)
    if not amount.is_finite() or amount < 0:
        raise ClaimError(f"claim {claim_id(contract_id, period_label)}: owed {owed} is not "
                         "an amount owed")
    if amount == 0:
        raise ClaimError(f"period {period_label} of {contract_id} owes no credit: "
                         "nothing to claim")
    event = ClaimEvent(at, _who(by), A.DRAFT, None, S.DRAFT,
                       fields={"owed": str(amount), "deadline": deadline.isoformat()})
    return Claim(claim_id(contract_id, period_label), contract_id, vendor, period_label,
                 currency, amount, deadline, events=(event,))


def _fields(claim: Claim, action: ClaimAction, given: Mapping[str, object]
            ) -> dict[str, object]:
    required, optional = FIELDS[action]
    unknown = sorted(set(given) - set(required) - set(optional))
    if unknown:
        raise ClaimError(f"claim {claim.id}: {action} does not take {', '.join(unknown)} "
                         f"(it takes: {', '.join(required + optional) or 'nothing'})")
    missing = [k for k in required if given.get(k) in (None, "")]
    if missing:
        raise ClaimError(f"claim {claim.id}: {action} needs {', '.join(missing)}")
    return {k: v for k, v in given.items() if v not in (None, "")}


def _check_amount(claim: Claim, what: str, value: object) -> Decimal:
    amount = money(value, claim.currency, f"claim {claim.id}: {what}")
    if amount == 0:
        raise ClaimError(f"claim {claim.id}: {what} must be more than 0 (a vendor paying "
                         "nothing is a dispute or a write-off)")
    if amount > claim.owed:
        raise ClaimError(f"claim {claim.id}: {what} {amount} is more than the "
                         f"{claim.owed} {claim.currency} owed")
    return amount


def apply(claim: Claim, action: ClaimAction | str, *, by: str, at: datetime, note: str = "",
          **fields: object) -> Claim:
    """`claim` after `action` by `by` at `at`, with the action's fields recorded."""
    _aware(at)
    try:
        action = ClaimAction(action)
    except ValueError:
        raise ClaimError(f"unknown claim action {action!r} (known: "
                         f"{', '.join(a for a in ClaimAction if a is not A.DRAFT)})") from None
    target = TRANSITIONS.get((claim.state, action))
    if target is None:
        allowed = sorted(a for (s, a) in TRANSITIONS if s is claim.state)
        raise ClaimError(f"claim {claim.id} is {claim.state}: cannot {action} it (allowed: "
                         f"{', '.join(allowed) or 'nothing, it is finished'})")
    given = _fields(claim, action, fields)
    changes: dict[str, object] = {"state": target}
    if action is A.SUBMIT:
        changes["reference"] = str(given["reference"]).strip()
        changes["submitted_on"] = given["date"] = submitted = _day(
            given.get("date", at.date()), "date")
        if submitted > claim.deadline:
            note = note or f"submitted after the claim window closed on {claim.deadline}"
    elif action is A.DISPUTE:
        changes["dispute_reason"] = str(given["reason"]).strip()
    elif action is A.ACCEPT:
        changes["accepted_amount"] = given["amount"] = _check_amount(
            claim, "accepted amount", given["amount"])
    elif action is A.CREDIT:
        changes["credited_amount"] = given["amount"] = _check_amount(
            claim, "credited amount", given["amount"])
        changes["invoice_number"] = str(given["invoice_number"]).strip()
        changes["invoice_date"] = given["date"] = _day(given.get("date", at.date()), "date")
    elif action is A.WRITEOFF:
        changes["writeoff_reason"] = str(given["reason"]).strip()
    recorded = {k: v.isoformat() if isinstance(v, date) else str(v) for k, v in given.items()}
    event = ClaimEvent(at, _who(by), action, claim.state, target, note.strip(),
                       MappingProxyType(dict(sorted(recorded.items()))))
    return replace(claim, events=(*claim.events, event), **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class LedgerRow:
    """One vendor's claims over one year (by the period's year), in one currency."""

    vendor: str
    year: int
    currency: str
    owed: Decimal
    claimed: Decimal  # owed of the claims that were submitted
    accepted: Decimal
    credited: Decimal
    written_off: Decimal
    outstanding: Decimal
    claims: int = 0
    overdue: int = 0  # drafts past their window (needs `today`)


def ledger(claims: Iterable[Claim], vendor: str, year: int, *, currency: str | None = None,
           today: date | None = None) -> LedgerRow:
    """Sum `vendor`'s claims of `year`. A vendor billed in several currencies needs
    `currency`: amounts in different currencies are never added."""
    mine = [c for c in claims if c.vendor == vendor and c.year == year]
    currencies = sorted({c.currency for c in mine})
    if currency is None and len(currencies) > 1:
        raise ClaimError(f"vendor {vendor} has {year} claims in {', '.join(currencies)}; "
                         "ask for one currency")
    currency = currency or (currencies[0] if currencies else "")
    mine = [c for c in mine if c.currency == currency]

    def total(values: Iterable[Decimal | None]) -> Decimal:
        return sum((v for v in values if v is not None), ZERO)

    return LedgerRow(
        vendor=vendor, year=year, currency=currency,
        owed=total(c.owed for c in mine),
        claimed=total(c.owed for c in mine if c.submitted_on is not None),
        accepted=total(c.accepted_amount for c in mine),
        credited=total(c.credited_amount for c in mine),
        written_off=total(c.written_off for c in mine),
        outstanding=total(c.outstanding for c in mine),
        claims=len(mine),
        overdue=0 if today is None else sum(c.is_overdue(today) for c in mine),
    )


def ledgers(claims: Iterable[Claim], today: date | None = None) -> list[LedgerRow]:
    """Every (vendor, year, currency) ledger of `claims`, sorted."""
    groups: dict[tuple[str, int, str], list[Claim]] = {}
    for c in claims:
        groups.setdefault((c.vendor, c.year, c.currency), []).append(c)
    return [ledger(groups[key], key[0], key[1], currency=key[2], today=today)
            for key in sorted(groups)]


def due_for_notice(claims: Iterable[Claim], today: date, lead_days: int) -> list[Claim]:
    """Drafts whose window closes within `lead_days` (today included) and has not passed:
    the ones to remind someone about."""
    return [c for c in claims
            if c.state is S.DRAFT and 0 <= c.days_left(today) <= lead_days]
