"""`slamon run`: the service. Polls every contract's sources on a schedule, stores what
they return, evaluates after each collection, sends the contracts' direct notifications
(each breach and recovery once, recorded in the database: `slamon notifications`), drafts
the claims of periods that become final and reminds of their deadlines (docs/claims.md), and
serves `/metrics` from the stored results at scrape time (the same source as
`slamon serve-metrics`, plus what only this process knows: see `StoreSource`). With a
simulated clock the exporter's "now" is that clock, so period progress matches the data.

    slamon run [--db URL] [--contracts DIR] [--metrics-port 9464] [--interval SECONDS]
    slamon run --once            # one collect + evaluate pass for every contract, then exit

SIGTERM / SIGINT: the window being fetched is stored and committed, then the process exits
0. Several processes may share one PostgreSQL database: row leases decide who polls a
source, watermarks in the database say where each source stands (docs/operations.md).

For simulated runs (tests, the demo, trying things out): `--vendor-url URL` sends every
vendor request to the simulator, `--clock-url URL` follows its simulated clock, `--now`
pins the clock, `--since` says where a source with no watermark starts.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
from datetime import timedelta
from types import FrameType

from monitor.alerting.notifiers.store_log import StoreSentLog
from monitor.cases.hook import CaseHook
from monitor.cases.stored_causes import StoredCauses
from monitor.collectors.http import HttpClient
from monitor.commands.common import parse_instant
from monitor.config import contracts_dir, database_url
from monitor.conventions import DEFAULT_METRICS_PORT
from monitor.errors import ContractError, InputError
from monitor.service.claims import ClaimNotices
from monitor.service.logs import configure_logging
from monitor.service.pipeline import CollectPolicy
from monitor.service.runtime import (
    Clock,
    SimulatorClock,
    fixed_clock,
    real_clock,
    retarget,
)
from monitor.service.scheduler import Service, chain, notifier
from monitor.storage.cases_repository import CaseStoreSentLog, StoreCaseRepository

HELP = "run the service: poll vendors on a schedule, store, evaluate, serve /metrics"
log = logging.getLogger("slamon.service")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL",
                        help="database (default: SLAMON_DATABASE_URL or sqlite:///slamon.db)")
    parser.add_argument("--contracts", "--contracts-dir", dest="contracts", metavar="DIR",
                        help="contract files or directory (default: SLAMON_CONTRACTS or "
                        "contracts)")
    parser.add_argument("--metrics-port", type=int, default=DEFAULT_METRICS_PORT,
                        help=f"serve /metrics here (default {DEFAULT_METRICS_PORT}; 0 = off)")
    parser.add_argument("--metrics-addr", default="127.0.0.1",
                        help="address to bind /metrics (default 127.0.0.1)")
    parser.add_argument("--once", action="store_true",
                        help="one collect + evaluate pass for every contract, then exit")
    parser.add_argument("--interval", type=float, metavar="SECONDS",
                        help="poll every SECONDS (default: each contract's "
                        "sources.poll_interval)")
    parser.add_argument("--workers", type=int, default=None,
                        help="sources polled at the same time (default 2 on SQLite, 4 else)")
    parser.add_argument("--log-json", action="store_true",
                        help="log JSON lines on stderr (the same as `slamon --log-format json`)")
    parser.add_argument("--http-timeout", type=float, default=10.0, metavar="SECONDS",
                        help="vendor request timeout (default 10)")
    parser.add_argument("--retry-backoff", type=float, default=0.5, metavar="SECONDS",
                        help="first retry delay of a failed vendor request, doubling "
                        "(default 0.5; a Retry-After header wins)")
    sim = parser.add_argument_group("simulated and catch-up runs")
    sim.add_argument("--vendor-url", metavar="URL",
                     help="send every vendor request to URL (the simulator)")
    sim.add_argument("--clock-url", metavar="URL",
                     help="follow the simulated clock of the simulator at URL")
    sim.add_argument("--now", metavar="ISO", help="pin the clock at this instant")
    sim.add_argument("--since", metavar="ISO",
                     help="where a source with no watermark starts (default: the start of "
                     "the contract's current month)")
    sim.add_argument("--trailing", type=float, metavar="SECONDS",
                     help="re-poll this much already-fetched time (default: the vendor's)")
    sim.add_argument("--max-window", type=float, metavar="SECONDS",
                     help="fetch at most this much time per request")
    parser.add_argument("--lease-ttl", type=float, default=300.0, metavar="SECONDS",
                        help="a source's lease lapses after this long without renewal "
                        "(default 300)")


def _clock(args: argparse.Namespace) -> Clock:
    if args.now and args.clock_url:
        raise InputError("give --now or --clock-url, not both", column="--now")
    if args.now:
        return fixed_clock(parse_instant(args.now, "--now"))
    if args.clock_url:
        return SimulatorClock(args.clock_url)
    return real_clock


def _seconds(value: float | None) -> timedelta | None:
    return None if value is None else timedelta(seconds=value)


def run(args: argparse.Namespace) -> int:
    from monitor.spec import load_contracts
    from monitor.storage import Store

    configure_logging(args.log_json or getattr(args, "log_format", "kv") == "json",
                      getattr(args, "verbose", False))
    contracts, problems = load_contracts([contracts_dir(args.contracts)])
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ContractError(errors)
    if not contracts:
        raise InputError(f"no contracts in {contracts_dir(args.contracts)}",
                         column="--contracts")
    if args.vendor_url:
        contracts = [retarget(c, args.vendor_url) for c in contracts]
    url = database_url(args.db)
    policy = CollectPolicy(
        since=parse_instant(args.since, "--since") if args.since else None,
        trailing=_seconds(args.trailing), max_span=_seconds(args.max_window),
        lease_ttl=timedelta(seconds=args.lease_ttl))
    store = Store.open(url)
    workers = args.workers or (2 if url.startswith("sqlite") else 4)
    timeout, backoff = args.http_timeout, args.retry_backoff
    clock = _clock(args)
    sent = StoreSentLog(store)
    cases = CaseHook(contracts, StoreCaseRepository(store), CaseStoreSentLog(store), sent,
                     os.environ, clock, causes=StoredCauses(store, clock))
    service = Service(store, contracts, clock=clock, policy=policy,
                      http=lambda: HttpClient(timeout=timeout, backoff=backoff),
                      interval=_seconds(args.interval), workers=workers,
                      on_evaluated=chain(notifier(sent, os.environ), cases,
                                         ClaimNotices(store, sent, os.environ, clock)))
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("event=signal signal=%s action=finishing_batch", signal.Signals(signum).name)
        stop.set()
        service.request_stop()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        if args.once:
            outcomes = service.run_once()
            failed = [o for o in outcomes if o.error]
            return 1 if failed and len(failed) == len(outcomes) else 0
        server = None
        if args.metrics_port:
            from monitor.exporter.server import serve
            from monitor.exporter.store_source import StoreSource

            source = StoreSource(store, contracts, live=service)
            try:
                server = serve(source, args.metrics_port, args.metrics_addr,
                               clock=service.clock)
            except OSError as exc:
                raise InputError(f"cannot serve /metrics on {args.metrics_addr}:"
                                 f"{args.metrics_port} ({exc.strerror}); give another "
                                 "--metrics-port, or 0 for none", column="--metrics-port"
                                 ) from None
            log.info("event=metrics_serving url=http://%s:%d/metrics", args.metrics_addr,
                     server.port)
        service.start()
        try:
            stop.wait()
        finally:
            service.shutdown()
            if server is not None:
                server.stop()
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        store.close()
