"""What a running service needs around the pipeline: clocks, its owner name, and the
vendor-URL override that points a contract's collectors at the simulator (or a proxy).

Clocks: `real_clock` is the wall; `fixed_clock(t)` stands still (backfills, tests, cron
catch-ups: "collect as of t"); `SimulatorClock(url)` follows a running simulator's
simulated time through its `GET /_stats` (`sim_now`), so a `slamon run` process can live
through a simulated day in seconds. Leases always use the real wall clock.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import requests

from monitor.domain.contract import Contract
from monitor.errors import InputError

Clock = Callable[[], datetime]


def real_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Clock:
    if at.tzinfo is None:
        raise ValueError("fixed_clock needs a tz-aware instant")
    return lambda: at


class SimulatorClock:
    """The simulated time of the simulator at `url` (its `/_stats` `sim_now`)."""

    def __init__(self, url: str, session: requests.Session | None = None) -> None:
        self.url = url.rstrip("/") + "/_stats"
        self.session = session or requests.Session()

    def __call__(self) -> datetime:
        reply = self.session.get(self.url, timeout=5)
        reply.raise_for_status()
        return datetime.fromisoformat(reply.json()["sim_now"])


def owner_id() -> str:
    """Who holds a lease: host and process, unique among live processes."""
    return f"{socket.gethostname()}:{os.getpid()}"


def retarget(contract: Contract, url: str) -> Contract:
    """The contract with every vendor endpoint sent to `url`: Genesys API and login hosts,
    the Amazon Connect endpoint, the Twilio API base and the status page. Queues,
    credentials' variable names and SLAs stay as they are."""
    base = url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise InputError(f"{url!r} is not an http(s) URL", column="--vendor-url")
    settings = dict(contract.sources.settings)
    settings.update({"api_url": base, "login_url": base, "endpoint_url": base,
                     "base_url": base})
    status_page = base if contract.sources.status_page else None
    sources = replace(contract.sources, settings=settings, status_page=status_page)
    return replace(contract, sources=sources)
