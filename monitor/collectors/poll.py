"""Run a plan: fetch every planned window, oldest first, and hand each result over.

The caller stores each `CollectResult`, calls `collector.commit(result)` and moves the
watermark to `result.window.end`, so an error part-way leaves the watermark at the last
stored window and the next poll resumes (and backfills) from there.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from monitor.collectors.base import Collector, CollectResult
from monitor.collectors.windows import plan_windows


def poll(collector: Collector, watermark: datetime | None, now: datetime, *,
         initial: timedelta | None = None) -> Iterator[CollectResult]:
    plan = plan_windows(watermark, now, collector.limits, initial=initial)
    for window in plan.windows:
        yield collector.collect(window)
