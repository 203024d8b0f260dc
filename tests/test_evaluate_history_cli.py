"""Money that depends on earlier months, through `slamon evaluate`: the command evaluates
the months before the one asked for, so rolling defaults (WE-10) and earn-back (WE-11)
come out as in penalty_formulas.md."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from monitor.cli import main
from tests.conftest import DATA

CONTRACT = DATA / "we10-we11-contract.yaml"


def month_file(tmp_path: Path, percents: Sequence[int], queue: str = "q-main") -> Path:
    """One 30-minute interval of `queue` on the 15th of each month from January 2026:
    100 answered, `percent` of them within 20 s, no abandons."""
    lines = ["queue,interval_start,interval_minutes,offered,answered,abandoned,"
             "answered_within_20s,abandoned_within_20s"]
    for index, percent in enumerate(percents):
        lines.append(f"{queue},2026-{index + 1:02d}-15T10:00:00-05:00,30,100,100,0,{percent},0")
    path = tmp_path / "months.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def evaluate_json(csv: Path, month: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code = main(["evaluate", "--contract", str(CONTRACT), "--intervals", str(csv),
                 "--period", month, "--as-of", "2026-12-31T00:00:00+00:00", "--json"])
    assert code == 0
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    return doc


def evaluate_month(csv: Path, month: str, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    doc = evaluate_json(csv, month, capsys)
    credits = {sla["id"]: sla["credit"] for sla in doc["slas"]}
    credits["total"] = doc["credit_total"]
    return credits


def earnback_lines(doc: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(origin, status, amount owed, amount held) of the earn-back SLA's lines."""
    return [(line["origin"], line["status"], line["amount"], line["held"])
            for line in doc["credit_lines"] if line["sla"] == "service-level-earnback"]


@pytest.mark.parametrize(("month", "default_credit"), [
    pytest.param("2026-01", "0.00", id="January's expected-level miss is the first: no credit"),
    pytest.param("2026-03", "0.00", id="March is the second miss in 12 months: no credit"),
    pytest.param("2026-04", "0.00", id="April is the third miss: still no credit"),
    pytest.param("2026-05", "36000.00",
                 id="May is the fourth miss in 12 months: an expected-level default, $36,000"),
    pytest.param("2026-06", "36000.00",
                 id="June at 74% is under the 75% minimum: a default at once, $36,000"),
])
def test_rolling_default_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         month: str, default_credit: str) -> None:
    csv = month_file(tmp_path, [79, 81, 78, 77, 79, 74])
    assert evaluate_month(csv, month, capsys)["service-level"] == default_credit


def test_a_credit_is_earned_back_after_three_good_months(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = month_file(tmp_path, [70, 82, 83, 80], queue="q-earnback")
    january = evaluate_json(csv, "2026-01", capsys)
    assert earnback_lines(january) == [("2026-01", "held", "0.00", "36000.00")]
    assert january["credit_total"] == "0.00"
    for month in ("2026-02", "2026-03"):
        assert evaluate_json(csv, month, capsys)["credit_total"] == "0.00"
    april = evaluate_json(csv, "2026-04", capsys)
    assert ("2026-01", "earned_back", "0.00", "0.00") in earnback_lines(april)
    assert april["credit_total"] == "0.00"


def test_a_held_credit_is_confirmed_when_a_window_month_misses(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = month_file(tmp_path, [70, 82, 79, 85], queue="q-earnback")
    assert evaluate_month(csv, "2026-02", capsys)["total"] == "0.00"
    march = evaluate_json(csv, "2026-03", capsys)
    assert march["credit_total"] == "36000.00"
    assert ("2026-01", "confirmed", "36000.00", "0.00") in earnback_lines(march)
    assert evaluate_month(csv, "2026-04", capsys)["total"] == "0.00"
