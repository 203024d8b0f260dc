"""The period report and its claim: the stored claim's state, OVERDUE for a draft past its
window, and a notice when the report is prepared after the claim deadline (judged on the
day in the contract's zone, New York)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook

from monitor.domain.claims import apply, draft
from monitor.reports.html import render_html
from monitor.reports.json_report import render_json
from monitor.reports.xlsx import render_xlsx
from tests.test_report_model import acme_october

AT = datetime(2026, 11, 3, 14, tzinfo=UTC)
CLAIM = draft("acme-connect-2026", "amazon-connect", "2026-10", "USD", Decimal("2400.00"),
              date(2026, 11, 30), by="slamon", at=AT)
# 23:30 on 30 November in New York (EST) is already 1 December in UTC
LAST_EVENING = datetime(2026, 12, 1, 4, 30, tzinfo=UTC)
NEXT_MORNING = datetime(2026, 12, 1, 5, 30, tzinfo=UTC)


def test_on_the_last_day_in_new_york_there_is_nothing_to_flag() -> None:
    data = acme_october(claim=CLAIM, generated_at=LAST_EVENING)
    assert (data.claim_state, data.claim_notice) == ("draft", None)


def test_after_the_deadline_an_unsent_claim_is_flagged_in_every_format() -> None:
    data = acme_october(claim=CLAIM, generated_at=NEXT_MORNING)
    notice = ("Prepared on 2026-12-01, after the claim deadline of 2026-11-30: the claim was "
              "not submitted in time (OVERDUE).")
    assert (data.claim_state, data.claim_notice) == ("draft OVERDUE", notice)
    doc = json.loads(render_json(data))
    assert (doc["claim"]["state"], doc["claim"]["overdue"], doc["claim_notice"]) == (
        "draft", True, notice)
    assert notice in render_html(data)
    ws = load_workbook(BytesIO(render_xlsx(data)))["Summary"]
    block = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value
             for r in range(2, 17)}
    assert (block["Claim status"], block["Claim notice"]) == ("draft OVERDUE", notice)


def test_a_late_report_of_a_claim_sent_in_time_says_when_it_was_sent() -> None:
    sent = apply(CLAIM, "submit", by="j", at=AT, reference="CLM-10", date="2026-11-20")
    data = acme_october(claim=sent, generated_at=NEXT_MORNING)
    assert data.claim_notice == ("Prepared on 2026-12-01, after the claim deadline of "
                                 "2026-11-30; the claim was submitted on 2026-11-20 "
                                 "(reference CLM-10).")
    assert data.claim_state == "submitted"


def test_without_a_stored_claim_the_contract_deadline_still_counts() -> None:
    data = replace(acme_october(), generated_at=NEXT_MORNING)
    assert data.claim_state is None
    assert data.claim_notice is not None
    assert data.claim_notice.endswith(": a claim not submitted by then may be refused.")
    assert json.loads(render_json(data))["claim"] is None
