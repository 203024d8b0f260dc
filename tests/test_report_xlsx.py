"""The workbook, opened with openpyxl: numbers are number cells with the right formats.

Figures come from `acme_october()` (see tests/test_report_model.py for the worked story).
"""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from monitor.reports.xlsx import (
    EVIDENCE_COLUMNS,
    RESTATEMENT_COLUMNS,
    SCORECARD_COLUMNS,
    SUMMARY_COLUMNS,
    render_xlsx,
    summary_header_row,
)
from tests.test_report_model import acme_october

USD = '"$"#,##0.00'


@pytest.fixture(scope="module")
def book() -> Workbook:
    return load_workbook(BytesIO(render_xlsx(acme_october())))


def rows_by_key(ws: Worksheet, header_row: int = 1) -> dict[str, dict[str, Any]]:
    """{first column value: {header: cell}} for the table under `header_row`."""
    headers = [c.value for c in ws[header_row]]
    out: dict[str, dict[str, Any]] = {}
    for row in ws.iter_rows(min_row=header_row + 1):
        if row[0].value is None:
            break
        out.setdefault(str(row[0].value), dict(zip(headers, row, strict=False)))
    return out


def summary(book: Workbook) -> dict[str, dict[str, Any]]:
    ws = book["Summary"]
    return rows_by_key(ws, summary_header_row(acme_october()))


def test_the_workbook_has_one_sheet_per_table(book: Workbook) -> None:
    assert book.sheetnames == ["Summary", "Evidence", "Intervals", "Exclusions",
                               "Restatements", "Cases", "Scorecard", "Trend", "Consistency"]


def test_the_summary_block_names_contract_period_total_and_deadline(book: Workbook) -> None:
    ws = book["Summary"]
    block = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2) for r in range(2, 13)}
    assert block["Contract"].value == "acme-connect-2026"
    assert block["Period"].value == "2026-10"
    assert block["Period start"].value == datetime(2026, 10, 1, 0, 0)
    assert block["Total claimed"].value == 2400
    assert block["Total claimed"].number_format == USD
    assert block["Claim deadline"].value == datetime(2026, 11, 30)
    assert block["Claim deadline"].number_format == "yyyy-mm-dd"


def test_summary_rows_hold_numbers_with_percentage_and_money_formats(book: Workbook) -> None:
    assert [c.value for c in book["Summary"][summary_header_row(acme_october())]] == list(
        SUMMARY_COLUMNS)
    sl = summary(book)["service-level-voice"]
    assert sl["Target"].value == pytest.approx(0.80)
    assert sl["Target"].number_format == "0.00%"
    assert sl["Actual"].value == pytest.approx(0.785)
    assert sl["Status"].value == "breached"
    assert sl["Credit"].value == 1440
    assert sl["Credit"].number_format == USD
    avail = summary(book)["availability"]
    assert avail["Actual"].value == pytest.approx(0.99664)
    assert avail["Actual"].number_format == "0.000%"
    assert avail["Actual before exclusions"].value == pytest.approx(0.995968)
    assert avail["Tier"].value == "5%"


def test_seconds_are_plain_numbers_with_a_seconds_format(book: Workbook) -> None:
    asa = summary(book)["asa"]
    assert asa["Actual"].value == pytest.approx(24.6)
    assert asa["Actual"].number_format == '0.0 "s"'
    assert asa["Credit"].value is None  # no credit line for this SLA


def test_the_total_row_shows_the_capped_total_under_the_credit_column(book: Workbook) -> None:
    ws = book["Summary"]
    credit_col = SUMMARY_COLUMNS.index("Credit") + 1
    total_rows = [r for r in range(14, ws.max_row + 1)
                  if ws.cell(row=r, column=1).value == "Total claimed"]
    assert len(total_rows) == 1
    assert ws.cell(row=total_rows[0], column=credit_col).value == 2400
    assert ws.cell(row=total_rows[0] + 1, column=1).value == "Monthly cap"
    assert ws.cell(row=total_rows[0] + 1, column=credit_col).value == 2400


def test_open_chronic_consequences_are_listed_on_the_summary(book: Workbook) -> None:
    ws = book["Summary"]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    start = next(i for i, row in enumerate(cells) if row[0] == "Chronic-failure consequences")
    assert cells[start + 1][:3] == ["any", "termination_right", "2026-09, 2026-10"]


def test_evidence_sheet_has_the_numbers_behind_each_sla(book: Workbook) -> None:
    ws = book["Evidence"]
    assert [c.value for c in ws[1]] == list(EVIDENCE_COLUMNS)
    sl = rows_by_key(ws)["service-level-voice"]
    assert (sl["Numerator"].value, sl["Denominator"].value) == (7850, 10000)
    assert sl["Intervals"].value == 8
    assert sl["Excluded minutes"].value == 150
    assert sl["Exclusions applied"].value == (
        "storm-2026-10: Force majeure, approved by procurement on 2026-10-20")


def test_exclusions_sheet_gives_reason_local_times_and_minutes(book: Workbook) -> None:
    ws = book["Exclusions"]
    assert ws.cell(row=1, column=4).value == "Start (America/New_York)"
    rows = rows_by_key(ws)
    storm = rows["service-level-voice"]
    assert storm["Exclusion"].value == "storm-2026-10"
    assert storm["Reason"].value == "Force majeure, approved by procurement on 2026-10-20"
    assert storm["Start (America/New_York)"].value == datetime(2026, 10, 14, 9, 0)
    assert storm["Minutes excluded"].value == 150
    assert rows["availability"]["Exclusion"].value == "sunday-maintenance"


def test_intervals_sheet_lists_each_interval_in_local_time(book: Workbook) -> None:
    ws = book["Intervals"]
    headers = [c.value for c in ws[1]]
    assert headers[:2] == ["SLA", "interval_start (America/New_York)"]
    values = [r for r in ws.iter_rows(min_row=2, values_only=True)]
    assert len(values) == 8
    # 12:00 UTC on 1 October is 08:00 in New York (EDT, UTC-4).
    assert values[0][:3] == ("service-level-voice", datetime(2026, 10, 1, 8, 0), 1250)
    assert values[0][headers.index("value")] == pytest.approx(0.88)


def test_restatements_sheet_shows_old_and_new_figures(book: Workbook) -> None:
    ws = book["Restatements"]
    assert [c.value for c in ws[1]] == list(RESTATEMENT_COLUMNS)
    row = rows_by_key(ws)["2026-09"]
    assert row["SLA"].value == "service-level-voice"
    assert row["Old value"].value == pytest.approx(0.801)
    assert row["New value"].value == pytest.approx(0.795)
    assert row["New value"].number_format == "0.00%"
    assert row["Credit change"].value == 1440
    assert row["Credit change"].number_format == USD


def test_scorecard_sheet_has_periods_met_trend_and_spread(book: Workbook) -> None:
    ws = book["Scorecard"]
    assert [c.value for c in ws[1]] == list(SCORECARD_COLUMNS)
    sl = rows_by_key(ws)["service-level-voice"]
    assert (sl["Periods measured"].value, sl["Periods met"].value) == (3, 1)
    assert sl["Trend"].value == "declining"
    assert sl["Interval p10-p90"].value == pytest.approx(0.132)
    assert sl["Share of intervals meeting target"].value == pytest.approx(0.5)
    assert sl["Credits"].value == 2880


def test_trend_sheet_has_one_row_per_sla_and_period(book: Workbook) -> None:
    rows = list(book["Trend"].iter_rows(min_row=2, values_only=True))
    sl = [r for r in rows if r[0] == "service-level-voice"]
    assert [(r[1], r[4]) for r in sl] == [
        ("2026-08", "met"), ("2026-09", "breached"), ("2026-10", "breached")]


@pytest.mark.parametrize(
    ("currency", "fmt"),
    [("EUR", "[$€-x-euro2] #,##0.00"), ("GBP", "£#,##0.00"), ("CHF", '#,##0.00 "CHF"')],
    ids=["euro money gets the euro format", "sterling gets the pound format",
         "other currencies show their ISO code"],
)
def test_money_cells_use_the_contract_currency(currency: str, fmt: str) -> None:
    from dataclasses import replace

    data = acme_october(contract=replace(acme_october().contract, currency=currency))
    ws = load_workbook(BytesIO(render_xlsx(data)))["Summary"]
    total = next(ws.cell(row=r, column=2) for r in range(2, 13)
                 if ws.cell(row=r, column=1).value == "Total claimed")
    assert total.number_format == fmt
    assert total.value == 2400


def test_deadline_cell_is_empty_without_a_claim_window() -> None:
    from dataclasses import replace

    data = acme_october(contract=replace(acme_october().contract, claim_deadline_days=None))
    ws = load_workbook(BytesIO(render_xlsx(data)))["Summary"]
    cell = next(ws.cell(row=r, column=2) for r in range(2, 13)
                if ws.cell(row=r, column=1).value == "Claim deadline")
    assert cell.value is None
