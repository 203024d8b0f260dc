"""The explicit registry: contract `metadata.vendor` → collector class.

`build_collectors(contract, http=..., clock=...)` returns the vendor's collector plus a
Statuspage collector when `sources.status_page` is set; `build_collector` returns one.
Every platform a contract can name has a collector; a kind outside this table is a
PermanentError listing the known ones, never a silent no-op.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from monitor.collectors.amazon_connect import AmazonConnectCollector
from monitor.collectors.base import Clock, Collector, utc_now
from monitor.collectors.csv_drop import CsvDropCollector
from monitor.collectors.five9 import Five9Collector
from monitor.collectors.genesys import GenesysCollector
from monitor.collectors.http import HttpClient
from monitor.collectors.nice_cxone import NiceCxoneCollector
from monitor.collectors.statuspage import StatuspageCollector
from monitor.collectors.talkdesk import TalkdeskCollector
from monitor.collectors.twilio import TwilioFlexCollector
from monitor.domain.contract import Contract
from monitor.errors import PermanentError

COLLECTORS: dict[str, Callable[..., Any]] = {
    "genesys-cloud": GenesysCollector,
    "amazon-connect": AmazonConnectCollector,
    "twilio-flex": TwilioFlexCollector,
    "nice-cxone": NiceCxoneCollector,
    "five9": Five9Collector,
    "talkdesk": TalkdeskCollector,
    "statuspage": StatuspageCollector,
    "csv": CsvDropCollector,
}


def build_collector(contract: Contract, *, http: HttpClient | None = None,
                    clock: Clock = utc_now, kind: str | None = None) -> Collector:
    """The collector for `kind` (default: the contract's vendor)."""
    kind = kind or contract.vendor
    factory = COLLECTORS.get(kind)
    if factory is None:
        raise PermanentError(f"contract {contract.id}: no collector for vendor {kind!r}; "
                             f"known: {', '.join(sorted(COLLECTORS))}")
    collector: Collector = factory(contract, http or HttpClient(), clock)
    return collector


def build_collectors(contract: Contract, *, http: HttpClient | None = None,
                     clock: Clock = utc_now) -> list[Collector]:
    """Every source the contract names: its vendor API and its status page."""
    http = http or HttpClient()
    out: list[Collector] = []
    out.append(build_collector(contract, http=http, clock=clock))
    if contract.sources.status_page and contract.vendor != "statuspage":
        out.append(build_collector(contract, http=http, clock=clock, kind="statuspage"))
    return out
