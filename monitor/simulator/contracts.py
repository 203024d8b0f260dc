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

SIM_ENV: dict[str, str] = {
    "SLAMON_SIM_CLIENT_ID": "sim-client",
    "SLAMON_SIM_CLIENT_SECRET": "sim-secret",
    "SLAMON_SIM_AWS_ACCESS_KEY_ID": "AKIASIMULATOR0000000",
    "SLAMON_SIM_AWS_SECRET_ACCESS_KEY": "sim-aws-secret-access-key",
}
CONNECT_ARN = ("arn:aws:connect:us-east-1:123456789012:instance/"
               "11111111-2222-3333-4444-555555555555")


def simulator_contract(kind: str, url: str, scenario: Scenario | None = None) -> Contract:
    """A contract of vendor `kind` (genesys-cloud | amazon-connect) polling `url`."""
    scenario = scenario or Scenario()
    queues = tuple(Queue(q.id, q.name, q.channel) for q in scenario.queues)
    if kind == "genesys-cloud":
        settings = {"api_host": url}
        creds = {"client_id": "SLAMON_SIM_CLIENT_ID", "client_secret": "SLAMON_SIM_CLIENT_SECRET"}
    elif kind == "amazon-connect":
        settings = {"instance_arn": CONNECT_ARN, "api_host": url, "region": "us-east-1",
                    "rate_limit": "50"}
        creds = {"access_key_id": "SLAMON_SIM_AWS_ACCESS_KEY_ID",
                 "secret_access_key": "SLAMON_SIM_AWS_SECRET_ACCESS_KEY"}
    else:
        raise ValueError(f"the simulator serves genesys-cloud and amazon-connect, not {kind}")
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
