"""Exposition time of slamon's scrape-time collector vs client_python serving prebuilt families.

    python bench/scrape.py [--series 10000 | --slas N] [--repeat 9]

Builds a snapshot of ratio SLAs (10 per contract; 14 SLA series each), then times
`generate_latest` on (a) a registry holding `SlamonMetrics` (families built fresh from the
snapshot per scrape) and (b) a registry whose collector yields the very same families, built
once beforehand (client_python's floor: text formatting only). Prints the best of `--repeat`
interleaved runs of both, the number of SLA series, and the ratio.
Goals: at 10,000 series (a) <= 100 ms and (a)/(b) <= 1.5; at `--series 100000` (issue 15)
(a)/(b) <= 1.2.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from monitor.exporter.metrics import SlamonMetrics
from monitor.exporter.snapshot import MetricsSnapshot, SlaSnapshot, StaticSource

NOW = datetime(2026, 11, 11, 15, 0, tzinfo=UTC)
SERIES_PER_SLA = 14


def snapshot(n: int) -> MetricsSnapshot:
    slas = tuple(
        SlaSnapshot(
            vendor=f"vendor-{i // 100}", contract=f"contract-{i // 10}", sla=f"sla-{i % 10}",
            metric="service_level", unit="ratio", direction="min", calendar="business-hours",
            period="2026-11", period_kind="month", target=0.8, attainment=0.81,
            raw_attainment=0.8, projected=0.81, best_case=0.93, required=0.79,
            error_budget=0.2, budget_remaining=0.4, elapsed_ratio=0.5,
            good_events=810.0 + i, valid_events=1000.0 + i,
            credit_accrued=Decimal("12.50"), currency="USD",
        )
        for i in range(n)
    )
    return MetricsSnapshot(taken_at=NOW, slas=slas)


class Prebuilt(Collector):
    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        yield from self.families


def timed(registry: CollectorRegistry) -> tuple[float, int]:
    started = time.perf_counter()
    size = len(generate_latest(registry))
    return time.perf_counter() - started, size


def best(
    ours: CollectorRegistry, floor: CollectorRegistry, repeat: int
) -> tuple[float, float, int]:
    """Best of `repeat` interleaved runs of each (interleaving evens out a busy machine)."""
    a, b, size = [], [], 0
    for _ in range(repeat):
        t, size = timed(ours)
        a.append(t)
        b.append(timed(floor)[0])
    return min(a), min(b), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000,
                        help="SLA-labelled series to expose (14 per SLA; default 10000)")
    parser.add_argument("--slas", type=int, help="number of SLAs instead of --series")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    slas = args.slas or -(-args.series // SERIES_PER_SLA)
    collector = SlamonMetrics(StaticSource(snapshot(slas)), clock=lambda: NOW)
    ours = CollectorRegistry(auto_describe=False)
    ours.register(collector)
    families = list(collector.collect())
    floor = CollectorRegistry(auto_describe=False)
    floor.register(Prebuilt(families))
    series = sum(len(f.samples) for f in families if f.name.startswith("slamon_sla_")
                 or f.name.startswith("slamon_credit"))
    t_ours, t_floor, size = best(ours, floor, args.repeat)
    print(f"SLAs: {slas}, SLA series: {series}, exposition: {size / 1e6:.1f} MB")
    print(f"slamon collector:       {t_ours * 1000:8.1f} ms")
    print(f"prebuilt families:      {t_floor * 1000:8.1f} ms")
    goal = "1.2 (issue 15, 100,000 series)" if series >= 100_000 else "1.5"
    print(f"ratio:                  {t_ours / t_floor:8.2f}  (goal <= {goal})")


if __name__ == "__main__":
    main()
