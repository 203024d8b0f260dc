"""The procurement workbook: summary, evidence, intervals, exclusions, restatements, cases,
scorecard, trend and consistency (per queue and site).

Every figure is a number cell (ratios carry a percentage format, seconds a "s" format,
money the contract currency's format), so an analyst can sum, filter and chart without
re-typing. Each sheet is one flat table with a bold, frozen header row and an autofilter;
the summary sheet opens with a small key/value block (contract, period, total claimed,
claim deadline) above its table. Times are wall-clock in the contract's zone (Excel has no
time zones); the header says which zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from monitor.reports import evidence
from monitor.reports.cases_view import case_views
from monitor.reports.model import ReportData
from monitor.reports.scorecard import Scorecard, build_scorecard
from monitor.reports.units import xlsx_money_format, xlsx_value_format
from monitor.reports.xlsx_consistency import consistency_sheet

SUMMARY_COLUMNS: tuple[str, ...] = (
    "SLA", "Metric", "Target", "Actual", "Actual before exclusions", "Status", "Credit",
    "Held for earn-back", "Tier", "Credit status", "Mechanism", "Explanation", "Note",
)
EVIDENCE_COLUMNS: tuple[str, ...] = (
    "SLA", "Metric", "Formula", "Numerator", "Denominator", "Value", "Intervals",
    "Measured minutes", "Excluded minutes", "Exclusions applied",
)
EXCLUSION_COLUMNS: tuple[str, ...] = (
    "SLA", "Exclusion", "Reason", "Start", "End", "Minutes excluded",
)
RESTATEMENT_COLUMNS: tuple[str, ...] = (
    "Period", "SLA", "Restated at", "Reason", "Old value", "New value", "Old credit",
    "New credit", "Credit change",
)
SCORECARD_COLUMNS: tuple[str, ...] = (
    "SLA", "Metric", "Periods measured", "Periods met", "Trend", "Slope per period",
    "Interval p10", "Interval p25", "Interval median", "Interval p75", "Interval p90",
    "Interval IQR", "Interval p10-p90", "Share of intervals meeting target", "Credits",
)
CASE_COLUMNS: tuple[str, ...] = (
    "Case", "SLA", "Period", "Action", "From", "To", "Who", "When", "Note", "Current state",
    "Opened", "Acknowledge by", "RCA by", "Escalate at",
)
TREND_COLUMNS: tuple[str, ...] = (
    "SLA", "Period", "Value", "Target", "Status", "Credit", "Interval p10", "Interval median",
    "Interval p90", "Share of intervals meeting target",
)

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DCE3EC")
_PCT = "0.0%"


def render_xlsx(data: ReportData) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Summary"
    _summary(summary, data)
    _evidence(workbook.create_sheet("Evidence"), data)
    _intervals(workbook.create_sheet("Intervals"), data)
    _exclusions(workbook.create_sheet("Exclusions"), data)
    _restatements(workbook.create_sheet("Restatements"), data)
    _cases(workbook.create_sheet("Cases"), data)
    if evidence.reconciliations(data.evaluation.results):  # only where a check is set up
        _independent(workbook.create_sheet("Independent evidence"), data)
    card = build_scorecard(data)
    _scorecard(workbook.create_sheet("Scorecard"), card, data)
    _trend(workbook.create_sheet("Trend"), card, data)
    consistency_sheet(workbook.create_sheet("Consistency"), card, _header, _put, _finish)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- helpers -------------------------------------------------------------------------------


def _local(data: ReportData, moment: datetime) -> datetime:
    return moment.astimezone(data.contract.tz).replace(tzinfo=None)


def _header(ws: Worksheet, row: int, columns: Sequence[str]) -> None:
    for col, name in enumerate(columns, start=1):
        cell = ws.cell(row=row, column=col, value=name)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _finish(ws: Worksheet, header_row: int, columns: int, widths: Sequence[int]) -> None:
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    last = max(ws.max_row, header_row)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(columns)}{last}"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _put(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    if fmt is not None and value is not None:
        cell.number_format = fmt


# --- sheets --------------------------------------------------------------------------------


def summary_header_row(data: ReportData) -> int:
    """Row of the summary table's header (below the key/value block); tests use it."""
    return 17


def _summary(ws: Worksheet, data: ReportData) -> None:
    money = xlsx_money_format(data.currency)
    c = data.contract
    period = data.evaluation.period
    block: list[tuple[str, Any, str | None]] = [
        ("Contract", c.id, None),
        ("Contract name", c.name, None),
        ("Vendor", data.vendor_text, None),
        ("Terms", data.revision_text, None),
        ("Period", data.period, None),
        ("Period start", _local(data, period.start), "yyyy-mm-dd hh:mm"),
        ("Period end (exclusive)", _local(data, period.end), "yyyy-mm-dd hh:mm"),
        ("Evaluation status", data.evaluation.status, None),
        ("Currency", data.currency, None),
        ("Total claimed", data.total_claimed, money),
        ("Claim deadline", data.claim_deadline, "yyyy-mm-dd"),
        ("Claim deadline passed", data.deadline_note or "no", None),
        ("Generated at", _local(data, data.generated_at), "yyyy-mm-dd hh:mm"),
        ("Claim status", data.claim_state or "no claim stored", None),
        ("Claim notice", data.claim_notice or "", None),
    ]
    ws.cell(row=1, column=1, value="Service credit report").font = Font(bold=True, size=14)
    for i, (key, value, fmt) in enumerate(block, start=2):
        ws.cell(row=i, column=1, value=key).font = _BOLD
        _put(ws, i, 2, value, fmt)
    top = summary_header_row(data)
    _header(ws, top, SUMMARY_COLUMNS)
    row = top
    for result in data.evaluation.results:
        row += 1
        line = data.credit_line(result.sla_id)
        vfmt = xlsx_value_format(result.metric)
        tier = (line.tier if line is not None else None) or result.evidence.tier
        values: list[tuple[Any, str | None]] = [
            (result.sla_id, None),
            (result.metric, None),
            (result.target.value, vfmt),
            (result.value, vfmt),
            (result.raw_value, vfmt),
            (data.standing(result), None),
            (line.amount if line is not None else None, money),
            (line.held if line is not None and line.held else None, money),
            (tier, None),
            (line.status if line is not None else None, None),
            (line.mechanism if line is not None else None, None),
            (line.explanation if line is not None else None, None),
            (data.note(result) or None, None),
        ]
        for col, (value, fmt) in enumerate(values, start=1):
            _put(ws, row, col, value, fmt)
    for line in data.resolution_lines():
        row += 1
        values = [(line.sla_id, None), (f"earn-back of {line.origin}", None)] + [
            (None, None)] * 3 + [(line.status, None), (line.amount, money), (None, None),
                                 (line.tier, None), (line.status, None),
                                 (line.mechanism, None), (line.explanation, None)]
        for col, (value, fmt) in enumerate(values, start=1):
            _put(ws, row, col, value, fmt)
    table_end = row
    row += 1
    ws.cell(row=row, column=1, value="Total claimed").font = _BOLD
    _put(ws, row, 7, data.total_claimed, money)
    ws.cell(row=row, column=7).font = _BOLD
    if data.held:
        row += 1
        ws.cell(row=row, column=1, value="Held for earn-back (not claimed now)")
        _put(ws, row, 8, data.held, money)
    if data.credits is not None and data.credits.cap is not None:
        row += 1
        ws.cell(row=row, column=1, value="Monthly cap")
        _put(ws, row, 7, data.credits.cap, money)
    chronic = data.open_chronic()
    if chronic:
        row += 2
        ws.cell(row=row, column=1, value="Chronic-failure consequences").font = _BOLD
        for cf in chronic:
            row += 1
            ws.cell(row=row, column=1, value=cf.rule_sla)
            ws.cell(row=row, column=2, value=cf.consequence)
            ws.cell(row=row, column=3, value=", ".join(cf.periods))
    _finish(ws, top, len(SUMMARY_COLUMNS), (26, 16, 11, 11, 13, 14, 14, 14, 12, 13, 12, 60))
    ws.auto_filter.ref = f"A{top}:{get_column_letter(len(SUMMARY_COLUMNS))}{table_end}"
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 22


def _evidence(ws: Worksheet, data: ReportData) -> None:
    _header(ws, 1, EVIDENCE_COLUMNS)
    for row, r in enumerate(data.evaluation.results, start=2):
        ev = r.evidence
        applied = "; ".join(f"{x.exclusion_id}: {x.reason}" for x in ev.exclusions)
        values: list[tuple[Any, str | None]] = [
            (r.sla_id, None), (r.metric, None), (ev.formula, None),
            (ev.numerator, "#,##0.##"), (ev.denominator, "#,##0.##"),
            (r.value, xlsx_value_format(r.metric)), (ev.intervals, "0"),
            (ev.measured_minutes, "#,##0.##"), (ev.excluded_minutes, "#,##0.##"),
            (applied or None, None),
        ]
        for col, (value, fmt) in enumerate(values, start=1):
            _put(ws, row, col, value, fmt)
    _finish(ws, 1, len(EVIDENCE_COLUMNS), (26, 16, 30, 12, 12, 11, 10, 12, 12, 60))


def _independent(ws: Worksheet, data: ReportData) -> None:
    """Every observed span and every reported span nobody observed, in the contract zone."""
    _header(ws, 1, evidence.HEADINGS)
    for row, values in enumerate(evidence.rows(data.evaluation.results), start=2):
        for col, value in enumerate(values, start=1):
            fmt = "yyyy-mm-dd hh:mm:ss" if isinstance(value, datetime) else None
            _put(ws, row, col, _cell_value(value, data), fmt)
    _finish(ws, 1, len(evidence.HEADINGS), (22, 22, 18, 20, 20, 10, 12, 18, 30, 20))


def _cell_value(value: Any, data: ReportData) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return _local(data, value) if value.tzinfo is not None else value
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item") and not isinstance(value, (str, Decimal)):
        return value.item()  # numpy scalar -> Python
    if isinstance(value, (int, float, Decimal, str, bool)):
        return value
    return str(value)


def _intervals(ws: Worksheet, data: ReportData) -> None:
    """One long table: every SLA's per-interval numbers, SLA id in the first column."""
    frames = [
        (r.sla_id, r.evidence.per_interval)
        for r in data.evaluation.results
        if r.evidence.per_interval is not None and not r.evidence.per_interval.empty
    ]
    columns: list[str] = []
    for _, frame in frames:
        for name in frame.columns:
            if str(name) not in columns:
                columns.append(str(name))
    tzname = str(data.contract.tz)
    headers = ["SLA"] + [
        f"{c} ({tzname})" if c in _datetime_columns(frames) else c for c in columns
    ]
    _header(ws, 1, headers)
    row = 1
    for sla_id, frame in frames:
        metric = data.evaluation.result(sla_id).metric
        records = frame.to_dict(orient="records")
        for record in records:
            row += 1
            ws.cell(row=row, column=1, value=sla_id)
            for col, name in enumerate(columns, start=2):
                value = _cell_value(record.get(name), data)
                fmt = None
                if isinstance(value, datetime):
                    fmt = "yyyy-mm-dd hh:mm"
                elif name == "value":
                    fmt = xlsx_value_format(metric)
                _put(ws, row, col, value, fmt)
    _finish(ws, 1, len(headers), [26] + [18] * len(columns))


def _datetime_columns(frames: Sequence[tuple[str, pd.DataFrame]]) -> set[str]:
    out: set[str] = set()
    for _, frame in frames:
        for name in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[name]):
                out.add(str(name))
    return out


def _exclusions(ws: Worksheet, data: ReportData) -> None:
    tzname = str(data.contract.tz)
    headers = list(EXCLUSION_COLUMNS)
    headers[3], headers[4] = f"Start ({tzname})", f"End ({tzname})"
    _header(ws, 1, headers)
    row = 1
    for r in data.evaluation.results:
        for x in r.evidence.exclusions:
            row += 1
            values: list[tuple[Any, str | None]] = [
                (r.sla_id, None), (x.exclusion_id, None), (x.reason, None),
                (_local(data, x.start), "yyyy-mm-dd hh:mm"),
                (_local(data, x.end), "yyyy-mm-dd hh:mm"), (x.minutes, "#,##0.##"),
            ]
            for col, (value, fmt) in enumerate(values, start=1):
                _put(ws, row, col, value, fmt)
    _finish(ws, 1, len(headers), (26, 24, 60, 18, 18, 14))


def _restatements(ws: Worksheet, data: ReportData) -> None:
    money = xlsx_money_format(data.currency)
    _header(ws, 1, RESTATEMENT_COLUMNS)
    for row, rs in enumerate(data.restatements, start=2):
        sla = data.sla(rs.sla_id)
        vfmt = xlsx_value_format(sla.metric.value) if sla is not None else None
        change = None
        if rs.old_credit is not None and rs.new_credit is not None:
            change = rs.new_credit - rs.old_credit
        values: list[tuple[Any, str | None]] = [
            (rs.period, None), (rs.sla_id, None),
            (_local(data, rs.restated_at), "yyyy-mm-dd hh:mm"), (rs.reason, None),
            (rs.old_value, vfmt), (rs.new_value, vfmt), (rs.old_credit, money),
            (rs.new_credit, money), (change, money),
        ]
        for col, (value, fmt) in enumerate(values, start=1):
            _put(ws, row, col, value, fmt)
    _finish(ws, 1, len(RESTATEMENT_COLUMNS), (10, 26, 18, 50, 11, 11, 13, 13, 13))


def _cases(ws: Worksheet, data: ReportData) -> None:
    """One row per timeline entry, oldest first within each case; the case's current state
    and due dates repeat on each row so a filter on one action keeps them. A case known
    only by reference (no timeline) gets one row with the action left empty."""
    when = "yyyy-mm-dd hh:mm"
    tzname = str(data.contract.tz)
    zoned = {"When", "Opened", "Acknowledge by", "RCA by", "Escalate at"}
    headers = [f"{h} ({tzname})" if h in zoned else h for h in CASE_COLUMNS]
    _header(ws, 1, headers)
    row = 1
    for case in case_views(data):
        tail: list[tuple[Any, str | None]] = [
            (case.state, None),
            *((None if t is None else t.replace(tzinfo=None), when)
              for t in (case.opened_at, case.acknowledge_by, case.rca_by, case.escalate_at)),
        ]
        steps: list[list[tuple[Any, str | None]]] = [
            [(s.action, None), (s.from_state or None, None), (s.to_state, None),
             (s.who, None), (s.at.replace(tzinfo=None), when), (s.note or None, None)]
            for s in case.steps] or [[(None, None)] * 6]
        for step in steps:
            row += 1
            values = [(case.case_id, None), (case.sla_id, None), (case.period, None),
                      *step, *tail]
            for col, (value, fmt) in enumerate(values, start=1):
                _put(ws, row, col, value, fmt)
    _finish(ws, 1, len(headers), (40, 24, 9, 12, 13, 13, 24, 17, 40, 13, 17, 17, 17, 17))


def _scorecard(ws: Worksheet, card: Scorecard, data: ReportData) -> None:
    money = xlsx_money_format(data.currency)
    _header(ws, 1, SCORECARD_COLUMNS)
    for row, s in enumerate(card.slas, start=2):
        vfmt = xlsx_value_format(s.metric)
        sp = s.spread
        values: list[tuple[Any, str | None]] = [
            (s.sla_id, None), (s.metric, None), (s.periods_measured, "0"),
            (s.periods_met, "0"), (s.trend, None), (s.slope, vfmt),
            (sp.p10 if sp else None, vfmt), (sp.p25 if sp else None, vfmt),
            (sp.median if sp else None, vfmt), (sp.p75 if sp else None, vfmt),
            (sp.p90 if sp else None, vfmt), (sp.iqr if sp else None, vfmt),
            (sp.p10_p90 if sp else None, vfmt),
            (sp.share_meeting_target if sp else None, _PCT), (s.credits, money),
        ]
        for col, (value, fmt) in enumerate(values, start=1):
            _put(ws, row, col, value, fmt)
    _finish(ws, 1, len(SCORECARD_COLUMNS), [26, 16] + [11] * 12 + [13])


def _trend(ws: Worksheet, card: Scorecard, data: ReportData) -> None:
    money = xlsx_money_format(data.currency)
    _header(ws, 1, TREND_COLUMNS)
    row = 1
    for s in card.slas:
        vfmt = xlsx_value_format(s.metric)
        for p in s.points:
            row += 1
            sp = p.spread
            values: list[tuple[Any, str | None]] = [
                (s.sla_id, None), (p.period, None), (p.value, vfmt), (p.target, vfmt),
                (p.status, None), (p.credit, money), (sp.p10 if sp else None, vfmt),
                (sp.median if sp else None, vfmt), (sp.p90 if sp else None, vfmt),
                (sp.share_meeting_target if sp else None, _PCT),
            ]
            for col, (value, fmt) in enumerate(values, start=1):
                _put(ws, row, col, value, fmt)
    _finish(ws, 1, len(TREND_COLUMNS), [26, 10] + [12] * 8)
