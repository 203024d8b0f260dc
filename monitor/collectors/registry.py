"""The explicit registry: a source's `platform` → collector class.

`build_collectors(contract, http=..., clock=...)` returns one collector per entry of the
contract's `sources` (each built from the contract seen with that entry as its source),
plus a Statuspage collector for each entry with a `status_page`; `build_collector` one.
Every platform a contract can name has a collector; a kind outside this table is a
PermanentError listing the known ones, never a silent no-op.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from monitor.collectors.amazon_connect import AmazonConnectCollector
from monitor.collectors.base import Clock, Collector, utc_now
from monitor.collectors.csv_drop import CsvDropCollector
from monitor.collectors.evidence import PrometheusEvidenceCollector
from monitor.collectors.five9 import Five9Collector
from monitor.collectors.genesys import GenesysCollector
from monitor.collectors.http import HttpClient
from monitor.collectors.nice_cxone import NiceCxoneCollector
from monitor.collectors.statuspage import StatuspageCollector
from monitor.collectors.talkdesk import TalkdeskCollector
from monitor.collectors.twilio import TwilioFlexCollector
from monitor.domain.contract import NO_PLATFORM, Contract
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
    """The collector for `kind` (default: the platform of the contract's first source)."""
    kind = kind or contract.platform
    factory = COLLECTORS.get(kind)
    if factory is None:
        raise PermanentError(f"contract {contract.id}: no collector for platform {kind!r}; "
                             f"known: {', '.join(sorted(COLLECTORS))}")
    collector: Collector = factory(contract, http or HttpClient(), clock)
    return collector


def build_collectors(contract: Contract, *, http: HttpClient | None = None,
                     clock: Clock = utc_now) -> list[Collector]:
    """Every source the contract names: each platform's API and its status page."""
    http = http or HttpClient()
    out: list[Collector] = []
    for source in contract.all_sources:
        seen = contract if source is contract.sources else replace(contract, sources=source)
        platform = seen.platform
        if platform == NO_PLATFORM:
            continue
        out.append(build_collector(seen, http=http, clock=clock))  # unknown kinds raise
        if source.status_page and platform != "statuspage":
            out.append(build_collector(seen, http=http, clock=clock, kind="statuspage"))
    out.extend(PrometheusEvidenceCollector(contract, check, http, clock)
               for check in contract.independent if check.kind == "prometheus")
    return out
