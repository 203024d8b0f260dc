"""The period report and its stored claim: the claim's state, OVERDUE for a draft past its
window (judged on the day in the contract's zone, New York), next to the report's own
note that the claim deadline has passed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook

from monitor.domain.claims import apply, draft
from monitor.reports.html import render_html
from monitor.reports.json_report import render_json
from monitor.reports.xlsx import render_xlsx, summary_header_row
from tests.test_report_model import acme_october

AT = datetime(2026, 11, 3, 14, tzinfo=UTC)
CLAIM = draft("acme-connect-2026", "aws", "2026-10", "USD", Decimal("2400.00"),
              date(2026, 11, 30), by="slamon", at=AT)
# 23:30 on 30 November in New York (EST) is already 1 December in UTC
LAST_EVENING = datetime(2026, 12, 1, 4, 30, tzinfo=UTC)
NEXT_MORNING = datetime(2026, 12, 1, 5, 30, tzinfo=UTC)


def block(data: object) -> dict[str, object]:
    ws = load_workbook(BytesIO(render_xlsx(data)))["Summary"]  # type: ignore[arg-type]
    rows = range(2, summary_header_row(data))  # type: ignore[arg-type]
    return {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in rows}


def test_on_the_last_day_in_new_york_the_draft_is_still_in_time() -> None:
    data = acme_october(claim=CLAIM, generated_at=LAST_EVENING)
    assert data.claim_state == "draft"
    assert data.claim_notice == ("Claim acme-connect-2026/2026-10 is a draft: submit it by "
                                 "2026-11-30.")
    assert not data.claim_late


def test_after_the_deadline_an_unsent_claim_is_flagged_in_every_format() -> None:
    data = acme_october(claim=CLAIM, generated_at=NEXT_MORNING)
    notice = ("Claim acme-connect-2026/2026-10 was never submitted: its window closed on "
              "2026-11-30 (OVERDUE).")
    assert (data.claim_state, data.claim_notice, data.claim_late) == (
        "draft OVERDUE", notice, True)
    doc = json.loads(render_json(data))
    assert (doc["claim"]["state"], doc["claim"]["overdue"], doc["claim_notice"]) == (
        "draft", True, notice)
    assert f'<p class="note late">{notice}</p>' in render_html(data)
    cells = block(data)
    assert (cells["Claim status"], cells["Claim notice"]) == ("draft OVERDUE", notice)


def test_a_late_report_of_a_claim_sent_in_time_says_when_it_was_sent() -> None:
    sent = apply(CLAIM, "submit", by="j", at=AT, reference="CLM-10", date="2026-11-20")
    data = acme_october(claim=sent, generated_at=NEXT_MORNING)
    assert data.claim_notice == ("Claim acme-connect-2026/2026-10 was submitted on "
                                 "2026-11-20, reference CLM-10; it is now submitted.")
    assert (data.claim_state, data.claim_late) == ("submitted", False)


def test_without_a_stored_claim_the_report_shows_none() -> None:
    data = acme_october(generated_at=NEXT_MORNING)
    assert (data.claim_state, data.claim_notice) == (None, None)
    assert json.loads(render_json(data))["claim"] is None
    assert block(data)["Claim status"] == "no claim stored"
