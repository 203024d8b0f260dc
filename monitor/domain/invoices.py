"""Matching vendor invoice lines to claims: which credit paid which claim.

An invoice line is a credit line when its amount is negative (how invoices show a credit)
or its text says "credit"; other lines (fees, charges) are not looked at. A credit line
matches an open claim of the same vendor (company id, case-insensitive):

1. by reference: the claim's reference (given at `submit`) appears in the line text as a
   whole word, case-insensitive; else
2. by amount and period: exactly one claim of the vendor is owed, or was accepted at, the
   line's amount, and the line text names that claim's period (`2026-10`, `10/2026`,
   `October 2026`, `Oct 2026`, `2026-Q4`).

A matched line moves its claim to `credited` (amount = the line's absolute amount, invoice
number and date from the line). A claim not yet accepted is first `accept`ed at that amount:
a vendor who credits a claim has accepted it. A line that matches nothing, matches several
claims, or whose amount the claim cannot take (more than owed, a claim already credited) is
left unmatched with the reason, for a person to review. Lines are matched in file order
against the claims as the earlier lines left them, so one claim is never credited twice.

Pure: the caller passes the claims and the instant; nothing here reads files or clocks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from monitor.domain.claims import Claim, ClaimAction, ClaimState, apply
from monitor.errors import ClaimError

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_CREDITABLE = (ClaimState.SUBMITTED, ClaimState.ACKNOWLEDGED, ClaimState.DISPUTED,
               ClaimState.ACCEPTED)


@dataclass(frozen=True)
class InvoiceLine:
    source: str  # "invoices.csv:4"
    invoice_number: str
    invoice_date: date
    vendor: str
    text: str
    amount: Decimal

    @property
    def is_credit(self) -> bool:
        return self.amount < 0 or "credit" in self.text.lower()


@dataclass(frozen=True)
class Match:
    line: InvoiceLine
    claim_id: str | None = None
    matched_by: str | None = None  # reference | amount_period
    steps: tuple[tuple[ClaimAction, dict[str, object]], ...] = ()
    reason: str = ""  # why it stayed unmatched


def periods_named(text: str) -> set[str]:
    """Period labels a line's text names: 2026-10, 10/2026, October 2026, Oct 2026,
    2026-Q4."""
    low = text.lower()
    found = {f"{y}-{int(m):02d}" for y, m in re.findall(r"\b(\d{4})-(0[1-9]|1[0-2])\b", low)}
    found |= {f"{y}-{int(m):02d}" for m, y in re.findall(r"\b(0?[1-9]|1[0-2])/(\d{4})\b", low)}
    found |= {f"{y}-Q{q}" for y, q in re.findall(r"\b(\d{4})-?q([1-4])\b", low)}
    for name, year in re.findall(r"\b([a-z]{3,9})\.?\s+(\d{4})\b", low):
        for i, month in enumerate(MONTHS, start=1):
            if name == month or (len(name) == 3 and month.startswith(name)):
                found.add(f"{year}-{i:02d}")
    return found


def _mentions(text: str, reference: str) -> bool:
    """`reference` in `text` as a whole word (both lower-case). The substring test first:
    a regex per (line, claim) pair would recompile thousands of patterns."""
    if reference not in text:
        return False
    pattern = r"(?<![\w-])" + re.escape(reference) + r"(?![\w-])"
    return re.search(pattern, text) is not None


def _candidates(line: InvoiceLine, mine: Iterable[Claim]) -> tuple[list[Claim], str]:
    text = line.text.lower()
    by_ref = [c for c in mine if c.reference and _mentions(text, c.reference.lower())]
    if by_ref:
        return by_ref, "reference"
    amount, named = abs(line.amount), periods_named(line.text)
    by_amount = [c for c in mine if c.state in _CREDITABLE and c.period_label in named
                 and amount in (c.owed, c.accepted_amount)]
    return by_amount, "amount_period"


def _steps(claim: Claim, line: InvoiceLine, by: str, at: datetime
           ) -> tuple[Claim, tuple[tuple[ClaimAction, dict[str, object]], ...]]:
    amount = abs(line.amount)
    steps: list[tuple[ClaimAction, dict[str, object]]] = []
    if claim.state is not ClaimState.ACCEPTED:
        steps.append((ClaimAction.ACCEPT, {"amount": amount}))
    steps.append((ClaimAction.CREDIT, {"invoice_number": line.invoice_number,
                                       "date": line.invoice_date, "amount": amount}))
    for action, fields in steps:  # raises ClaimError when the claim cannot take it
        claim = apply(claim, action, by=by, at=at, note="", **fields)
    return claim, tuple(steps)


def match_lines(lines: Sequence[InvoiceLine], claims: Iterable[Claim], *, by: str,
                at: datetime) -> list[Match]:
    """One `Match` per credit line, in file order (see the module docstring)."""
    by_vendor: dict[str, dict[str, Claim]] = {}
    for c in claims:
        by_vendor.setdefault(c.vendor.lower(), {})[c.id] = c
    out = []
    for line in lines:
        if not line.is_credit:
            continue
        current = by_vendor.get(line.vendor.lower(), {})
        found, how = _candidates(line, current.values())
        if not found:
            out.append(Match(line, reason=f"no claim of vendor {line.vendor} matches by "
                             "reference, nor by amount and period"))
            continue
        if len(found) > 1:
            out.append(Match(line, reason=f"matches {len(found)} claims by {how}: "
                             + ", ".join(c.id for c in found)))
            continue
        claim = found[0]
        try:
            current[claim.id], steps = _steps(claim, line, by, at)
        except ClaimError as exc:
            out.append(Match(line, reason=str(exc)))
            continue
        out.append(Match(line, claim.id, how, steps))
    return out
