"""The vendor is a company, the platform a source; old files still load, with the line
that says what to change; amendments apply from their date and never rewrite history."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd

from monitor.domain.credits import assess_credits
from monitor.domain.evaluate import evaluate
from monitor.domain.measurements import Measurements
from monitor.domain.periods import period_for
from monitor.spec.loader import load_text
from tests.conftest import EXAMPLE_CONTRACT, SHARED_EXAMPLE, missing

NEW = """\
apiVersion: slamon/v1
kind: VendorContract
metadata:
  id: north-2026
  name: "Claims line"
  vendor:
    id: north-bpo
    legal_name: "North BPO Ltd"
    contacts:
      - {name: "Account director", email: "ad@north.example"}
  currency: GBP
  timezone: Europe/London
  effective: {from: 2026-01-01}
fees:
  monthly: "10000.00"
sources:
  platform: csv
  queues:
    - {id: CLAIMS, name: Claims}
slas:
  - id: service-level
    metric: service_level
    threshold: 20s
    target: 80%
    credits:
      base: fees.monthly
      tiers:
        - {below: 80%, credit: 10%}
"""

OLD = NEW.replace("""  vendor:
    id: north-bpo
    legal_name: "North BPO Ltd"
    contacts:
      - {name: "Account director", email: "ad@north.example"}
""", "  vendor: csv\n").replace("  platform: csv\n", "")


def test_the_new_shape_names_the_company_and_the_platform_apart() -> None:
    loaded = load_text(NEW, "north.yaml")
    contract = loaded.contract
    assert contract is not None, loaded.problems
    assert (contract.vendor, contract.legal_name, contract.platform) == (
        "north-bpo", "North BPO Ltd", "csv")
    assert contract.party is not None
    assert [c.email for c in contract.party.contacts] == ["ad@north.example"]
    assert [p for p in loaded.problems if p.severity == "warning"] == []


def test_an_old_file_loads_with_a_warning_on_the_vendor_line() -> None:
    loaded = load_text(OLD, "old.yaml")
    assert loaded.contract is not None
    assert (loaded.contract.vendor, loaded.contract.platform) == ("csv", "csv")
    (warning,) = loaded.problems
    assert (warning.severity, warning.line, warning.path) == ("warning", 6, "metadata.vendor")
    assert "now names the company" in warning.message
    assert "`platform: csv` under sources" in warning.message


def test_an_error_in_an_old_sources_mapping_keeps_its_line() -> None:
    text = OLD.replace("    - {id: CLAIMS, name: Claims}", "    - {id: CLAIMS, nam: Claims}")
    errors = [p for p in load_text(text, "old.yaml").errors]
    assert {(p.line, p.path) for p in errors} == {(14, "sources[0].queues[0].nam"),
                                                  (14, "sources[0].queues[0].name")}


def test_several_sources_each_name_their_platform() -> None:
    text = NEW.replace("""sources:
  platform: csv
  queues:
    - {id: CLAIMS, name: Claims}
""", """sources:
  - platform: csv
    queues:
      - {id: CLAIMS, name: Claims}
  - platform: genesys-cloud
    region: eu_west_2
""")
    contract = load_text(text, "two.yaml").contract
    assert contract is not None
    assert [s.platform for s in contract.all_sources] == ["csv", "genesys-cloud"]


def test_the_shared_example_in_the_old_shape_still_loads() -> None:
    path = SHARED_EXAMPLE if SHARED_EXAMPLE.exists() else missing(SHARED_EXAMPLE)
    for file in (Path(path), EXAMPLE_CONTRACT):
        loaded = load_text(file.read_text(), str(file))
        assert loaded.contract is not None
        assert loaded.contract.platform == "amazon-connect"


AMENDED = NEW + """\
amendments:
  - id: amendment-1
    effective: 2026-11-01
    description: "Target raised to 85 %, fee lowered to 9,000.00"
    fees: {monthly: "9000.00"}
    slas:
      - id: service-level
        target: 85%
        credits: {base: fees.monthly, tiers: [{below: 85%, credit: 10%}]}
"""


def month(contract_label: str, within: int) -> Measurements:
    start = pd.Timestamp(f"{contract_label}-10T10:00:00Z")
    frame = pd.DataFrame({
        "queue": pd.Series(["CLAIMS"], dtype="string"),
        "channel": pd.Series(["voice"], dtype="string"),
        "interval_start": pd.Series([start], dtype="datetime64[ns, UTC]"),
        "interval_minutes": [30], "offered": [100], "answered": [100], "abandoned": [0],
        "answered_within_20s": [within], "abandoned_within_20s": [0]})
    return Measurements(frame, ())


def test_an_amendment_applies_from_its_date_and_earlier_periods_keep_their_figures() -> None:
    loaded = load_text(AMENDED, "amended.yaml")
    contract = loaded.contract
    assert contract is not None, loaded.problems
    after = datetime(2027, 1, 2, tzinfo=UTC)
    # 82 of 100 within 20 s in both months: met against 80 % in October, missed against
    # the amended 85 % in November; the November credit is 10 % of the amended 9,000.00.
    october = evaluate(contract, month("2026-10", 82), period_for(contract, "2026-10"), after)
    november = evaluate(contract, month("2026-11", 82), period_for(contract, "2026-11"), after)
    assert str(october.result("service-level").status) == "met"
    assert october.result("service-level").target.value == Decimal("0.80")
    assert str(november.result("service-level").status) == "breached"
    assert november.result("service-level").target.value == Decimal("0.85")
    credits = assess_credits(contract, [october, november])
    assert [c.total for c in credits] == [Decimal("0"), Decimal("900.00")]
    assert contract.in_force(period_for(contract, "2026-11").first_day).revision == "amendment-1"
    assert contract.in_force(period_for(contract, "2026-10").first_day).revision == "original"


def test_an_amendment_that_makes_the_contract_invalid_is_refused_on_its_line() -> None:
    text = AMENDED.replace("target: 85%\n", "target: 185%\n")
    loaded = load_text(text, "amended.yaml")
    assert loaded.contract is None
    (error,) = loaded.errors
    assert (error.line, error.path) == (30, "amendments[0]")
    assert error.message.startswith("the amended contract is invalid: slas[0].target")


def test_an_amendment_must_come_after_the_one_before() -> None:
    text = AMENDED.replace("effective: 2026-11-01", "effective: 2025-11-01")
    (error,) = load_text(text, "amended.yaml").errors
    assert error.path == "amendments[0].effective"
    assert "must be after 2026-01-01" in error.message


def test_the_report_names_the_revision_it_applied() -> None:
    from monitor.reports.json_report import report_to_json
    from monitor.reports.model import ReportData

    contract = load_text(AMENDED, "amended.yaml").contract
    assert contract is not None
    after = datetime(2027, 1, 2, tzinfo=UTC)
    november = evaluate(contract, month("2026-11", 82), period_for(contract, "2026-11"), after)
    data = ReportData(contract=contract.in_force(period_for(contract, "2026-11").first_day),
                      period="2026-11", evaluation=november,
                      credits=assess_credits(contract, [november])[0], generated_at=after)
    assert data.revision_text == "amendment-1: Target raised to 85 %, fee lowered to 9,000.00"
    assert data.vendor_text == "North BPO Ltd (north-bpo)"
    doc = report_to_json(data)
    assert (doc["revision"], doc["vendor_name"], doc["platform"]) == (
        "amendment-1", "North BPO Ltd", "csv")
