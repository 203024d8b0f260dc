"""Engine benchmark: a year of 30-minute intervals evaluated span by span (issue 15).

    python bench/engine.py [--queues 1000] [--contract contracts/acme-connect-2026.yaml]
    python bench/engine.py --large        # 10,000 queues x 1 year: 175 M rows, ~15 min here

Evaluates every SLA of the shipped contract for each month of 2026 with
`evaluate_periods`: each span (a month, or the quarter of the quarterly ASA) is generated on
demand (time-major, counts as int16/int32 like a columnar store would hold them), evaluated,
and released before the next, so peak memory follows one span, not the year. Prints the
engine's time (generation excluded), the ratio to a bare numpy sorted `reduceat` by interval
start over the very same chunks, and the process's peak RSS.
Goals (issue 15): 10,000 queues x 1 year: ratio <= 3, peak RSS <= 2 GiB.
Not a test: speed is measured, not asserted.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.domain.contract import Contract  # noqa: E402
from monitor.domain.history import evaluate_periods  # noqa: E402
from monitor.domain.measurements import Measurements, Outage  # noqa: E402
from monitor.domain.periods import period_for  # noqa: E402
from monitor.spec import load_contract  # noqa: E402

COUNTS = ["offered", "answered", "abandoned", "answered_within_20s", "abandoned_within_20s",
          "abandoned_within_5s", "answer_wait_seconds", "csat_1", "csat_2", "csat_3", "csat_4",
          "csat_5"]
MINUTE = 60_000_000_000


def build(contract: Contract, queues: int, start: datetime, end: datetime,
          seed: int = 7) -> pd.DataFrame:
    """One row per queue per half-hour in [start, end) (UTC), time-major; the same rows
    whatever the chunking (seeded by the chunk's start)."""
    rng = np.random.default_rng([seed, int(start.timestamp())])
    first = np.datetime64(start.astimezone(UTC).replace(tzinfo=None), "ns")
    steps = int((end - start).total_seconds() // 1800)
    starts = first + np.arange(steps, dtype=np.int64) * np.timedelta64(30, "m")
    n = steps * queues
    names = [q.id for q in contract.sources.queues] + [f"queue-{i:05d}" for i in range(queues)]
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


@dataclass
class Chunks:
    """The measurements of one span at a time, generated on demand (as a store would read
    them); times the generation apart, and runs the bare numpy baseline on the very same
    arrays while they are held."""

    contract: Contract
    queues: int
    outages: tuple[Outage, ...]
    generating: float = 0.0
    baseline: float = 0.0
    rows: int = 0
    largest_mib: float = 0.0

    def measure(self, start: datetime, end: datetime) -> Measurements:
        t0 = time.perf_counter()
        frame = build(self.contract, self.queues, start, end)
        self.generating += time.perf_counter() - t0
        self.rows += len(frame)
        self.largest_mib = max(self.largest_mib, frame.memory_usage(deep=False).sum() / 2**20)
        t0 = time.perf_counter()
        reduceat_by_start(frame, self.contract, start, end)
        self.baseline += time.perf_counter() - t0
        inside = tuple(o for o in self.outages if o.start < end and (o.end or end) > start)
        return Measurements(frame, inside)


def reduceat_by_start(frame: pd.DataFrame, contract: Contract, start: datetime,
                      end: datetime) -> int:
    """Bare numpy: for each month in the chunk, `np.add.reduceat` of every count column over
    the rows sorted by interval start (one sum per interval start)."""
    t = frame["interval_start"].array.asi8
    columns = [frame[c].to_numpy() for c in COUNTS]
    touched = 0
    for month in range(1, 13):
        period = period_for(contract, f"2026-{month:02d}")
        if period.start < start or period.end > end:
            continue
        lo, hi = int(pd.Timestamp(period.start).value), int(pd.Timestamp(period.end).value)
        i, j = np.searchsorted(t, [lo, hi])
        cuts = np.concatenate(([0], np.flatnonzero(t[i + 1:j] != t[i:j - 1]) + 1))
        for values in columns:
            touched += int(np.add.reduceat(values[i:j], cuts, dtype=np.int64).size)
    return touched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--queues", type=int, default=1000,
                        help="queues (default 1000; the issue's large case: 10000)")
    parser.add_argument("--large", action="store_true", help="10,000 queues x 1 year")
    parser.add_argument("--contract", default=str(ROOT / "contracts/acme-connect-2026.yaml"))
    args = parser.parse_args()
    queues = 10_000 if args.large else args.queues
    contract = load_contract(args.contract)
    chunks = Chunks(contract, queues, outages(np.random.default_rng(3)))
    months = [period_for(contract, f"2026-{m:02d}") for m in range(1, 13)]
    t0 = time.perf_counter()
    history = evaluate_periods(contract, months, chunks.measure, datetime(2027, 1, 15,
                                                                          tzinfo=UTC))
    total = time.perf_counter() - t0
    engine = total - chunks.generating - chunks.baseline
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results = sum(len(e.results) for e in history.evaluations)
    print(f"rows: {chunks.rows:,} generated span by span ({queues:,} queues, 12 months; the "
          f"largest span {chunks.largest_mib:,.0f} MiB), generation {chunks.generating:.1f} s "
          "(not counted)")
    print(f"engine: {results} SLA results and {len(history.credits)} months of credits in "
          f"{engine:.2f} s")
    print(f"bare numpy sorted reduceat over the same chunks (12 columns): "
          f"{chunks.baseline:.2f} s, ratio {engine / chunks.baseline:.2f} (goal <= 3)")
    print(f"peak RSS: {rss_mib:,.0f} MiB for the whole process (goal <= 2048 for 10,000 "
          "queues)")


if __name__ == "__main__":
    main()
