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

from monitor.domain.budget import project_result
from monitor.domain.contract import Contract, Direction, Status
from monitor.domain.results import Evaluation, SlaResult


def breach_certain(contract: Contract, evaluation: Evaluation, result: SlaResult) -> bool:
    stated = result.evidence.details.get("breach_certain")
    if stated is not None:
        return bool(stated)
    if result.status is not Status.BREACHED or result.value is None:
        return False
    try:
        sla = contract.sla(result.sla_id)
        projection = project_result(contract, sla, result, evaluation.period,
                                    evaluation.as_of)
    except KeyError:  # an SLA or calendar the contract no longer has
        return False
    if projection is None or projection.best_case is None:
        return False
    target = result.target
    if target.direction is Direction.MIN:
        return projection.best_case < target.value
    return projection.best_case > target.value
