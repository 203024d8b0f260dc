"""Console page benchmark: the time to render each page of `slamon console` for the demo
database plus 1,000 queues of October intervals, in PostgreSQL. Median of 7 requests per
page, through the whole application (session cookie, user lookup, store reads, template),
in-process (Starlette's TestClient, no network). The yardstick is the issue's goal: every
page in <= 200 ms. Report downloads (`--downloads`) re-evaluate the period and its history
from the intervals and render a PDF/XLSX, as `slamon report --db` does; they are timed
apart, with no goal.

    python bench/console.py [--queues 1000] [--downloads] [--keep]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from starlette.testclient import TestClient

from bench.common import PG_URL, drop_schema, fresh_store, intervals
from monitor.console.app import create_app
from monitor.console.auth import hash_password
from monitor.console.settings import ConsoleSettings
from monitor.console.state import Console
from monitor.service.claims import draft_claims
from monitor.service.demo import run_demo
from monitor.spec import load_contracts

SCHEMA = "slamon_bench_console"
GOAL_MS = 200.0
CASE = "demo-genesys/availability/2026-10"
PAGES = ["/vendors", "/contracts/demo-genesys", "/contracts/demo-genesys/slas/availability",
         "/cases", f"/cases/{CASE}", "/reports", "/audit", "/users", "/claims",
         "/claims/demo-genesys/2026-10", "/ledger"]
DOWNLOADS = ["/reports/demo-genesys/2026-10.xlsx", "/reports/demo-genesys/2026-10.pdf"]


def median_ms(client: TestClient, path: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queues", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the schema afterwards")
    parser.add_argument("--downloads", action="store_true",
                        help="also time the report downloads (they re-evaluate 12 periods)")
    args = parser.parse_args()
    store = fresh_store(SCHEMA)
    url = store.engine.url.render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory() as work:
            started = time.perf_counter()
            run_demo(url, Path(work))
            contracts, _ = load_contracts([Path(work) / "slamon-demo" / "contracts"])
            print(f"demo month into PostgreSQL: {time.perf_counter() - started:.1f} s")
        contract = contracts[0]
        started = time.perf_counter()
        frame = intervals(args.queues, 31 * 48)
        store.ingest_intervals(contract, frame, source="bench")
        print(f"plus {args.queues:,} queues: {len(frame):,} interval rows in "
              f"{time.perf_counter() - started:.1f} s")
        console = Console(store, {c.id: c for c in contracts},
                          ConsoleSettings(secret="b" * 48),
                          clock=lambda: datetime(2026, 11, 20, 15, tzinfo=UTC))
        console.users.add("bench", "admin", hash_password("bench-password"), console.now())
        # October made final, so its 1,000.00 USD credit has a claim on the claims pages
        store.close_period(contract.id, "2026-10", "bench", console.now())
        draft_claims(store, contract, console.now())
        app = create_app(console)
        client = TestClient(app)
        page = client.get("/login").text
        marker = 'name="csrf" value="'
        token = page[page.index(marker) + len(marker):].split('"', 1)[0]
        client.post("/login", data={"csrf": token, "username": "bench",
                                    "password": "bench-password"})
        worst = 0.0
        print(f"{'page':<48} {'median':>9}  goal {GOAL_MS:.0f} ms")
        for path in PAGES:
            ms = median_ms(client, path, 7)
            worst = max(worst, ms)
            print(f"{path:<48} {ms:7.1f} ms  {ms / GOAL_MS:5.2f} of the goal")
        for path in DOWNLOADS if args.downloads else ():
            print(f"{path:<48} {median_ms(client, path, 1):7.1f} ms  (download, one run, "
                  "no goal)")
        print(f"slowest page: {worst:.1f} ms = {worst / GOAL_MS:.2f} x the {GOAL_MS:.0f} ms goal "
              f"({'met' if worst <= GOAL_MS else 'MISSED'})")
    finally:
        store.close()
        if not args.keep:
            drop_schema(SCHEMA)
        print(f"(database: {PG_URL}, schema {SCHEMA})")


if __name__ == "__main__":
    main()
