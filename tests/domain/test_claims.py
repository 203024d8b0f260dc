"""The claim lifecycle as pure values: legal and illegal transitions, amounts, the ledger."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from monitor.domain.claims import (
    TRANSITIONS,
    Claim,
    ClaimAction,
    ClaimState,
    apply,
    claim_deadline,
    draft,
    due_for_notice,
    ledger,
    ledgers,
)
from monitor.errors import ClaimError, SlamonError

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def drafted(owed: str = "1250.00", period: str = "2026-10", vendor: str = "acme",
            currency: str = "EUR", contract: str = "acme-connect-2026") -> Claim:
    # October's claim window: 30 days after 31 October is 30 November.
    return draft(contract, vendor, period, currency, Decimal(owed),
                 claim_deadline(date(2026, 10, 31), 30), by="slamon", at=AT)


def walk(claim: Claim, *steps: tuple[str, dict[str, object]]) -> Claim:
    for action, fields in steps:
        claim = apply(claim, action, by="j.doe", at=AT, **fields)
    return claim


SUBMIT = ("submit", {"reference": "CLM-2026-10", "date": "2026-11-05"})


def test_a_draft_is_due_by_the_end_of_the_contracts_window() -> None:
    claim = drafted()
    assert claim.id == "acme-connect-2026/2026-10"
    assert claim.deadline == date(2026, 11, 30)
    assert claim.state is ClaimState.DRAFT
    assert claim.outstanding == Decimal("1250.00")
    assert [e.action for e in claim.events] == [ClaimAction.DRAFT]
    assert claim.events[0].fields == {"owed": "1250.00", "deadline": "2026-11-30"}


def test_a_february_window_ends_in_march() -> None:
    # 28 February 2027 + 30 days: 30 March (no 29 February in 2027)
    assert claim_deadline(date(2027, 2, 28), 30) == date(2027, 3, 30)
    assert claim_deadline(date(2026, 10, 31), None) == date(2026, 11, 30)  # house default


def test_the_full_walk_records_who_when_and_what() -> None:
    claim = walk(drafted(), SUBMIT, ("acknowledge", {}), ("dispute", {"reason": "outage"}),
                 ("accept", {"amount": "1000.00"}),
                 ("credit", {"invoice_number": "INV-77", "date": "2026-12-15",
                             "amount": "1000.00"}),
                 ("close", {}))
    assert claim.state is ClaimState.CLOSED
    assert claim.reference == "CLM-2026-10"
    assert claim.submitted_on == date(2026, 11, 5)
    assert claim.dispute_reason == "outage"
    assert claim.accepted_amount == Decimal("1000.00")
    assert (claim.invoice_number, claim.invoice_date) == ("INV-77", date(2026, 12, 15))
    assert [(e.from_state, e.to_state) for e in claim.events[1:]] == [
        ("draft", "submitted"), ("submitted", "acknowledged"), ("acknowledged", "disputed"),
        ("disputed", "accepted"), ("accepted", "credited"), ("credited", "closed")]
    assert all(e.by == "j.doe" and e.at == AT for e in claim.events[1:])
    assert claim.events[4].fields == {"amount": "1000.00"}
    # closed with 250.00 never credited: that shortfall is given up, nothing outstanding
    assert (claim.written_off, claim.outstanding) == (Decimal("250.00"), Decimal(0))


def test_the_vendor_may_accept_straight_after_submission() -> None:
    assert walk(drafted(), SUBMIT, ("accept", {"amount": "1250"})).state is ClaimState.ACCEPTED
    assert walk(drafted(), SUBMIT, ("dispute", {"reason": "x"})).state is ClaimState.DISPUTED


@pytest.mark.parametrize("state", ["draft", "submitted", "acknowledged", "disputed",
                                   "accepted"])
def test_every_open_state_can_be_written_off(state: str) -> None:
    assert TRANSITIONS[(ClaimState(state), ClaimAction.WRITEOFF)] is ClaimState.WRITTEN_OFF


@pytest.mark.parametrize(("steps", "action", "fields", "message"), [
    ((), "accept", {"amount": "1"},
     "claim acme-connect-2026/2026-10 is draft: cannot accept it (allowed: submit, writeoff)"),
    ((SUBMIT,), "submit", {"reference": "again"}, "is submitted: cannot submit it"),
    ((SUBMIT, ("writeoff", {"reason": "lost"})), "close", {},
     "is written_off: cannot close it (allowed: nothing, it is finished)"),
    ((), "submit", {}, "submit needs reference"),
    ((), "submit", {"reference": "R", "amount": "3"},
     "submit does not take amount (it takes: reference, date)"),
    ((SUBMIT,), "accept", {"amount": "1250.01"},
     "accepted amount 1250.01 is more than the 1250.00 EUR owed"),
    ((SUBMIT,), "accept", {"amount": "-5"}, "accepted amount: -5 is negative"),
    ((SUBMIT,), "accept", {"amount": "10.005"},
     "accepted amount: 10.005 has more decimals than EUR allows (2)"),
    ((SUBMIT,), "accept", {"amount": "ten"}, "'ten' is not an amount"),
    ((SUBMIT,), "accept", {"amount": "0"}, "must be more than 0"),
    ((), "pay", {}, "unknown claim action 'pay'"),
    ((), "submit", {"reference": "R", "date": "5 Nov"}, "'5 Nov' is not a date"),
], ids=["accepting a draft", "submitting twice", "closing a write-off", "no reference",
        "a field the action does not take", "more than owed", "negative", "half a cent",
        "not a number", "nothing accepted", "unknown action", "unreadable date"])
def test_illegal_steps_are_refused_with_the_reason(
        steps: tuple[tuple[str, dict[str, object]], ...], action: str,
        fields: dict[str, object], message: str) -> None:
    claim = walk(drafted(), *steps)
    with pytest.raises(ClaimError, match=re.escape(message)) as info:
        apply(claim, action, by="j.doe", at=AT, **fields)
    assert isinstance(info.value, SlamonError)


def test_a_yen_claim_takes_whole_yen_only() -> None:
    claim = walk(drafted("50000", currency="JPY"), SUBMIT)
    assert apply(claim, "accept", by="a", at=AT, amount="40000").accepted_amount == 40000
    with pytest.raises(ClaimError, match="more decimals than JPY allows \\(0\\)"):
        apply(claim, "accept", by="a", at=AT, amount="40000.5")


def test_naive_times_and_anonymous_events_are_refused() -> None:
    with pytest.raises(ClaimError, match="timezone-aware"):
        apply(drafted(), "submit", by="a", at=datetime(2026, 11, 2), reference="R")
    with pytest.raises(ClaimError, match="--by"):
        apply(drafted(), "submit", by="  ", at=AT, reference="R")
    with pytest.raises(ClaimError, match="owes no credit"):
        drafted("0.00")


def test_a_draft_is_overdue_only_after_its_last_day() -> None:
    claim = drafted()
    assert not claim.is_overdue(date(2026, 11, 30))
    assert claim.is_overdue(date(2026, 12, 1))
    assert not walk(claim, SUBMIT).is_overdue(date(2026, 12, 1))


def test_submitting_after_the_window_is_recorded_and_noted() -> None:
    late = apply(drafted(), "submit", by="a", at=AT, reference="R", date="2026-12-02")
    assert late.events[-1].note == "submitted after the claim window closed on 2026-11-30"


def test_notices_go_for_drafts_within_the_lead_time_until_the_last_day() -> None:
    claim = drafted()
    assert due_for_notice([claim], date(2026, 11, 22), 7) == []  # 8 days left
    assert due_for_notice([claim], date(2026, 11, 23), 7) == [claim]  # 7 days left
    assert due_for_notice([claim], date(2026, 11, 30), 7) == [claim]  # last day
    assert due_for_notice([claim], date(2026, 12, 1), 7) == []  # too late: overdue instead
    assert due_for_notice([walk(claim, SUBMIT)], date(2026, 11, 25), 7) == []


def test_the_ledger_adds_up_to_the_cent() -> None:
    # Four October-December claims of one vendor, worked by hand:
    #   oct 1250.00 credited 1000.00 then closed  -> written off 250.00
    #   nov  333.33 accepted 300.00, not credited -> outstanding 333.33
    #   dec   99.99 written off from draft        -> written off 99.99
    #   2026-Q4 0.01 still a draft (overdue)      -> outstanding 0.01
    oct_ = walk(drafted("1250.00"), SUBMIT, ("accept", {"amount": "1000.00"}),
                ("credit", {"invoice_number": "I1", "amount": "1000.00"}), ("close", {}))
    nov = walk(drafted("333.33", period="2026-11"), SUBMIT, ("accept", {"amount": "300"}))
    dec = walk(drafted("99.99", period="2026-12"), ("writeoff", {"reason": "too small"}))
    q4 = drafted("0.01", period="2026-Q4")
    other = drafted("5.00", vendor="globex")
    row = ledger([oct_, nov, dec, q4, other], "acme", 2026, today=date(2027, 1, 31))
    assert (row.owed, row.claimed, row.accepted, row.credited, row.written_off,
            row.outstanding) == (Decimal("1683.33"), Decimal("1583.33"), Decimal("1300.00"),
                                 Decimal("1000.00"), Decimal("349.99"), Decimal("333.34"))
    assert row.owed == row.credited + row.written_off + row.outstanding
    assert (row.claims, row.overdue) == (4, 1)
    assert ledger([oct_], "acme", 2025).owed == 0


def test_a_vendor_in_two_currencies_gets_one_ledger_per_currency() -> None:
    eur, usd = drafted("10.00"), drafted("20.00", currency="USD", contract="acme-us")
    with pytest.raises(ClaimError, match="claims in EUR, USD; ask for one currency"):
        ledger([eur, usd], "acme", 2026)
    assert [(r.currency, r.owed) for r in ledgers([eur, usd])] == [
        ("EUR", Decimal("10.00")), ("USD", Decimal("20.00"))]
