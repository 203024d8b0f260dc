"""`python -m monitor.simulator --port 8080 --seed 7 --fault-rate 0.2 [--speed 60]`."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import datetime

from monitor.simulator.faults import FAULT_KINDS, FaultInjector
from monitor.simulator.scenario import Scenario
from monitor.simulator.server import Simulator


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitor.simulator",
                                     description="Fake vendor APIs with ground truth.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--start", default="2026-10-05T00:00:00+00:00",
                        help="first simulated day, ISO 8601 with offset")
    parser.add_argument("--speed", type=float, default=None,
                        help="simulated seconds per real second (default: the whole "
                             "scenario is already over)")
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--faults", default=",".join(FAULT_KINDS),
                        help=f"comma-separated kinds out of {','.join(FAULT_KINDS)}")
    parser.add_argument("--retry-after", default="1")
    args = parser.parse_args(argv)
    start = datetime.fromisoformat(args.start)
    if start.tzinfo is None:
        parser.error("--start needs an offset, e.g. 2026-10-05T00:00:00+00:00")
    scenario = Scenario(seed=args.seed, start=start, days=args.days, speed=args.speed)
    faults = FaultInjector(rate=args.fault_rate, kinds=tuple(k for k in args.faults.split(",")
                                                             if k),
                           seed=args.seed, retry_after=args.retry_after)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with Simulator(scenario, faults, args.host, args.port) as sim:
        print(f"simulator listening on {sim.url} (seed {args.seed}, "
              f"fault rate {args.fault_rate})", file=sys.stderr, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
