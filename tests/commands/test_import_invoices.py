"""`slamon import invoices`: two credit lines matched (one by reference, one by amount and
period), one left for review, exit 4; re-importing changes nothing; a bad file imports
nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.storage import Store
from monitor.storage.claims_repository import ClaimRepository
from tests.storage.test_claims_storage import CONTRACT

AT = datetime(2026, 11, 2, tzinfo=UTC)
INVOICE = """\
Invoice Number,Date,Vendor,Line Text,Amount
INV-5501,2026-12-10,acme,Contact center seats December 2026,20000.00
INV-5501,2026-12-10,acme,SLA service credit ref CLM-ACME-10,-625.00
INV-5501,2026-12-10,acme,Service level credit November 2026,-1875.00
INV-5501,2026-12-10,acme,Goodwill credit October 2026,-99.00
"""


@pytest.fixture
def db(store_url: str) -> str:
    store = Store.open(store_url, check_revision=False)
    store.upgrade()
    repo = ClaimRepository(store)
    for period, owed, ref in (("2026-10", "625.00", "CLM-ACME-10"),
                              ("2026-11", "1875.00", "CLM-ACME-11")):
        repo.draft_for_period(CONTRACT, period, Decimal(owed), date(2026, 12, 31), AT)
        repo.apply(f"{CONTRACT.id}/{period}", "submit", by="j.doe", at=AT, reference=ref)
    store.close()
    return store_url


def test_two_credit_lines_match_and_one_is_left_for_review(
        db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "inv.csv"
    csv.write_text(INVOICE)
    assert main(["import", "invoices", str(csv), "--db", db]) == 4
    text = capsys.readouterr().out
    assert ("4 lines, 0 imported before, 1 not credit lines, 2 credit line(s) matched, "
            "1 left for review") in text
    assert f"{csv}:3: -625.00 -> claim acme-connect-2026/2026-10 credited (by reference)" in text
    assert (f"{csv}:4: -1875.00 -> claim acme-connect-2026/2026-11 credited "
            "(by amount_period)") in text
    assert f"{csv}:5: UNMATCHED acme INV-5501 -99.00 'Goodwill credit October 2026'" in text

    assert main(["claims", "list", "--json", "--db", db]) == 0
    claims = json.loads(capsys.readouterr().out)
    assert [(c["state"], c["credited_amount"], c["invoice_number"]) for c in claims] == [
        ("credited", "625.00", "INV-5501"), ("credited", "1875.00", "INV-5501")]
    assert claims[0]["events"][-1]["by"] == "invoice import"
    assert main(["claims", "invoices", "--unmatched", "--json", "--db", db]) == 0
    (review,) = json.loads(capsys.readouterr().out)
    assert (review["text"], review["amount"], review["claim"]) == (
        "Goodwill credit October 2026", "-99.00", None)

    assert main(["import", "invoices", str(csv), "--db", db]) == 0  # nothing new
    assert "3 imported before, 1 not credit lines, 0 credit line(s) matched" in (
        capsys.readouterr().out)
    assert main(["claims", "ledger", "--json", "--db", db]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["owed"], row["credited"], row["outstanding"]) == ("2500.00", "2500.00", "0.00")


GOOD = "I-1,2026-12-10,acme,credit CLM-ACME-10,-625.00\n"  # would match: proves nothing lands


@pytest.mark.parametrize(("body", "where"), [
    ("invoice,date,vendor,amount\n" + GOOD, "inv.csv:1: missing column(s) line_text"),
    ("invoice,date,vendor,text,amount\n" + GOOD + "I,2026-12-10,acme,x,$5\n",
     "inv.csv:3: amount: '$5' is not an amount"),
    ("invoice,date,vendor,text,amount\n" + GOOD + "I,10/12/2026,acme,x,5\n",
     "inv.csv:3: date: '10/12/2026' is not a date"),
    ("invoice,date,vendor,text,amount\n" + GOOD + "I,2026-12-10,,x,5\n",
     "inv.csv:3: vendor: empty"),
], ids=["no text column", "currency sign", "day-first date", "no vendor"])
def test_a_bad_file_names_the_line_and_imports_nothing(
        db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str,
        where: str) -> None:
    csv = tmp_path / "inv.csv"
    csv.write_text(body)
    assert main(["import", "invoices", str(csv), "--db", db]) == 1
    assert where in capsys.readouterr().err
    assert main(["claims", "invoices", "--json", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["claims", "show", "acme-connect-2026/2026-10", "--json", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "submitted"
