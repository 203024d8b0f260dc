"""Contracts whose `sources` point at a running simulator (for tests, the bench and demo).

The credentials are the simulator's own, made-up values; they still travel the real way:
`sources.credentials_env` names environment variables, and `SIM_ENV` is what to put there.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from monitor.domain.contract import (
    Contract,
    Direction,
    Metric,
    Queue,
    Rounding,
    Sla,
    Sources,
    Target,
)
from monitor.simulator.scenario import Scenario
from monitor.simulator.twilio_api import ACCOUNT_SID, AUTH_TOKEN, WORKSPACE_SID

SIM_ENV: dict[str, str] = {
    "SLAMON_SIM_CLIENT_ID": "sim-client",
    "SLAMON_SIM_CLIENT_SECRET": "sim-secret",
    "SLAMON_SIM_AWS_ACCESS_KEY_ID": "AKIASIMULATOR0000000",
    "SLAMON_SIM_AWS_SECRET_ACCESS_KEY": "sim-aws-secret-access-key",
    "SLAMON_SIM_NICE_KEY_ID": "sim-key-id",
    "SLAMON_SIM_NICE_KEY_SECRET": "sim-key-secret",
    "SLAMON_SIM_FIVE9_USER": "sim-five9-user",
    "SLAMON_SIM_FIVE9_PASSWORD": "sim-five9-password",
    "SLAMON_SIM_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
    "SLAMON_SIM_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
}
SIM_KINDS = ("genesys-cloud", "amazon-connect", "twilio-flex", "nice-cxone", "five9",
             "talkdesk")
CONNECT_ARN = ("arn:aws:connect:us-east-1:123456789012:instance/"
               "11111111-2222-3333-4444-555555555555")


def simulator_sources(kind: str, url: str) -> tuple[dict[str, str], dict[str, str]]:
    """(settings, credentials_env) of a `kind` contract pointed at the simulator at `url`."""
    if kind == "genesys-cloud":
        return {"api_host": url}, {"client_id": "SLAMON_SIM_CLIENT_ID",
                                   "client_secret": "SLAMON_SIM_CLIENT_SECRET"}
    if kind == "amazon-connect":
        return ({"instance_arn": CONNECT_ARN, "api_host": url, "region": "us-east-1",
                 "rate_limit": "50"},
                {"access_key_id": "SLAMON_SIM_AWS_ACCESS_KEY_ID",
                 "secret_access_key": "SLAMON_SIM_AWS_SECRET_ACCESS_KEY"})
    if kind == "twilio-flex":
        return ({"workspace_sid": WORKSPACE_SID, "api_host": url},
                {"account_sid": "SLAMON_SIM_TWILIO_ACCOUNT_SID",
                 "auth_token": "SLAMON_SIM_TWILIO_AUTH_TOKEN"})
    if kind == "nice-cxone":
        return {"api_host": url}, {"access_key_id": "SLAMON_SIM_NICE_KEY_ID",
                                   "access_key_secret": "SLAMON_SIM_NICE_KEY_SECRET"}
    if kind == "five9":
        # The simulator's report has two abandon-threshold columns a customer would add;
        # it has no per-minute quota, so the documented limits would only slow the demo.
        return ({"api_host": url, "service_level_seconds": "20",
                 "abandoned_within_5s": "SHORT ABANDONED",
                 "abandoned_within_20s": "ABANDONED IN SL", "run_reports_per_minute": "600",
                 "retrievals_per_minute": "600"},
                {"username": "SLAMON_SIM_FIVE9_USER", "password": "SLAMON_SIM_FIVE9_PASSWORD"})
    if kind == "talkdesk":
        return ({"api_host": url, "account": "slamon-sim", "poll_seconds": "0.01"},
                {"client_id": "SLAMON_SIM_CLIENT_ID", "client_secret": "SLAMON_SIM_CLIENT_SECRET"})
    raise ValueError(f"the simulator serves {', '.join(SIM_KINDS)}, not {kind}")


def simulator_contract(kind: str, url: str, scenario: Scenario | None = None) -> Contract:
    """A contract of vendor `kind` (one of `SIM_KINDS`) polling `url`."""
    scenario = scenario or Scenario()
    queues = tuple(Queue(q.id, q.name, q.channel) for q in scenario.queues)
    settings, creds = simulator_sources(kind, url)
    return make_contract(kind, queues, settings=settings, credentials_env=creds,
                         status_page=url, components=("Voice", "Chat"))


def make_contract(
    vendor: str,
    queues: tuple[Queue, ...] = (),
    *,
    settings: Mapping[str, str] | None = None,
    credentials_env: Mapping[str, str] | None = None,
    status_page: str | None = None,
    components: tuple[str, ...] = (),
    slas: tuple[Sla, ...] | None = None,
) -> Contract:
    """A minimal valid contract around a `sources` block; default SLAs: service level 80 %
    in 20 s with 5 s short abandons (positive), ASA 30 s, availability 99.99 %."""
    if slas is None:
        slas = (
            Sla(id="service-level", metric=Metric.SERVICE_LEVEL,
                target=Target(Decimal("0.8")), threshold=timedelta(seconds=20),
                short_abandon=timedelta(seconds=5)),
            Sla(id="asa", metric=Metric.ASA, target=Target(Decimal(30), Direction.MAX)),
            Sla(id="availability", metric=Metric.AVAILABILITY,
                target=Target(Decimal("0.9999")), components=("Voice",)),
        )
    return Contract(
        id=f"sim-{vendor}", name=f"Simulated {vendor}", vendor=vendor, currency="USD",
        tz=ZoneInfo("America/New_York"), effective_from=date(2026, 1, 1), effective_to=None,
        rounding=Rounding(), fees={"monthly": Decimal("20000.00")}, calendars={},
        exclusions=(),
        sources=Sources(queues=queues, status_page=status_page,
                        credentials_env=dict(credentials_env or {}),
                        settings=dict(settings or {}), components=components),
        slas=slas,
    )
