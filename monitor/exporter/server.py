"""Serve `SlamonMetrics` over HTTP (`/metrics`) from one process.

Custom collectors do not work in client_python's multiprocess mode, so the exporter runs
in the scheduler's process (`slamon run`) or alone (`slamon serve-metrics`), on its own
`CollectorRegistry`: no process/platform collectors of the global registry leak in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, start_http_server

from monitor.domain.contract import Contract
from monitor.domain.results import Evaluation, PeriodCredits
from monitor.exporter.from_results import snapshot_from_evaluations
from monitor.exporter.metrics import SlamonMetrics
from monitor.exporter.snapshot import MetricsSnapshot, SnapshotSource

# The latest evaluation per (contract, period kind), and the credits history by contract id.
StoredResults = tuple[Iterable[Evaluation], Mapping[str, Sequence[PeriodCredits]]]


def build_registry(
    source: SnapshotSource, clock: Callable[[], datetime] | None = None
) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SlamonMetrics(source, clock))
    return registry


@dataclass
class MetricsServer:
    server: WSGIServer
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.server.server_port)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve(
    source: SnapshotSource, port: int, addr: str = "127.0.0.1",
    clock: Callable[[], datetime] | None = None,
) -> MetricsServer:
    """Start serving in a daemon thread; `port=0` picks a free port (see `.port`)."""
    server, thread = start_http_server(port, addr=addr, registry=build_registry(source, clock))
    return MetricsServer(server, thread)


@dataclass(frozen=True)
class ContractsSource:
    """Contracts only, no stored results: SLA metadata, calendars, at-risk amounts.

    What `serve-metrics` shows until a storage-backed source is plugged in (`results` is
    called per scrape and returns the latest evaluations and credits by contract id).
    """

    contracts: Sequence[Contract]
    results: Callable[[datetime], StoredResults] | None = None

    def snapshot(self, now: datetime) -> MetricsSnapshot:
        evaluations: Iterable[Evaluation] = ()
        credits: Mapping[str, Sequence[PeriodCredits]] = {}
        if self.results is not None:
            evaluations, credits = self.results(now)
        return snapshot_from_evaluations(self.contracts, evaluations, credits, now)
