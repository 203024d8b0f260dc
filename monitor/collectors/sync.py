"""One poll of one source into storage: plan from the watermark, fetch, store, advance.

`sync(collector, contract, store, now)` reads the watermark under `watermark_key`, plans
the windows (`plan_windows`: trailing re-poll, gap backfill within the vendor's history),
and for each window, oldest first: collects, upserts intervals and outages (storage keys
make re-fetched intervals and re-seen incidents idempotent), calls `collector.commit`, and
only then moves the watermark to the window's end. An error stops the loop with the
watermark at the last stored window, so the next poll resumes there. `store` is anything
with the four `Store` methods used below; this module does not import storage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import pandas as pd

from monitor.collectors.base import Collector, RequestStats, TimeWindow
from monitor.collectors.windows import plan_windows
from monitor.domain.contract import Contract
from monitor.domain.measurements import Outage


class Sink(Protocol):
    def get_watermark(self, key: str) -> datetime | None: ...

    def set_watermark(self, key: str, ts: datetime, *, force: bool = False) -> bool: ...

    def ingest_intervals(self, contract: Contract, frame: pd.DataFrame, *,
                         source: str | None = None, at: datetime | None = None) -> Any: ...

    def ingest_outages(self, contract_id: str, outages: tuple[Outage, ...],
                       at: datetime | None = None) -> Any: ...


@dataclass(frozen=True)
class SyncReport:
    key: str
    windows: int
    rows: int
    outages: int
    watermark: datetime | None
    gap: TimeWindow | None = None  # backfilled after downtime
    lost: TimeWindow | None = None  # older than the vendor keeps: reported, not fetched
    problems: tuple[str, ...] = ()
    stats: RequestStats = field(default_factory=RequestStats)


def watermark_key(contract: Contract, collector: Collector) -> str:
    return f"{contract.id}/{collector.kind}"


def sync(collector: Collector, contract: Contract, store: Sink, now: datetime, *,
         initial: timedelta | None = None) -> SyncReport:
    key = watermark_key(contract, collector)
    watermark = store.get_watermark(key)
    plan = plan_windows(watermark, now, collector.limits, initial=initial)
    rows = outages = 0
    problems: list[str] = []
    requests = retries = errors = 0
    for window in plan.windows:
        result = collector.collect(window)
        if not result.intervals.empty:
            store.ingest_intervals(contract, result.intervals, source=collector.kind, at=now)
            rows += len(result.intervals)
        spans = result.outages + result.maintenances
        if spans:
            store.ingest_outages(contract.id, spans, at=now)
            outages += len(spans)
        collector.commit(result)
        store.set_watermark(key, window.end)
        watermark = max(watermark, window.end) if watermark else window.end
        problems += result.problems
        requests += result.stats.requests
        retries += result.stats.retries
        errors += result.stats.errors
    return SyncReport(key, len(plan.windows), rows, outages, watermark, plan.gap, plan.lost,
                      tuple(dict.fromkeys(problems)), RequestStats(requests, retries, errors))
