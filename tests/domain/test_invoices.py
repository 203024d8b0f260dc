"""Invoice credit lines matched to claims: by reference, by amount and period, or left for
review with the reason."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from monitor.domain.claims import Claim, ClaimAction, ClaimState, apply, draft
from monitor.domain.invoices import InvoiceLine, match_lines, periods_named

AT = datetime(2026, 12, 12, tzinfo=UTC)


def claim(period: str, owed: str, reference: str | None = None, accepted: str | None = None,
          vendor: str = "acme") -> Claim:
    c = draft("acme-c", vendor, period, "EUR", Decimal(owed), date(2026, 12, 31), by="s",
              at=AT)
    if reference:
        c = apply(c, "submit", by="s", at=AT, reference=reference)
    if accepted:
        c = apply(c, "accept", by="s", at=AT, amount=accepted)
    return c


def line(text: str, amount: str, vendor: str = "ACME") -> InvoiceLine:
    return InvoiceLine("inv.csv:2", "INV-1", date(2026, 12, 10), vendor, text, Decimal(amount))


@pytest.mark.parametrize(("text", "periods"), [
    ("SLA credit 2026-10", {"2026-10"}),
    ("credit for 10/2026", {"2026-10"}),
    ("Service credit October 2026", {"2026-10"}),
    ("svc credit Sept. 2026", set()),  # "sept" is no month abbreviation slamon guesses
    ("credit Sep 2026 and Q4: 2026-Q4", {"2026-09", "2026-Q4"}),
    ("invoice 2026-13", set()),
])
def test_periods_named_in_a_line(text: str, periods: set[str]) -> None:
    assert periods_named(text) == periods


def test_a_reference_in_the_text_matches_whatever_the_amount_and_case() -> None:
    (m,) = match_lines([line("SLA Credit clm-7 as agreed", "-600.00")],
                       [claim("2026-10", "625.00", "CLM-7")], by="imp", at=AT)
    assert (m.claim_id, m.matched_by) == ("acme-c/2026-10", "reference")
    assert [a for a, _ in m.steps] == [ClaimAction.ACCEPT, ClaimAction.CREDIT]
    assert m.steps[1][1] == {"invoice_number": "INV-1", "date": date(2026, 12, 10),
                             "amount": Decimal("600.00")}


def test_a_reference_is_a_whole_word() -> None:
    (m,) = match_lines([line("credit CLM-70", "-625.00")],
                       [claim("2026-10", "625.00", "CLM-7")], by="imp", at=AT)
    assert m.claim_id is None


def test_amount_and_period_match_an_accepted_claim_with_one_step() -> None:
    (m,) = match_lines([line("Service credit Nov 2026", "-300.00")],
                       [claim("2026-11", "333.33", "R", accepted="300.00")], by="i", at=AT)
    assert (m.claim_id, m.matched_by) == ("acme-c/2026-11", "amount_period")
    assert [a for a, _ in m.steps] == [ClaimAction.CREDIT]


@pytest.mark.parametrize(("lines", "claims", "reason"), [
    ([line("credit 2026-10", "-625.00")], [claim("2026-10", "625.00")],
     "no claim of vendor ACME matches"),  # a draft was never sent: nothing to credit
    ([line("credit 2026-10", "-625.00", vendor="globex")],
     [claim("2026-10", "625.00", "R")], "no claim of vendor globex"),
    ([line("credit CLM-7", "-700.00")], [claim("2026-10", "625.00", "CLM-7")],
     "accepted amount 700.00 is more than the 625.00 EUR owed"),
    ([line("credit CLM-7", "-625.00"), line("credit again CLM-7", "-625.00")],
     [claim("2026-10", "625.00", "CLM-7")], "is credited: cannot accept it"),
    ([line("credit CLM-7 CLM-8", "-5.00")],
     [claim("2026-10", "625.00", "CLM-7"), claim("2026-11", "5.00", "CLM-8")],
     "matches 2 claims by reference: acme-c/2026-10, acme-c/2026-11"),
], ids=["a draft", "another vendor", "more than owed", "a claim credited twice",
        "two references"])
def test_what_cannot_be_matched_says_why(lines: list[InvoiceLine], claims: list[Claim],
                                         reason: str) -> None:
    assert reason in match_lines(lines, claims, by="i", at=AT)[-1].reason


def test_charges_are_not_credit_lines() -> None:
    assert match_lines([line("Monthly fee", "20000.00")], [], by="i", at=AT) == []
    assert line("Credit memo", "625.00").is_credit
    assert claim("2026-10", "1.00").state is ClaimState.DRAFT
