"""Reading vendor invoice CSV files for `slamon import invoices` (the edge; matching is
`monitor.domain.invoices`).

Columns, in any order, names case-insensitive (spaces count as underscores):

    invoice_number (or invoice), date (or invoice_date), vendor,
    line_text (or text, description), amount

`date` is YYYY-MM-DD; `amount` a plain decimal (`-1250.00`; a leading currency sign or
thousands separators are refused rather than guessed). The whole file is checked first:
any bad row is reported as `file:line: column: reason` and nothing is imported.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from monitor.domain.invoices import InvoiceLine
from monitor.errors import InputError

COLUMNS: dict[str, tuple[str, ...]] = {
    "invoice_number": ("invoice_number", "invoice", "invoice_no"),
    "date": ("date", "invoice_date"),
    "vendor": ("vendor",),
    "line_text": ("line_text", "text", "description"),
    "amount": ("amount",),
}


def _header(path: Path, names: list[str]) -> dict[str, int]:
    seen = {n.strip().lower().replace(" ", "_"): i for i, n in enumerate(names)}
    out, missing = {}, []
    for column, aliases in COLUMNS.items():
        index = next((seen[a] for a in aliases if a in seen), None)
        if index is None:
            missing.append(column)
        else:
            out[column] = index
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)} (the header needs "
                         f"{', '.join(COLUMNS)})", file=str(path), line=1)
    return out


def read_invoice_lines(path: Path) -> list[InvoiceLine]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=str(path)) from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise InputError("empty file (the header needs "
                         f"{', '.join(COLUMNS)})", file=str(path))
    index = _header(path, rows[0])
    out = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(column: str, row: list[str] = row, number: int = number) -> str:
            i = index[column]
            value = row[i].strip() if i < len(row) else ""
            if not value:
                raise InputError("empty", file=str(path), line=number, column=column)
            return value

        try:
            day = date.fromisoformat(cell("date"))
        except ValueError:
            raise InputError(f"{cell('date')!r} is not a date (YYYY-MM-DD)", file=str(path),
                             line=number, column="date") from None
        try:
            amount = Decimal(cell("amount"))
        except InvalidOperation:
            amount = Decimal("NaN")
        if not amount.is_finite():
            raise InputError(f"{cell('amount')!r} is not an amount (write -1250.00)",
                             file=str(path), line=number, column="amount")
        out.append(InvoiceLine(f"{path}:{number}", cell("invoice_number"), day,
                               cell("vendor"), cell("line_text"), amount))
    return out
