"""Claims in the database (SQLite and PostgreSQL): idempotent drafting, atomic transitions
that two writers cannot both apply, the ledger, invoice lines, and the 0003 -> 0004 upgrade."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from monitor.domain.claims import ClaimAction, ClaimState
from monitor.errors import ClaimError
from monitor.storage import Store
from monitor.storage.claims_repository import ClaimRepository
from monitor.storage.migrate import upgrade
from tests.factories import contract

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CONTRACT = replace(contract(), id="acme-connect-2026", vendor="acme", currency="EUR")
ID = "acme-connect-2026/2026-10"


def drafted(repo: ClaimRepository, owed: str = "1250.00", period: str = "2026-10") -> None:
    repo.draft_for_period(CONTRACT, period, Decimal(owed), date(2026, 11, 30), AT)


def test_a_claim_comes_back_from_the_database_as_it_went_in(store: Store) -> None:
    repo = ClaimRepository(store)
    drafted(repo)
    repo.apply(ID, ClaimAction.SUBMIT, by="j.doe", at=AT, reference="CLM-1", date="2026-11-03")
    repo.apply(ID, "dispute", by="tam@acme", at=AT, reason="data gap")
    after = repo.apply(ID, "accept", by="j.doe", at=AT, note="call 12 Nov", amount="999.99")
    assert repo.get(ID) == after
    assert after.accepted_amount == Decimal("999.99")
    assert after.submitted_on == date(2026, 11, 3)
    assert [(e.action, e.by, e.note) for e in after.events] == [
        ("draft", "slamon", ""), ("submit", "j.doe", ""), ("dispute", "tam@acme", ""),
        ("accept", "j.doe", "call 12 Nov")]
    assert after.events[-1].at == AT
    assert repo.list(vendor="acme", state="accepted", year=2026) == [after]
    assert repo.list(vendor="globex") == []
    assert repo.list(year=2025) == []


def test_drafting_twice_keeps_the_first_claim(store: Store) -> None:
    repo = ClaimRepository(store)
    drafted(repo)
    repo.apply(ID, "submit", by="j.doe", at=AT, reference="R")
    again = repo.draft_for_period(CONTRACT, "2026-10", Decimal("9.99"), date(2027, 1, 1), AT)
    assert (again.state, again.owed, again.deadline) == (
        ClaimState.SUBMITTED, Decimal("1250.00"), date(2026, 11, 30))
    assert len(repo.list()) == 1


def test_a_refused_transition_writes_nothing(store: Store) -> None:
    repo = ClaimRepository(store)
    drafted(repo)
    before = repo.get(ID)
    with pytest.raises(ClaimError, match="is draft: cannot credit it"):
        repo.apply(ID, "credit", by="x", at=AT, invoice_number="I", amount="1")
    with pytest.raises(ClaimError, match="no claim 'nope'"):
        repo.apply("nope", "submit", by="x", at=AT, reference="R")
    assert repo.get(ID) == before


def test_of_two_writers_that_read_the_same_claim_only_the_first_lands(store: Store) -> None:
    repo = ClaimRepository(store)
    drafted(repo)
    # The second writer read the claim at version 1, then the first one wrote version 2:
    # its conditional UPDATE matches no row.
    with store.session() as s:
        stale = repo._get(s, ID)
    assert stale is not None
    repo.apply(ID, "submit", by="first", at=AT, reference="R1")
    original = repo._get
    repo._get = lambda s, claim_id: stale  # type: ignore[method-assign]
    try:
        with pytest.raises(ClaimError, match="changed while writeoff was being recorded"):
            repo.apply(ID, "writeoff", by="second", at=AT, reason="lost")
    finally:
        repo._get = original  # type: ignore[method-assign]
    stored = repo.get(ID)
    assert stored is not None
    assert stored.state is ClaimState.SUBMITTED
    assert [e.by for e in stored.events] == ["slamon", "first"]


def test_the_ledger_reads_the_stored_claims(store: Store) -> None:
    repo = ClaimRepository(store)
    drafted(repo)
    drafted(repo, "0.10", "2026-11")
    repo.apply(ID, "submit", by="a", at=AT, reference="R")
    repo.apply(ID, "accept", by="a", at=AT, amount="1250.00")
    repo.apply(ID, "credit", by="a", at=AT, invoice_number="INV-1", amount="1249.90")
    row = repo.ledger("acme", 2026, today=date(2026, 12, 5))
    assert (row.owed, row.claimed, row.accepted, row.credited, row.written_off,
            row.outstanding, row.overdue) == (
        Decimal("1250.10"), Decimal("1250.00"), Decimal("1250.00"), Decimal("1249.90"),
        Decimal(0), Decimal("0.20"), 1)
    assert [r.vendor for r in repo.ledgers()] == ["acme"]


def test_an_invoice_line_is_stored_once_and_credits_its_claim_once(store: Store) -> None:
    repo = ClaimRepository(store)
    drafted(repo)
    repo.apply(ID, "submit", by="a", at=AT, reference="CLM-1")
    repo.apply(ID, "accept", by="a", at=AT, amount="1250.00")
    match = {"claim_id": ID, "matched_by": "reference", "steps": [
        (ClaimAction.CREDIT, {"invoice_number": "INV-9", "date": "2026-12-01",
                              "amount": "1250.00"})]}
    args = ("acme", "INV-9", date(2026, 12, 1), "Credit CLM-1", Decimal("-1250.00"),
            "inv.csv:2", AT)
    new, credited = repo.record_invoice_line(*args, **match)
    assert new
    assert credited is not None
    assert credited.state is ClaimState.CREDITED
    assert repo.record_invoice_line(*args, **match) == (False, None)
    assert repo.record_invoice_line("acme", "INV-9", date(2026, 12, 1), "Fee",
                                    Decimal("80.00"), "inv.csv:3", AT) == (True, None)
    assert [(x.text, x.claim_id) for x in repo.invoice_lines()] == [
        ("Credit CLM-1", ID), ("Fee", None)]
    assert [x.text for x in repo.invoice_lines(unmatched=True)] == ["Fee"]
    assert ("acme", "INV-9", "Fee", "80.00") in repo.stored_invoice_keys()


def test_upgrading_a_0003_database_keeps_every_row(store_url: str) -> None:
    old = Store.open(store_url, check_revision=False)
    upgrade(old.engine, "0003")
    with old.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO notifications (dedup_key, kind, contract_id, sent_at, payload) "
            "VALUES ('k1', 'breach', 'acme', :at, '{}')"), {"at": AT.replace(tzinfo=None)})
        conn.execute(sa.text(
            "INSERT INTO periods (contract_id, label, kind, start, \"end\", status, as_of, "
            "problems) VALUES ('acme', '2026-10', 'month', :at, :at, 'final', :at, '{}')"),
            {"at": AT.replace(tzinfo=None)})
    old.upgrade()
    store = Store.open(store_url)
    try:
        assert store.notification("k1") is not None
        assert store.period_status("acme", "2026-10") == "final"
        assert ClaimRepository(store).list() == []
    finally:
        store.close()
        old.close()
