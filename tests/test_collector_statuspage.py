"""Statuspage collector: incidents and maintenances become outages and exclusions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import responses

from monitor.collectors import HttpClient, TimeWindow, build_collector
from monitor.collectors.statuspage import StatuspageCollector
from monitor.domain.measurements import Outage
from monitor.errors import PermanentError
from monitor.simulator import make_contract

FIX = Path(__file__).parent / "fixtures" / "statuspage"
PAGE = "https://status.example-vendor.com"
INCIDENTS = f"{PAGE}/api/v2/incidents.json"
MAINTENANCES = f"{PAGE}/api/v2/scheduled-maintenances.json"
WINDOW = TimeWindow(datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 13, tzinfo=UTC))
SOURCE = f"statuspage:{PAGE}"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def statuspage(components: tuple[str, ...] = ("Voice", "Chat")) -> StatuspageCollector:
    contract = make_contract("twilio-flex", status_page=PAGE + "/", components=components)
    built = build_collector(contract, http=HttpClient(sleep=lambda s: None),
                            clock=lambda: WINDOW.end, kind="statuspage")
    assert isinstance(built, StatuspageCollector)
    return built


def serve(incidents: str = "incidents.json") -> None:
    responses.get(INCIDENTS, body=(FIX / incidents).read_text())
    responses.get(MAINTENANCES, body=(FIX / "scheduled_maintenances.json").read_text())


@responses.activate
def test_component_transitions_become_outages_with_their_impact() -> None:
    serve()
    outages = statuspage().collect(WINDOW).outages
    voice = sorted((o for o in outages if o.service == "Voice"), key=lambda o: o.start)
    assert [(o.start, o.end, o.impact) for o in voice] == [
        # no transitions in its updates: the incident's impact (major -> partial) and span
        (at("2026-10-04T08:05:00"), at("2026-10-04T08:55:00"), "partial"),
        (at("2026-10-05T10:00:00.627"), at("2026-10-05T10:40:00"), "full"),
        (at("2026-10-05T10:40:00"), at("2026-10-05T11:00:00.920"), "partial"),
    ]
    assert voice[1].ref == "major0000001/Voice/2026-10-05T10:00:00.627000+00:00"


@responses.activate
def test_an_unresolved_incident_is_an_open_outage() -> None:
    serve()
    (chat,) = [o for o in statuspage().collect(WINDOW).outages if o.service == "Chat"]
    assert chat == Outage("Chat", at("2026-10-05T12:00:00.412"), None, "degraded",
                          source=SOURCE, ref="unres0000001/Chat/2026-10-05T12:00:00.412000+00:00")


@responses.activate
def test_components_outside_the_contract_and_operational_transitions_are_ignored() -> None:
    serve()
    services = {o.service for o in statuspage(components=()).collect(WINDOW).outages}
    # Webhooks went operational -> operational; the group row is never a service
    assert services == {"Voice", "Chat"}


@responses.activate
def test_scheduled_maintenances_are_vendor_announced_exclusions() -> None:
    serve()
    maintenances = statuspage().collect(WINDOW).maintenances
    assert [(o.service, o.start, o.end, o.excluded) for o in maintenances] == [
        ("Voice", at("2026-10-05T02:00:00"), at("2026-10-05T04:00:00"), True),
        ("Chat", at("2026-10-12T02:00:00"), at("2026-10-12T03:30:00"), True),
    ]


@responses.activate
def test_outages_outside_the_window_are_left_out() -> None:
    serve()
    window = TimeWindow(at("2026-10-05T10:30:00"), at("2026-10-05T10:45:00"))
    result = statuspage().collect(window)
    assert sorted((o.service, o.impact) for o in result.outages) == [
        ("Voice", "full"), ("Voice", "partial")]
    assert result.maintenances == ()


@responses.activate
def test_an_empty_incident_list_is_no_outage() -> None:
    serve("incidents_empty.json")
    assert statuspage().collect(WINDOW).outages == ()


@responses.activate
def test_a_503_then_a_truncated_body_are_retried() -> None:
    responses.get(INCIDENTS, status=503, body="<html>Service Unavailable</html>")
    responses.get(INCIDENTS, body=(FIX / "incidents.json").read_text()[:400])
    serve()
    result = statuspage().collect(WINDOW)
    assert len(result.outages) == 4
    assert result.stats.retries == 2


@responses.activate
def test_a_page_that_is_not_statuspage_is_a_permanent_error() -> None:
    responses.get(INCIDENTS, json={"status": "ok"})
    responses.get(MAINTENANCES, json={"scheduled_maintenances": []})
    with pytest.raises(PermanentError, match="no `incidents` list"):
        statuspage().collect(WINDOW)


def test_a_contract_without_a_status_page_is_refused() -> None:
    contract = make_contract("twilio-flex")
    with pytest.raises(PermanentError, match=r"sources\.status_page is not set"):
        StatuspageCollector(contract, HttpClient(), lambda: WINDOW.end)
