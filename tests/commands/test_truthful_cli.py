"""The command line tells the truth mid-month: `--as-of` cuts the data, an open month
that can still be met is not a breach, and a breach found outside `slamon run` opens its
case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.cli import main
from tests.conftest import ROOT

ACME = str(ROOT / "contracts" / "acme-connect-2026.yaml")
BILLING = "f8c742b9-b5ef-4948-8bbf-9a33c892023f"
HEADER = ("queue,interval_start,interval_minutes,offered,answered,abandoned,"
          "answered_within_20s,abandoned_within_20s\n")
OUTAGES = ROOT / "examples" / "acme-2026-10-outages.csv"


@pytest.fixture
def intervals(tmp_path: Path) -> Path:
    # 5 Oct (a Monday, business hours): 100 offered, 70 within 20 s -> 0.70, misses 0.80.
    # 20 Oct: 100 offered, all within 20 s. As of 15 Oct only the 5th has happened.
    path = tmp_path / "intervals.csv"
    path.write_text(HEADER
                    + f"{BILLING},2026-10-05T14:00:00Z,30,100,100,0,70,0\n"
                    + f"{BILLING},2026-10-20T14:00:00Z,30,100,100,0,100,0\n")
    return path


def sla_json(capsys: pytest.CaptureFixture[str], sla: str) -> dict[str, object]:
    doc = json.loads(capsys.readouterr().out)
    return next(s for s in doc["slas"] if s["id"] == sla)


def test_as_of_mid_month_counts_only_what_had_happened_and_is_at_risk(
        intervals: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["evaluate", "--contract", ACME, "--intervals", str(intervals), "--period",
            "2026-10", "--json", "--as-of", "2026-10-15T00:00:00-04:00"]
    assert main(argv) == 0
    sl = sla_json(capsys, "service-level-voice")
    assert sl["evidence"]["denominator"] == 100  # type: ignore[index]
    assert sl["value"] == 0.7
    assert sl["standing"] == "at_risk"
    assert str(sl["note"]).startswith("needs ")


def test_the_same_rows_after_the_month_are_170_of_200_and_met(
        intervals: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["evaluate", "--contract", ACME, "--intervals", str(intervals), "--period",
            "2026-10", "--json", "--as-of", "2026-11-02T00:00:00Z"]
    assert main(argv) == 0
    sl = sla_json(capsys, "service-level-voice")
    assert (sl["value"], sl["standing"], sl["needed"]) == (0.85, "met", None)


def test_an_at_risk_month_does_not_fail_on_breach_but_the_ended_month_does(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    only_the_5th = tmp_path / "fifth.csv"
    only_the_5th.write_text(HEADER + f"{BILLING},2026-10-05T14:00:00Z,30,100,100,0,70,0\n")
    base = ["evaluate", "--contract", ACME, "--intervals", str(only_the_5th), "--period",
            "2026-10", "--fail-on-breach"]
    assert main([*base, "--as-of", "2026-10-15T00:00:00-04:00"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines()
               if line.startswith("service-level-voice"))
    assert "at_risk" in row
    assert "<-- breach" not in row
    assert main([*base, "--as-of", "2026-11-02T00:00:00Z"]) == 3
    row = next(line for line in capsys.readouterr().out.splitlines()
               if line.startswith("service-level-voice"))
    assert "BREACHED" in row
    assert row.endswith("<-- breach")


@pytest.fixture
def db(store_url: str) -> str:
    assert main(["db", "upgrade", "--db", store_url]) == 0
    return store_url


def test_evaluate_save_and_close_open_the_case_for_a_breach(
        db: str, intervals: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The example's 35-minute voice outage on 7 October misses ACME's 99.99 % availability.
    assert main(["import", "intervals", str(intervals), "--contract", ACME, "--db", db]) == 0
    assert main(["import", "outages", str(OUTAGES), "--contract", ACME, "--db", db]) == 0
    assert main(["evaluate", "--contract", ACME, "--period", "2026-10", "--as-of",
                 "2026-11-02T00:00:00Z", "--save", "--db", db]) == 0
    capsys.readouterr()
    assert main(["cases", "list", "--db", db]) == 0
    listed = capsys.readouterr().out
    assert "acme-connect-2026/availability/2026-10" in listed
    # Idempotent: closing the same breached period opens no second case.
    assert main(["close", "--contract", ACME, "--period", "2026-10", "--by", "j.doe",
                 "--db", db]) == 0
    capsys.readouterr()
    assert main(["cases", "list", "--db", db]) == 0
    after = capsys.readouterr().out.splitlines()
    assert len(after) == len(listed.splitlines())
    # Nobody acknowledged it since 2 November: by now the sweep has escalated that case.
    assert [line.split("\t")[:2] for line in after
            if line.startswith("acme-connect-2026/availability/2026-10")] == [
        ["acme-connect-2026/availability/2026-10", "escalated"]]
