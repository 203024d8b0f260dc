"""Serve `SlamonMetrics` over HTTP (`/metrics`) from one process.

Custom collectors do not work in client_python's multiprocess mode, so the exporter runs
in the scheduler's process (`slamon run`) or alone (`slamon serve-metrics`), on its own
`CollectorRegistry`: no process/platform collectors of the global registry leak in.

Concurrent scrapers share one exposition (`SharedExposition`): the first scrape after
`share_seconds` builds the bytes (one snapshot, one rendering, one gzip) while the others wait
for it, and every scrape inside the window gets the same bytes. Fifty scrapers then cost one
build, not fifty serialised on the GIL; `slamon_snapshot_age_seconds` says how old they are.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer, choose_encoder, gzip_accepted

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


SHARE_SECONDS = 1.0  # scrapes this close together get the same bytes


@dataclass
class SharedExposition:
    """The exposition bytes per (format, gzip), rebuilt at most once per `share_seconds`."""

    registry: CollectorRegistry
    share_seconds: float = SHARE_SECONDS
    clock: Callable[[], float] = time.monotonic
    builds: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _held: dict[tuple[str, bool], tuple[float, bytes]] = field(default_factory=dict)

    def body(self, accept: str | None, compress: bool) -> tuple[bytes, str]:
        encoder, content_type = choose_encoder(accept or "")
        key = (content_type, compress)
        with self._lock:  # the waiting scrapers queue here and take what the first built
            held = self._held.get(key)
            if held is None or self.clock() - held[0] >= self.share_seconds:
                output = encoder(self.registry)
                if compress:
                    output = gzip.compress(output, compresslevel=1)  # CPU, not bytes, is scarce
                self.builds += 1
                held = (self.clock(), output)  # from the end of the build: waiters reuse it
                self._held[key] = held
            return held[1], content_type

    def wsgi_app(self) -> Callable[..., list[bytes]]:
        fallback = make_wsgi_app(self.registry)  # OPTIONS, errors, `name[]` filters

        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
            if (environ["REQUEST_METHOD"] != "GET" or environ["PATH_INFO"] == "/favicon.ico"
                    or "name[]" in parse_qs(environ.get("QUERY_STRING", ""))):
                return list(fallback(environ, start_response))
            compress = gzip_accepted(environ.get("HTTP_ACCEPT_ENCODING") or "")
            output, content_type = self.body(environ.get("HTTP_ACCEPT"), compress)
            headers = [("Content-Type", content_type)]
            if compress:
                headers.append(("Content-Encoding", "gzip"))
            start_response("200 OK", headers)
            return [output]

        return app


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Prometheus scrapes every few seconds: no access log line each time."""


@dataclass
class MetricsServer:
    server: WSGIServer
    thread: threading.Thread
    exposition: SharedExposition | None = None

    @property
    def port(self) -> int:
        return int(self.server.server_port)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve(
    source: SnapshotSource, port: int, addr: str = "127.0.0.1",
    clock: Callable[[], datetime] | None = None, share_seconds: float = SHARE_SECONDS,
) -> MetricsServer:
    """Start serving in a daemon thread; `port=0` picks a free port (see `.port`)."""
    exposition = SharedExposition(build_registry(source, clock), share_seconds)

    class Server(ThreadingWSGIServer):
        address_family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        # socketserver's default backlog of 5 drops the SYNs of a burst of scrapers, whose
        # kernels retry after 1 s, 3 s, 7 s: that, not the build, made 50 scrapers slow
        request_queue_size = 1024

    server = make_server(addr, port, exposition.wsgi_app(), Server, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return MetricsServer(server, thread, exposition)


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
