"""Scale-out: collected queue-intervals per second with 1, 2 and 3 `slamon run` processes on
one PostgreSQL, against the built-in simulator (issue 15 item 4).

    python bench/workers.py [--contracts 6] [--days 1] [--latency 0.1] [--workers 1 2 3]

`--contracts` copies of the demo contract (Genesys Cloud + status page; distinct ids, so
distinct sources and leases) are backfilled from `--since` to a pinned `--now`; every vendor
request answers after `--latency` seconds (a vendor's round trip; the simulator's own rate
limits do not apply: no 429s are injected), each process polls one source at a time
(`--workers 1`). For each process count: a fresh schema, the processes started together,
timed until every Genesys watermark has reached the end; then the stored intervals of every
contract are checked against the simulator's truth (nothing lost, doubled or different).
Goal: 3 processes >= 2x one process's throughput.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import drop_schema, fresh_store
from monitor.service.checks import truth_gaps
from monitor.service.demo import DEMO_ID, demo_contract_yaml
from monitor.service.pipeline import source_key
from monitor.simulator import SIM_ENV, FaultInjector, Scenario, Simulator
from monitor.spec import load_contract

START = datetime(2026, 10, 5, tzinfo=UTC)
SCHEMA = "slamon_bench_workers"


def run(processes: int, folder: Path, contracts: list, scenario: Scenario, sim_url: str,
        end: datetime) -> tuple[float, int, list[str]]:
    store = fresh_store(SCHEMA)
    url = store.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, **SIM_ENV}
    env.pop("SLAMON_DATABASE_URL", None)
    args = [sys.executable, "-m", "monitor.cli", "run", "--db", url, "--contracts",
            str(folder), "--vendor-url", sim_url, "--now", end.isoformat(), "--since",
            START.isoformat(), "--max-window", "1800", "--interval", "0.5", "--workers", "1",
            "--lease-ttl", "30", "--metrics-port", "0"]
    keys = [source_key(c.id, "genesys-cloud") for c in contracts]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        started = time.perf_counter()
        procs = [subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for _ in range(processes)]
        while True:
            marks = [store.get_watermark(k) for k in keys]
            if all(m is not None and m >= end for m in marks):
                break
            if any(p.poll() is not None for p in procs):
                raise SystemExit(f"a slamon run process ended early: "
                                 f"{[p.returncode for p in procs]}")
            time.sleep(0.1)
        took = time.perf_counter() - started
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(60)
        stored = sum(len(store.load_intervals(c.id, START, end)) for c in contracts)
        gaps = [f"{c.id}: {gap}" for c in contracts
                for gap in truth_gaps(store, c, scenario, START, end)]
        return took, stored, gaps
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        store.close()
        drop_schema(SCHEMA)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=6)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--latency", type=float, default=0.1,
                        help="seconds every vendor request takes (default 0.1)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    scenario = Scenario(seed=7, start=START, days=args.days)
    end = START + timedelta(days=args.days)
    faults = FaultInjector(rate=1.0, kinds=("timeout",), timeout_delay=args.latency)
    figures: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp, Simulator(scenario, faults) as sim:
        folder = Path(tmp)
        text = demo_contract_yaml(scenario, "2026-10")
        contracts = []
        for k in range(args.contracts):
            path = folder / f"c{k}.yaml"
            path.write_text(text.replace(f"id: {DEMO_ID}\n", f"id: {DEMO_ID}-{k}\n"),
                            encoding="utf-8")
            contracts.append(load_contract(path))
        for n in args.workers:
            took, stored, gaps = run(n, folder, contracts, scenario, sim.url, end)
            figures[n] = stored / took
            verdict = "equal to /_truth" if not gaps else f"{len(gaps)} differences: {gaps[:3]}"
            print(f"{n} process{'es' if n > 1 else '  '}: {stored:,} queue-intervals in "
                  f"{took:5.1f} s = {figures[n]:7.1f} /s   stored data {verdict}")
    if 1 in figures:
        for n, rate in figures.items():
            if n != 1:
                print(f"{n} processes / 1 process: {rate / figures[1]:.2f}x"
                      + ("   (goal >= 2x)" if n == 3 else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
