"""The simulated quarter of `test_cases_workflow`, reported: the November case and its
timeline in the workbook's Cases sheet, the PDF's "Performance cases" section and the JSON.

The quarter runs on a SQLite `Store` (the repository `slamon run` and `slamon report --db`
use), so the report shows what the database holds. The dates, worked out in the quarter's
docstring: opened Wednesday 25 November 10:00 New York; acknowledgement due by the end of
Friday 27th (00:00 on the 28th), given late on Monday 30th 09:00; RCA due by the end of
Thursday 3 December, never sent; escalated at the end of the tenth business day, Thursday
10 December (00:00 EST on the 11th = 05:00 UTC).
"""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from monitor.reports.json_report import render_json
from monitor.reports.model import ReportData
from monitor.reports.pdf import render_pdf
from monitor.reports.xlsx import render_xlsx
from monitor.storage import Store
from monitor.storage.cases_repository import CaseStoreSentLog, StoreCaseRepository
from tests.conftest import require_binary
from tests.test_cases_workflow import CONTRACT, QUARTER_FINALS, drive_quarter, ny

CASE = "acme/service-level-voice/2026-11"


@pytest.fixture(scope="module")
def quarter(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    folder = tmp_path_factory.mktemp("quarter")
    store = Store.open(f"sqlite:///{folder / 'slamon.db'}", check_revision=False)
    store.upgrade()
    try:
        repo = StoreCaseRepository(store)
        drive_quarter(repo, CaseStoreSentLog(store))
        cases = repo.list(CONTRACT.id)
    finally:
        store.close()
    return ReportData(contract=CONTRACT, period="2026-11", evaluation=QUARTER_FINALS[1],
                      credits=None, generated_at=ny(2027, 1, 6, 9), cases=cases)


def test_the_cases_sheet_has_one_row_per_timeline_entry_in_new_york_time(
        quarter: ReportData) -> None:
    ws = load_workbook(BytesIO(render_xlsx(quarter)))["Cases"]
    header = [c.value for c in ws[1]]
    assert header == [
        "Case", "SLA", "Period", "Action", "From", "To", "Who",
        "When (America/New_York)", "Note", "Current state", "Opened (America/New_York)",
        "Acknowledge by (America/New_York)", "RCA by (America/New_York)",
        "Escalate at (America/New_York)"]
    rows = [row for row in ws.iter_rows(min_row=2, values_only=True)]
    assert [row[:8] for row in rows] == [
        (CASE, "service-level-voice", "2026-11", "open", None, "open", "slamon",
         datetime(2026, 11, 25, 10)),
        (CASE, "service-level-voice", "2026-11", "acknowledge", "open", "acknowledged",
         "tam@vendor.example", datetime(2026, 11, 30, 9)),
        (CASE, "service-level-voice", "2026-11", "escalate", "acknowledged", "escalated",
         "slamon", datetime(2026, 12, 11, 0)),
    ]
    assert rows[1][8] == "we are on it"
    # current state and due dates repeat on every row of the case
    assert {row[9:] for row in rows} == {(
        "escalated", datetime(2026, 11, 25, 10), datetime(2026, 11, 28, 0),
        datetime(2026, 12, 4, 0), datetime(2026, 12, 11, 0))}


def test_the_pdf_shows_the_case_state_due_dates_and_timeline(quarter: ReportData,
                                                              tmp_path: Path) -> None:
    pdftotext = require_binary("pdftotext")
    pdf = tmp_path / "claim.pdf"
    pdf.write_bytes(render_pdf(quarter))
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    lines = [" ".join(line.split()) for line in text.splitlines()]
    flat = " ".join(text.split())
    assert "Performance cases" in lines
    assert "2026-11 · service-level-voice ESCALATED" in lines
    assert (f"{CASE}: 72.50% against target at least 80.00% (breached)") in lines
    assert ("Opened 25 Nov 2026 10:00 Acknowledge by 28 Nov 2026 00:00 "
            "RCA by 4 Dec 2026 00:00 Escalates at 11 Dec 2026 00:00") in flat
    # the first line of each timeline row: when, step, state (wrapped), by, note
    assert "25 Nov 2026 10:00 Opened open slamon breach_certain: 72.50%" in lines
    assert "30 Nov 2026 09:00 Acknowledged open → tam@vendor.example we are on it" in lines
    assert "11 Dec 2026 00:00 Escalated acknowledged slamon not resolved by" in lines


def test_the_json_report_carries_the_case_in_the_cases_json_shape(
        quarter: ReportData) -> None:
    (case,) = json.loads(render_json(quarter))["cases"]
    assert (case["id"], case["state"], case["opened_at"]) == (
        CASE, "escalated", "2026-11-25T10:00:00-05:00")
    assert [(t["action"], t["at"]) for t in case["timeline"]] == [
        ("open", "2026-11-25T10:00:00-05:00"), ("acknowledge", "2026-11-30T09:00:00-05:00"),
        ("escalate", "2026-12-11T00:00:00-05:00")]
    assert case["deadlines"]["escalate_at"] == "2026-12-11T00:00:00-05:00"
    # generated 6 January: the RCA never came, so it is still overdue
    assert "rca" in " ".join(case["overdue"])
