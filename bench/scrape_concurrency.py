"""Concurrent scrapers of `slamon serve-metrics` over a real database (issue 17 item 5).

    python bench/scrape_concurrency.py [--clients 50] [--rounds 5] [--db URL --contracts DIR]

Without --db, fills a fresh SQLite file with `slamon demo` (a simulated month: stored results,
credits, collector runs, a case) and serves its contracts. Then, as separate processes would:
- one client, scrapes 1.2 s apart (each one past the shared window: a fresh build);
- `--clients` threads scraping at once, `--rounds` times, 1.2 s apart (each round: one build,
  shared by every client; the stored results unchanged, so no engine work).
Prints p50/p99 of every request's wall time beside the single-client figure.
Goal: 50 concurrent clients p99 <= 200 ms.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

GAP = 1.2  # seconds between rounds: longer than the exporter's shared window (1 s)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def scrape(url: str) -> tuple[float, int]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        size = len(response.read())
    return time.perf_counter() - started, size


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def concurrent_round(url: str, clients: int) -> list[float]:
    times: list[float] = []
    lock = threading.Lock()
    gate = threading.Barrier(clients)

    def one() -> None:
        gate.wait()
        took, _ = scrape(url)
        with lock:
            times.append(took)

    threads = [threading.Thread(target=one) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--single", type=int, default=5, help="single-client scrapes")
    parser.add_argument("--db", help="serve this database instead of a fresh demo one")
    parser.add_argument("--contracts", type=Path, help="its contracts (with --db)")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    with tempfile.TemporaryDirectory() as folder:
        db, contracts = args.db, args.contracts
        if db is None:
            subprocess.run([sys.executable, "-m", "monitor.cli", "demo"], cwd=folder, env=env,
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            db = f"sqlite:///{folder}/slamon.db"
            contracts = Path(folder) / "slamon-demo" / "contracts"
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "monitor.cli", "serve-metrics", "--db", db, "--contracts",
             str(contracts), "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/metrics"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    _, size = scrape(url)
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                    time.sleep(0.2)
            single = []
            for _ in range(args.single):
                time.sleep(GAP)
                single.append(scrape(url)[0])
            together: list[float] = []
            for _ in range(args.rounds):
                time.sleep(GAP)
                together += concurrent_round(url, args.clients)
        finally:
            server.terminate()
            server.wait(10)
    print(f"exposition: {size / 1e3:.1f} kB")
    print(f"1 client:          p50 {statistics.median(single) * 1000:7.1f} ms   "
          f"max {max(single) * 1000:7.1f} ms  ({len(single)} scrapes, each a fresh build)")
    p50, p99 = quantile(together, 0.5), quantile(together, 0.99)
    print(f"{args.clients} clients at once: p50 {p50 * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms  "
          f"({len(together)} scrapes in {args.rounds} rounds)")
    print(f"p99 / 1-client p50: {p99 / statistics.median(single):6.1f}x   (goal: p99 <= 200 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
