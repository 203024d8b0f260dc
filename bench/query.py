"""Query benchmark: one month of 30-minute intervals for 1,000 queues in PostgreSQL; the time
to evaluate every queue's service level for the month from the database, business hours
(Mon-Fri 08-20, Sat 09-13, US holidays, America/New_York) included. Median of 5.

The fast path is slamon's per-day rollups (`Store.sla_sums`): one SQL aggregate over the
rollup rows of the month, then exact Decimal ratios per queue. The script checks the answer
against the raw intervals (pandas over every row, the engine's calendar) and says "exact".
A Prometheus answers the same question over the same data in about 540 ms on these
machines; the goal is <= 54 ms.

    python bench/query.py [--queues 1000] [--keep] [--reuse]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from bench.common import PG_URL, contract, drop_schema, fresh_store, intervals
from monitor.domain.calendars import open_spans
from monitor.domain.contract import Contract
from monitor.domain.periods import period_for
from monitor.domain.results import Period
from monitor.storage import Store

SCHEMA = "slamon_bench_query"
COLUMNS = ["answered", "abandoned", "answered_within_20s", "abandoned_within_20s"]


def service_levels(store: Store, c: Contract, period: Period) -> dict[str, Decimal]:
    """F1 (abandons within 20 s count as answered in time), per queue, exact."""
    sums = store.sla_sums(c, c.slas[0], period, COLUMNS)
    out: dict[str, Decimal] = {}
    # Python ints from whole columns (tolist), not a numpy scalar per value and int() of it
    for queue, a, b, aw, bw in zip(*(sums[c].tolist() for c in ["queue", *COLUMNS]),
                                   strict=True):
        if a + b:
            out[queue] = Decimal(aw + bw) / Decimal(a + b)
    return out


def from_raw(store: Store, c: Contract, period: Period) -> dict[str, Decimal]:
    raw = store.load_intervals(c.id, period.start, period.end)
    spans = open_spans(c.calendar("business-hours"), period.start, period.end, c.tz)
    inside = spans.contains(raw["interval_start"].astype("int64").to_numpy().astype(np.int64))
    grouped = raw[inside].groupby("queue")[COLUMNS].sum()
    return {str(q): Decimal(int(r.answered_within_20s) + int(r.abandoned_within_20s))
            / Decimal(int(r.answered) + int(r.abandoned))
            for q, r in grouped.iterrows() if int(r.answered) + int(r.abandoned)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queues", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the schema for --reuse")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept schema")
    args = parser.parse_args()
    c = contract(args.queues)
    period = period_for(c, "2026-10")
    if args.reuse:
        sep = "&" if "?" in PG_URL else "?"
        store = Store.open(f"{PG_URL}{sep}options=-csearch_path%3D{SCHEMA}")
    else:
        store = fresh_store(SCHEMA)
        frame = intervals(args.queues, 1488 + 2)  # 2026-10 in New York: 31 days + 1 hour
        frame["abandoned_within_20s"] = frame["abandoned"] // 2
        started = time.perf_counter()
        store.ingest_intervals(c, frame, batch_size=100_000, atomic=False)
        print(f"loaded {len(frame):,} interval rows in {time.perf_counter() - started:.1f} s")
    try:
        times = []
        result: dict[str, Decimal] = {}
        for _ in range(5):
            started = time.perf_counter()
            result = service_levels(store, c, period)
            times.append(time.perf_counter() - started)
        exact = from_raw(store, c, period)
        sample = sorted(result)[0]
        print(f"queues evaluated:          {len(result):,}")
        print(f"month service level, median of 5: {statistics.median(times) * 1000:.1f} ms "
              f"(runs: {', '.join(f'{t * 1000:.1f}' for t in times)} ms; goal <= 54 ms)")
        print(f"exact against raw intervals: {'yes' if result == exact else 'NO'} "
              f"(e.g. {sample}: {result[sample]:.6f})")
    finally:
        store.close()
        if not args.keep:
            drop_schema(SCHEMA)


if __name__ == "__main__":
    main()
