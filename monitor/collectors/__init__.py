"""Vendor collectors: one module per vendor behind the `Collector` Protocol.

Use `build_collector(contract, http=HttpClient(...), clock=...)` and
`collector.collect(window)`; plan windows with `plan_windows(watermark, now,
collector.limits)`. All HTTP goes through `monitor.collectors.http.HttpClient`.

The names below are resolved on first use: `slamon validate` reads the platforms'
settings (`monitor.collectors.platforms`) without loading every vendor module and the
libraries they need (pandas, boto3, zeep).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_WHERE = {
    "Collector": "base", "CollectResult": "base", "Limits": "base", "RequestStats": "base",
    "TimeWindow": "base", "HttpClient": "http", "COLLECTORS": "registry",
    "build_collector": "registry", "build_collectors": "registry", "Plan": "windows",
    "plan_windows": "windows",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'monitor.collectors' has no attribute {name!r}")
    return getattr(importlib.import_module(f"monitor.collectors.{module}"), name)


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
