"""Bad input on the command line: one clear line naming the file, line or flag, exit 1,
no traceback, no half-written output and nothing changed (a newcomer's QA pass)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.cli import main
from tests.conftest import ROOT

ACME = str(ROOT / "contracts" / "acme-connect-2026.yaml")
INTERVALS = str(ROOT / "examples" / "acme-2026-10-intervals.csv")
OUTAGES = str(ROOT / "examples" / "acme-2026-10-outages.csv")
EVALUATE = ["evaluate", "--contract", ACME, "--intervals", INTERVALS, "--period", "2026-10"]


def test_a_database_url_that_is_not_a_url_is_one_line_without_echoing_it(
        capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["db", "current", "--db", "s3cret-not-a-url"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("slamon: the database URL (--db or SLAMON_DATABASE_URL) is not a URL")
    assert "s3cret" not in err  # the text may be a mistyped URL with a password in it


@pytest.mark.parametrize(("flag", "value"), [
    pytest.param("--as-of", "2026-11-01T00:00:00", id="an instant without an offset"),
    pytest.param("--as-of", "yesterday", id="a word instead of an instant"),
])
def test_a_bad_flag_value_names_the_flag(
        capsys: pytest.CaptureFixture[str], flag: str, value: str) -> None:
    assert main([*EVALUATE, flag, value]) == 1
    assert capsys.readouterr().err.startswith(f"slamon: {flag}: '{value}' ")


def test_a_bad_period_names_the_period(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*EVALUATE[:-1], "2026-13"]) == 1
    assert capsys.readouterr().err == "slamon: period: '2026-13': month must be 01..12\n"


def test_a_report_out_that_is_a_directory_is_refused_and_nothing_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "claim.pdf"
    target.mkdir()
    code = main(["report", "--contract", ACME, "--period", "2026-10", "--intervals", INTERVALS,
                 "--outages", OUTAGES, "--out", str(target)])
    assert code == 1
    assert capsys.readouterr().err == (
        f"slamon: --out: {str(target)!r} is a directory; name the report file\n")
    assert [p.name for p in tmp_path.iterdir()] == ["claim.pdf"]  # no temporary left over


def test_alert_rules_into_a_path_that_is_a_file_are_refused_and_the_file_is_kept(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "alerts"
    target.write_text("mine\n")
    assert main(["alerts", "generate", "--contracts", ACME, "--out", str(target)]) == 1
    assert capsys.readouterr().err == (
        f"slamon: --out: {str(target)!r} is a file, not a directory\n")
    assert target.read_text() == "mine\n"


def test_serving_metrics_on_a_port_in_use_is_one_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve-metrics", "--contracts", ACME, "--no-db", "--port", str(port)])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"slamon: --addr/--port: cannot listen on 127.0.0.1:{port}: ")
    assert err.count("\n") == 1


def test_a_malformed_sent_log_names_file_and_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "sent.jsonl"
    log.write_text("\n{bad\n")
    assert main(["notifications", "--log", str(log)]) == 1
    assert capsys.readouterr().err.startswith(f"slamon: {log}:2: not a sent-log record: ")


def test_a_sent_log_that_does_not_exist_is_an_error_not_an_empty_list(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "typo.jsonl"
    assert main(["notifications", "--log", str(log)]) == 1
    assert capsys.readouterr().err == f"slamon: --log: {str(log)!r}: no such file\n"
    assert not log.exists()


def test_closing_an_unsaved_period_says_to_evaluate_with_save(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'slamon.db'}"
    assert main(["db", "upgrade", "--db", url]) == 0
    assert main(["import", "intervals", INTERVALS, "--contract", ACME, "--db", url]) == 0
    assert main(["evaluate", "--contract", ACME, "--period", "2026-10", "--db", url]) == 0
    capsys.readouterr()
    close = ["close", "--contract", ACME, "--period", "2026-10", "--by", "j.doe", "--db", url]
    assert main(close) == 1
    assert "`slamon evaluate --save`" in capsys.readouterr().err
    assert main(["evaluate", "--contract", ACME, "--period", "2026-10", "--db", url,
                 "--save"]) == 0
    assert main(close) == 0  # what the README's sequence now does


def test_validating_a_missing_path_counts_it_as_the_one_bad_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == "1 error and 0 warnings in 1 of 1 file"


def test_a_reader_that_closes_the_pipe_early_gets_no_traceback() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "monitor.cli", *EVALUATE, "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.close()  # like `| head`, gone before the first write
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 1
    assert "Traceback" not in err


HEADER = (ROOT / "examples" / "acme-2026-10-intervals.csv").read_text().splitlines()[0]
BILLING_ROW = ("f8c742b9-b5ef-4948-8bbf-9a33c892023f,voice,2026-10-01T12:00:00Z,30,38,38,0,32,0,0,"
               "598,0,0,0,0,1")
OUTAGE_HEADER = "service,start,end,impact,affected_fraction,excluded"
OUTAGE_ROW = "voice,2026-10-07T14:02:00-04:00,2026-10-07T14:37:00-04:00,full,1,false"


@pytest.mark.parametrize(("kind", "text"), [
    pytest.param("intervals", f"{HEADER}\n{BILLING_ROW}\n{BILLING_ROW},surplus\n",
                 id="an interval row with one field too many"),
    pytest.param("outages", f"{OUTAGE_HEADER}\n{OUTAGE_ROW}\n{OUTAGE_ROW},surplus\n",
                 id="an outage row with one field too many"),
])
def test_a_row_longer_than_the_header_names_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, text: str) -> None:
    path = tmp_path / f"{kind}.csv"
    path.write_text(text)
    fields = len(text.splitlines()[0].split(","))
    args = (["import", "intervals", str(path), "--contract", ACME] if kind == "intervals"
            else ["import", "outages", str(path), "--all-contracts"])
    url = f"sqlite:///{tmp_path / 'slamon.db'}"
    assert main(["db", "upgrade", "--db", url]) == 0
    capsys.readouterr()
    assert main([*args, "--db", url]) == 1
    assert capsys.readouterr().err == (
        f"slamon: {path}:3: {fields + 1} fields where the header has {fields}\n")


def test_an_outage_file_that_is_not_text_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "outages.csv"
    path.write_bytes(b"\xff\xfe not utf-8")
    assert main([*EVALUATE, "--outages", str(path)]) == 1
    assert capsys.readouterr().err == (f"slamon: {path}:1: not UTF-8 (byte 0xff: invalid start "
                                       "byte); save the file as UTF-8\n")


def test_a_negative_history_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*EVALUATE, "--history", "-1"]) == 2
    assert capsys.readouterr().err == "slamon evaluate: --history must be 0 or more\n"


def test_a_target_in_words_is_not_reported_as_a_bad_duration(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = Path(ACME).read_text().splitlines()
    line = lines.index("    target: 99.99%") + 1  # the availability SLA, slas[0]
    lines[line - 1] = "    target: eighty"
    path = tmp_path / "acme.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert main(["validate", str(path)]) == 1
    errors = [e for e in capsys.readouterr().out.splitlines() if ": warning: " not in e]
    assert errors == [f"{path}:{line}: slas[0].target: must be a percentage such as '85%', "
                      "a duration such as '30s' or a number, got 'eighty'"]


@pytest.mark.parametrize("command", [
    pytest.param(["evaluate", "--contract", ACME, "--period", "2026-10"], id="evaluate"),
    pytest.param(["import", "intervals", INTERVALS, "--contract", ACME], id="import"),
    pytest.param(["cases", "list"], id="cases list"),
    pytest.param(["notifications"], id="notifications"),
])
def test_a_mistyped_sqlite_path_is_refused_without_creating_a_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    path = tmp_path / "slamno.db"
    assert main([*command, "--db", f"sqlite:///{path}"]) == 1
    assert capsys.readouterr().err == (
        f"slamon: database sqlite:///{path} has no slamon tables yet (no file {path}); "
        "run `slamon db upgrade` first\n")
    assert list(tmp_path.iterdir()) == []


def test_an_outage_file_alone_is_evaluated_not_silently_replaced_by_the_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)  # no ./slamon.db here
    assert main(["evaluate", "--contract", ACME, "--outages", OUTAGES, "--period", "2026-10",
                 "--as-of", "2026-11-02T00:00:00Z"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    # the availability the README's evaluate (with --intervals too) gives: the full 35-min
    # outage of 7 October is down time, 1 - 35 / 44640 = 99.9216 %; the database gave 100 %
    assert "99.9216%" in rows["availability"]
    assert "35 min down of 44640 min, 480 min excluded" in rows["availability"]
    assert list(tmp_path.iterdir()) == []


def test_a_format_that_contradicts_the_out_suffix_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "claim.pdf"
    code = main(["report", "--contract", ACME, "--period", "2026-10", "--format", "xlsx",
                 "--out", str(out), "--intervals", INTERVALS])
    assert code == 1
    assert "--format xlsx but --out 'claim.pdf' names a pdf file" in capsys.readouterr().err
    assert not out.exists()


def test_version_names_the_installed_package(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("slamon 0.")
