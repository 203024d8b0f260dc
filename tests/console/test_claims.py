"""Claims in the console: closing the demo's October drafts its claim (1,000.00 USD owed,
the availability credit), procurement walks it to credited and closed, the ledger adds up,
and bad steps are refused with the domain's reason and change nothing."""

from __future__ import annotations

import re

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from monitor.console.state import Console
from monitor.domain.claims import ClaimState
from monitor.storage.claims_repository import ClaimRepository
from tests.console.conftest import signed_in, token

CLAIM = "demo-genesys/2026-10"
HOSTILE = "CLM-1'); DELETE FROM claims; -- <script>alert(1)</script>"


def close_october(client: TestClient) -> None:
    response = client.post("/contracts/demo-genesys/close",
                           data={"csrf": token(client), "period": "2026-10"})
    assert response.status_code == 303


def step(client: TestClient, action: str, **fields: str) -> int:
    response = client.post("/claims/act", data={"csrf": token(client), "claim_id": CLAIM,
                                                 "action": action, **fields})
    return int(response.status_code)


@pytest.fixture
def pat(app: Starlette) -> TestClient:
    client = signed_in(app, "pat")
    close_october(client)
    return client


def test_closing_the_period_drafts_its_claim_for_the_credit(pat: TestClient,
                                                            console: Console) -> None:
    claim = ClaimRepository(console.store).get(CLAIM)
    assert claim is not None
    assert (claim.state, claim.owed, claim.currency) == (ClaimState.DRAFT, 1000, "USD")
    board = pat.get("/claims").text
    draft = board[board.index('id="col-draft"'):board.index('id="col-submitted"')]
    assert f'href="/claims/{CLAIM}"' in draft
    assert "$1,000.00 owed" in draft
    assert f"submit by {claim.deadline}" in draft
    audit = console.audit_log.entries(action="period.close")[0]
    assert audit.detail == f"closed; claim {CLAIM} drafted"


def test_procurement_takes_the_claim_from_submitted_to_credited_and_closed(
        pat: TestClient, console: Console) -> None:
    assert step(pat, "submit", reference="CLM-2026-10", date="2026-11-20") == 303
    assert step(pat, "acknowledge") == 303
    assert step(pat, "accept", amount="800.00", note="partial: outage window disputed") == 303
    assert step(pat, "credit", invoice_number="INV-7781", amount="800.00",
                date="2026-12-05") == 303
    claim = ClaimRepository(console.store).get(CLAIM)
    assert claim is not None
    assert claim.state is ClaimState.CREDITED
    assert [e.action.value for e in claim.events] == [
        "draft", "submit", "acknowledge", "accept", "credit"]
    assert {e.by for e in claim.events[1:]} == {"pat"}
    ledger = pat.get("/ledger?year=2026").text
    # owed 1,000.00 = credited 800.00 + written off 0.00 + outstanding 200.00
    figures = re.findall(r'<td class="num money">([^<]*)</td>', ledger)
    assert figures == ["$1,000.00", "$1,000.00", "$800.00", "$800.00", "$0.00", "$200.00"]
    assert step(pat, "close") == 303
    figures = re.findall(r'<td class="num money">([^<]*)</td>', pat.get("/ledger").text)
    assert figures[-2:] == ["$200.00", "$0.00"]  # the shortfall is given up on close
    page = pat.get(f"/claims/{CLAIM}").text
    assert "INV-7781 of 2026-12-05" in page
    assert "Nothing left to do" in page
    details = [e.detail for e in console.audit_log.entries(who="pat")
               if e.action.startswith("claim.")]
    assert details[-1] == "draft -> submitted; date: 2026-11-20; reference: CLM-2026-10"


@pytest.mark.parametrize(("action", "fields", "reason"), [
    ("accept", {"amount": "1000.01"}, "is more than the 1000.00 USD owed"),
    ("accept", {"amount": "12.345"}, "accepted amount"),
    ("accept", {"amount": "-5"}, "accepted amount"),
    ("credit", {"invoice_number": "INV-1", "amount": "10"}, "cannot credit it"),
    ("submit", {"reference": ""}, "submit needs reference"),
    ("close", {}, "cannot close it"),
], ids=["more than owed", "finer than a cent", "negative", "credit before acceptance",
        "submit without a reference", "close a draft"])
def test_a_refused_step_says_why_and_changes_nothing(
        pat: TestClient, console: Console, action: str, fields: dict[str, str],
        reason: str) -> None:
    if action in ("accept", "credit"):
        assert step(pat, "submit", reference="CLM-1") == 303
    before = ClaimRepository(console.store).get(CLAIM)
    response = pat.post("/claims/act", data={"csrf": token(pat), "claim_id": CLAIM,
                                             "action": action, **fields})
    assert response.status_code == 409
    assert reason in response.text
    assert ClaimRepository(console.store).get(CLAIM) == before
    assert console.audit_log.entries(action=f"claim.{action}")[0].outcome == "failed"


def test_viewer_and_oncall_see_the_claim_without_money_and_cannot_move_it(
        app: Starlette, pat: TestClient, console: Console) -> None:
    for user in ("vic", "otto"):
        client = signed_in(app, user)
        for path in ("/claims", f"/claims/{CLAIM}"):
            html = client.get(path).text
            assert "draft" in html
            assert "$" not in html
            assert "1000" not in html
            assert "1,000" not in html
        assert "Claims are moved by procurement." in client.get(f"/claims/{CLAIM}").text
        assert step(client, "submit", reference="CLM-1") == 403
        assert client.get("/ledger").status_code == 403
    claim = ClaimRepository(console.store).get(CLAIM)
    assert claim is not None
    assert claim.state is ClaimState.DRAFT


def test_sql_and_html_in_a_claim_reference_are_stored_and_rendered_inert(
        pat: TestClient, console: Console) -> None:
    assert step(pat, "submit", reference=HOSTILE) == 303
    claim = ClaimRepository(console.store).get(CLAIM)
    assert claim is not None
    assert claim.reference == HOSTILE
    for path in (f"/claims/{CLAIM}", "/claims"):
        html = pat.get(path).text
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert step(pat, "dispute", reason="<b onmouseover=x>") == 303
    assert "&lt;b onmouseover=x&gt;" in pat.get(f"/claims/{CLAIM}").text


def test_the_vendor_page_counts_the_outstanding_claim(pat: TestClient) -> None:
    html = pat.get("/vendors").text
    assert re.search(r"Claims outstanding: <strong>1</strong> · "
                     r'<strong class="money">\$1,000.00</strong>', html)
