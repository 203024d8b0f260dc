"""CSV, JSON, HTML and PDF renderings of the hand-built October report.

Figures come from `acme_october()` (tests/test_report_model.py): two breaches with credit
(availability 1,000.00, service level 1,440.00), lines of 2,440.00 capped to 2,400.00, a
missed key measurement, the termination right, deadline 30 November 2026.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
from dataclasses import replace
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from monitor.domain.contract import Status
from monitor.domain.results import CreditLine, PeriodCredits
from monitor.reports.csv_report import CSV_COLUMNS, render_csv
from monitor.reports.html import render_html
from monitor.reports.json_report import render_json
from monitor.reports.pdf import render_pdf
from monitor.reports.render import FORMATS, render, write_atomic
from tests.conftest import require_binary
from tests.test_report_model import acme_october, october_credits

D = Decimal


def csv_rows(data: Any = None) -> list[dict[str, str]]:
    text = render_csv(data or acme_october()).decode()
    return list(csv.DictReader(StringIO(text)))


# --- CSV ------------------------------------------------------------------------------------


def test_csv_has_one_row_per_sla_and_a_total_row() -> None:
    rows = csv_rows()
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [(r["row"], r["sla"]) for r in rows] == [
        ("sla", "availability"), ("sla", "service-level-voice"), ("sla", "abandon-rate"),
        ("sla", "asa"), ("sla", "csat"), ("total", "")]


def test_csv_money_is_a_decimal_string_and_the_total_is_capped() -> None:
    rows = {r["sla"]: r for r in csv_rows()}
    assert rows["availability"]["credit"] == "1000.00"
    assert rows["service-level-voice"]["credit"] == "1440.00"
    assert rows[""]["credit"] == "2400.00"
    assert rows["asa"]["credit"] == ""


def test_csv_figures_are_ratios_and_seconds_with_evidence() -> None:
    rows = {r["sla"]: r for r in csv_rows()}
    sl = rows["service-level-voice"]
    assert (sl["actual"], sl["target"], sl["status"]) == ("0.785", "0.80", "breached")
    assert (sl["numerator"], sl["denominator"], sl["intervals"]) == ("7850", "10000", "8")
    assert sl["exclusions"] == "storm-2026-10"
    assert rows["availability"]["actual"] == "0.99664"
    assert rows["asa"]["actual"] == "24.6"
    assert sl["claim_deadline"] == "2026-11-30"


def test_csv_lists_earlier_credits_settled_this_period() -> None:
    confirmed = CreditLine("service-level-voice", "2026-10", "USD", D("720.00"), D("720.00"),
                           "allocation", "confirmed", origin="2026-07")
    credits = october_credits()
    data = acme_october(credits=replace(credits, lines=(*credits.lines, confirmed)))
    earnback = [r for r in csv_rows(data) if r["row"] == "earnback"]
    assert len(earnback) == 1
    assert (earnback[0]["credit"], earnback[0]["formula"]) == ("720.00", "origin 2026-07")


# --- JSON -----------------------------------------------------------------------------------


def test_json_keeps_the_evaluate_keys_and_adds_the_claim() -> None:
    doc = json.loads(render_json(acme_october()))
    assert doc["contract"] == "acme-connect-2026"
    assert doc["period"] == {"label": "2026-10", "start": "2026-10-01T00:00:00-04:00",
                             "end": "2026-11-01T00:00:00-04:00"}
    assert doc["credit_total"] == "2400.00"
    assert doc["credit_cap"] == "2400.00"
    assert doc["claim_deadline"] == "2026-11-30"
    sl = next(s for s in doc["slas"] if s["id"] == "service-level-voice")
    assert (sl["value"], sl["target"], sl["status"], sl["credit"]) == (
        0.785, 0.8, "breached", "1440.00")
    assert sl["evidence"]["numerator"] == 7850
    assert sl["evidence"]["exclusions"][0]["id"] == "storm-2026-10"
    assert len(sl["evidence"]["per_interval"]) == 8
    assert sl["evidence"]["per_interval"][0]["interval_start"] == "2026-10-01T12:00:00+00:00"
    assert doc["chronic_failures"] == [{"sla": "any", "consequence": "termination_right",
                                        "periods": ["2026-09", "2026-10"],
                                        "raised_in": "2026-10"}]
    assert doc["restatements"][0]["new_credit"] == "1440.00"
    assert doc["cases"][0]["id"] == "PI-2026-014"


def test_json_scorecard_reports_periods_met_and_spread() -> None:
    card = json.loads(render_json(acme_october()))["scorecard"]
    assert card["periods"] == ["2026-08", "2026-09", "2026-10"]
    sl = next(s for s in card["slas"] if s["id"] == "service-level-voice")
    assert (sl["periods_met"], sl["periods_measured"], sl["trend"]) == (1, 3, "declining")
    assert sl["spread"]["median"] == pytest.approx(0.78)


# --- HTML -----------------------------------------------------------------------------------


def test_html_is_a_claim_with_amount_deadline_and_breaches() -> None:
    html = render_html(acme_october())
    assert "<title>Service credit claim – Amazon Connect for ACME Corp" in html
    assert "$2,400.00" in html
    assert "30 November 2026" in html
    assert "answered within 20s + abandoned within 20s / offered (F1)" in html
    assert "7,850 ÷ 10,000 = 78.50%" in html
    assert "Right to terminate for chronic failure" in html
    assert "@page" in html  # print CSS inlined, not escaped
    assert "&#34;" not in html.split("</style>")[0]


def test_html_escapes_text_from_contracts() -> None:
    data = acme_october()
    data = acme_october(contract=replace(data.contract, name="Acme <Corp> & Sons"))
    html = render_html(data)
    assert "Acme &lt;Corp&gt; &amp; Sons" in html
    assert "<Corp>" not in html


def test_a_period_with_no_breach_says_nothing_is_claimed() -> None:
    data = acme_october()
    met = tuple(replace(r, status=Status.MET) for r in data.evaluation.results)
    data = acme_october(evaluation=replace(data.evaluation, results=met),
                        credits=PeriodCredits("2026-10", "USD", (), D("0.00"), None))
    html = render_html(data)
    assert "no credit is claimed" in html
    assert "$0.00" in html


# --- PDF ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    pdftotext = require_binary("pdftotext")
    path = tmp_path_factory.mktemp("pdf") / "claim.pdf"
    path.write_bytes(render_pdf(acme_october()))
    done = subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True)
    return done.stdout


@pytest.fixture(scope="module")
def pdf_pages(tmp_path_factory: pytest.TempPathFactory) -> int:
    pdfinfo = require_binary("pdfinfo")
    path = tmp_path_factory.mktemp("pdf") / "claim.pdf"
    path.write_bytes(render_pdf(acme_october()))
    out = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True, check=True)
    return int(next(line.split()[-1] for line in out.stdout.splitlines()
                    if line.startswith("Pages:")))


@pytest.mark.parametrize(
    "expected",
    [
        "SERVICE CREDIT CLAIM",
        "AMOUNT CLAIMED",
        "Amazon Connect for ACME Corp - MSA Schedule 3",
        "acme-connect-2026",
        "2026-10 (1 October 2026 – 31 October 2026, America/New_York)",
        "$2,400.00",
        "30 November 2026",
        "Breached",
        "7,850 ÷ 10,000 = 78.50%",
        "1.500 percentage points",
        "Force majeure, approved by procurement on 2026-10-20",
        "Right to terminate for chronic failure",
        "None: a key measurement, reported but never credited",
        "Page 1 of",
    ],
    ids=["it says what it is", "it has an amount-claimed box", "it names the contract",
         "it gives the contract id",
         "it gives the period and zone", "it shows the amount claimed",
         "it shows the claim deadline", "it marks breaches",
         "it shows each breach's computation", "it shows the shortfall",
         "it gives exclusion reasons", "it names open chronic consequences",
         "it says key measurements carry no credit", "pages are numbered"],
)
def test_pdf_text_carries_the_claim(pdf_text: str, expected: str) -> None:
    assert expected in pdf_text


def test_pdf_summary_row_reads_target_actual_status_credit(pdf_text: str) -> None:
    assert re.search(r"availability .*99\.990%\s+99\.664%\s+Breached\s+\$1,000\.00", pdf_text)
    assert re.search(r"asa .*30\.0 s\s+24\.6 s\s+Met\s+—", pdf_text)


def test_pdf_is_one_to_three_pages(pdf_pages: int) -> None:
    assert 1 <= pdf_pages <= 3


# --- render and write -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS, ids=[f"{f} renders" for f in FORMATS])
def test_every_format_renders_non_empty_bytes(fmt: str) -> None:
    assert len(render(acme_october(), fmt)) > 500


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown report format 'docx'"):
        render(acme_october(), "docx")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    out = tmp_path / "claim.csv"
    out.write_text("old")

    with pytest.raises(TypeError):
        write_atomic("not bytes", out)  # type: ignore[arg-type]
    assert out.read_text() == "old"
    assert list(tmp_path.iterdir()) == [out]
    write_atomic(b"new", out)
    assert out.read_bytes() == b"new"
    assert list(tmp_path.iterdir()) == [out]


# --- earn-back --------------------------------------------------------------------------------


def held_october() -> Any:
    """Service level's 1,440.00 held for earn-back; July's held 720.00 confirmed now:
    claimed = availability 1,000.00 + confirmed 720.00 = 1,720.00."""
    credits = october_credits()
    held = replace(credits.lines[1], amount=D("0.00"), held=D("1440.00"), status="held",
                   explanation="60% of 2,400.00; held for earn-back over the next 3 periods")
    confirmed = CreditLine("service-level-voice", "2026-10", "USD", D("720.00"), D("720.00"),
                           "allocation", "confirmed", origin="2026-07",
                           explanation="July credit not earned back")
    return acme_october(credits=replace(
        credits, lines=(credits.lines[0], held, credits.lines[2], confirmed),
        total=D("1720.00"), held=D("1440.00"), confirmed=D("720.00")))


def test_held_credits_are_shown_but_not_claimed() -> None:
    html = render_html(held_october())
    assert "$1,720.00" in html
    assert "a further $1,440.00 is held for earn-back" in html
    assert "Earn-back of 2026-07: July credit not earned back" in html
    rows = csv_rows(held_october())
    sl = next(r for r in rows if r["sla"] == "service-level-voice" and r["row"] == "sla")
    assert (sl["credit"], sl["credit_held"], sl["credit_status"]) == ("0.00", "1440.00", "held")
    total = next(r for r in rows if r["row"] == "total")
    assert (total["credit"], total["credit_held"]) == ("1720.00", "1440.00")
    doc = json.loads(render_json(held_october()))
    assert doc["credit_held"] == "1440.00"
    assert doc["earnback_lines"][0]["origin"] == "2026-07"


def test_a_period_with_nothing_owed_is_titled_a_report_not_a_claim() -> None:
    data = acme_october(credits=PeriodCredits("2026-10", "USD", (), D("0.00"), None))
    assert "<title>Service level report – " in render_html(data)
    assert "<title>Service credit claim – " in render_html(acme_october())
