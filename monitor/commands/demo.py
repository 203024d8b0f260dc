"""`slamon demo`: a simulated month end to end, no configuration needed.

    slamon demo [--db sqlite:///slamon.db] [--month 2026-10] [--seed 7] [--serve]
                [--vendor genesys-cloud|amazon-connect|nice-cxone|five9|talkdesk]

Leaves a populated database (default `./slamon.db`, which every other command finds),
the demo contract in `slamon-demo/contracts/`, the month's evaluation on stdout and a
report file. `--serve` then keeps the simulator, the service (following a simulated clock),
`/metrics` and the web console (with a demo admin login, printed) running until Ctrl-C.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from pathlib import Path

from monitor.config import database_url
from monitor.conventions import DEFAULT_METRICS_PORT
from monitor.simulator.contracts import SIM_KINDS

HELP = "run a simulated month end to end and leave a populated ./slamon.db"
log = logging.getLogger("slamon.demo")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL",
                        help="database to fill (default: SLAMON_DATABASE_URL or "
                        "sqlite:///slamon.db)")
    parser.add_argument("--month", default="2026-10", help="the month to simulate (2026-10)")
    parser.add_argument("--seed", type=int, default=7, help="simulator seed (default 7)")
    parser.add_argument("--vendor", default="genesys-cloud", choices=SIM_KINDS,
                        help="platform the simulated contract is on (default genesys-cloud)")
    parser.add_argument("--fault-rate", type=float, default=0.0,
                        help="share of vendor requests the simulator fails (default 0)")
    parser.add_argument("--dir", type=Path, default=Path("."),
                        help="where slamon-demo/ and the report go (default: here)")
    parser.add_argument("--serve", action="store_true",
                        help="afterwards keep the simulator, service and /metrics running")
    parser.add_argument("--metrics-port", type=int, default=DEFAULT_METRICS_PORT,
                        help=f"port for /metrics with --serve (default {DEFAULT_METRICS_PORT}; "
                        "0 = any free port)")
    parser.add_argument("--console-port", type=int, default=8180,
                        help="port for the web console with --serve (default 8180; 0 = any "
                        "free port); it binds to 127.0.0.1")


def run(args: argparse.Namespace) -> int:

    url = database_url(args.db)
    started = time.monotonic()
    quiet = [] if args.verbose else ["slamon.service", "alembic"]
    saved = {name: logging.getLogger(name).level for name in quiet}
    for name in quiet:  # the service's per-window lines are noise here
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        return _run(args, url, started)
    finally:  # main() may be called again in this process (tests, the REPL)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def _run(args: argparse.Namespace, url: str, started: float) -> int:
    from monitor.service.demo import DemoResult, print_summary, run_demo
    from monitor.service.scheduler import Service
    from monitor.simulator import Simulator

    def progress(line: str) -> None:
        log.debug("event=demo_progress detail=%s", line)

    def serve(sim: Simulator, service: Service, result: DemoResult) -> None:
        from monitor.console.demo import start_demo_console
        from monitor.exporter.server import serve as serve_metrics

        print_summary(result, sys.stdout, args.db)
        server = serve_metrics(service, args.metrics_port)
        console = start_demo_console(url, [result.contract], args.console_port)
        print(f"\nServing. simulator: {sim.url}   metrics: "
              f"http://127.0.0.1:{server.port}/metrics\n"
              f"Console: {console.running.url}/   demo login: {console.username} / "
              f"{console.password}   (Ctrl-C to stop)", flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(5):
                service.run_once()
        except KeyboardInterrupt:
            pass
        finally:
            console.stop()
            server.stop()

    result = run_demo(url, args.dir, month=args.month, seed=args.seed,
                      fault_rate=args.fault_rate, progress=progress,
                      keep=serve if args.serve else None, vendor=args.vendor)
    if not args.serve:
        print_summary(result, sys.stdout, args.db)
    log.info("event=demo_finished seconds=%.1f", time.monotonic() - started)
    return 0
