"""What `export` writes for the shipped contracts, checked against values worked out by
hand from the contract files."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from monitor.alerting.model import Links
from monitor.alerting.rules import sla_alerts
from monitor.domain.contract import Target
from monitor.errors import InputError
from monitor.openslo import codec
from monitor.openslo.export import export_contract, objectives
from monitor.spec import load_contract
from monitor.spec.yamlpos import load_document
from tests.conftest import CONTRACTS


def docs_of(contract_id: str) -> list[dict[str, Any]]:
    path = CONTRACTS / f"{contract_id}.yaml"
    return export_contract(load_contract(path), load_document(path.read_text(), "x").data)


def one(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    [found] = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    return found


def test_a_volume_weighted_service_level_is_an_occurrences_slo_on_the_contract_month() -> None:
    slo = one(docs_of("acme-connect-2026"), "SLO", "acme-connect-2026-service-level-voice")
    assert slo["spec"]["budgetingMethod"] == "Occurrences"
    assert slo["spec"]["objectives"] == [{"displayName": "contract target",
                                          "target": Decimal("0.8")}]
    assert slo["spec"]["timeWindow"] == [{
        "duration": "1M", "isRolling": False,
        "calendar": {"startTime": "2026-01-01 00:00:00", "timeZone": "America/New_York"}}]
    ann = slo["metadata"]["annotations"]
    assert ann["slamon.dev/threshold"] == "20s"
    assert ann["slamon.dev/abandons"] == "positive"
    assert ann["slamon.dev/short-abandon"] == "5s"
    assert ann["slamon.dev/calendar"] == "business-hours"
    assert ann["slamon.dev/targets"] == "[{from: '2027-01-01', target: 82%}, " \
                                        "{from: '2028-01-01', target: 85%}]"
    assert ann["slamon.dev/credits"] == "{allocation: 60%, earnback: {months: 3}}"


def test_an_abandon_rate_maximum_of_5_percent_is_a_good_share_of_95_percent() -> None:
    slo = one(docs_of("acme-connect-2026"), "SLO", "acme-connect-2026-abandon-rate")
    assert slo["spec"]["objectives"][0]["target"] == Decimal("0.95")


def test_a_quarterly_asa_is_a_threshold_on_the_seconds_gauge_in_one_slice_per_quarter() -> None:
    docs = docs_of("acme-connect-2026")
    slo = one(docs, "SLO", "acme-connect-2026-asa")
    assert slo["spec"]["timeWindow"][0]["duration"] == "1Q"
    assert slo["spec"]["timeWindow"][0]["calendar"]["startTime"] == "2026-01-01 00:00:00"
    [objective] = slo["spec"]["objectives"]
    assert (objective["op"], objective["value"], objective["timeSliceWindow"]) == \
        ("lte", Decimal(30), "1Q")
    assert "alertPolicies" not in slo["spec"]  # no burn-rate alert for a mean in seconds
    sli = one(docs, "SLI", "acme-connect-2026-asa")
    assert sli["spec"]["thresholdMetric"]["metricSource"]["spec"]["query"] == \
        'slamon_sla_attainment_seconds{contract="acme-connect-2026",sla="asa"}'


def test_an_interval_compliance_sla_is_timeslices_with_the_share_as_target() -> None:
    slo = one(docs_of("initech-twilio-flex-2026"), "SLO",
              "initech-twilio-flex-2026-service-level-voice")
    assert slo["spec"]["budgetingMethod"] == "Timeslices"
    assert slo["spec"]["objectives"] == [{
        "displayName": "contract target", "target": Decimal("0.9"),
        "timeSliceTarget": Decimal("0.8"), "timeSliceWindow": "30m"}]
    # effective from 2026-02-01 in Chicago: the first window starts there
    assert slo["spec"]["timeWindow"][0]["calendar"] == {
        "startTime": "2026-02-01 00:00:00", "timeZone": "America/Chicago"}


def test_the_sli_reads_slamons_own_good_and_valid_counters() -> None:
    sli = one(docs_of("globex-genesys-2026"), "SLI", "globex-genesys-2026-availability")
    ratio = sli["spec"]["ratioMetric"]
    assert ratio["counter"] is True
    assert ratio["good"]["metricSource"] == {
        "metricSourceRef": "slamon-prometheus", "type": "Prometheus",
        "spec": {"query": 'slamon_sla_good_events_total{contract="globex-genesys-2026",'
                          'sla="availability"}'}}
    assert ratio["total"]["metricSource"]["spec"]["query"] == \
        'slamon_sla_valid_events_total{contract="globex-genesys-2026",sla="availability"}'


@pytest.mark.parametrize("contract_id", ["acme-connect-2026", "umbrella-bpo-2026"])
def test_one_alert_condition_per_generated_burn_rate_alert(contract_id: str) -> None:
    docs = docs_of(contract_id)
    contract = load_contract(CONTRACTS / f"{contract_id}.yaml")
    for sla in contract.slas:
        rules = {(a.labels["long_window"], a.labels["short_window"], a.labels["severity"])
                 for a in sla_alerts(contract, sla, Links()) if a.name == "SlaErrorBudgetBurn"}
        prefix = codec.object_name(contract.id, sla.id) + "-burn-"
        conditions = {(d["spec"]["condition"]["lookbackWindow"],
                       d["metadata"]["annotations"]["slamon.dev/short-window"],
                       d["spec"]["severity"])
                      for d in docs if d["kind"] == "AlertCondition"
                      and d["metadata"]["name"].startswith(prefix)}
        assert conditions == rules, sla.id


def test_availability_of_four_nines_keeps_all_four_burn_rates() -> None:
    docs = docs_of("acme-connect-2026")
    thresholds = sorted(d["spec"]["condition"]["threshold"] for d in docs
                        if d["kind"] == "AlertCondition"
                        and d["metadata"]["name"].startswith("acme-connect-2026-availability-"))
    # budget 0.0001: 14.4x, 6x, 3x and 1x all stay below an error ratio of 1
    assert thresholds == [Decimal(1), Decimal(3), Decimal(6), Decimal("14.4")]


def test_contract_terms_ride_on_the_vendor_service() -> None:
    service = one(docs_of("umbrella-bpo-2026"), "Service", "harbour-bpo")
    ann = service["metadata"]["annotations"]
    assert ann["slamon.dev/umbrella-bpo-2026.fees"] == \
        "{monthly: '180000.00', peak: '45000.00'}"
    assert ann["slamon.dev/umbrella-bpo-2026.at-risk"] == \
        "{percent_of_fees: 10%, pool: 200%, monthly_cap: at_risk_amount}"
    assert "id" not in codec.decode(ann["slamon.dev/umbrella-bpo-2026.metadata"], "x")


def test_a_target_of_100_percent_cannot_be_an_openslo_target() -> None:
    contract = load_contract(CONTRACTS / "globex-genesys-2026.yaml")
    sla = contract.sla("fcr")
    with pytest.raises(InputError, match="fcr: a good-event share of 100% cannot"):
        objectives(replace(sla, target=Target(Decimal(1))))


@pytest.mark.parametrize(("parts", "expected"), [
    (("acme-connect-2026", "service-level-voice"), "acme-connect-2026-service-level-voice"),
    (("Globex_GmbH:2026", "SLA.1"), "globex-gmbh-2026-sla-1"),
], ids=["already a label", "upper case, underscores, colons and dots become dashes"])
def test_object_names_are_rfc_1123_labels(parts: tuple[str, ...], expected: str) -> None:
    assert codec.object_name(*parts) == expected


def test_a_long_name_is_cut_to_63_characters_and_stays_unique() -> None:
    a = codec.object_name("c" * 40, "service-level-voice-business-hours-a")
    b = codec.object_name("c" * 40, "service-level-voice-business-hours-b")
    assert len(a) == len(b) == 63
    assert a != b
    assert a[:50] == b[:50]
