"""The shared target shape, spec/contract-example.yaml, loads and every value maps as meant."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from monitor.domain.contract import (
    AbandonTreatment,
    AggregationMethod,
    AsaDenominator,
    AvailabilityFormula,
    Contract,
    CsatMethod,
    Direction,
    Metric,
    PeriodKind,
    Target,
    TargetStep,
    Tier,
    TimeRange,
)
from monitor.spec import load_contract
from monitor.spec.loader import load_file
from tests.conftest import EXAMPLE_CONTRACT, FIXTURES, SHARED_EXAMPLE, missing

EXAMPLE = EXAMPLE_CONTRACT


@pytest.fixture(scope="module")
def contract() -> Contract:
    return load_contract(EXAMPLE)


def test_metadata_maps_to_typed_values(contract: Contract) -> None:
    assert contract.id == "acme-connect-2026"
    assert contract.name == "Amazon Connect for ACME Corp - MSA Schedule 3"
    assert contract.vendor == "amazon-connect"
    assert contract.currency == "USD"
    assert contract.tz == ZoneInfo("America/New_York")
    assert contract.effective_from == date(2026, 1, 1)
    assert contract.effective_to == date(2028, 12, 31)
    assert (contract.rounding.places, contract.rounding.mode) == (2, "ROUND_HALF_UP")
    assert contract.fees == {"monthly": Decimal("20000.00")}


def test_source_file_and_hash_identify_the_exact_bytes(contract: Contract) -> None:
    import hashlib

    assert contract.source_file is not None
    assert contract.source_file.endswith(
        "contract-example.yaml"
    )
    assert contract.source_hash == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()


def test_business_hours_calendar_expands_day_keys(contract: Contract) -> None:
    cal = contract.calendar("business-hours")
    weekday = (TimeRange(time(8), time(20)),)
    assert dict(cal.weekly) == {0: weekday, 1: weekday, 2: weekday, 3: weekday, 4: weekday,
                                5: (TimeRange(time(9), time(13)),)}
    assert cal.holiday_country == "US"
    assert cal.holiday_subdivision is None
    assert cal.closed_dates == frozenset({date(2026, 12, 24)})
    assert cal.open_dates == frozenset()
    assert contract.calendar("24x7").always_open


def test_exclusions_keep_rrule_duration_and_aware_instants(contract: Contract) -> None:
    maintenance, storm = contract.exclusions
    assert maintenance.id == "sunday-maintenance"
    assert maintenance.rrule == "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0"
    assert maintenance.duration == timedelta(hours=2)
    assert maintenance.applies_to == frozenset({"availability"})
    assert maintenance.applies("availability", "availability")
    assert not maintenance.applies("asa", "asa")
    assert storm.applies_to is None
    assert storm.start == datetime(2026, 10, 14, 13, 0, tzinfo=UTC)
    assert storm.end == datetime(2026, 10, 14, 15, 30, tzinfo=UTC)
    assert storm.reason == "Force majeure, approved by procurement on 2026-10-20"


def test_sources_carry_queues_credentials_and_vendor_settings(contract: Contract) -> None:
    src = contract.sources
    assert [(q.id, q.name, q.channel) for q in src.queues] == [
        ("f8c742b9-b5ef-4948-8bbf-9a33c892023f", "Billing", "voice")
    ]
    assert src.status_page is None
    assert src.credentials_env == {"access_key_id": "ACME_AWS_ACCESS_KEY_ID",
                                   "secret_access_key": "ACME_AWS_SECRET_ACCESS_KEY"}
    assert src.settings == {"instance_arn": "arn:aws:connect:us-east-1:123456789012:instance/"
                            "11111111-2222-3333-4444-555555555555"}
    assert src.poll_interval == timedelta(minutes=5)


def test_at_risk_pool_and_cap(contract: Contract) -> None:
    risk = contract.at_risk
    assert risk is not None
    assert risk.percent_of_fees == Decimal("0.12")
    assert risk.pool == Decimal("2.5")
    assert risk.monthly_cap is None  # "at_risk_amount"
    assert contract.at_risk_amount() == Decimal("2400.0000")


def test_availability_sla_has_the_published_connect_tiers(contract: Contract) -> None:
    sla = contract.sla("availability")
    assert sla.metric is Metric.AVAILABILITY
    assert sla.formula is AvailabilityFormula.PLAIN
    assert sla.components == ("voice", "ccp")
    assert sla.target == Target(Decimal("0.9999"), Direction.MIN)
    assert sla.period is PeriodKind.MONTH
    assert sla.credits is not None
    assert sla.credits.base == "fees.monthly"
    assert sla.credits.tiers == (
        Tier(credit=Decimal("0.05"), below=Decimal("0.9999"), at_least=Decimal("0.99")),
        Tier(credit=Decimal("0.15"), below=Decimal("0.99"), at_least=Decimal("0.95")),
        Tier(credit=Decimal("1"), below=Decimal("0.95")),
    )
    assert sla.credits.minimum_credit == Decimal("1.00")


def test_service_level_sla_maps_threshold_steps_minimum_and_allocation(
    contract: Contract,
) -> None:
    sla = contract.sla("service-level-voice")
    assert sla.metric is Metric.SERVICE_LEVEL
    assert sla.channel == "voice"
    assert sla.threshold == timedelta(seconds=20)
    assert sla.abandons is AbandonTreatment.POSITIVE
    assert sla.short_abandon == timedelta(seconds=5)
    assert sla.queues == ("f8c742b9-b5ef-4948-8bbf-9a33c892023f",)
    assert sla.aggregation.method is AggregationMethod.VOLUME_WEIGHTED
    assert sla.calendar == "business-hours"
    assert sla.target == Target(Decimal("0.80"))
    assert sla.targets == (TargetStep(date(2027, 1, 1), Target(Decimal("0.82"))),
                           TargetStep(date(2028, 1, 1), Target(Decimal("0.85"))))
    assert sla.target_on(date(2027, 6, 1)).value == Decimal("0.82")
    assert sla.minimum == Decimal("0.75")
    assert sla.default_rule is not None
    assert (sla.default_rule.misses, sla.default_rule.within_months) == (4, 12)
    assert sla.credits is not None
    assert sla.credits.allocation == Decimal("0.60")
    assert sla.credits.earnback is not None
    assert sla.credits.earnback.months == 3


def test_maximum_targets_for_abandon_rate_and_asa(contract: Contract) -> None:
    abandon = contract.sla("abandon-rate")
    assert abandon.target == Target(Decimal("0.05"), Direction.MAX)
    assert abandon.short_abandon == timedelta(seconds=5)
    asa = contract.sla("asa")
    assert asa.target == Target(Decimal("30"), Direction.MAX)  # seconds
    assert asa.period is PeriodKind.QUARTER
    assert asa.denominator is AsaDenominator.ANSWERED
    assert asa.credits is not None
    assert asa.credits.per_point == Decimal("2000.00")
    assert asa.credits.round_up is True


def test_csat_is_a_key_measurement_without_credits(contract: Contract) -> None:
    csat = contract.sla("csat")
    assert csat.method is CsatMethod.TOP2BOX
    assert csat.key_measurement is True
    assert csat.credits is None
    assert csat.calendar == "24x7"


def test_chronic_failure_claims_and_performance_issue(contract: Contract) -> None:
    first, second = contract.chronic_failure
    assert (first.sla, first.misses, first.within_months, first.consecutive,
            first.consequence) == ("any", 2, 2, True, "termination_right")
    assert (second.sla, second.misses, second.within_months, second.consecutive,
            second.consequence) == ("service-level-voice", 3, 6, False, "escalation")
    assert contract.claim_deadline_days == 30
    issue = contract.performance_issue
    assert issue is not None
    assert issue.acknowledge_within == timedelta(days=1)
    assert issue.rca_due_within == timedelta(days=5)
    assert issue.escalate_after == timedelta(days=10)
    assert issue.business_days is False
    assert issue.contacts == {"vendor": "tam@vendor.example",
                              "ours": "vendor-management@acme.example"}


def test_the_example_in_the_first_release_shape_still_loads_with_a_warning_to_upgrade() -> None:
    # The shared example keeps the old shape (vendor = platform, one sources mapping);
    # docs/contracts.md is the authority now. It loads, says what to change on line 13,
    # and otherwise only misses its credentials.
    loaded = load_file(EXAMPLE, environ={})
    assert loaded.errors == ()
    assert [(p.line, p.path, p.severity) for p in loaded.problems] == [
        (13, "metadata.vendor", "warning"),
        (51, "sources[0].credentials_env.access_key_id", "warning"),
        (51, "sources[0].credentials_env.secret_access_key", "warning"),
    ]
    assert loaded.contract is not None
    assert (loaded.contract.vendor, loaded.contract.platform) == (
        "amazon-connect", "amazon-connect")


def test_the_shipped_copy_of_the_example_matches_the_spec() -> None:
    if not SHARED_EXAMPLE.exists():
        missing("../shared beside this checkout")
    assert (FIXTURES / "contract-example.yaml").read_bytes() == SHARED_EXAMPLE.read_bytes()
