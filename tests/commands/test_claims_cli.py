"""`slamon claims` end to end on both databases: October 2026 of the shipped ACME contract
is evaluated from the example data, closed by a person (which drafts its claim), and the
claim is walked to credited and closed through the CLI, with the ledger to the cent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from monitor.cli import main
from monitor.reports.units import xlsx_money_format
from tests.conftest import ROOT

CONTRACTS = str(ROOT / "contracts")
CLAIM = "acme-connect-2026/2026-10"


def out(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> str:
    assert main(list(argv)) == code, capsys.readouterr()
    return capsys.readouterr().out


def as_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    return json.loads(out(capsys, *argv, "--json"))


@pytest.fixture
def closed_october(store_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    db = ["--db", store_url]
    out(capsys, "db", "upgrade", *db)
    out(capsys, "import", "intervals", str(ROOT / "examples/acme-2026-10-intervals.csv"),
        "--contract", "acme-connect-2026", "--contracts", CONTRACTS, *db)
    out(capsys, "import", "outages", str(ROOT / "examples/acme-2026-10-outages.csv"),
        "--contract", "acme-connect-2026", "--contracts", CONTRACTS, *db)
    out(capsys, "evaluate", "--contract", "acme-connect-2026", "--contracts", CONTRACTS,
        "--period", "2026-10", "--save", "--as-of", "2026-11-02T00:00:00+00:00", *db)
    assert out(capsys, "claims", "list", *db) == ""  # provisional: nothing to claim yet
    text = out(capsys, "close", "--contract", "acme-connect-2026", "--contracts", CONTRACTS,
               "--period", "2026-10", "--by", "j.doe", *db)
    # Availability 99.9216% < 99.99%: the 5% tier of the $12,500 platform fee = $625.00;
    # October's window: 30 days after 31 October = 30 November.
    assert (f"claim {CLAIM} drafted: 625.00 USD owed by aws, to submit by "
            "2026-11-30") in text
    return store_url


def test_a_claim_goes_from_draft_to_credited_and_the_ledger_adds_up(
        closed_october: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = ["--db", closed_october]
    steps = [
        ["submit", CLAIM, "--reference", "CLM-ACME-10", "--date", "2026-11-20"],
        ["acknowledge", CLAIM],
        ["dispute", CLAIM, "--reason", "maintenance overran by agreement"],
        ["accept", CLAIM, "--amount", "500.00", "--note", "settled on the QBR call"],
        ["credit", CLAIM, "--invoice", "INV-2026-12-0042", "--amount", "500.00",
         "--date", "2026-12-10"],
    ]
    for i, step in enumerate(steps):
        claim = as_json(capsys, "claims", *step, "--by", f"person{i}",
                        "--at", f"2026-12-0{i + 1}T10:00:00-05:00", *db)
    assert claim["state"] == "credited"
    assert [(e["action"], e["by"], e["at"]) for e in claim["events"][1:]] == [
        (s[0], f"person{i}", f"2026-12-0{i + 1}T15:00:00+00:00") for i, s in enumerate(steps)]
    assert claim["events"][4]["note"] == "settled on the QBR call"
    assert claim["events"][5]["fields"] == {"amount": "500.00", "date": "2026-12-10",
                                            "invoice_number": "INV-2026-12-0042"}
    # credited 500.00 of 625.00: 125.00 still outstanding until the claim is closed
    (row,) = as_json(capsys, "claims", "ledger", "--year", "2026", *db)
    assert row == {"vendor": "aws", "year": 2026, "currency": "USD",
                   "owed": "625.00", "claimed": "625.00", "accepted": "500.00",
                   "credited": "500.00", "written_off": "0.00", "outstanding": "125.00",
                   "claims": 1, "overdue": 0}
    out(capsys, "claims", "close", CLAIM, "--by", "j.doe", *db)
    (row,) = as_json(capsys, "claims", "ledger", *db)
    assert (row["credited"], row["written_off"], row["outstanding"]) == (
        "500.00", "125.00", "0.00")
    table = out(capsys, "claims", "ledger", *db)
    assert table.splitlines()[1].split() == [
        "aws", "2026", "USD", "625.00", "625.00", "500.00", "500.00", "125.00",
        "0.00", "0"]
    xlsx = tmp_path / "ledger.xlsx"
    out(capsys, "claims", "ledger", "--year", "2026", "--out", str(xlsx), *db)
    sheet = load_workbook(xlsx)["Ledger"]
    assert [c.value for c in sheet[2]] == ["aws", 2026, "USD", 625, 625, 500, 500, 125, 0,
                                           1, 0]
    assert sheet["D2"].number_format == xlsx_money_format("USD")
    assert main(["claims", "ledger", "--out", str(tmp_path / "ledger.pdf"), *db]) == 1
    assert "the ledger is written as .xlsx or .json" in capsys.readouterr().err
    shown = out(capsys, "claims", "show", CLAIM, *db)
    assert "[closed]" in shown
    assert "credit" in shown
    assert "by person4" in shown


def test_an_illegal_step_exits_1_with_the_reason_and_changes_nothing(
        closed_october: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", closed_october]
    before = as_json(capsys, "claims", "show", CLAIM, *db)
    assert main(["claims", "credit", CLAIM, "--invoice", "I", "--amount", "5", "--by", "x",
                 *db]) == 1
    assert (f"slamon: claim {CLAIM} is draft: cannot credit it (allowed: submit, writeoff)"
            in capsys.readouterr().err)
    out(capsys, "claims", "submit", CLAIM, "--reference", "R", "--by", "x", *db)
    assert main(["claims", "accept", CLAIM, "--amount", "625.001", "--by", "x", *db]) == 1
    assert "more decimals than USD allows (2)" in capsys.readouterr().err
    assert main(["claims", "show", "nope/2026-10", *db]) == 1
    assert "no claim 'nope/2026-10'" in capsys.readouterr().err
    after = as_json(capsys, "claims", "show", CLAIM, *db)
    assert after["state"] == "submitted"
    assert len(after["events"]) == len(before["events"]) + 1


def test_a_draft_past_its_window_is_flagged_overdue(
        closed_october: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", closed_october]
    assert "draft\t" in out(capsys, "claims", "list", "--today", "2026-11-30", *db)
    listed = out(capsys, "claims", "list", "--today", "2026-12-01", *db)
    assert f"{CLAIM}\tdraft OVERDUE\t625.00 USD\tdue 2026-11-30" in listed
    (claim,) = as_json(capsys, "claims", "list", "--overdue", "--today", "2026-12-03", *db)
    assert (claim["overdue"], claim["days_left"]) == (True, -3)
    assert as_json(capsys, "claims", "list", "--overdue", "--today", "2026-11-03", *db) == []
