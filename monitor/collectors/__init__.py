"""Vendor collectors: one module per vendor behind the `Collector` Protocol.

Use `build_collector(contract, http=HttpClient(...), clock=...)` and
`collector.collect(window)`; plan windows with `plan_windows(watermark, now,
collector.limits)`. All HTTP goes through `monitor.collectors.http.HttpClient`.
"""

from __future__ import annotations

from monitor.collectors.base import (
    Collector,
    CollectResult,
    Limits,
    RequestStats,
    TimeWindow,
)
from monitor.collectors.http import HttpClient
from monitor.collectors.registry import COLLECTORS, build_collector, build_collectors
from monitor.collectors.windows import Plan, plan_windows

__all__ = [
    "COLLECTORS",
    "CollectResult",
    "Collector",
    "HttpClient",
    "Limits",
    "Plan",
    "RequestStats",
    "TimeWindow",
    "build_collector",
    "build_collectors",
    "plan_windows",
]
