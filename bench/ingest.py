"""Ingest benchmark: 1,000,000 interval rows into PostgreSQL through slamon's path
(`Store.ingest_intervals`: COPY to a staging table and a set-based comparison where rows are
stored, COPY of new rows, corrections, rollups in the same transaction; see
monitor/storage/merge.py) against a bare `COPY` of the same rows, already rendered, into an
equivalent table (same columns, same unique key), measured in the same run. Prints rows/s of
both and the ratios (issue 15 goals: new rows >= 80 % of COPY; re-ingest of the same rows,
all unchanged, >= 100 % of COPY). The load is one transaction in batches of `--batch`, as
`slamon import` and the collectors ingest (`atomic=True`); `--per-batch` commits each batch
alone, which writes the rollups once per batch.

    python bench/ingest.py [--rows 1000000] [--batch 200000] [--repeat 3] [--per-batch]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import contract, drop_schema, fresh_store, intervals
from monitor.storage.intervals import normalise, thresholds_json

SCHEMA = "slamon_bench_ingest"
QUEUES = 1000


def checkpoint(store: Any) -> None:
    """Write out the dirty pages of what ran before, so each timed phase starts from the same
    state instead of paying for the previous phase's writes (1 M rows leave ~300 MB of
    dirty buffers and WAL behind them). Needs a superuser; without one, says so."""
    try:
        with store.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("CHECKPOINT")
    except Exception as exc:  # a non-superuser role: the figures are noisier, not wrong
        print(f"(no CHECKPOINT between phases: {type(exc).__name__})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3,
                        help="whole runs (fresh schema each); medians are printed")
    parser.add_argument("--keep", action="store_true", help="keep the schema afterwards")
    parser.add_argument("--per-batch", action="store_true",
                        help="commit each batch alone (atomic=False) instead of the whole "
                        "load in one transaction, as `slamon import` and the collectors do")
    args = parser.parse_args()
    frame = intervals(QUEUES, args.rows // QUEUES)
    rows = len(frame)
    runs = [measure(frame, args, keep=args.keep and k == args.repeat - 1)
            for k in range(args.repeat)]
    copy_s, new_s, again_s, render = (statistics.median(r[i] for r in runs) for i in range(4))
    ratios = [f"{r[0] / r[1]:.0%}" for r in runs]
    print(f"rows:                      {rows:,}   (medians of {args.repeat} runs)")
    print(f"COPY (pre-rendered CSV):   {rows / copy_s:12,.0f} rows/s  ({copy_s:.2f} s; "
          f"+{render:.2f} s to render the CSV: {rows / (copy_s + render):,.0f} rows/s)")
    print(f"slamon ingest (new rows):  {rows / new_s:12,.0f} rows/s  ({new_s:.2f} s, "
          "rollups included)")
    print(f"ratio slamon / COPY:       {copy_s / new_s:12.0%}   (goal >= 80 %; runs: "
          f"{', '.join(ratios)})")
    print(f"re-ingest (all unchanged): {rows / again_s:12,.0f} rows/s  ({again_s:.2f} s)")
    print(f"ratio re-ingest / COPY:    {copy_s / again_s:12.0%}   (goal >= 100 %)")


def measure(frame: Any, args: argparse.Namespace, *, keep: bool
            ) -> tuple[float, float, float, float]:
    """One run in a fresh schema: seconds of the COPY baseline, of slamon's ingest of the
    rows as new, of their re-ingest (all unchanged), and of rendering the baseline's CSV."""
    rows = len(frame)
    store = fresh_store(SCHEMA)
    try:
        # baseline: the same rows, already rendered as CSV, COPYed into a twin table
        norm = normalise(frame)
        baseline = norm.rename(columns={"ts": "interval_start"})[
            ["queue", "channel", "interval_start", "interval_minutes", "offered", "answered",
             "abandoned", "answer_wait_seconds"]].copy()
        baseline.insert(0, "contract_id", "bench")
        baseline["thresholds"] = thresholds_json(norm, ["abandoned_within_5s",
                                                        "answered_within_20s"])
        baseline["source"] = "bench"  # the same rows as stored: slamon keeps their source
        columns = ", ".join(baseline.columns)
        render_started = time.perf_counter()
        payload = baseline.to_csv(index=False, header=False).encode()
        render = time.perf_counter() - render_started
        with store.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE copy_intervals (LIKE intervals INCLUDING ALL)")
        raw_conn: Any = store.engine.raw_connection()
        try:
            checkpoint(store)
            started = time.perf_counter()
            copy = f"COPY copy_intervals ({columns}) FROM STDIN WITH (FORMAT csv)"
            with raw_conn.cursor() as cur, cur.copy(copy) as cp:
                for i in range(0, len(payload), 1 << 20):
                    cp.write(payload[i:i + (1 << 20)])
            raw_conn.commit()
            copy_seconds = time.perf_counter() - started
        finally:
            raw_conn.close()

        c = contract(QUEUES)
        atomic = not args.per_batch
        checkpoint(store)
        started = time.perf_counter()
        first = store.ingest_intervals(c, frame, source="bench", batch_size=args.batch,
                                       atomic=atomic)
        slamon_seconds = time.perf_counter() - started
        assert first.new == rows, first

        checkpoint(store)
        started = time.perf_counter()
        again = store.ingest_intervals(c, frame, source="bench", batch_size=args.batch,
                                       atomic=atomic)
        reingest_seconds = time.perf_counter() - started
        assert again.unchanged == rows, again
    finally:
        store.close()
        if not keep:
            drop_schema(SCHEMA)
    return copy_seconds, slamon_seconds, reingest_seconds, render


if __name__ == "__main__":
    main()
