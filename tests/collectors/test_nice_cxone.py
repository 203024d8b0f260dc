"""NICE CXone collector: tokens, discovery, skill summaries and per-contact counts.

`fixtures/nice_cxone/skills_summary.json` re-types `RAW_SKILLS_SUMMARIES` from
singer-io/tap-nice-incontact `tests/test_convert_data_types.py` (a skills/summary payload
with every value quoted, as the tap says some CXone endpoints answer). The per-contact
pages are our own edge cases, shaped like `contacts/completed` in NICE's published
OpenAPI (research/vendor_apis_2.md §1.3).
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import responses
from responses import matchers

from monitor.collectors import HttpClient, TimeWindow, build_collector
from monitor.collectors.nice_cxone import NiceCxoneCollector
from monitor.domain.contract import AbandonTreatment, Metric, Queue, Sla, Target
from monitor.errors import PermanentError
from monitor.simulator import make_contract

FIX = Path(__file__).parent.parent / "fixtures" / "nice_cxone"
AUTH = "https://na1.nice-incontact.com"
API = "https://api-c42.nice-incontact.com/inContactAPI/services/v30.0"
EMAIL_SKILL, OUTBOUND_SKILL = "10477448", "8408918"
ENV = {"NICE_KEY_ID": "key-id-4711", "NICE_KEY_SECRET": "key-secret-value-0815"}
TENANT = "11eb0e3a-1c5d-4e7f-9a9b-0242ac110002"


def jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2lnbmF0dXJl"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 10, 5, 15, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)


def sla(seconds: int) -> tuple[Sla, ...]:
    """Service level over answered contacts only: nothing a skill summary lacks."""
    return (Sla(id="sl", metric=Metric.SERVICE_LEVEL, target=Target(Decimal("0.8")),
                threshold=timedelta(seconds=seconds), abandons=AbandonTreatment.IGNORE),)


def collector(clock: Clock | None = None, slas: tuple[Sla, ...] | None = None,
              queues: tuple[Queue, ...] = (Queue(EMAIL_SKILL, "Sales e-mail", "email"),),
              **settings: str) -> NiceCxoneCollector:
    contract = make_contract(
        "nice-cxone", queues, settings=settings, slas=slas,
        credentials_env={"access_key_id": "NICE_KEY_ID", "access_key_secret": "NICE_KEY_SECRET"})
    http = HttpClient(sleep=lambda _s: None, max_retries=3, jitter=0)
    built = build_collector(contract, http=http, clock=clock or Clock())
    assert isinstance(built, NiceCxoneCollector)
    return built


def add_access_key_token(rsps: responses.RequestsMock, token: str, refresh: str = "rt-1",
                         host: str = AUTH) -> None:
    rsps.post(f"{host}/authentication/v1/token/access-key",
              match=[matchers.json_params_matcher({"accessKeyId": "key-id-4711",
                                                   "accessKeySecret": "key-secret-value-0815"})],
              json={"access_token": token, "refresh_token": refresh, "expires_in": 3600})


def test_skill_summaries_with_values_as_strings_map_to_counts_discovered_by_tenant(
        env: None) -> None:
    clock = Clock()
    nice = collector(clock, slas=sla(28800))  # the e-mail skill's own 8 h threshold
    token = jwt({"tenantId": TENANT, "iss": "https://cxone.niceincontact.com"})
    window = TimeWindow(datetime(2026, 10, 5, 14, tzinfo=UTC),
                        datetime(2026, 10, 5, 14, 30, tzinfo=UTC))
    with responses.RequestsMock() as rsps:
        add_access_key_token(rsps, token)
        rsps.get("https://cxone.niceincontact.com/.well-known/cxone-configuration",
                 match=[matchers.query_param_matcher({"tenantId": TENANT})],
                 json={"api_endpoint": "https://api-c42.nice-incontact.com", "area": "na1",
                       "cluster": "C42", "domain": "nice-incontact.com"})
        rsps.get(f"{API}/skills/summary",
                 match=[matchers.query_param_matcher({"startDate": "2026-10-05T14:00:00.000Z",
                                                      "endDate": "2026-10-05T14:30:00.000Z"}),
                        matchers.header_matcher({"Authorization": f"Bearer {token}"})],
                 json=json.loads((FIX / "skills_summary.json").read_text()))
        result = nice.collect(window)
    row = result.intervals.iloc[0].to_dict()
    assert result.problems == ()
    assert len(result.intervals) == 1  # the outbound skill is not the contract's
    assert (row["queue"], row["channel"]) == (EMAIL_SKILL, "email")
    assert row["offered"] == 1036
    assert row["answered"] == 1036
    assert row["handled"] == 1036
    assert row["abandoned"] == 0
    assert row["flowouts"] == 0
    assert row["answered_within_28800s"] == 1033
    assert row["answer_wait_seconds"] == 1944 * 1036  # 2 013 984: average x handled
    assert row["handle_seconds"] == 179 * 1036  # 185 444


def test_a_token_is_refreshed_before_it_expires_and_replaced_after_a_401(env: None) -> None:
    clock = Clock()
    nice = collector(clock, slas=sla(28800), api_host="https://api-c42.nice-incontact.com",
                     auth_url=AUTH)
    window = TimeWindow(datetime(2026, 10, 5, 14, tzinfo=UTC),
                        datetime(2026, 10, 5, 14, 30, tzinfo=UTC))
    summary = json.loads((FIX / "skills_summary.json").read_text())
    with responses.RequestsMock() as rsps:
        add_access_key_token(rsps, "at-1")
        rsps.get(f"{API}/skills/summary", json=summary,
                 match=[matchers.header_matcher({"Authorization": "Bearer at-1"})])
        nice.collect(window)
        clock.now += timedelta(seconds=3600 - 59)  # inside the 60 s margin: refresh first
        rsps.post(f"{AUTH}/public/user/refresh",
                  match=[matchers.json_params_matcher({"token": "rt-1"})],
                  json={"token": "at-2", "refreshToken": "rt-2",
                        "tokenExpirationTimeSec": "3600"})
        rsps.get(f"{API}/skills/summary", status=401, json={"error": "invalid_token"},
                 match=[matchers.header_matcher({"Authorization": "Bearer at-2"})])
        add_access_key_token(rsps, "at-3", "rt-3")
        rsps.get(f"{API}/skills/summary", json=summary,
                 match=[matchers.header_matcher({"Authorization": "Bearer at-3"})])
        result = nice.collect(window)
    assert nice.auth.refreshed == 1
    assert nice.auth.fetched == 2
    assert int(result.intervals["offered"].iloc[0]) == 1036


CONTACTS_1 = {"totalRecords": "9", "businessUnitId": 4600123, "completedContacts": [
    {"ContactStartDate": "2026-10-05T14:03:10.000Z", "SkillId": 4012345, "IsOutbound": False,
     "Abandoned": "False", "InQueueSeconds": "12.5", "AgentSeconds": "300", "AcwSeconds": "30.25"},
    {"contactStartDate": "2026-10-05T14:10:00Z", "skillId": "4012345", "isOutbound": "false",
     "abandoned": False, "inQueueSeconds": 20.0, "agentSeconds": 200, "acwSeconds": 0},
    {"contactStartDate": "2026-10-05T14:20:00.000Z", "skillId": "4012345", "isOutbound": False,
     "abandoned": True, "abandonSeconds": 4.2, "inQueueSeconds": 4.2, "agentSeconds": 0},
    {"contactStartDate": "2026-10-05T14:29:59.999Z", "skillId": "4012345", "isOutbound": False,
     "abandoned": False, "inQueueSeconds": "20.001", "agentSeconds": "100.5", "acwSeconds": 10},
]}
CONTACTS_2 = {"totalRecords": 9, "_links": {"next": f"{API}/contacts/completed?page=3"},
              "completedContacts": [
    {"contactStartDate": "2026-10-05T14:35:00Z", "skillId": "4012345", "isOutbound": False,
     "abandoned": "True", "abandonSeconds": "7", "agentSeconds": "0"},
    {"contactStartDate": "2026-10-05T14:40:00Z", "skillId": "4012345", "isOutbound": "True",
     "abandoned": False, "inQueueSeconds": 1, "agentSeconds": 60},
    {"contactStartDate": "2026-10-05T14:45:00Z", "skillId": "999", "isOutbound": False,
     "abandoned": False, "inQueueSeconds": 1, "agentSeconds": 60},
    {"contactStartDate": "2026-10-05T14:50:00Z", "skillId": "4012345", "isOutbound": False,
     "abandoned": False, "inQueueSeconds": 30, "agentSeconds": 0},
]}
CONTACTS_3 = {"totalRecords": 9, "completedContacts": [
    {"contactStartDate": "2026-10-05T15:10:00Z", "skillId": "4012345", "isOutbound": False,
     "abandoned": False, "inQueueSeconds": 3, "agentSeconds": 60},
]}


def test_contacts_are_paged_bucketed_and_counted_at_the_contracts_thresholds(
        env: None) -> None:
    nice = collector(queues=(Queue("4012345", "Support", "voice"),), page_size="4",
                     api_host="https://api-c42.nice-incontact.com", auth_url=AUTH)
    window = TimeWindow(datetime(2026, 10, 5, 14, tzinfo=UTC),
                        datetime(2026, 10, 5, 15, tzinfo=UTC))
    base = {"startDate": "2026-10-05T14:00:00.000Z", "endDate": "2026-10-05T17:00:00.000Z",
            "top": "4"}
    with responses.RequestsMock() as rsps:
        add_access_key_token(rsps, "at-1")
        rsps.get(f"{API}/contacts/completed", status=429, headers={"Retry-After": "0"},
                 json={"error": "rate limit exceeded"})
        rsps.get(f"{API}/contacts/completed", json=CONTACTS_1,
                 match=[matchers.query_param_matcher({**base, "skip": "0"})])
        rsps.get(f"{API}/contacts/completed", status=500, body="oops")
        rsps.get(f"{API}/contacts/completed", json=CONTACTS_2,
                 match=[matchers.query_param_matcher({**base, "skip": "4"})])
        rsps.get(f"{API}/contacts/completed", json=CONTACTS_3,
                 match=[matchers.query_param_matcher({"page": "3"})])
        result = nice.collect(window)
    rows = {r["interval_start"].minute: r for r in result.intervals.to_dict("records")}
    assert rows[0] == {
        "queue": "4012345", "channel": "voice", "interval_start": rows[0]["interval_start"],
        "interval_minutes": 30, "offered": 4, "answered": 3, "abandoned": 1, "flowouts": 0,
        "answer_wait_seconds": 53,  # 12.5 + 20.0 + 20.001 = 52.501 s, half-up
        "handled": 3, "handle_seconds": 641,  # 330.25 + 200 + 110.5 = 640.75 s
        "answered_within_20s": 2,  # 20.0 counts, 20.001 does not
        "abandoned_within_5s": 1, "abandoned_within_20s": 1}
    assert rows[30]["offered"] == 2
    assert rows[30]["flowouts"] == 1
    assert rows[30]["abandoned_within_5s"] == 0
    assert rows[30]["abandoned_within_20s"] == 1
    assert rows[30]["answered"] == 0
    assert rows[30]["answer_wait_seconds"] == 0
    assert result.stats.retries == 2


def test_a_skill_threshold_other_than_the_contracts_is_reported_on_the_summary_route(
        env: None) -> None:
    nice = collector(slas=sla(20), route="summary", api_host="https://api-c42.nice-incontact.com",
                     auth_url=AUTH)
    window = TimeWindow(datetime(2026, 10, 5, 14, tzinfo=UTC),
                        datetime(2026, 10, 5, 14, 30, tzinfo=UTC))
    with responses.RequestsMock() as rsps:
        add_access_key_token(rsps, "at-1")
        rsps.get(f"{API}/skills/summary", json=json.loads(
            (FIX / "skills_summary.json").read_text()))
        result = nice.collect(window)
    assert "answered_within_20s" not in result.intervals.columns  # never a made-up 0
    assert result.problems == (
        f"skill {EMAIL_SKILL}: NICE service-level threshold is 28800 s but the contract "
        "counts 20 s; answered_within_20s needs sources.route: contacts (or auto)",)


def test_the_password_grant_sends_the_access_key_as_user_and_reads_the_id_token(
        env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NICE_CLIENT_ID", "app-client")
    monkeypatch.setenv("NICE_CLIENT_SECRET", "app-client-secret")
    contract = make_contract(
        "nice-cxone", (Queue(EMAIL_SKILL, "Sales e-mail", "email"),), slas=sla(28800),
        settings={"auth": "password", "route": "summary"},
        credentials_env={"access_key_id": "NICE_KEY_ID", "access_key_secret": "NICE_KEY_SECRET",
                         "client_id": "NICE_CLIENT_ID", "client_secret": "NICE_CLIENT_SECRET"})
    nice = build_collector(contract, http=HttpClient(sleep=lambda _s: None), clock=Clock())
    basic = base64.b64encode(b"app-client:app-client-secret").decode()
    with responses.RequestsMock() as rsps:
        rsps.post("https://cxone.niceincontact.com/auth/token",
                  match=[matchers.header_matcher({"Authorization": f"Basic {basic}"}),
                         matchers.urlencoded_params_matcher({
                             "grant_type": "password", "username": "key-id-4711",
                             "password": "key-secret-value-0815"})],
                  json={"access_token": "opaque-token", "token_type": "Bearer",
                        "expires_in": 3600, "id_token": jwt({"tenantId": TENANT})})
        rsps.get("https://cxone.niceincontact.com/.well-known/cxone-configuration",
                 json={"api_endpoint": "api-c42.nice-incontact.com"})
        rsps.get(f"{API}/skills/summary", json={"skillSummaries": []})
        result = nice.collect(TimeWindow(datetime(2026, 10, 5, 14, tzinfo=UTC),
                                         datetime(2026, 10, 5, 14, 30, tzinfo=UTC)))
    assert int(result.intervals["offered"].iloc[0]) == 0


@pytest.mark.parametrize(("settings", "message"), [
    ({"area": "mars1"}, "sources.area 'mars1' is not a CXone area"),
    ({"route": "fastest"}, "sources.route must be one of auto, summary, contacts"),
    ({"auth": "saml"}, "sources.auth must be access-key or password"),
])
def test_unusable_settings_are_refused_when_the_collector_is_built(
        env: None, settings: dict[str, str], message: str) -> None:
    with pytest.raises(PermanentError, match=message):
        collector(**settings)


def test_a_missing_access_key_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NICE_KEY_ID", raising=False)
    with pytest.raises(PermanentError, match="NICE_KEY_ID"):
        collector()
