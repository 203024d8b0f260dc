"""Collector throughput against the local simulator, at the vendor's rate limit.

Polls 1,000 queue-intervals (10 queues x 100 half hours) from `monitor.simulator` on
127.0.0.1 through the real collectors and the real HTTP seam, with a client-side token
bucket at the configured rate (Genesys: 300 requests/min per token = 5/s), and prints wall
time and requests/s. Goal: <= 10 s at the Genesys limit, by batching what the API allows
(one aggregates query covers up to 50 queues and 7 days).

    python bench/collect.py [--vendor genesys-cloud|amazon-connect|nice-cxone|five9|
                                      talkdesk|both|all]
                            [--rate 5] [--fault-rate 0] [--unbatched]

`--unbatched` asks one queue and one day per query, to show what batching buys. Five9 runs
at its documented report limits (16 `runReport` and 20 retrievals a minute, enforced by the
seam), and the line says how many reports were started in the busiest minute; unbatched
(one skill per report) it needs 30 reports, so the limit shows in the wall time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

from monitor.collectors import HttpClient, build_collector
from monitor.collectors.windows import split_window
from monitor.simulator import (
    SIM_ENV,
    SIM_KINDS,
    FaultInjector,
    Scenario,
    SimQueue,
    Simulator,
    simulator_contract,
)

QUEUES = tuple(SimQueue(f"00000000-0000-4000-8000-{i:012d}", f"Queue {i}", "voice", 20000,
                        30.0 + 3 * i) for i in range(10))
INTERVALS = 100  # per queue: 10 x 100 = 1,000 queue-intervals


def run(vendor: str, rate: float, fault_rate: float, unbatched: bool) -> float:
    scenario = Scenario(seed=7, days=3, queues=QUEUES)
    faults = FaultInjector(rate=fault_rate, seed=3, retry_after="0", timeout_delay=0.5)
    with Simulator(scenario, faults) as sim:
        contract = simulator_contract(vendor, sim.url, scenario)
        if vendor == "amazon-connect":  # the bucket of the seam is the one that counts here
            contract = replace(contract, sources=replace(
                contract.sources, settings={**contract.sources.settings,
                                            "rate_limit": str(rate)}))
        if vendor == "five9":  # the simulator has no quota; the bench keeps Five9's own
            contract = replace(contract, sources=replace(
                contract.sources, settings={**contract.sources.settings,
                                            "run_reports_per_minute": "16",
                                            "retrievals_per_minute": "20"}))
        http = HttpClient(timeout=2.0, max_retries=8, backoff=0.05, rate_limit=rate, burst=1)
        starts: list[float] = []
        if vendor == "five9":  # note when each report is really sent, to show the limit held
            send = http.session.request

            def timed(method: str, url: str, **kw: Any) -> Any:
                if b"runReport>" in (kw.get("data") or b""):
                    starts.append(time.perf_counter())
                return send(method, url, **kw)
            http.session.request = timed  # type: ignore[method-assign,assignment]
        collector = build_collector(contract, http=http, clock=scenario.clock.now)
        start = scenario.start
        end = start + INTERVALS * timedelta(minutes=30)
        span = timedelta(days=1) if unbatched else collector.limits.max_span
        windows = split_window(start, end, span, timedelta(minutes=30))
        began = time.perf_counter()
        rows = 0
        if unbatched:
            for queue in contract.sources.queues:
                single = replace(contract, sources=replace(contract.sources, queues=(queue,)))
                one = build_collector(single, http=http, clock=scenario.clock.now)
                for window in windows:
                    rows += len(one.collect(window).intervals)
        else:
            for window in windows:
                rows += len(collector.collect(window).intervals)
        wall = time.perf_counter() - began
        requests = http.stats().requests
        retries = http.stats().retries
        truth = len(scenario.truth(end=end))
    ok = "ok" if rows == truth == 1000 else f"MISMATCH (truth {truth})"
    # the first request needs no token-bucket wait, so n requests span n - 1 gaps
    paced = (requests - 1) / wall if requests > 1 else 0.0
    busiest = max((sum(1 for t in starts if a <= t < a + 60) for a in starts), default=0)
    extra = (f"; {len(starts)} reports, at most {busiest} started in any minute "
             f"(Five9 limit 16)") if vendor == "five9" else ""
    print(f"{vendor:15} {'unbatched' if unbatched else 'batched':9} {rows:5} queue-intervals "
          f"[{ok}]  {requests:4} requests ({retries} retries) in {wall:6.2f} s wall = "
          f"{requests / wall:5.2f} req/s, {paced:4.2f} between requests "
          f"(limit {rate:.2f} req/s){extra}")
    return wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vendor", default="both",
                        choices=[*SIM_KINDS, "both", "all"])
    parser.add_argument("--rate", type=float, default=300 / 60,
                        help="client-side requests per second (Genesys default 300/min)")
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--unbatched", action="store_true")
    args = parser.parse_args(argv)
    os.environ.update(SIM_ENV)
    vendors = (["genesys-cloud", "amazon-connect"] if args.vendor == "both" else
               list(SIM_KINDS) if args.vendor == "all" else [args.vendor])
    worst = 0.0
    for vendor in vendors:
        worst = max(worst, run(vendor, args.rate, args.fault_rate, args.unbatched))
    print(f"goal <= 10 s per vendor at {args.rate * 60:.0f} requests/min: "
          f"{'met' if worst <= 10 else 'NOT met'} (slowest {worst:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
