"""`slamon report` end to end: the shipped ACME contract and the October sample data.

Worked figures for examples/acme-2026-10-*.csv under contracts/acme-connect-2026.yaml:
- availability: October has 44,640 minutes (the DST change is on 1 November). Only the
  35-minute full voice outage on 7 October counts (the 18 October ccp outage is announced
  maintenance inside the Sunday window; the 27 October episode is degraded, not full), so
  (44,640 - 35) / 44,640 = 44,605 / 44,640 = 99.9216 %, below 99.99 % and at least 99 %:
  the 5 % tier of fees.platform 12,500.00 = 625.00.
- service level: 21,242 of 27,638 within 20 s = 76.86 %, a miss of the 80 % target but
  above the 75 % minimum: the first expected-level miss, no credit yet.
Total claimed 625.00 USD; claim deadline 31 October + 30 days = 30 November 2026.
"""

from __future__ import annotations

import csv
import json
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from monitor.cli import main
from monitor.reports.render import FORMATS
from tests.conftest import CONTRACTS, ROOT, require_binary

EXAMPLES = ROOT / "examples"
INTERVALS = EXAMPLES / "acme-2026-10-intervals.csv"
OUTAGES = EXAMPLES / "acme-2026-10-outages.csv"
AS_OF = "2026-11-05T00:00:00+00:00"


def report_args(out: Path, *extra: str, period: str = "2026-10",
                contract: str = "acme-connect-2026") -> list[str]:
    return ["report", "--contract", contract, "--contracts-dir", str(CONTRACTS),
            "--period", period, "--out", str(out), "--as-of", AS_OF, *extra]


FILES = ("--intervals", str(INTERVALS), "--outages", str(OUTAGES))


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reports")
    out = {}
    for fmt in FORMATS:
        path = folder / f"acme-2026-10.{fmt}"
        assert main(report_args(path, *FILES)) == 0
        out[fmt] = path
    return out


def test_all_five_formats_are_written(reports: dict[str, Path]) -> None:
    assert sorted(reports) == sorted(["xlsx", "csv", "html", "pdf", "json"])
    assert all(p.stat().st_size > 500 for p in reports.values())
    assert reports["pdf"].read_bytes().startswith(b"%PDF")
    assert reports["xlsx"].read_bytes().startswith(b"PK")  # a zip container


def test_the_workbook_holds_the_worked_figures(reports: dict[str, Path]) -> None:
    ws = load_workbook(BytesIO(reports["xlsx"].read_bytes()))["Summary"]
    top = 17  # below the key/value block (terms, claim-deadline and claim rows included)
    headers = [c.value for c in ws[top]]
    rows = {r[0]: dict(zip(headers, r, strict=False))
            for r in ws.iter_rows(min_row=top + 1, values_only=True) if r[0]}
    avail = rows["availability"]
    assert avail["Actual"] == pytest.approx(44605 / 44640)
    assert avail["Status"] == "breached"
    assert avail["Credit"] == 625
    sl = rows["service-level-voice"]
    assert sl["Actual"] == pytest.approx(21242 / 27638)
    assert sl["Credit"] == 0
    assert rows["Total claimed"]["Credit"] == 625
    evidence = load_workbook(BytesIO(reports["xlsx"].read_bytes()))["Evidence"]
    ev = {r[0]: r for r in evidence.iter_rows(min_row=2, values_only=True)}
    assert ev["availability"][3:5] == (44605, 44640)
    assert ev["service-level-voice"][3:5] == (21242, 27638)


def test_the_pdf_is_a_claim_for_625_dollars_by_30_november(reports: dict[str, Path]) -> None:
    pdftotext = require_binary("pdftotext")
    text = subprocess.run([pdftotext, "-layout", str(reports["pdf"]), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "acme-connect-2026" in text
    assert "$625.00" in text
    assert "30 November 2026" in text
    assert "44,605 ÷ 44,640 = 99.922%" in text
    assert "Schedule 3 s4.2 announced maintenance" in text


def test_csv_and_json_agree_on_the_money(reports: dict[str, Path]) -> None:
    rows = list(csv.DictReader(reports["csv"].open()))
    total = next(r for r in rows if r["row"] == "total")
    assert total["credit"] == "625.00"
    doc = json.loads(reports["json"].read_text())
    assert doc["credit_total"] == "625.00"
    assert doc["claim_deadline"] == "2026-11-30"
    assert next(s for s in doc["slas"] if s["id"] == "availability")["credit"] == "625.00"


def test_the_html_report_is_self_contained(reports: dict[str, Path]) -> None:
    html = reports["html"].read_text()
    assert "<style>" in html
    assert "$625.00" in html
    assert "src=" not in html  # no external resources


def test_the_format_follows_the_out_suffix_when_not_given(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    out = tmp_path / "claim.json"
    assert main(report_args(out, "--intervals", str(INTERVALS), "--history", "0")) == 0
    assert json.loads(out.read_text())["contract"] == "acme-connect-2026"
    assert capsys.readouterr().out.strip() == str(out)


# --- bad input: exit 1, a clear message, no file ----------------------------------------------


@pytest.mark.parametrize(
    ("extra", "period", "contract", "message"),
    [
        (FILES, "2026-10", "nope-2026", "nope-2026"),
        (FILES, "2025-12", "acme-connect-2026", "period 2025-12 lies outside contract"),
        (FILES, "2029-01", "acme-connect-2026", "period 2029-01 lies outside contract"),
        (FILES, "2026-11", "acme-connect-2026",
         "no interval or outage data for contract acme-connect-2026 in period 2026-11"),
        (FILES, "2026-13", "acme-connect-2026", "month must be 01..12"),
        (("--intervals", "missing.csv"), "2026-10", "acme-connect-2026", "missing.csv"),
    ],
    ids=["an unknown contract id is refused", "a period before the contract is refused",
         "a period after the contract is refused", "a period with no data is refused",
         "a malformed period is refused", "a missing data file is refused"],
)
def test_bad_input_exits_1_with_a_message_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: tuple[str, ...], period: str,
        contract: str, message: str) -> None:
    out = tmp_path / "claim.pdf"
    assert main(report_args(out, *extra, period=period, contract=contract)) == 1
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_failed_report_leaves_an_existing_file_alone(tmp_path: Path) -> None:
    out = tmp_path / "claim.xlsx"
    out.write_bytes(b"last month's report")
    assert main(report_args(out, *FILES, period="2026-11")) == 1
    assert out.read_bytes() == b"last month's report"
    assert list(tmp_path.iterdir()) == [out]


def test_an_unknown_out_suffix_without_format_is_refused(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    assert main(report_args(tmp_path / "claim.docx", *FILES)) == 1
    assert "give --format" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_no_data_source_is_a_usage_error(tmp_path: Path) -> None:
    assert main(report_args(tmp_path / "claim.pdf")) == 2


# --- from the database ------------------------------------------------------------------------


def test_a_database_report_carries_restatements_and_the_closed_status(tmp_path: Path) -> None:
    """October saved once it ended with only its first half in, then with the late second
    half: the store logs the service-level restatement of the ended period (83.76 % met ->
    76.86 % breached); closing the period makes it final."""
    from monitor.cases.model import Case, CaseState, EvidenceSummary, TimelineEntry, Trigger
    from monitor.cases.workflow import transition
    from monitor.domain.credits import credits_for
    from monitor.domain.evaluate import evaluate
    from monitor.domain.measurements import Measurements
    from monitor.domain.periods import period_for
    from monitor.interchange import read_intervals, read_outages
    from monitor.spec import find_contract
    from monitor.storage import Store
    from monitor.storage.cases_repository import StoreCaseRepository

    url = f"sqlite:///{tmp_path / 'slamon.db'}"
    contract = find_contract("acme-connect-2026", CONTRACTS)
    store = Store.open(url, check_revision=False)
    store.upgrade()
    frame = read_intervals(INTERVALS, contract)
    outages = read_outages(OUTAGES)
    store.ingest_intervals(contract, frame)
    store.ingest_outages(contract.id, outages)
    period = period_for(contract, "2026-10")
    for rows, at, reason in (
        (frame[frame["interval_start"] < "2026-10-15"], datetime(2026, 11, 1, 12, tzinfo=UTC),
         None),
        (frame, datetime(2026, 11, 2, tzinfo=UTC), "late data for 15-31 October"),
    ):
        evaluation = evaluate(contract, Measurements(rows, outages), period, at)
        store.save_evaluation(evaluation, credits_for(contract, [evaluation]), reason=reason,
                              at=at)
    store.close_period(contract.id, "2026-10", by="procurement",
                       at=datetime(2026, 11, 3, tzinfo=UTC))
    opened = Case(contract.id, "service-level-voice", "2026-10", Trigger.BREACH,
                  datetime(2026, 11, 2, tzinfo=UTC), CaseState.OPEN,
                  EvidenceSummary("breached", Decimal("0.7686"), Decimal("0.80"), "min"),
                  (TimelineEntry("open", None, CaseState.OPEN, "slamon",
                                 datetime(2026, 11, 2, tzinfo=UTC)),))
    StoreCaseRepository(store).save([opened, transition(
        opened, "acknowledge", "tam@vendor.example", datetime(2026, 11, 2, 15, tzinfo=UTC))])
    store.close()

    out = tmp_path / "db.xlsx"
    assert main(report_args(out, "--db", url)) == 0
    book = load_workbook(BytesIO(out.read_bytes()))
    restated = {r[1]: r for r in book["Restatements"].iter_rows(min_row=2, values_only=True)}
    sl = restated["service-level-voice"]
    assert sl[0] == "2026-10"
    assert sl[3] == "late data for 15-31 October"
    assert sl[5] == pytest.approx(21242 / 27638)
    assert sl[4] > 0.8  # met on the first half of the month
    ws = book["Summary"]
    block = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value
             for r in range(2, 13)}
    assert block["Evaluation status"] == "final"
    assert block["Total claimed"] == 625
    # the stored case and its timeline, times in New York (EST from 1 November)
    cases = [r[:8] for r in book["Cases"].iter_rows(min_row=2, values_only=True)]
    assert cases == [
        ("acme-connect-2026/service-level-voice/2026-10", "service-level-voice", "2026-10",
         "open", None, "open", "slamon", datetime(2026, 11, 1, 19)),
        ("acme-connect-2026/service-level-voice/2026-10", "service-level-voice", "2026-10",
         "acknowledge", "open", "acknowledged", "tam@vendor.example",
         datetime(2026, 11, 2, 10))]
