"""Is a breach in a still-open period already certain? The same answer the dashboards give.

`monitor.domain.budget.project` defines "breach certain": even if the rest of the period is
perfect (every remaining event good for a `min` ratio, no bad event or zero seconds for a
`max` one), with the rest bringing as much volume per open minute as the elapsed part did,
the period ends worse than target. Elapsed and total time are counted in the SLA's calendar
(business minutes for a business-hours SLA) up to the evaluation's `as_of`, exactly as the
exporter does for `slamon_sla_best_case_attainment_*`, so a case opens when the dashboard's
best case crosses the target and not at some other moment.

The engine may state it directly in `evidence.details["breach_certain"]`; that wins.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from monitor.domain.budget import project
from monitor.domain.calendars import open_spans, to_ns
from monitor.domain.contract import Contract, Direction, Metric, Status
from monitor.domain.results import Evaluation, SlaResult

SECONDS_METRICS = frozenset({Metric.ASA, Metric.AHT})
NS_PER_MINUTE = Decimal(60_000_000_000)


def breach_certain(contract: Contract, evaluation: Evaluation, result: SlaResult) -> bool:
    stated = result.evidence.details.get("breach_certain")
    if stated is not None:
        return bool(stated)
    if result.status is not Status.BREACHED or result.value is None:
        return False
    try:
        sla = contract.sla(result.sla_id)
        calendar = contract.calendar(sla.calendar)
    except KeyError:
        return False
    period = evaluation.period
    spans = open_spans(calendar, period.start, period.end, contract.tz)
    until = min(max(evaluation.as_of, period.start), period.end)
    marks = np.array([to_ns(period.start), to_ns(until)], dtype=np.int64)
    before = spans.open_before(marks)
    elapsed = Decimal(int(before[1] - before[0])) / NS_PER_MINUTE
    total = Decimal(spans.seconds) / 60
    den = result.evidence.denominator
    target = result.target
    projection = project(result.value * den, den, target.value, target.direction,
                         ratio=sla.metric not in SECONDS_METRICS,
                         elapsed_minutes=elapsed, total_minutes=total)
    if projection is None or projection.best_case is None:
        return False
    if target.direction is Direction.MIN:
        return projection.best_case < target.value
    return projection.best_case > target.value
