"""Every contract shipped in contracts/ loads clean and says what its comments say."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from monitor.domain.contract import (
    AbandonTreatment,
    AggregationMethod,
    AvailabilityFormula,
    Contract,
    Direction,
    Target,
    Tier,
)
from monitor.spec import load_contract, load_contracts
from monitor.spec.loader import load_file
from tests.conftest import CONTRACTS

SHIPPED = sorted(CONTRACTS.glob("*.yaml"))


def _env_for(path: Path) -> dict[str, str]:
    """An environment where every variable the contract names is set."""
    loaded = load_file(path, environ={})
    return {p.message.split()[2]: "set" for p in loaded.problems if p.severity == "warning"}


def test_at_least_the_four_reference_contracts_are_shipped() -> None:
    assert {p.stem for p in SHIPPED} >= {
        "acme-connect-2026", "globex-genesys-2026", "initech-twilio-flex-2026",
        "umbrella-bpo-2026",
    }


@pytest.mark.parametrize("path", SHIPPED, ids=[f"{p.name} loads with no problem" for p in SHIPPED])
def test_shipped_contract_has_no_problem_once_its_credentials_are_set(path: Path) -> None:
    loaded = load_file(path, environ=_env_for(path))
    assert loaded.problems == ()
    assert loaded.contract is not None
    assert loaded.contract.id == path.stem  # file named after its id


@pytest.mark.parametrize("path", SHIPPED, ids=[f"{p.name} warns only about credentials"
                                               for p in SHIPPED])
def test_shipped_contract_only_warns_when_credentials_are_missing(path: Path) -> None:
    loaded = load_file(path, environ={})
    assert loaded.errors == ()
    assert all("environment variable" in p.message for p in loaded.problems)


def test_the_directory_loads_as_a_whole_with_unique_ids() -> None:
    contracts, problems = load_contracts([CONTRACTS], environ={})
    assert not [p for p in problems if p.severity == "error"]
    assert len({c.id for c in contracts}) == len(SHIPPED)


def _load(name: str) -> Contract:
    return load_contract(CONTRACTS / f"{name}.yaml")


def test_acme_connect_carries_the_published_aws_availability_credits() -> None:
    contract = _load("acme-connect-2026")
    sla = contract.sla("availability")
    assert sla.target == Target(Decimal("0.9999"))
    assert sla.credits is not None
    assert sla.credits.base == "fees.platform"
    assert contract.fee(sla.credits.base) == Decimal("12500.00")
    assert [t.credit for t in sla.credits.tiers] == [Decimal("0.05"), Decimal("0.15"),
                                                      Decimal("1")]
    # 43,200-minute month with 432 min down = 99.0 % exactly: the 15 % tier does not apply
    uptime = Decimal(43200 - 432) / Decimal(43200)
    assert [t.contains(uptime) for t in sla.credits.tiers] == [True, False, False]
    assert sla.credits.minimum_credit == Decimal("1.00")
    assert contract.currency == "USD"
    assert str(contract.tz) == "America/New_York"
    assert contract.sources.settings["instance_arn"].startswith("arn:aws:connect:us-east-1:")
    assert contract.sla("asa").target == Target(Decimal("30"), Direction.MAX)


def test_globex_genesys_allocates_the_we9_pool() -> None:
    contract = _load("globex-genesys-2026")
    assert contract.at_risk is not None
    assert contract.at_risk_amount() == Decimal("60000.0000")  # EUR 500,000 x 12 %
    assert contract.at_risk.pool == Decimal("2.5")
    allocations = {s.id: s.credits.allocation for s in contract.slas if s.credits}
    assert allocations == {"service-level-voice": Decimal("0.6"), "abandon-rate": Decimal("0.5"),
                           "fcr": Decimal("0.4"), "qa-score": Decimal("0.5"),
                           "availability": Decimal("0.5")}
    assert sum(a for a in allocations.values() if a is not None) == Decimal("2.5")
    assert {s.id for s in contract.slas if s.key_measurement} == {"fcr", "qa-score"}
    assert contract.sources.status_page == "https://status.mypurecloud.com"
    assert contract.sources.settings == {"region": "eu_central_1"}
    assert contract.sla("service-level-voice").abandons is AbandonTreatment.SHORT_AS_SUCCESS
    assert contract.sla("availability").min_downtime == timedelta(minutes=1)
    cal = contract.calendar("service-hours")
    assert (cal.holiday_country, cal.holiday_subdivision) == ("DE", "HE")


def test_initech_twilio_flex_has_the_99_95_percent_ten_percent_credit() -> None:
    contract = _load("initech-twilio-flex-2026")
    sla = contract.sla("availability")
    assert sla.target == Target(Decimal("0.9995"))
    assert sla.formula is AvailabilityFormula.ADD_BACK_EXCLUDED
    assert sla.credits is not None
    assert sla.credits.tiers == (Tier(credit=Decimal("0.10"), below=Decimal("0.9995")),)
    assert contract.sources.settings["workspace_sid"] == "WS0123456789abcdef0123456789abcdef"
    assert contract.sources.status_page == "https://status.twilio.com"
    level = contract.sla("service-level-voice")
    assert level.aggregation.method is AggregationMethod.INTERVAL_COMPLIANCE
    assert level.aggregation.share == Decimal("0.90")
    assert [(n.kind, n.target_env, n.to) for n in contract.notifications] == [
        ("webhook", "INITECH_ALERT_WEBHOOK_URL", ()),
        ("email", None, ("cx-platform@initech.example",)),
    ]


def test_umbrella_bpo_has_expected_minimum_earnback_and_chronic_failure() -> None:
    contract = _load("umbrella-bpo-2026")
    sla = contract.sla("service-level")
    assert (sla.target.value, sla.minimum) == (Decimal("0.80"), Decimal("0.75"))
    assert sla.default_rule is not None
    assert (sla.default_rule.misses, sla.default_rule.within_months) == (4, 12)
    assert sla.credits is not None
    assert sla.credits.earnback is not None
    assert sla.credits.earnback.months == 3
    assert sla.continuous_improvement is not None
    assert sla.continuous_improvement.months == 12
    assert sla.continuous_improvement.cap == Decimal("0.5")
    chronic = contract.chronic_failure[0]
    assert (chronic.sla, chronic.level, chronic.misses, chronic.within_months,
            chronic.consecutive, chronic.consequence) == (
        "service-level", "minimum", 2, 2, True, "termination_right")
    asa = contract.sla("asa")
    assert asa.credits is not None
    assert asa.credits.per_point == Decimal("250.00")
    issue = contract.performance_issue
    assert issue is not None
    assert issue.business_days
    assert issue.calendar == "claims-hours"
    assert contract.currency == "GBP"
    assert str(contract.tz) == "Europe/London"
    claims = contract.calendar("claims-hours")
    assert (claims.holiday_country, claims.holiday_subdivision) == ("GB", "ENG")
    emergency = contract.calendar("emergency-line")
    assert emergency.weekly[6][0].ends_at_midnight
    assert emergency.weekly[6][0].start == time(0)
    assert emergency.open_dates == frozenset({date(2026, 12, 25), date(2026, 12, 26)})
    assert contract.sla("emergency-service-level").credits.unrelieved  # type: ignore[union-attr]
