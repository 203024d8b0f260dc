"""The claim's "Independent evidence" section in every format that lists spans, and the
/metrics families, from the worked October of tests/domain/test_reconcile.py."""

from __future__ import annotations

import io
import json
import subprocess
from datetime import UTC, datetime

from openpyxl import load_workbook

from monitor.domain.contract import Record
from monitor.exporter.from_results import snapshot_from_evaluations
from monitor.reports.html import render_html
from monitor.reports.json_report import render_json
from monitor.reports.model import ReportData
from monitor.reports.pdf import render_pdf
from monitor.reports.xlsx import render_xlsx
from tests.conftest import require_binary
from tests.domain.test_reconcile import evidence_contract, october

GENERATED = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def report() -> ReportData:
    return ReportData(evidence_contract(Record.WORST_OF), "2026-10", october(Record.WORST_OF),
                      None, GENERATED)


def test_html_lists_every_span_with_the_vendor_reference_in_the_contract_zone() -> None:
    html = render_html(report())
    assert "<h2>Independent evidence</h2>" in html
    assert ("the vendor reported 25 min of downtime; the independent checks observed 55 min, "
            "of which 45 min were not reported") in html
    assert "60 min had no probe data (counted neither up nor down)" in html
    assert "Measurement of record: worst of (70 min)" in html
    # 10:00Z on 5 October is 11:00 BST; INC-2 fell in the probe gap
    assert "<td>5 Oct 2026 11:00</td><td>5 Oct 2026 11:25</td>" in html
    assert "INC-1" in html
    assert "reported shorter by the vendor" in html
    assert "no probe data</td>" in html


def test_json_report_has_the_reconciliation_block() -> None:
    doc = json.loads(render_json(report()))
    (rec,) = doc["independent_evidence"]
    assert (rec["vendor_minutes"], rec["observed_minutes"], rec["unreported_minutes"],
            rec["unknown_minutes"], rec["record_minutes"]) == ("25", "55", "45", "60", "70")
    assert [s["vendor_ref"] for s in rec["unobserved_spans"]] == ["INC-2", "INC-3"]


def test_xlsx_has_a_sheet_of_spans() -> None:
    book = load_workbook(io.BytesIO(render_xlsx(report())))
    ws = book["Independent evidence"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert [(r[1], r[5], r[6], r[7]) for r in rows] == [
        ("observed", 25, 15, "INC-1"), ("observed", 30, 30, None),
        ("reported, not observed", 10, None, "INC-2"),
        ("reported, not observed", 5, None, "INC-3"),
        # worst_of counts every outage of both sources; each row names its source
        ("counted (of record: worst of)", 10, None, "INC-1"),
        ("counted (of record: worst of)", 25, None, None),
        ("counted (of record: worst of)", 10, None, "INC-2"),
        ("counted (of record: worst of)", 5, None, "INC-3"),
        ("counted (of record: worst of)", 30, None, None)]
    assert [r[8] for r in rows[4:]] == ["vendor", "independent checks", "vendor", "vendor",
                                        "independent checks"]
    assert rows[0][3] == datetime(2026, 10, 5, 11, 0)  # contract zone, BST


def test_pdf_carries_the_section() -> None:
    pdftotext = require_binary("pdftotext")
    text = subprocess.run([pdftotext, "-layout", "-", "-"], input=render_pdf(report()),
                          capture_output=True, check=True).stdout.decode()
    assert "Independent evidence" in text
    assert "INC-1" in text


def test_metrics_snapshot_carries_the_evidence_seconds() -> None:
    snap = snapshot_from_evaluations([evidence_contract(Record.WORST_OF)],
                                     [october(Record.WORST_OF)], {}, GENERATED)
    (sla,) = snap.slas
    assert sla.evidence == {"vendor_downtime_minutes": 1500.0,
                            "observed_downtime_minutes": 3300.0,
                            "unreported_downtime_minutes": 2700.0,
                            "unobserved_downtime_minutes": 900.0,
                            "unknown_evidence_minutes": 3600.0}
