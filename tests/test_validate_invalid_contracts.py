"""One fixture file per failure mode, each with the exact `file:line: path: reason` it gives.

The CLI is driven through `monitor.cli.main`, from the repository root so that file names
read `tests/fixtures/invalid_contracts/<name>.yaml`.
"""

from __future__ import annotations

import pytest

from monitor.cli import main
from tests.conftest import FIXTURES, ROOT

INVALID = FIXTURES / "invalid_contracts"

CASES = [
    ("malformed-yaml.yaml", 1, "malformed YAML names the line and column", [
        "16: invalid YAML at column 11: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence that started on line 15)",
    ]),
    ("wrong-api-version.yaml", 1, "a wrong apiVersion stops the check at line 1", [
        "1: apiVersion: must be 'slamon/v1', got 'slamon/v2'",
    ]),
    ("wrong-kind.yaml", 1, "a file of another kind is not judged as a contract", [
        "2: kind: must be 'VendorContract', got 'AlertRule'",
    ]),
    ("unknown-key.yaml", 1, "an unknown key is refused with the closest real key", [
        "15: slas[0].treshold: unknown key (did you mean 'threshold'?)",
    ]),
    ("duplicate-key.yaml", 1, "a key written twice names both lines", [
        "17: slas[0].target: duplicate key 'target' (first written on line 16)",
    ]),
    ("percent-out-of-range.yaml", 1, "a 180% target is out of range on its own line", [
        "24: slas[1].target: must be between 0% and 100%",
    ]),
    ("bad-duration.yaml", 1, "'20 seconds' is not a duration", [
        "15: slas[0].threshold: must be a duration such as '20s', '5m', '2h', '30d' or "
        "'1h30m', got '20 seconds'",
    ]),
    ("unknown-zone.yaml", 1, "a zone missing from the tz database", [
        "8: metadata.timezone: unknown time zone 'America/Springfield'; use an IANA name such "
        "as 'Europe/London'",
    ]),
    ("naive-timestamp.yaml", 1, "an exclusion start without a UTC offset", [
        "14: exclusions[0].from: timestamp '2026-10-14T09:00:00' has no UTC offset; write it "
        "like '2026-10-14T09:00:00-04:00'",
    ]),
    ("bad-rrule.yaml", 1, "an RRULE with a frequency RFC 5545 does not have", [
        "14: exclusions[0].rrule: invalid RRULE 'FREQ=FORTNIGHTLY;BYDAY=SU': FREQ must be one "
        "of YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY, got 'FORTNIGHTLY'",
    ]),
    ("overlapping-tiers.yaml", 1, "two tiers that both claim 99% to 99.5%", [
        "20: slas[0].credits.tiers[1]: overlaps tiers[0] on [99%, 99.5%)",
    ]),
    ("tier-gap.yaml", 1, "a credit table without a 95% to 99% band", [
        "18: slas[0].credits.tiers: no tier covers [95%, 99%): a value there misses the target "
        "99.99% but earns no credit",
    ]),
    ("tier-on-met-side.yaml", 1, "a tier that also covers months meeting the target", [
        "19: slas[0].credits.tiers[0]: covers [99.9%, 100%], which meets the target 99.9%; "
        "tiers are for misses only",
    ]),
    ("allocations-above-pool.yaml", 1, "120% allocated from a 100% pool, key measures aside", [
        "14: at_risk.pool: allocations add up to 120% (service-level 70%, abandon-rate 50%), "
        "above the pool of 100%",
    ]),
    ("allocation-without-at-risk.yaml", 1, "an allocation with no at_risk section", [
        "17: slas[0].credits.allocation: needs an at_risk section to allocate from",
    ]),
    ("missing-calendar.yaml", 1, "an SLA naming a calendar that is not defined", [
        "20: slas[0].calendar: calendar 'business_hours' is not defined under calendars "
        "(known: 24x7, business-hours)",
    ]),
    ("unknown-sla-in-applies-to.yaml", 1, "an exclusion applying to an unknown SLA", [
        "16: exclusions[0].applies_to[1]: unknown SLA or metric 'voice-uptime'; known: "
        "abandon_rate, aht, asa, availability, csat, fcr, occupancy, service_level",
    ]),
    ("unknown-sla-in-chronic-failure.yaml", 1, "a chronic-failure rule for an unknown SLA", [
        "22: chronic_failure[0].sla: unknown SLA 'service-level'; use 'any' or one of "
        "availability",
    ]),
    ("duplicate-sla-id.yaml", 1, "two SLAs sharing one id", [
        "21: slas[1].id: duplicate SLA id 'availability' (first on line 13)",
    ]),
    ("wrong-direction.yaml", 1, "an abandon rate written as a minimum", [
        "15: slas[0].target: abandon_rate is a maximum: write {max: 5%}",
    ]),
    ("minimum-above-target.yaml", 1, "a minimum level above the expected level", [
        "17: slas[0].minimum: must be below the target 80%: the minimum level sits on the "
        "failing side of the expected level",
    ]),
    ("missing-threshold.yaml", 1, "both problems of one SLA are reported, not the first", [
        "13: slas[0].threshold: is required for service_level, e.g. threshold: 20s",
        "16: slas[0].formula: only applies to availability (this SLA measures service_level)",
    ]),
    ("effective-backwards.yaml", 1, "a term that ends before it starts", [
        "9: metadata.effective.to: must be after effective.from (2026-01-01)",
    ]),
    ("bad-currency-and-rounding.yaml", 1, "a bad currency and a bad rounding mode together", [
        "7: metadata.currency: must be a three-letter ISO 4217 code such as USD, got 'dollars'",
        "9: metadata.rounding.mode: unknown rounding mode 'HALF_UP'; use one of ROUND_05UP, "
        "ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_DOWN, ROUND_HALF_EVEN, "
        "ROUND_HALF_UP, ROUND_UP",
    ]),
    ("unknown-holiday-country.yaml", 1, "a holiday country the holidays package lacks", [
        "16: calendars.business-hours.holidays.country: unknown holiday country 'XX'; use an "
        "ISO code such as US, GB, DE",
    ]),
    ("shape-and-rule-problems.yaml", 1, "shape and rule problems show in one run", [
        "15: slas[0].short_abandon: must be a duration such as '20s', '5m', '2h', '30d' or "
        "'1h30m', got '5 sec'",
        "16: slas[0].target: abandon_rate is a maximum: write {max: 5%}",
        "20: slas[1].target: must be between 0% and 100% (write '80%' for 80 percent)",
    ]),
    ("unset-credentials-env.yaml", 0, "an unset credentials variable is a warning and passes", [
        "13: sources[0].credentials_env.api_token: warning: environment variable "
        "SLAMON_FIXTURE_UNSET_TOKEN is not set",
    ]),
]


@pytest.fixture(autouse=True)
def _at_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("SLAMON_FIXTURE_UNSET_TOKEN", raising=False)


@pytest.mark.parametrize(("name", "exit_code", "expected"),
                         [(n, c, e) for n, c, _, e in CASES], ids=[i for _, _, i, _ in CASES])
def test_invalid_contract_reports_exact_problems(
    name: str, exit_code: int, expected: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    rel = f"tests/fixtures/invalid_contracts/{name}"
    assert main(["validate", rel]) == exit_code
    out = capsys.readouterr().out
    assert out.splitlines() == [f"{rel}:{line}" for line in expected]


def test_every_fixture_file_has_a_case() -> None:
    on_disk = {p.name for p in INVALID.glob("*.yaml")}
    assert on_disk == {name for name, *_ in CASES}


def test_duplicate_contract_id_across_two_files_is_reported_on_the_second(
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = "tests/fixtures/invalid_contracts/duplicate-contract-id"
    assert main(["validate", folder]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"{folder}/b.yaml:4: metadata.id: duplicate contract id 'shared-id' "
        f"(also in {folder}/a.yaml)"
    ]
    assert captured.err.strip().endswith("1 error and 0 warnings in 1 of 2 files")


def test_each_file_alone_in_the_duplicate_pair_is_valid() -> None:
    folder = INVALID / "duplicate-contract-id"
    assert main(["validate", str(folder / "a.yaml")]) == 0
    assert main(["validate", str(folder / "b.yaml")]) == 0
