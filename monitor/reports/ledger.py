"""The claims ledger as a file: `slamon claims ledger --out ledger.xlsx` (or `.json`).

XLSX: one "Ledger" sheet (vendor, year, currency, owed, claimed, accepted, credited, written
off, outstanding, claims, overdue), money as number cells in the row's currency format so
it sums in Excel, a bold frozen header and an autofilter. JSON: the same rows as
`ledger_json` under `{"as_of": ..., "ledger": [...]}`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from monitor.domain.claims import LedgerRow
from monitor.errors import InputError
from monitor.reports.claims_view import LEDGER_COLUMNS, ledger_json
from monitor.reports.units import xlsx_money_format

HEADERS = ("Vendor", "Year", "Currency", "Owed", "Claimed", "Accepted", "Credited",
           "Written off", "Outstanding", "Claims", "Overdue drafts")


def write_ledger(rows: Sequence[LedgerRow], out: Path, today: date) -> None:
    suffix = out.suffix.lower()
    if suffix == ".json":
        out.write_text(json.dumps({"as_of": today.isoformat(),
                                   "ledger": [ledger_json(r) for r in rows]}, indent=2) + "\n")
        return
    if suffix != ".xlsx":
        raise InputError(f"{out}: the ledger is written as .xlsx or .json", column="--out")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Ledger"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r in rows:
        sheet.append([r.vendor, r.year, r.currency,
                      *(float(getattr(r, k)) for k in LEDGER_COLUMNS), r.claims, r.overdue])
        for cell in sheet[sheet.max_row][3:9]:
            cell.number_format = xlsx_money_format(r.currency)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    book.save(out)
