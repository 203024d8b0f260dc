"""Independent evidence: deciding a month of probe samples and reconciling it.

A month of samples for one component from `--locations` probe sites at a `--step` grid
(default 1 minute: 44,640 steps), with a 1 % chance per site and step of a failure and one
real 50-minute outage, goes through `classify` (the K-of-M, N-in-a-row rule) and then
`reconcile` against the vendor's outages. Prints wall times beside the yardstick: deciding
a month must take well under one polling interval of `slamon run` (5 minutes), so the goal
is <= 2 s at 1-minute steps and 3 sites.

    python bench/evidence.py [--step-seconds 60] [--locations 3]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from monitor.domain.calendars import open_spans, spans_from_windows, to_ns
from monitor.domain.contract import (
    CALENDAR_24X7,
    DownRule,
    IndependentSource,
    Metric,
    Record,
    Sla,
    Target,
)
from monitor.domain.evidence import IndependentEvidence, classify
from monitor.domain.measurements import Outage
from monitor.domain.reconcile import reconcile

GOAL_SECONDS = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step-seconds", type=int, default=60)
    parser.add_argument("--locations", type=int, default=3)
    args = parser.parse_args()
    start = datetime(2026, 10, 1, tzinfo=UTC)
    end = datetime(2026, 11, 1, tzinfo=UTC)
    rule = DownRule(failing=2, locations=args.locations, consecutive=3,
                    step=timedelta(seconds=args.step_seconds))
    step = rule.step_ns
    lo, hi = to_ns(start), to_ns(end)
    outage = (to_ns(start + timedelta(days=9, hours=14)),
              to_ns(start + timedelta(days=9, hours=14, minutes=50)))
    rng = random.Random(7)
    samples = {f"site-{i}": {t: not (outage[0] <= t < outage[1]) and rng.random() > 0.01
                             for t in range(lo, hi, step)} for i in range(args.locations)}
    t0 = time.perf_counter()
    decided = classify("voice", samples, lo, hi, rule, "bench")
    t1 = time.perf_counter()
    source = IndependentSource("prometheus", "bench", {"voice": "probe_success"}, rule)
    sla = Sla("availability", Metric.AVAILABILITY, Target(Decimal("0.9999")),
              components=("voice",))
    vendor = (Outage("voice", start + timedelta(days=9, hours=14),
                     start + timedelta(days=9, hours=14, minutes=35), "full", ref="INC-1"),)
    cal = open_spans(CALENDAR_24X7, start, end, UTC)
    both = reconcile(sla, Record.WORST_OF, vendor, IndependentEvidence((source,), decided.spans),
                     cal, spans_from_windows([]), lo, hi, end, UTC, "2026-10")
    t2 = time.perf_counter()
    assert both is not None
    rec = both.reconciliation
    steps = (hi - lo) // step
    print(f"{steps:,} steps x {args.locations} sites: classify {t1 - t0:.2f} s, "
          f"reconcile {t2 - t1:.3f} s, total {t2 - t0:.2f} s "
          f"(goal <= {GOAL_SECONDS:.1f} s: {(t2 - t0) / GOAL_SECONDS:.2f} of it)")
    print(f"{len(decided.spans)} spans; observed {rec.observed_minutes} min, vendor "
          f"{rec.vendor_minutes} min, unreported {rec.unreported_minutes} min")


if __name__ == "__main__":
    main()
