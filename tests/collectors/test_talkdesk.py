"""Talkdesk collector: Explore report jobs, contacts bucketed per ring group, both calls shapes.

Record shapes: the contacts report fields and example values of Airbyte's Talkdesk Explore
schema (airbytehq/airbyte source-talkdesk-explore `schemas/contacts.json`: contact_type
"Answered", direction "IN", finished_at "2022-01-19 10:05:11", wait_time 29, talk_time 268,
handle_time 228, ...); the calls report's old and new payloads as printed on Talkdesk's
"Calls report" page (docs.talkdesk.com/docs/calls-report, change of May 11, 2026). The job
answers follow Talkdesk's "check a report status" / "download a report" reference pages.
Other records are our own edge cases.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest
import responses
from responses import matchers

from monitor.collectors import HttpClient, TimeWindow, build_collector
from monitor.collectors.talkdesk import TalkdeskCollector
from monitor.domain.contract import Queue
from monitor.errors import PermanentError, TransientError
from monitor.simulator import make_contract

TOKEN = "https://acme.talkdeskid.com/oauth/token"
API = "https://api.talkdeskapp.com/data/reports"
ENV = {"TD_ID": "td-client", "TD_SECRET": "td-secret-value"}
WINDOW = TimeWindow(datetime(2022, 1, 19, 10, tzinfo=UTC), datetime(2022, 1, 19, 11, tzinfo=UTC))


class Clock:
    def __call__(self) -> datetime:
        return datetime(2022, 1, 19, 11, 30, tzinfo=UTC)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)


def collector(**settings: str) -> tuple[TalkdeskCollector, list[float]]:
    slept: list[float] = []
    contract = make_contract("talkdesk", (Queue("billing", "Billing"), Queue("support", "Support")),
                             settings={"account": "acme", **settings},
                             credentials_env={"client_id": "TD_ID", "client_secret": "TD_SECRET"})
    built = build_collector(contract, http=HttpClient(sleep=slept.append, jitter=0),
                            clock=Clock())
    assert isinstance(built, TalkdeskCollector)
    return built, slept


def add_token(rsps: responses.RequestsMock) -> None:
    basic = base64.b64encode(b"td-client:td-secret-value").decode()
    rsps.post(TOKEN, match=[matchers.header_matcher({"Authorization": f"Basic {basic}"}),
                            matchers.urlencoded_params_matcher(
                                {"grant_type": "client_credentials"})],
              json={"access_token": "td-token-1", "token_type": "Bearer", "expires_in": 3600,
                    "scope": "data-reports:read data-reports:write"})


def contact(**fields: Any) -> dict[str, Any]:
    base = {"interaction_id": "4b0d5e3c", "contact_id": "c-1", "direction": "IN",
            "contact_type": "Answered", "started_at": "2022-01-19 10:04:42",
            "answered_at": "2022-01-19 10:05:11", "finished_at": "2022-01-19 10:10:39",
            "wait_time": 29, "ring_time": 27, "talk_time": 268, "hold_time": 0,
            "after_call_work_time": 30, "duration": 328, "handle_time": 228,
            "inside_service_level": "No", "within_service_level_threshold": "No",
            "ring_groups": "billing", "handling_ring_groups": "billing"}
    return {**base, **fields}


CONTACTS = {"type": "contacts", "version": "v1", "total": 8, "entries": [
    contact(),  # Airbyte's example record: answered after 29 s
    contact(started_at="2022-01-19 10:12:00", wait_time=20, handle_time=100.5,
            ring_groups="billing+support"),  # counts for both groups
    contact(started_at="2022-01-19 10:20:00", contact_type="Abandoned", wait_time=50,
            abandon_time=50, handle_time=None),
    contact(started_at="2022-01-19 10:21:00", contact_type="short_abandoned", wait_time=3,
            short_abandon_time=3, handle_time=None),
    contact(started_at="2022-01-19 10:40:00", contact_type="Missed", wait_time=60),
    contact(started_at="2022-01-19 10:41:00", direction="OUT", contact_type="Answered"),
    contact(started_at="2022-01-19 10:42:00", ring_groups="sales"),
    contact(started_at="2022-01-19 11:02:00"),  # after the window: the next one's
]}


def test_a_contacts_job_is_created_polled_followed_to_its_file_and_bucketed(
        env: None) -> None:
    talkdesk, slept = collector()
    with responses.RequestsMock() as rsps:
        add_token(rsps)
        rsps.post(f"{API}/contacts/jobs", status=429, headers={"Retry-After": "1"}, json={})
        rsps.post(f"{API}/contacts/jobs", status=202, json={"job": {
            "id": "job-7", "status": "created", "format": "json"}},
            match=[matchers.json_params_matcher({
                "name": "slamon sim-talkdesk 2022-01-19T10:00:00Z", "format": "json",
                "timespan": {"from": "2022-01-19T10:00:00Z", "to": "2022-01-19T11:30:00Z"},
                "timezone": "UTC"}),
                matchers.header_matcher({"Authorization": "Bearer td-token-1"})])
        rsps.get(f"{API}/contacts/jobs/job-7", json={"job": {"id": "job-7",
                                                              "status": "processing"}})
        rsps.get(f"{API}/contacts/jobs/job-7", status=303,
                 headers={"Location": f"{API}/contacts/files/job-7"})
        rsps.get(f"{API}/contacts/files/job-7", status=303,
                 headers={"Location": "https://reports.s3.example/job-7.json?X-Amz-Sig=abc"})
        rsps.get("https://reports.s3.example/job-7.json", json=CONTACTS)
        result = talkdesk.collect(WINDOW)
    assert slept == [1.0, 2.0]  # Retry-After, then one status pause
    rows = {(r["queue"], r["interval_start"].minute): r
            for r in result.intervals.to_dict("records")}
    billing = rows[("billing", 0)]
    assert billing["offered"] == 4
    assert billing["answered"] == 2
    assert billing["abandoned"] == 2
    assert billing["answered_within_20s"] == 1  # 20 s counts, 29 s does not
    assert billing["abandoned_within_5s"] == 1  # the 3 s short abandon
    assert billing["abandoned_within_20s"] == 1
    assert billing["answer_wait_seconds"] == 49
    assert billing["handle_seconds"] == 329  # 228 + 100.5 = 328.5, half-up
    assert rows[("billing", 30)]["offered"] == 1  # the missed contact ...
    assert rows[("billing", 30)]["flowouts"] == 1  # ... flowed out
    support = rows[("support", 0)]
    assert (support["offered"], support["answered"], support["answer_wait_seconds"]) == (1, 1, 20)


def test_an_airbyte_style_completed_job_with_a_files_link_and_timezone_in_timespan(
        env: None) -> None:
    talkdesk, _ = collector(timezone_field="timespan")
    with responses.RequestsMock() as rsps:
        add_token(rsps)
        rsps.post(f"{API}/contacts/jobs", json={"job": {"id": "j2"}}, match=[
            matchers.json_params_matcher({
                "name": "slamon sim-talkdesk 2022-01-19T10:00:00Z", "format": "json",
                "timespan": {"from": "2022-01-19T10:00:00Z", "to": "2022-01-19T11:30:00Z",
                             "timezone": "UTC"}})])
        rsps.get(f"{API}/contacts/jobs/j2", json={
            "job": {"id": "j2", "status": "completed"},
            "_links": {"files": {"href": "/data/reports/contacts/files/j2"}}})
        rsps.get(f"{API}/contacts/files/j2", json=[contact()])
        result = talkdesk.collect(WINDOW)
    assert int(result.intervals["offered"].sum()) == 1


def test_both_shapes_of_the_calls_report(env: None) -> None:
    talkdesk, _ = collector(report="calls", ring_group_field="ring_groups")
    old = {"interaction_id": "a1", "call_type": "inbound", "start_time": "2022-01-19 10:42:24",
           "talk_time": 0.000069444446, "waiting_time": 0.00005787037,
           "agent_speed_to_answer": 0.000046296296, "holding_time": 0.0,
           "ring_groups": "agents+billing"}
    new = {"call_id": "b2", "type": "outbound", "start_at": "2022-01-19T10:22:26Z",
           "talk_time": 20, "wait_time": 0, "hold_time": 0, "ring_groups": "billing"}
    new_in = {**new, "call_id": "b3", "type": "short_abandoned", "wait_time": 4,
              "abandon_time": 4}
    with responses.RequestsMock() as rsps:
        add_token(rsps)
        rsps.post(f"{API}/calls/jobs", json={"job": {"id": "j3"}})
        rsps.get(f"{API}/calls/jobs/j3", json={"type": "calls", "version": "v1", "total": 3,
                                                "entries": [old, new, new_in]})
        result = talkdesk.collect(WINDOW)
    rows = {r["interval_start"].minute: r for r in result.intervals.to_dict("records")
            if r["queue"] == "billing"}
    assert rows[0]["abandoned_within_5s"] == 1  # the new shape's short abandon
    assert rows[30]["answered"] == 1  # the old shape: 0.0000578 day = 5 s wait
    assert rows[30]["answer_wait_seconds"] == 5
    assert rows[30]["handle_seconds"] == 6


def test_a_failed_job_is_transient_and_bad_settings_are_refused(env: None) -> None:
    talkdesk, _ = collector()
    with responses.RequestsMock() as rsps:
        add_token(rsps)
        rsps.post(f"{API}/contacts/jobs", json={"job": {"id": "j4"}})
        rsps.get(f"{API}/contacts/jobs/j4", json={"job": {"id": "j4", "status": "failed"}})
        with pytest.raises(TransientError, match="contacts job j4 ended failed"):
            talkdesk.collect(WINDOW)
    with pytest.raises(PermanentError, match="'apac' is not a Talkdesk region"):
        collector(region="apac")
    with pytest.raises(PermanentError, match="must be contacts or calls"):
        collector(report="agents")


def test_the_eu_region_uses_the_eu_identity_host(env: None) -> None:
    talkdesk, _ = collector(region="eu")
    assert talkdesk.auth.token_url == "https://acme.talkdeskid.eu/oauth/token"
    assert talkdesk.api == "https://api.talkdeskapp.eu"
