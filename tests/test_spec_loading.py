"""The library API: load_contract, load_contracts, find_contract, and credit-table rules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from monitor.errors import ContractError, InputError
from monitor.spec import find_contract, load_contract, load_contracts
from monitor.spec.loader import load_text
from tests.conftest import CONTRACTS, FIXTURES

INVALID = FIXTURES / "invalid_contracts"


def test_load_contract_raises_with_every_error_of_the_file() -> None:
    with pytest.raises(ContractError) as caught:
        load_contract(INVALID / "missing-threshold.yaml")
    assert [(p.line, p.path) for p in caught.value.problems] == [
        (13, "slas[0].threshold"), (16, "slas[0].formula")]


def test_load_contracts_returns_good_contracts_and_all_problems(tmp_path: Path) -> None:
    shutil.copy(CONTRACTS / "initech-twilio-flex-2026.yaml", tmp_path / "a.yaml")
    shutil.copy(INVALID / "tier-gap.yaml", tmp_path / "b.yaml")
    (tmp_path / "notes.txt").write_text("not a contract")
    contracts, problems = load_contracts([tmp_path], environ={})
    assert [c.id for c in contracts] == ["initech-twilio-flex-2026"]
    errors = [p for p in problems if p.severity == "error"]
    assert [(Path(p.file).name, p.line) for p in errors] == [("b.yaml", 18)]
    assert len(problems) - len(errors) == 3  # two credentials and the webhook variable


def test_duplicate_ids_across_files_drop_the_later_file() -> None:
    contracts, problems = load_contracts([INVALID / "duplicate-contract-id"])
    assert [Path(c.source_file or "").name for c in contracts] == ["a.yaml"]
    assert [p.path for p in problems] == ["metadata.id"]


def test_find_contract_by_id_and_by_path() -> None:
    assert find_contract("umbrella-bpo-2026", CONTRACTS).currency == "GBP"
    path = str(CONTRACTS / "globex-genesys-2026.yaml")
    assert find_contract(path, CONTRACTS).id == "globex-genesys-2026"


def test_find_contract_with_an_unknown_id_lists_the_known_ones() -> None:
    with pytest.raises(InputError) as caught:
        find_contract("acme", CONTRACTS)
    assert "no contract with id 'acme'" in str(caught.value)
    assert ("known: acme-connect-2026, globex-genesys-2026, initech-twilio-flex-2026, "
            "umbrella-bpo-2026") in str(caught.value)


BASE = """apiVersion: slamon/v1
kind: VendorContract
metadata:
  id: t
  name: t
  vendor: {id: acme-bpo, legal_name: "ACME BPO Ltd"}
  currency: USD
  timezone: UTC
  effective: {from: 2026-01-01}
fees: {monthly: "100.00"}
slas:
"""


def _problems(slas: str) -> list[str]:
    loaded = load_text(BASE + slas, "t.yaml", environ={})
    return [f"{p.path}: {p.message}" for p in loaded.problems]


def test_asa_tiers_in_seconds_cover_everything_above_the_target() -> None:
    assert _problems("""  - id: asa
    metric: asa
    target: {max: 30s}
    credits:
      base: fees.monthly
      tiers:
        - {above: 30s, at_most: 60s, credit: 5%}
        - {above: 60s, credit: 10%}
""") == []


def test_asa_tiers_that_stop_at_a_minute_leave_the_rest_uncovered() -> None:
    assert _problems("""  - id: asa
    metric: asa
    target: {max: 30s}
    credits:
      base: fees.monthly
      tiers:
        - {above: 30s, below: 60s, credit: 5%}
""") == ["slas[0].credits.tiers: no tier covers [60s, ∞): a value there misses the target 30s "
         "but earns no credit"]


def test_an_inclusive_bound_on_both_tiers_overlaps_at_one_point() -> None:
    assert _problems("""  - id: availability
    metric: availability
    target: 99%
    credits:
      base: fees.monthly
      tiers:
        - {below: 99%, at_least: 95%, credit: 10%}
        - {at_most: 95%, credit: 50%}
""") == ["slas[0].credits.tiers[1]: overlaps tiers[0] on [95%, 95%]"]


def test_percent_units_on_time_metrics_and_durations_on_percent_metrics_are_refused() -> None:
    assert _problems("""  - id: asa
    metric: asa
    target: {max: 30%}
  - id: sl
    metric: service_level
    threshold: 20s
    target: 20s
""") == ["slas[0].target.max: must be a duration such as '30s' (asa is a time)",
         "slas[1].target: must be a percentage such as '80%' (service_level is a percentage)"]


def test_target_steps_must_run_forward_inside_the_term() -> None:
    assert _problems("""  - id: sl
    metric: service_level
    threshold: 20s
    target: 80%
    targets:
      - {from: 2027-01-01, target: 82%}
      - {from: 2026-06-01, target: 85%}
      - {from: 2025-01-01, target: 85%}
""") == ["slas[0].targets[1].from: must come after the previous step (2027-01-01)",
         "slas[0].targets[2].from: must come after the previous step (2026-06-01)",
         "slas[0].targets[2].from: 2025-01-01 is outside the contract term 2026-01-01..open"]


def test_an_unknown_key_far_from_any_real_one_lists_the_allowed_keys() -> None:
    loaded = load_text(BASE.replace("  name: t\n", "  name: t\n  owner: me\n")
                       + "  - {id: csat, metric: csat, target: 85%}\n", "t.yaml")
    assert [str(p) for p in loaded.problems] == [
        "t.yaml:6: metadata.owner: unknown key; allowed here: currency, effective, id, name, "
        "rounding, timezone, vendor"]


def test_a_misspelt_section_referred_to_elsewhere_is_not_followed_by_false_alarms() -> None:
    loaded = load_text(BASE.replace("fees:", "feez:")
                       + "  - {id: csat, metric: csat, target: 85%}\n", "t.yaml")
    assert [str(p) for p in loaded.problems] == [
        "t.yaml:1: fees: is required",
        "t.yaml:10: feez: unknown key (did you mean 'fees'?)",
    ]
