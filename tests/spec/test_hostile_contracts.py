"""Hostile contract files (issue 17): each is one `file:line: path: reason` and exit 1.

The attacks are the ones that broke the first release: a 367-byte alias bomb that took
7.3 GB, a 1,000-deep list, a recursive alias, a 4,300-digit number, a 99999999999999d
duration and unknown tags ended in tracebacks; `INTERVAL=0` validated and hung `evaluate`;
a billion-day claim deadline and a term from year 1 to 9999 validated and crashed later.
"""

from __future__ import annotations

import time
import tracemalloc
from datetime import datetime
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.domain.exclusions import expand
from monitor.spec.loader import load_file

BASE = """\
apiVersion: slamon/v1
kind: VendorContract
metadata:
  id: hostile
  name: "Hostile input"
  vendor: {id: hostile, legal_name: "Hostile Ltd"}
  currency: USD
  timezone: America/New_York
  effective: {from: 2026-01-01, to: 2026-12-31}
fees:
  monthly: "1000.00"
exclusions:
  - id: maintenance
    rrule: "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2"
    duration: 2h
    reason: "Maintenance"
slas:
  - id: availability
    metric: availability
    target: 99.9%
sources: {platform: csv}
"""


def validate(tmp_path: Path, text: str | bytes, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Run `slamon validate` on the text; exit 1 and the problem lines, file name cut."""
    path = tmp_path / "c.yaml"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    code = main(["validate", str(path)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert code == 1, captured.out
    return [line.removeprefix(f"{path}:") for line in captured.out.splitlines()]


def alias_bomb() -> str:
    """Nine levels of nine aliases: 9**9 = 387 million strings from ~400 bytes."""
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for level in range(1, 9):
        name, prev = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_within_a_few_megabytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tracemalloc.start()
    try:
        lines = validate(tmp_path, alias_bomb(), capsys)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert lines == ["5: e: the document expands to more than 20,000 values (YAML aliases "
                     "repeat what they point to); write it out plainly"]
    assert peak < 200 * 2**20  # was 7.3 GB


@pytest.mark.parametrize(("text", "expected"), [
    ("[" * 1000 + "]" * 1000 + "\n", "1: nested deeper than 32 levels"),
    ("a: &a [1, *a]\n", "1: a[1]: an alias refers to the list or mapping that contains it"),
    (BASE.replace('"1000.00"', "9" * 4300),
     "11: fees.monthly: a number of 4300 characters is longer than the 40 allowed"),
    (BASE.replace("duration: 2h", "duration: 99999999999999d"),
     "15: exclusions[0].duration: must be at most 3660d (ten years), got '99999999999999d'"),
    (BASE.replace("duration: 2h", "duration: !!python/object/apply:os.system [ls]"),
     "15: exclusions[0].duration: tag '!!python/object/apply:os.system' is not allowed; "
     "write the value plainly"),
    (BASE.replace("duration: 2h", "duration: !custom 2h"),
     "15: exclusions[0].duration: tag '!custom' is not allowed; write the value plainly"),
    (BASE.replace('name: "Hostile input"', 'name: "Hostile \x00input"'),
     "5: character U+0000 is not allowed in YAML"),
], ids=[
    "a 1,000-deep list stops at the nesting limit instead of Python's recursion limit",
    "an alias inside what it names is a cycle, not infinite recursion",
    "a 4,300-digit fee is refused by length before it becomes a number",
    "a duration of 10^14 days is out of range, not an OverflowError",
    "a python/object tag is refused, never constructed",
    "an application tag is refused with its line",
    "a NUL character names its line",
])
def test_malformed_yaml_is_one_problem_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    assert validate(tmp_path, text, capsys) == [expected]


def test_a_latin1_contract_names_the_line_and_column_of_the_bad_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE.replace('reason: "Maintenance"', 'reason: "Caf\xe9 maintenance"')
    assert validate(tmp_path, text.encode("latin-1"), capsys) == [
        "16: not UTF-8 at column 17 (byte 0xe9): invalid continuation byte; save the file as "
        "UTF-8"]


def test_a_file_over_the_size_limit_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE + "#" + "x" * 1_000_000 + "\n"
    assert validate(tmp_path, text, capsys) == [
        " the file is larger than 1,000,000 bytes; a contract is a few kilobytes"]


RULES = [
    ("FREQ=HOURLY;INTERVAL=0", "INTERVAL=0 is out of range (1..1000)"),
    ("FREQ=DAILY;BYHOUR=99", "BYHOUR=99 is out of range (0..23)"),
    ("FREQ=SECONDLY;BYHOUR=2", "FREQ=SECONDLY is not allowed: an exclusion recurs at most "
     "hourly"),
    ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY=0 is out of range (±1..31)"),
    ("FREQ=WEEKLY;BYDAY=XX", "BYDAY 'XX' must be a day MO..SU, optionally numbered (2MO)"),
    ("FREQ=DAILY;BYHOUR=\u0662", "BYHOUR must be whole numbers written with 0-9, got '\u0662'"),
    ("FREQ=DAILY;FREQ=WEEKLY", "FREQ is given twice"),
]


@pytest.mark.parametrize(("rule", "reason"), RULES, ids=[r for r, _ in RULES])
def test_recurrence_rules_that_would_not_terminate_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rule: str, reason: str
) -> None:
    text = BASE.replace("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", rule)
    assert validate(tmp_path, text, capsys) == [
        f"14: exclusions[0].rrule: invalid RRULE {rule!r}: {reason}"]


def test_a_rule_no_date_satisfies_is_refused_in_well_under_a_second(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    text = BASE.replace("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30")
    assert validate(tmp_path, text, capsys) == [
        "14: exclusions[0].rrule: RRULE 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30' never occurs: no "
        "date matches all its BY parts"]
    assert time.monotonic() - started < 5  # dateutil alone scanned to 9999: 4 s per call


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("slas:", "claims: {deadline_days_after_period: 1000000000000}\nslas:",
     ["17: claims.deadline_days_after_period: must be less than or equal to 366"]),
    ("{from: 2026-01-01, to: 2026-12-31}", "{from: 0001-01-01, to: 9999-12-31}",
     ["9: metadata.effective.from: must be between 2000-01-01 and 2099-12-31, got 0001-01-01",
      "9: metadata.effective.to: must be between 2000-01-01 and 2099-12-31, got 9999-12-31"]),
    ("America/New_York", "posixrules",
     ["8: metadata.timezone: unknown time zone 'posixrules'; use an IANA name such as "
      "'Europe/London'"]),
    ("America/New_York", "America/New_Yrok",
     ["8: metadata.timezone: unknown time zone 'America/New_Yrok' (did you mean "
      "'America/New_York'?); use an IANA name such as 'Europe/London'"]),
    ("sources: {platform: csv}", "sources: {platform: csv, poll_interval: 0s}",
     ["21: sources[0].poll_interval: must be at least 1s"]),
    ('"1000.00"', '"\u0661\u0660\u0660\u0660"',
     ["11: fees.monthly: must be an amount such as '20000.00' written with digits 0-9, got "
      "'\u0661\u0660\u0660\u0660'"]),
    ('"1000.00"', '"1e400"', ["11: fees.monthly: is too large (at most "
                              "1,000,000,000,000,000)"]),
    ("    target: 99.9%\n", "    target: 99.9%\n  - id: sl\n    metric: service_level\n"
     "    threshold: 0s\n    target: 80%\n",
     ["23: slas[1].threshold: must be longer than zero"]),
    ("slas:", "performance_issue: {acknowledge_within: 2d, rca_due_within: 5d, "
     "escalate_after: 1d}\nslas:",
     ["17: performance_issue.escalate_after: must not be shorter than acknowledge_within"]),
    ("slas:", "notifications:\n  - {kind: email, to: [a@example.com], on: [brech]}\nslas:",
     ["18: notifications[0].on[0]: unknown event 'brech' (did you mean 'breach'?); use one "
      "of breach, recovery, cases"]),
    ("slas:", "notifications:\n  - {kind: email, to: [a@example.com], on: []}\nslas:",
     ["18: notifications[0].on: List should have at least 1 item after validation, not 0"]),
], ids=[
    "a claim deadline of 10^12 days",
    "a term from year 1 to year 9999",
    "posixrules is a tzdata file, not a zone",
    "a misspelt zone gets the closest real one",
    "a zero poll interval would be a busy loop",
    "Arabic-Indic digits are not read as a fee",
    "a fee of 10^400 is out of range",
    "a zero answer threshold",
    "escalation before the acknowledgement is due",
    "a typo in a notifier's on: list would silently disable it",
    "a notifier listening to nothing",
])
def test_values_out_of_range_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str,
    expected: list[str],
) -> None:
    assert old in BASE
    assert validate(tmp_path, BASE.replace(old, new, 1), capsys) == expected


def test_a_misspelt_credential_role_gets_the_real_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE.replace("sources: {platform: csv}", "sources:\n  platform: genesys-cloud\n"
                        "  region: eu_west_1\n  credentials_env: {client_id: A, "
                        "clinet_secret: B}")
    problems = [p for p in validate(tmp_path, text, capsys) if "warning" not in p]
    assert problems == [
        "24: sources[0].credentials_env.clinet_secret: unknown credential 'clinet_secret' for "
        "genesys-cloud (did you mean 'client_secret'? known: client_id, client_secret)"]


def test_the_widest_contract_that_validates_also_evaluates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The extremes the ranges allow: a 100-year term, an hourly rule, a 366-day deadline."""
    text = BASE.replace("{from: 2026-01-01, to: 2026-12-31}",
                        "{from: 2000-01-01, to: 2099-12-31}").replace(
        "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", "FREQ=HOURLY;BYMINUTE=0,30").replace(
        "duration: 2h", "duration: 10m").replace(
        "slas:", "claims: {deadline_days_after_period: 366}\nslas:")
    path = tmp_path / "wide.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_file(path)
    assert loaded.contract is not None, loaded.problems
    csv = tmp_path / "i.csv"
    csv.write_text("queue,interval_start,interval_minutes,offered,answered,abandoned\n")
    code = main(["evaluate", "--contract", str(path), "--period", "2099-12",
                 "--as-of", "2100-01-02T00:00:00Z", "--intervals", str(csv)])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    assert code in (0, 1), out
    # Two windows an hour over December 2099: 31 x 24 x 2 = 1,488, found in bounded time.
    contract = loaded.contract
    start = datetime(2099, 12, 1, tzinfo=contract.tz)
    end = datetime(2100, 1, 1, tzinfo=contract.tz)
    assert len(expand(contract.exclusions[0], contract, start, end)) == 1488
