"""Engine benchmark: 1 year x 1,000 queues x 30-minute intervals (17.5 M rows).

    python bench/engine.py [--queues 1000] [--contract contracts/acme-connect-2026.yaml]

Builds the interval arrays in memory (time-major, as collectors deliver them; counts as
int16/int32 like a columnar store would), then evaluates every SLA of the shipped contract
for each month of 2026 (the quarterly ASA over its quarter, as `slamon evaluate` does).
Prints the wall time, the peak memory, and the ratio to a bare numpy group-by over the same
arrays (for every month, `np.bincount` of every count column by interval start).
Targets (issue 2): <= 5 s, <= 1 GiB, ratio <= 3. Not a test: speed is measured, not asserted.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.domain.contract import Contract  # noqa: E402
from monitor.domain.evaluate import evaluate  # noqa: E402
from monitor.domain.measurements import Measurements, Outage  # noqa: E402
from monitor.domain.periods import period_for  # noqa: E402
from monitor.spec import load_contract  # noqa: E402

COUNTS = ["offered", "answered", "abandoned", "answered_within_20s", "abandoned_within_20s",
          "abandoned_within_5s", "answer_wait_seconds", "csat_1", "csat_2", "csat_3", "csat_4",
          "csat_5"]
MINUTE = 60_000_000_000


def build(contract: Contract, queues: int, seed: int = 7) -> pd.DataFrame:
    """One row per queue per half-hour of 2026 in UTC, time-major."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2026-01-01T05:00", "ns")  # local midnight, New York
    steps = 365 * 48
    starts = start + np.arange(steps, dtype=np.int64) * np.timedelta64(30, "m")
    n = steps * queues
    names = [q.id for q in contract.sources.queues] + [f"queue-{i:04d}" for i in range(queues)]
    names = names[:queues]
    frame = pd.DataFrame({
        "queue": pd.Categorical.from_codes(  # type: ignore[call-overload]
            np.tile(np.arange(queues, dtype=np.int16), steps), categories=names),
        "interval_start": pd.DatetimeIndex(np.repeat(starts, queues)).tz_localize("UTC"),
        "interval_minutes": np.full(n, 30, dtype=np.int8),
    })
    offered = rng.integers(0, 60, n, dtype=np.int16)
    abandoned = (offered // rng.integers(12, 40, n, dtype=np.int16)).astype(np.int16)
    answered = (offered - abandoned).astype(np.int16)
    frame["offered"], frame["abandoned"], frame["answered"] = offered, abandoned, answered
    within = (answered - answered // rng.integers(4, 9, n, dtype=np.int16)).astype(np.int16)
    frame["answered_within_20s"] = within
    ab20 = (abandoned // 2).astype(np.int16)
    frame["abandoned_within_20s"] = ab20
    frame["abandoned_within_5s"] = (ab20 // 2).astype(np.int16)
    frame["answer_wait_seconds"] = answered.astype(np.int32) * rng.integers(
        5, 40, n, dtype=np.int16)
    del offered, abandoned, answered, within, ab20
    surveys = rng.integers(0, 4, n, dtype=np.int16)
    for k, share in ((1, 12), (2, 12), (3, 8), (4, 3), (5, 2)):
        frame[f"csat_{k}"] = (surveys * 6 // share // 3).astype(np.int16)
    return frame


def outages(rng: np.random.Generator) -> tuple[Outage, ...]:
    out = []
    for _ in range(40):
        begin = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=int(rng.integers(0, 525_000)))
        out.append(Outage(str(rng.choice(["voice", "ccp", "reporting"])), begin,
                          begin + timedelta(minutes=int(rng.integers(1, 90))), "full"))
    return tuple(out)


def run_engine(contract: Contract, measurements: Measurements) -> int:
    as_of = datetime(2027, 1, 15, tzinfo=UTC)
    results = 0
    for month in range(1, 13):
        period = period_for(contract, f"2026-{month:02d}")
        evaluation = evaluate(contract, measurements, period, as_of)
        results += len(evaluation.results)
    return results


def run_baseline(frame: pd.DataFrame, contract: Contract, *, contiguous: bool = False) -> int:
    """Bare numpy: for each month, sum every count column by interval start, with
    `np.bincount` on minute codes or (`contiguous`) `np.add.reduceat` over the sorted rows."""
    t = frame["interval_start"].array.asi8
    columns = [frame[c].to_numpy() for c in COUNTS]
    touched = 0
    for month in range(1, 13):
        period = period_for(contract, f"2026-{month:02d}")
        lo = int(pd.Timestamp(period.start).value)
        hi = int(pd.Timestamp(period.end).value)
        i, j = np.searchsorted(t, [lo, hi])
        if contiguous:
            cuts = np.concatenate(([0], np.flatnonzero(t[i + 1:j] != t[i:j - 1]) + 1))
            for values in columns:
                touched += int(np.add.reduceat(values[i:j], cuts, dtype=np.int64).size)
            continue
        codes = (t[i:j] - lo) // MINUTE
        for values in columns:
            touched += int(np.bincount(codes, weights=values[i:j]).size)
    return touched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--queues", type=int, default=1000)
    parser.add_argument("--contract", default=str(ROOT / "contracts/acme-connect-2026.yaml"))
    args = parser.parse_args()
    contract = load_contract(args.contract)
    t0 = time.perf_counter()
    frame = build(contract, args.queues)
    measurements = Measurements(frame, outages(np.random.default_rng(3)))
    gc.collect()
    built = time.perf_counter() - t0
    data_mib = frame.memory_usage(deep=False).sum() / 2**20
    print(f"rows: {len(frame):,} ({args.queues} queues x {len(frame) // args.queues:,} "
          f"half-hours), data {data_mib:,.0f} MiB, built in {built:.1f} s")

    t0 = time.perf_counter()
    results = run_engine(contract, measurements)
    engine = time.perf_counter() - t0
    t0 = time.perf_counter()
    run_baseline(frame, contract)
    baseline = time.perf_counter() - t0
    t0 = time.perf_counter()
    run_baseline(frame, contract, contiguous=True)
    contiguous = time.perf_counter() - t0
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    tracemalloc.start()
    run_engine(contract, measurements)
    _, engine_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"engine: {results} SLA results over 12 months in {engine:.2f} s "
          f"(target <= 5 s)")
    print(f"bare numpy group-by over the same arrays (12 columns x 12 months): "
          f"bincount {baseline:.2f} s, ratio {engine / baseline:.2f}; "
          f"sorted reduceat {contiguous:.2f} s, ratio {engine / contiguous:.2f} (target <= 3)")
    print(f"peak memory: {rss_mib:,.0f} MiB resident for the whole process (target <= 1024), "
          f"of which the engine's own allocations peak at {engine_peak / 2**20:,.0f} MiB")


if __name__ == "__main__":
    main()
