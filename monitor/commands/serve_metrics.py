"""`slamon serve-metrics`: the Prometheus exporter alone (no polling).

Reads the stored results of the database (--db, else SLAMON_DATABASE_URL, else
sqlite:///slamon.db) at each scrape; `--no-db` serves the contracts' metadata only."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from pathlib import Path

from monitor.conventions import DEFAULT_METRICS_PORT
from monitor.errors import ContractError, InputError
from monitor.exporter.server import ContractsSource, serve
from monitor.exporter.snapshot import SnapshotSource
from monitor.spec import load_contracts

HELP = "serve the Prometheus /metrics endpoint from stored results"
log = logging.getLogger(__name__)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--contracts", "--contracts-dir", dest="contracts", type=Path,
                        default=Path("contracts"),
                        help="contract files or directory (default: contracts)")
    parser.add_argument("--port", type=int, default=DEFAULT_METRICS_PORT,
                        help=f"port to listen on (default {DEFAULT_METRICS_PORT}; 0 = any)")
    parser.add_argument("--addr", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--db", metavar="URL", help="database URL (default: SLAMON_DATABASE_URL "
                        "or sqlite:///slamon.db)")
    parser.add_argument("--no-db", action="store_true",
                        help="no database: SLA metadata, targets and calendars only")


def run(args: argparse.Namespace) -> int:
    contracts, problems = load_contracts([args.contracts])
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ContractError(errors)
    source: SnapshotSource
    if args.no_db:
        source = ContractsSource(contracts)
    else:
        from monitor.config import database_url
        from monitor.exporter.store_source import StoreSource
        from monitor.storage import Store

        source = StoreSource(Store.open(database_url(args.db)), contracts)
    try:
        server = serve(source, args.port, args.addr)
    except (OSError, OverflowError) as exc:  # port taken, bad address, port > 65535
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(f"--addr/--port: cannot listen on {args.addr}:{args.port}: "
                         f"{reason}") from None
    log.info("event=metrics_serving url=http://%s:%d/metrics", args.addr, server.port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        server.stop()
    return 0
