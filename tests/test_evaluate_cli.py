"""`slamon evaluate` end to end: worked examples through the CLI, bad input, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from monitor.cli import main
from tests.conftest import DATA, ROOT

CONTRACT = str(DATA / "icmi-contract.yaml")
ICMI_CSV = str(DATA / "icmi-2026-09-intervals.csv")
WE3_CSV = str(DATA / "we3-2026-09-intervals.csv")
AS_OF = "2026-10-01T12:00:00Z"


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code = main(["evaluate", "--contract", CONTRACT, "--period", "2026-09", "--as-of", AS_OF,
                 "--json", *args])
    out = capsys.readouterr().out
    assert code == 0, out
    doc: dict[str, Any] = json.loads(out)
    return doc


def by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in doc["slas"]}


def test_we1_service_level_variants_through_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    slas = by_id(run_json(capsys, "--intervals", ICMI_CSV))
    assert (slas["sl-positive"]["value"], slas["sl-positive"]["status"]) == (0.830189, "met")
    assert (slas["sl-negative"]["value"], slas["sl-negative"]["status"]) == (0.811321, "breached")
    assert (slas["sl-exclude-short"]["value"], slas["sl-exclude-short"]["status"]) == (
        0.819048, "breached")
    ev = slas["sl-positive"]["evidence"]
    assert (ev["numerator"], ev["denominator"], ev["intervals"], ev["formula"]) == (
        880, 1060, 1, "positive")


def test_we15_asa_and_abandon_rate_through_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    slas = by_id(run_json(capsys, "--intervals", ICMI_CSV))
    assert (slas["asa-answered"]["value"], slas["asa-answered"]["status"]) == (24.0, "met")
    assert (slas["asa-offered"]["value"], slas["asa-offered"]["status"]) == (22.641509, "breached")
    assert (slas["abandon-all"]["value"], slas["abandon-all"]["status"]) == (0.056604, "breached")
    assert (slas["abandon-no-short"]["value"], slas["abandon-no-short"]["status"]) == (
        0.047619, "met")


def test_we3_volume_weighted_and_interval_compliance_through_the_cli(
    capsys: pytest.CaptureFixture[str],
) -> None:
    slas = by_id(run_json(capsys, "--intervals", WE3_CSV))
    assert (slas["sl-80"]["value"], slas["sl-80"]["status"]) == (0.78, "breached")
    assert (slas["sl-80-intervals"]["value"], slas["sl-80-intervals"]["status"]) == (
        0.5, "breached")
    assert slas["sl-80"]["evidence"]["intervals"] == 4


def outages_csv(tmp_path: Path, minutes: int) -> str:
    path = tmp_path / "outages.csv"
    hours, mins = divmod(minutes, 60)
    end_day, end_hour = 10 + (10 + hours) // 24, (10 + hours) % 24
    path.write_text("service,start,end,impact\n"
                    f"voice,2026-09-10T10:00:00-04:00,2026-09-{end_day:02d}T{end_hour:02d}:"
                    f"{mins:02d}:00-04:00,full\n")
    return str(path)


@pytest.mark.parametrize(
    ("down", "value", "status"),
    [
        pytest.param(4, 0.999907, "met", id="4 min down is 99.99074% and met"),
        pytest.param(432, 0.99, "breached", id="432 min down is exactly 99.0%"),
        pytest.param(2200, 0.949074, "breached", id="2,200 min down is 94.90741%"),
    ],
)
def test_we4_uptime_through_the_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                    down: int, value: float, status: str) -> None:
    slas = by_id(run_json(capsys, "--intervals", ICMI_CSV, "--outages",
                          outages_csv(tmp_path, down)))
    assert (slas["availability"]["value"], slas["availability"]["status"]) == (value, status)
    ev = slas["availability"]["evidence"]
    assert (ev["numerator"], ev["denominator"]) == (43_200 - down, 43_200)


def test_we4_432_minutes_earns_the_5_percent_credit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    doc = run_json(capsys, "--intervals", ICMI_CSV, "--outages", outages_csv(tmp_path, 432))
    entry = by_id(doc)["availability"]
    assert entry["credit"] == "1000.00"
    assert entry["evidence"]["tier"] is not None
    assert "5%" in entry["evidence"]["tier"]


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        pytest.param("ICMI,2026-09-15T10:00:00-04:00,30,1060,1061,0,860,20,10,24000", "answered",
                     "answered > offered", id="answered above offered"),
        pytest.param("ICMI,2026-09-15T10:00:00,30,1060,1000,60,860,20,10,24000",
                     "interval_start", "has no UTC offset", id="a naive timestamp"),
        pytest.param("Sales,2026-09-15T10:00:00-04:00,30,1060,1000,60,860,20,10,24000", "queue",
                     "unknown queue 'Sales'", id="an unknown queue"),
        pytest.param("ICMI,2026-09-15T10:00:00-04:00,30,many,1000,60,860,20,10,24000", "offered",
                     "is not a non-negative whole number", id="a non-numeric count"),
    ],
)
def test_bad_input_exits_1_naming_file_line_and_column(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, line: str, column: str, message: str
) -> None:
    header = Path(ICMI_CSV).read_text().splitlines()[0]
    path = tmp_path / "bad.csv"
    path.write_text(f"{header}\n{line}\n")
    code = main(["evaluate", "--contract", CONTRACT, "--intervals", str(path),
                 "--period", "2026-09", "--as-of", AS_OF])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""  # nothing half-done: no partial table
    assert f"{path}:2: {column}: " in captured.err
    assert message in captured.err


def test_a_period_outside_the_contract_and_a_naive_as_of_exit_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["evaluate", "--contract", CONTRACT, "--intervals", ICMI_CSV,
                 "--period", "2027-01"]) == 1
    assert "lies outside contract icmi-worked-examples" in capsys.readouterr().err
    assert main(["evaluate", "--contract", CONTRACT, "--intervals", ICMI_CSV,
                 "--period", "2026-09", "--as-of", "2026-10-01T12:00:00"]) == 1
    assert "has no UTC offset" in capsys.readouterr().err


def test_fail_on_breach_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["evaluate", "--contract", CONTRACT, "--intervals", ICMI_CSV, "--period", "2026-09",
            "--as-of", AS_OF]
    assert main(args) == 0
    assert main([*args, "--fail-on-breach"]) == 3


def test_the_table_marks_breaches_in_words_when_not_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["evaluate", "--contract", CONTRACT, "--intervals", WE3_CSV, "--period", "2026-09",
          "--as-of", AS_OF])
    out = capsys.readouterr().out
    assert "\x1b[" not in out
    lines = {line.split()[0]: line for line in out.splitlines()[2:] if line.strip()}
    assert "78.0000%" in lines["sl-80"]
    assert "BREACHED" in lines["sl-80"]
    assert lines["sl-80"].endswith("<-- breach")
    assert "312/400 over 4 intervals" in lines["sl-80"]
    assert ">= 90.0000% of intervals >= 80.0000%" in lines["sl-80-intervals"]
    assert "insufficient_data" in lines["availability"]


def test_the_shipped_example_shows_the_story_it_tells(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["evaluate", "--contract", str(ROOT / "contracts/acme-connect-2026.yaml"),
                 "--intervals", str(ROOT / "examples/acme-2026-10-intervals.csv"),
                 "--outages", str(ROOT / "examples/acme-2026-10-outages.csv"),
                 "--period", "2026-10", "--as-of", "2026-11-02T00:00:00Z", "--json"])
    assert code == 0
    slas = by_id(json.loads(capsys.readouterr().out))
    # 35 minutes of voice outage in a 44,640-minute month; the Sunday maintenance and the
    # degraded episode do not count.
    assert slas["availability"]["evidence"]["numerator"] == 44_605
    assert slas["availability"]["status"] == "breached"
    # The understaffed week of 19 October pulls the month under 80 %.
    assert slas["service-level-voice"]["status"] == "breached"
    assert slas["service-level-voice"]["evidence"]["intervals"] == 544
    assert slas["abandon-rate"]["status"] == "met"
    assert slas["asa"]["evidence"]["formula"] == "answered"


def test_the_example_generator_reproduces_the_shipped_files(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "examples/make_sample.py"), str(tmp_path)],
                          capture_output=True, text=True, check=True)
    assert "wrote 544 interval rows" in proc.stdout
    for name in ("acme-2026-10-intervals.csv", "acme-2026-10-outages.csv"):
        assert (tmp_path / name).read_bytes() == (ROOT / "examples" / name).read_bytes()
